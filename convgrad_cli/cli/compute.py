"""``convgrad compute``: the forward output and every gradient of one layer, in the chosen view."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO

import click

from . import bundles
from .requests import OutputChoice, Parameters, ProblemChoice, TraceChoice

if TYPE_CHECKING:
    from ..derivation import Derivation, Selection
    from ..engine.backward import Gradients


@dataclass(frozen=True, slots=True)
class ComputeRequest:
    """``convgrad compute``: a problem, how to compute it, and what to show."""

    problem: ProblemChoice
    params: Parameters
    exact: bool | None
    output: OutputChoice
    trace: TraceChoice


@click.command(cls=bundles.GroupedCommand)
@bundles.input_options
@bundles.spec_options
@bundles.output_options()
@bundles.trace_options
def compute(**flags: Any) -> None:
    """Forward output Y and ∂L/∂X, ∂L/∂W, ∂L/∂b of Y = conv(X, W) + b.

    \b
    Examples:
      convgrad compute
      convgrad compute -x '[[1,2,3],[4,5,6],[7,8,9]]' -w '[[1,0],[0,-1]]'
      convgrad compute -x X.csv -w W.csv -g dY.csv --stride 2 --padding 1
      convgrad compute --problem hw3.json --format json | jq .grad_input
      convgrad compute --cells x22,w12 --format markdown
    """
    request = ComputeRequest(
        problem=bundles.problem_from(flags), params=bundles.parameters_from(flags), exact=flags.pop("exact"),
        output=bundles.output_from(flags), trace=bundles.trace_from(flags),
    )  # fmt: skip
    bundles.all_read(flags)
    run(request, sys.stdin.buffer if sys.stdin else None)


def run(request: ComputeRequest, stdin: BinaryIO | None) -> None:
    """Gather and solve the problem, then write the chosen view (and any exported pictures)."""
    from .emit import distinct_files, emit
    from .solving import check_view_memory, gather_problem, notes_for, operand_files, solve

    distinct_files(request.output.files() | request.trace.files())
    problem = gather_problem(request.problem, request.params, stdin)
    check_view_memory(problem, {request.output.format} | ({"table"} if request.trace.exports() else set()))
    result = solve(problem, request.exact)
    selection, trace_note = trace_selection(result, request)
    notes = notes_for(problem, result)
    json_out = request.output.format == "json"
    if trace_note and request.output.format != "table":  # the table view says it itself
        notes.append(trace_note)
    for note in notes:
        click.echo(f"convgrad: {note}", err=True)  # dropped, not sent to stdout, when stderr is closed
    inputs = operand_files(problem)
    exports = request.trace.exports()
    if json_out and not exports:
        derivation = (
            derive(result, selection, steps=False) if selection is not None else None
        )  # JSON needs no grids
        emit(json_text(result, derivation), request.output, inputs)
        return
    # Built once: the chosen view and any --export-svg/--export-html draw the same derivation.
    from .views import export_views, render_view

    derivation = derive(result, selection)
    if json_out:
        emit(json_text(result, derivation if selection is not None else None), request.output, inputs)
    else:
        emit(render_view(derivation, trace_note, request.output, request.trace), request.output, inputs)
    export_views(derivation, trace_note, request.trace, request.output.width, "convgrad compute", inputs)


def trace_selection(result: Gradients, request: ComputeRequest) -> tuple[Selection | None, str | None]:
    """Which cells to derive (None: results only) and why, from --trace/--no-trace/--cells."""
    from ..derivation import choose, frame_of

    return choose(frame_of(result), trace=request.trace.trace, cells=request.trace.cells)


def derive(result: Gradients, selection: Selection | None, *, steps: bool = True) -> Derivation:
    """The derivation of the selected cells; results only (no cells) when the trace is off."""
    from ..derivation import Selection, build

    return build(result, selection or Selection((), ()), steps=steps)


def json_text(result: Gradients, derivation: Derivation | None) -> str:
    """The ``--format json`` document, with the trace object when cells were derived."""
    from ..render.json_doc import document, dumps

    trace = None
    if derivation is not None:
        from ..render.trace_json import trace as trace_object

        trace = trace_object(derivation)
    return dumps(document(result, trace=trace)) + "\n"
