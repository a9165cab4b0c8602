"""``convgrad explain``: the derivation in symbols, for shapes instead of numbers."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from ..errors import InputError
from .bundles import GroupedCommand, _stack, output_options, parameter_options, trace_options

if TYPE_CHECKING:
    from ..derivation.records import Frame, Selection

shape_options = _stack(
    click.option(
        "--input-shape",
        metavar="SHAPE",
        help="Shape of X: 3x3, 3×3 or 3,3; with channels 2x5x5, with a batch 2x3x5x5.",
    ),
    click.option(
        "--filter-shape",
        metavar="SHAPE",
        help="Shape of W: 2x2; one filter over channels 3x2x2; C_out filters 4x3x2x2.",
    ),
    click.option("--bias", is_flag=True, help="Add a bias b and derive ∂L/∂b too."),
    section="Shapes (default: the hand-written page's 3x3 and 2x2)",
)


@click.command(cls=GroupedCommand)
@shape_options
@parameter_options
@output_options()
@trace_options
def explain(**options: Any) -> None:
    """Derive every gradient in symbols, no numbers: the hand-written page for any shapes.

    Each ∂L/∂w and ∂L/∂x as its chain-rule sum (∂L/∂x₂₂ = w₂₂·δ₁₁ + w₂₁·δ₁₂ + …),
    which weight links each x to each δ, the rotated filter, and the full
    convolution window by window. More than 300 window positions need --trace
    (every step) or --cells (chosen cells).

    \b
    Examples:
      convgrad explain --input-shape 3x3 --filter-shape 2x2
      convgrad explain --input-shape 4x4 --filter-shape 2x2 --stride 2 --padding 1
      convgrad explain --input-shape 7 --filter-shape 3 --dims 1 --dilation 2
      convgrad explain --input-shape 2x3x3 --filter-shape 2x2x2x2 --cells x122,w1111
      convgrad explain --input-shape 3x3 --filter-shape 2x2 --format latex -o page.tex
    """
    run_explain(options)


def frame_from(options: dict[str, Any]) -> Frame:
    """The checked problem the flags describe: shapes in the user's forms, parameters resolved."""
    from ..derivation.symbolic import PAGE_SHAPES, PARAMETERS, SHAPE_FLAGS, checked_frame, parse_shape
    from ..load.params import parse_param

    x_text, w_text = options.get("input_shape"), options.get("filter_shape")
    if (x_text is None) != (w_text is None):
        missing = "filter" if w_text is None else "input"
        example = dict(zip(("input", "filter"), PAGE_SHAPES))[missing]
        raise InputError(
            SHAPE_FLAGS[missing], "is missing", f"give both shapes, e.g. {SHAPE_FLAGS[missing]} {example}"
        )
    x = parse_shape("--input-shape", PAGE_SHAPES[0] if x_text is None else x_text)
    w = parse_shape("--filter-shape", PAGE_SHAPES[1] if w_text is None else w_text)
    params = {
        name: parse_param(name, str(options[name])) for name in PARAMETERS if options.get(name) is not None
    }
    if options.get("mode"):
        params["mode"] = options["mode"]
    try:
        return checked_frame(x, w, params, bias=bool(options.get("bias")))
    except InputError as error:  # name the flag at fault, as compute names a flag or a file
        known = error.field in PARAMETERS or error.field == "mode"
        error.field = SHAPE_FLAGS.get(error.field) or (f"--{error.field}" if known else error.field)
        raise


def selection_for(frame: Frame, options: dict[str, Any]) -> Selection:
    """What to derive: ``--cells``, else everything (a problem past the size policy needs --trace)."""
    from ..derivation.records import TRACE_LIMIT, choose, window_count

    example = "x" + "1" * len(frame.user_shape("input")) + ",w" + "1" * len(frame.user_shape("filter"))
    if options.get("trace") is False and not options.get("cells"):
        raise InputError(
            "--no-trace",
            "leaves explain nothing to show",
            f"leave it out, or choose cells with --cells {example}",
        )
    selection, _ = choose(frame, trace=options.get("trace"), cells=options.get("cells"))
    if selection is None:
        raise InputError(
            "--input-shape", f"the derivation has {window_count(frame):,} window positions (more than {TRACE_LIMIT})",
            f"add --trace to show every step, or choose cells with --cells {example}",
        )  # fmt: skip
    return selection


def run_explain(options: dict[str, Any]) -> None:
    from ..load.problem import Request
    from .run import emit, export_views, render_view

    if options.get("input_shape") is None and options.get("filter_shape") is None:
        print("convgrad: using the hand-written page's shapes (give --input-shape and --filter-shape for your own)",
              file=sys.stderr)  # fmt: skip
    from ..derivation.records import build_symbolic

    frame = frame_from(options)
    derivation = build_symbolic(frame, selection_for(frame, options))
    if options.get("format_") == "json":
        from ..render.json_doc import dumps
        from ..render.symbolic_json import document

        text = dumps(document(derivation)) + "\n"
    else:
        text = render_view(derivation, None, options)
    emit(text, options, Request())
    export_views(derivation, None, options, "convgrad explain", [])
