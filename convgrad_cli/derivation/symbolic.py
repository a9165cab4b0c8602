"""Shapes instead of numbers: parse them, and check the problem they make (``explain``'s frame).

A problem with shapes but no numbers is checked by the rules ``compute`` applies (the
layout, :func:`~convgrad_cli.engine.resolve_spec`, the API's shape checks), then
:func:`~convgrad_cli.derivation.build.build_symbolic` lists the same steps a numeric derivation
has, every value None, and the same renderers print them with symbols where numbers
would be.  The command itself is cli/explain.py; its JSON document is render/symbolic_json.py.
"""

from __future__ import annotations

import re
from math import prod
from typing import Any

import numpy as np

from ..engine.backward import check_shapes
from ..engine.shapes import Layout
from ..engine.spec import check_dims, resolve_spec
from ..errors import InputError
from .records import Frame

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


def checked_frame(x: tuple[int, ...], w: tuple[int, ...], params: dict[str, Any], *, bias: bool) -> Frame:
    """A :class:`Frame`, refused with the messages ``compute`` gives arrays of these shapes."""
    dims = check_dims(params.get("dims", 2))
    layout = Layout.of(len(x), len(w), dims)
    rest = {name: value for name, value in params.items() if name != "dims"}
    spec = resolve_spec(dims=dims, kernel=w[len(w) - dims :], spatial=x[len(x) - dims :], **rest)
    frame = Frame.of(spec, x, w, bias)
    # The API checks arrays by their shapes alone: zero-stride views stand in for them, no memory.
    check_shapes(_stand_in(frame.input_shape), _stand_in(frame.filter_shape), frame.spec, layout)
    _check_size(frame)
    return frame


def _stand_in(shape: tuple[int, ...]) -> np.ndarray:
    return np.broadcast_to(np.zeros((), np.int8), shape)


def _check_size(frame: Frame) -> None:
    """Every symbol is written out: refuse arrays and grids no one could read (or hold)."""
    for field, name, shape in (
        ("input", "the input", frame.input_shape),
        ("filter", "the filter", frame.filter_shape),
        ("size", "δ = ∂L/∂Y", frame.output_shape),
        ("size", "the zero-padded δ", frame.padded_delta),
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
