"""What ``compute`` does once flags are parsed: files → arrays → engine → text.

Shared by every command that solves a problem first (compute, check), and kept
free of Click so it can be tested and reused directly.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, BinaryIO

from ..engine.backward import Gradients, backward
from ..errors import InputError
from ..load.problem import PARAMS, Request, gather

if TYPE_CHECKING:
    from ..derivation.records import Derivation, Selection

OPERANDS = {"input": "input_", "filter": "filter_", "grad_output": "grad_output", "bias": "bias"}


def request_from(options: dict[str, Any], stdin: BinaryIO | None) -> Request:
    """The problem the flags describe (problem file, sample, operands, parameters)."""
    flags = {name: _text(options.get(name)) for name in PARAMS if name != "mode"}
    request = gather(
        problem=options.get("problem"),
        sample=options.get("sample"),
        operands={field: options.get(key) for field, key in OPERANDS.items()},
        flags=flags,
        stdin=stdin,
    )
    if options.get("mode"):
        request.params["mode"] = options["mode"]
    return request


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def solve(request: Request, exact: bool | None) -> Gradients:
    """Run :func:`backward`, naming the field's file in any error."""
    arrays = request.arrays
    try:
        return backward(
            arrays["input"], arrays["filter"], arrays.get("grad_output"),
            bias=arrays.get("bias"), exact=exact, **request.params,
        )  # fmt: skip
    except InputError as error:
        raise request.locate(error) from None


def notes_for(request: Request, result: Gradients) -> list[str]:
    """What the user should know but stdout must not carry."""
    notes = []
    if request.origin and request.origin.startswith("sample "):
        notes.append(f"using the built-in {request.origin} (give -x/-w or --problem for your own)")
    if not result.grad_output_given:
        notes.append("no -g/--grad-output given: using ∂L/∂Y = 1 everywhere (L = sum of Y)")
    notes.extend(result.notes)
    return notes


def run_compute(options: dict[str, Any], stdin: BinaryIO | None) -> None:
    request = request_from(options, stdin)
    result = solve(request, options.get("exact"))
    selection, trace_note = trace_choice(result, options)
    notes = notes_for(request, result)
    if trace_note and options.get("format_") != "table":  # the table view says it itself
        notes.append(trace_note)
    for note in notes:
        print(f"convgrad: {note}", file=sys.stderr)
    if options.get("format_") == "json":
        emit(_json_text(result, selection), options, request)
        if not _exports(options):
            return
    # Built once: the chosen view and any --export-svg/--export-html draw the same derivation.
    derivation = _build(result, selection)
    if options.get("format_") != "json":
        emit(render_view(derivation, trace_note, options), options, request)
    export_views(
        derivation, trace_note, options, "convgrad compute", [s for s in request.sources.values() if s]
    )


def trace_choice(result: Gradients, options: dict[str, Any]) -> tuple[Selection | None, str | None]:
    """Which cells to derive (None: results only) and why, from --trace/--no-trace/--cells."""
    from ..derivation.records import choose, frame_of

    return choose(frame_of(result), trace=options.get("trace"), cells=options.get("cells"))


def _build(result: Gradients, selection: Selection | None, *, steps: bool = True) -> Derivation:
    """The derivation of the selected cells; results only (no cells) when the trace is off."""
    from ..derivation.records import Selection, build

    return build(result, selection or Selection((), ()), steps=steps)


def _json_text(result: Gradients, selection: Selection | None) -> str:
    from ..render.json_doc import document, dumps

    trace = None
    if selection is not None:
        from ..render.trace_json import trace as trace_object

        trace = trace_object(_build(result, selection, steps=False))  # JSON needs no grids
    return dumps(document(result, trace=trace)) + "\n"


def render_view(derivation: Derivation, note: str | None, options: dict[str, Any]) -> str:
    """A derivation (numeric or symbolic) as table, Markdown or LaTeX text."""
    form = options.get("format_")
    if form == "markdown":
        from ..render.markdown import markdown

        return markdown(derivation, note)
    if form == "latex":
        from ..render.latex import latex

        return latex(derivation, note, body=bool(options.get("latex_body")))
    return _rich_text(derivation, note, options)


def _rich_text(derivation: Derivation, note: str | None, options: dict[str, Any]) -> str:
    import io

    from ..derivation.records import collector_paused
    from ..render.console import make_console
    from ..render.table import derivation_view

    to_file = options.get("output_file") is not None
    console = make_console(
        color=False if to_file else options.get("color"),
        width=options.get("width"),
        file=io.StringIO() if to_file else None,
    )
    # Thousands of Texts and Segments, none in a cycle: collector passes would find nothing.
    with collector_paused(), console.capture() as capture:
        console.print(derivation_view(derivation, note))
    return capture.get()


def _exports(options: dict[str, Any]) -> bool:
    return bool(options.get("export_svg") or options.get("export_html"))


def export_views(
    derivation: Derivation, note: str | None, options: dict[str, Any], title: str, inputs: list[str]
) -> None:
    """--export-svg / --export-html: the table view as a picture (colour on, --width or 80 columns)."""
    if not _exports(options):
        return
    import io

    from ..load.atomic import write_atomic
    from ..render.console import make_console
    from ..render.table import derivation_view

    console = make_console(color=True, width=options.get("width") or 80, file=io.StringIO(), record=True)
    console.print(derivation_view(derivation, note))
    if options.get("export_svg"):
        svg = console.export_svg(title=title, clear=False)
        write_atomic(options["export_svg"], svg, inputs, flag="--export-svg")
    if options.get("export_html"):
        write_atomic(options["export_html"], console.export_html(clear=False), inputs, flag="--export-html")


def emit(text: str, options: dict[str, Any], request: Request) -> None:
    """stdout, or ``-o FILE`` written atomically (never over an input)."""
    path = options.get("output_file")
    if path:
        from ..load.atomic import write_atomic  # here: most runs write to stdout

        write_atomic(path, text, inputs=[s for s in request.sources.values() if s])
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
