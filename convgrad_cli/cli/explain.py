"""``convgrad explain``: the derivation in symbols, for shapes instead of numbers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import click

from ..errors import InputError
from . import bundles
from .param_types import Shape
from .requests import OutputChoice, Parameters, TraceChoice

if TYPE_CHECKING:
    from collections.abc import Iterator

    from ..derivation import Frame, Selection


@dataclass(frozen=True, slots=True)
class ExplainRequest:
    """``convgrad explain``: shapes (None: the page's), parameters, and what to show."""

    input_shape: tuple[int, ...] | None
    filter_shape: tuple[int, ...] | None
    bias: bool
    params: Parameters
    output: OutputChoice
    trace: TraceChoice


shape_options = bundles.stack(
    click.option(
        "--input-shape",
        type=Shape("--input-shape"),
        metavar="SHAPE",
        help="Shape of X: 3x3, 3×3 or 3,3; with channels 2x5x5, with a batch 2x3x5x5.",
    ),
    click.option(
        "--filter-shape",
        type=Shape("--filter-shape"),
        metavar="SHAPE",
        help="Shape of W: 2x2; one filter over channels 3x2x2; C_out filters 4x3x2x2.",
    ),
    click.option("--bias", is_flag=True, help="Add a bias b and derive ∂L/∂b too."),
    section="Shapes (default: the hand-written page's 3x3 and 2x2)",
)


@click.command(cls=bundles.GroupedCommand)
@shape_options
@bundles.parameter_options
@bundles.output_options()
@bundles.trace_options
def explain(**flags: Any) -> None:
    """Derive every gradient in symbols, no numbers: the hand-written page for any shapes.

    Each ∂L/∂w and ∂L/∂x as its chain-rule sum (∂L/∂x₂₂ = w₂₂·δ₁₁ + w₂₁·δ₁₂ + …),
    which weight links each x to each δ, the rotated filter, and the full
    convolution window by window. More than 300 window positions, or 50,000 drawn
    grid cells (wide padding or dilation), need --trace (every step) or --cells
    (chosen cells).

    \b
    Examples:
      convgrad explain --input-shape 3x3 --filter-shape 2x2
      convgrad explain --input-shape 4x4 --filter-shape 2x2 --stride 2 --padding 1
      convgrad explain --input-shape 7 --filter-shape 3 --dims 1 --dilation 2
      convgrad explain --input-shape 2x3x3 --filter-shape 2x2x2x2 --cells x122,w1111
      convgrad explain --input-shape 3x3 --filter-shape 2x2 --format latex -o page.tex
    """
    request = ExplainRequest(
        input_shape=flags.pop("input_shape"), filter_shape=flags.pop("filter_shape"), bias=flags.pop("bias"),
        params=bundles.parameters_from(flags), output=bundles.output_from(flags), trace=bundles.trace_from(flags),
    )  # fmt: skip
    bundles.all_read(flags)
    run(request)


def run(request: ExplainRequest) -> None:
    """Shapes → checked frame → symbolic derivation → the chosen view (and any exported pictures)."""
    from ..derivation import build_symbolic
    from .emit import distinct_files, emit
    from .views import export_views, render_view

    distinct_files(request.output.files() | request.trace.files())
    if request.input_shape is None and request.filter_shape is None:
        click.echo("convgrad: using the hand-written page's shapes (give --input-shape and --filter-shape for your own)",
                   err=True)  # fmt: skip
    frame = frame_for(request)
    derivation = build_symbolic(frame, selection_for(frame, request))
    if request.output.format == "json":
        from ..render.json_doc import dumps
        from ..render.symbolic_json import document

        text: str | Iterator[str] = dumps(document(derivation)) + "\n"
    else:
        text = render_view(derivation, None, request.output, request.trace)
    emit(text, request.output)
    export_views(derivation, None, request.trace, request.output.width, "convgrad explain", [])


def frame_for(request: ExplainRequest) -> Frame:
    """The checked problem the request describes: shapes in the user's forms, parameters resolved."""
    from ..derivation.symbolic import PAGE_SHAPES, PARAMETERS, SHAPE_FLAGS, checked_frame, parse_shape

    x, w = request.input_shape, request.filter_shape
    if (x is None) != (w is None):
        missing = "filter" if w is None else "input"
        example = dict(zip(("input", "filter"), PAGE_SHAPES))[missing]
        raise InputError(
            SHAPE_FLAGS[missing], "is missing", f"give both shapes, e.g. {SHAPE_FLAGS[missing]} {example}"
        )
    if x is None or w is None:
        x, w = parse_shape("--input-shape", PAGE_SHAPES[0]), parse_shape("--filter-shape", PAGE_SHAPES[1])
    try:
        return checked_frame(x, w, request.params.given(), bias=request.bias)
    except InputError as error:  # name the flag at fault, as compute names a flag or a file
        known = error.field in PARAMETERS or error.field == "mode"
        error.field = SHAPE_FLAGS.get(error.field) or (f"--{error.field}" if known else error.field)
        raise


def selection_for(frame: Frame, request: ExplainRequest) -> Selection:
    """What to derive: ``--cells``, else everything (a problem past the size policy needs --trace)."""
    from ..derivation import cells_example, choose, too_big, traceable

    trace, cells = request.trace.trace, request.trace.cells
    example = cells_example(frame)
    if trace is False and not cells:
        raise InputError(
            "--no-trace",
            "leaves explain nothing to show",
            f"leave it out, or choose cells with --cells {example}",
        )
    selection, _ = choose(frame, trace=trace, cells=cells)
    if selection is None:
        force = (
            "add --trace to show every step, or choose cells with"
            if traceable(frame)
            else "choose cells with"
        )
        raise InputError("--input-shape", too_big(frame) or "", f"{force} --cells {example}")
    return selection
