"""Nested lists (parsed JSON) → an exact array, checked cell by cell with each bad cell's path."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from ..errors import InputError
from ..exact import compact
from .cells import Written, from_text
from .json_text import NUMBER_HINT, BadNumber, NumberText, describe, number_hint
from .limits import MAX_AXES

ARRAY_EXAMPLE = "write nested lists, e.g. [[1, 2], [3, 4]]"


def to_array(
    value: Any,
    field: str,
    *,
    keep_text: bool = False,
    single: tuple[int, ...] | None = None,
    holder: str = "an operand",
) -> np.ndarray:
    """Nested lists of numbers (or "p/q" strings) → an exact array, or one of :class:`Written` cells.

    A bare number is an array of shape ``single`` (a bias: (1,)); None refuses it.  ``holder``
    names what the array is in the message about too many axes.
    """
    if not isinstance(value, list):
        if single is None or isinstance(value, dict):
            raise InputError(field, f"is {describe(value)} where an array belongs", ARRAY_EXAMPLE)
        return exact_array([_cell(value, field, keep_text)], single)
    shape = _shape(value, field, holder)
    cells: list[Any] = []
    _collect(value, shape, field, cells, keep_text)
    return exact_array(cells, shape)


def _shape(value: Any, field: str, holder: str) -> tuple[int, ...]:
    # A loop, not recursion: 100 000 nested brackets must not overflow the stack.
    shape: list[int] = []
    while isinstance(value, list):
        if not value:
            raise InputError(
                f"{field}{'[0]' * len(shape)}", "is an empty array", "every axis needs at least one entry"
            )
        if len(shape) == MAX_AXES:
            raise InputError(
                field,
                f"has more than {MAX_AXES} axes",
                f"{holder} has at most {MAX_AXES} axes (N, C, D, H, W)",
            )
        shape.append(len(value))
        value = value[0]
    return tuple(shape)


def _collect(value: Any, shape: tuple[int, ...], path: str, cells: list[Any], keep_text: bool) -> None:
    if not shape:
        cells.append(_cell(value, path, keep_text))
        return
    if not isinstance(value, list):
        raise InputError(
            path,
            f"is {describe(value)}, but its neighbours are arrays of {shape[0]}",
            "nest every row to the same depth",
        )
    if len(value) != shape[0]:
        raise InputError(
            path,
            f"has {len(value)} entries, but its neighbours have {shape[0]}",
            "make every row the same length",
        )
    for i, item in enumerate(value):
        _collect(item, shape[1:], f"{path}[{i}]", cells, keep_text)


def _cell(value: Any, path: str, keep_text: bool) -> int | Fraction | Written:
    if isinstance(value, BadNumber):
        raise InputError(path, value.reason, value.hint)
    if isinstance(value, list):
        raise InputError(
            path, "is an array, but its neighbours are numbers", "nest every row to the same depth"
        )
    if isinstance(value, str):  # a "p/q" string, or a number's text kept as written (NumberText)
        try:
            return from_text(value, keep_text)
        except ValueError as error:
            hint = number_hint(value) if isinstance(value, NumberText) else NUMBER_HINT
            raise InputError(path, str(error), hint) from None
    if isinstance(value, bool) or not isinstance(value, (int, Fraction)):
        raise InputError(path, f"is {describe(value)}, not a number", NUMBER_HINT)
    return Written(value, str(value), 0 if isinstance(value, int) else None) if keep_text else value


def exact_array(cells: list[Any], shape: tuple[int, ...]) -> np.ndarray:
    """Cells in row-major order → an array of ``shape``: int64 when every cell is a small int, else objects."""
    flat = np.empty(len(cells), dtype=object)
    flat[:] = cells  # element-wise, so NumPy never guesses a dtype from the values
    array: np.ndarray = flat.reshape(shape)
    return compact(array) if all(type(c) is int for c in cells) else array
