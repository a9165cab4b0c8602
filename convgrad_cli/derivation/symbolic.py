"""What ``explain`` does once flags are parsed: shapes → frame → symbolic derivation → text.

A problem with shapes but no numbers is checked by the rules ``compute`` applies (the
layout, :func:`~convgrad_cli.engine.resolve_spec`, the API's shape checks), then
:func:`~convgrad_cli.derivation.records.build_symbolic` lists the same steps a numeric derivation
has, every value None, and the same renderers print them with symbols where numbers
would be.  Kept free of Click; Rich is imported only for the table view.
"""

from __future__ import annotations

import re
import sys
from math import prod
from typing import TYPE_CHECKING, Any

import numpy as np

from ..engine.backward import check_shapes
from ..engine.shapes import Layout
from ..engine.spec import check_dims, resolve_spec
from ..errors import InputError
from ..load.params import parse_param
from ..notation import UNICODE
from ..render import prose
from .records import (
    GAP,
    PAD,
    TRACE_LIMIT,
    Cell,
    Derivation,
    Frame,
    Grid,
    build_symbolic,
    choose,
    window_count,
)

if TYPE_CHECKING:
    from .records import Selection

PAGE_SHAPES = ("3x3", "2x2")  # the hand-written page's running example
MAX_ENTRIES = 1_000_000  # per array or grid: every entry is written out as a symbol
SHAPE_EXPECTED = "write the sizes separated by x, × or commas, e.g. 3x3, 2,3,3 or 2x3x5x5"
SHAPE_FLAGS = {"input": "--input-shape", "filter": "--filter-shape"}
PARAMETERS = ("stride", "padding", "dilation", "groups", "dims")
_SEPARATOR = re.compile(r"\s*[x×X,*]\s*|\s+")
_MAX_DIGITS = 7  # a size above MAX_ENTRIES is refused anyway; keeps int() and messages short


def parse_shape(flag: str, text: str) -> tuple[int, ...]:
    """``3x3``, ``3×3``, ``2,3,3`` or ``(2, 3, 5, 5)`` → a tuple of sizes ≥ 1."""
    stripped = text.strip().removeprefix("(").removesuffix(")").removeprefix("[").removesuffix("]").strip()
    if not stripped:
        raise InputError(flag, "is empty", SHAPE_EXPECTED)
    shown, shape = repr(text.strip()), []
    for part in _SEPARATOR.split(stripped):
        if not part.isdigit() or not part.isascii():
            what = "has an empty size" if not part else "is not a whole number ≥ 1"
            where = f": {part!r}" if part and part != text.strip() else ""
            raise InputError(flag, f"{shown}{where} {what}", SHAPE_EXPECTED)
        if len(part) > _MAX_DIGITS or int(part) > MAX_ENTRIES:
            raise InputError(flag, f"{shown} has a size of {part}", _size_limit())
        if int(part) == 0:
            raise InputError(flag, f"{shown} has a size 0", "every axis needs at least one entry")
        shape.append(int(part))
    return tuple(shape)


def frame_from(options: dict[str, Any]) -> Frame:
    """The checked problem the flags describe: shapes in the user's forms, parameters resolved."""
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


def checked_frame(x: tuple[int, ...], w: tuple[int, ...], params: dict[str, Any], *, bias: bool) -> Frame:
    """A :class:`Frame`, refused with the messages ``compute`` gives arrays of these shapes."""
    dims = check_dims(params.get("dims", 2))
    layout = Layout.of(len(x), len(w), dims)
    rest = {name: value for name, value in params.items() if name != "dims"}
    frame = Frame.of(resolve_spec(dims=dims, kernel=w[len(w) - dims :], **rest), x, w, bias)
    # The API checks arrays by their shapes alone: zero-stride views stand in for them, no memory.
    check_shapes(_stand_in(frame.input_shape), _stand_in(frame.filter_shape), frame.spec, layout)
    _check_size(frame)
    return frame


def _stand_in(shape: tuple[int, ...]) -> np.ndarray:
    return np.broadcast_to(np.zeros((), np.int8), shape)


def _check_size(frame: Frame) -> None:
    """Every symbol is written out: refuse arrays and grids no one could read (or hold)."""
    grid = tuple(p + e - 1 for p, e in zip(frame.padded, frame.extent))
    for field, name, shape in (
        ("input", "the input", frame.input_shape),
        ("filter", "the filter", frame.filter_shape),
        ("size", "δ = ∂L/∂Y", frame.output_shape),
        ("size", "the zero-padded δ", grid),
        ("size", "the dilated filter", frame.extent),
    ):
        if prod(shape) > MAX_ENTRIES:
            raise InputError(
                field,
                f"{name} would have {prod(shape):,} entries ({'×'.join(map(str, shape))})",
                _size_limit(),
            )


def _size_limit() -> str:
    return f"explain writes out every entry: at most {MAX_ENTRIES:,} per array; use smaller shapes, padding or dilation"


def selection_for(frame: Frame, options: dict[str, Any]) -> Selection:
    """What to derive: ``--cells``, else everything (a problem past the size policy needs --trace)."""
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
    from ..cli.run import emit, export_views, render_view
    from ..load.problem import Request

    if options.get("input_shape") is None and options.get("filter_shape") is None:
        print("convgrad: using the hand-written page's shapes (give --input-shape and --filter-shape for your own)",
              file=sys.stderr)  # fmt: skip
    frame = frame_from(options)
    derivation = build_symbolic(frame, selection_for(frame, options))
    if options.get("format_") == "json":
        from ..render.json_doc import dumps

        text = dumps(document(derivation)) + "\n"
    else:
        text = render_view(derivation, None, options)
    emit(text, options, Request())
    export_views(derivation, None, options, "convgrad explain", [])


# ---------------------------------------------------------------- the JSON document


def document(derivation: Derivation) -> dict[str, Any]:
    """``--format json``: the configuration, the shapes, and the trace in indices and symbols.

    The trace is :func:`~convgrad_cli.render.trace_json.trace`'s (0-based indices, no values),
    each cell also named and written out as the page writes it (``"formula"``, 1-based
    symbols, every term), each ∂L/∂x cell with its window's top-left corner on the padded δ,
    and ``steps``: what slides over δ, and δ zero-inserted and padded (``"pad"``/``"gap"``
    for zeros that are not data).
    """
    from ..render.json_doc import SCHEMA
    from ..render.trace_json import trace

    frame, spec = derivation.frame, derivation.frame.spec
    shapes = {name: list(frame.user_shape(name)) for name in ("input", "filter", "grad_output")}
    if frame.bias:
        shapes["bias"] = [frame.filter_shape[0]] if frame.layout.output_channels else []
    body = trace(derivation)
    for kind, key in (("filter", "grad_filter"), ("input", "grad_input")):
        cells = zip(getattr(derivation, key), body[key])
        body[key] = [
            {"index": entry["index"], **_named(frame, cell, kind), "terms": entry["terms"]}
            for cell, entry in cells
        ]
    if derivation.grad_bias:
        body["grad_bias"] = [_bias_cell(frame, cell) for cell in derivation.grad_bias]
    body["steps"] = _steps(derivation)
    config = {
        "dims": spec.dims, "stride": list(spec.stride), "dilation": list(spec.dilation), "groups": spec.groups,
        "mode": spec.mode, "padding": [list(pair) for pair in spec.padding],
    }  # fmt: skip
    return {"schema": SCHEMA, "config": config, "shapes": shapes, "trace": body}


def _named(frame: Frame, cell: Cell, kind: str) -> dict[str, Any]:
    """``∂L/∂w₁₂`` and ``δ₁₁·x₁₂ + …`` (every term, summed over images or filters)."""
    if kind == "filter":
        pairs = [
            (_symbol(frame, "grad_output", t.delta), _symbol(frame, "input", t.source)) for t in cell.terms
        ]
        named: dict[str, Any] = {"name": prose.lhs(frame, "filter", cell.index, UNICODE)}
    else:
        pairs = [
            (_symbol(frame, "filter", t.source), _symbol(frame, "grad_output", t.delta)) for t in cell.terms
        ]
        named = {"name": prose.lhs(frame, "input", cell.index, UNICODE), "window": list(cell.parts[0].corner)}
    named["formula"] = " + ".join(f"{a}{UNICODE.times}{b}" for a, b in pairs) or "0"
    return named


def _bias_cell(frame: Frame, cell: Any) -> dict[str, Any]:
    name = UNICODE.partial(UNICODE.symbol("b", cell.index, False)) if cell.index else UNICODE.words["db"]
    return {
        "index": list(cell.index),
        "name": name,
        "formula": " + ".join(_symbol(frame, "grad_output", i) for i in cell.deltas),
        "grad_output_indices": [list(i) for i in cell.deltas],
    }


def _symbol(frame: Frame, operand: str, index: tuple[int, ...]) -> str:
    return prose.entry(frame, operand, index, UNICODE)


def _steps(derivation: Derivation) -> dict[str, Any]:
    filters = [
        {"filter": o, "channel": c, "sliding": _nested(steps.sliding)}
        for steps in derivation.filters
        for o, c in [steps.block]
    ]
    deltas = [
        {
            "image": n,
            "filter": o,
            "inserted": None if steps.inserted is None else _nested(steps.inserted),
            "padded": _nested(steps.padded),
            "before": list(steps.before),
            "after": list(steps.after),
        }
        for steps in derivation.deltas
        for n, o in [steps.block]
    ]
    return {"filters": filters, "grad_output": deltas}


def _nested(grid: Grid) -> Any:
    """A grid as nested lists, row-major: each entry an index list, or "pad"/"gap"."""
    flat: list[Any] = [e if e in (PAD, GAP) else list(e) for e in grid.entries]
    for size in reversed(grid.shape[1:]):
        flat = [flat[i : i + size] for i in range(0, len(flat), size)]
    return flat
