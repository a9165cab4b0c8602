"""One operand from a path, ``-`` or inline text → an exact NumPy array: the one reader.

``compute`` reads operands and ``check`` reads answers through :func:`load_array`;
answers keep each cell's written text (``keep_text``).  The format is sniffed by suffix,
else by content (``.npy`` magic, ``[``/``{``/``array(`` for nested lists, anything else CSV);
nested lists are strict JSON or, outside ``.json`` files, typed as in MATLAB or NumPy.
Nothing is ever evaluated: text is parsed, ``.npy`` is read with pickling disabled.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, BinaryIO

import numpy as np

from ..errors import InputError
from ..exact import parse_number
from .cells import Written
from .csv_text import read_csv
from .json_text import NumberText, exact_number, parse_json
from .nested import to_array
from .npy_file import NPY_MAGIC, read_npy
from .source import INLINE, INLINE_STARTS, Source, decode, read_bytes
from .typed_text import parse_typed

SINGLE_NUMBER = ("bias",)  # the operands that may be one bare number (shape (1,))


def load_array(
    source: Source, field: str, stdin: BinaryIO | None = None, dims: int = 2, *, keep_text: bool = False
) -> np.ndarray:
    """Read one operand as an exact (int/object) or float array.

    With ``keep_text`` (an answer) every cell is a :class:`~convgrad_cli.load.cells.Written`
    and a bare number is an array of shape () for the grader to judge.
    """
    data = read_bytes(source, stdin)
    try:
        return _parse(data, source, field, dims, keep_text)
    except InputError as error:
        raise error.with_source(source.name) from None


def _parse(data: bytes, source: Source, field: str, dims: int, keep_text: bool) -> np.ndarray:
    suffix = source.suffix
    if suffix == ".npy" or data.startswith(NPY_MAGIC):
        array = read_npy(data, field)
        return as_written(array) if keep_text else array
    text = decode(data, field)
    # An answer's inline bare number (--grad-bias 4) is JSON, of shape (); an operand's is a 1×1 CSV.
    bracketed = text.lstrip().startswith((*INLINE_STARTS, "{"))
    if source.name == INLINE and not bracketed and len(text.split()) == 1 and not {",", ";"} & set(text):
        _lone_number(text, field)
    lists = bracketed or (keep_text and source.name == INLINE)
    if suffix == ".csv" or (suffix != ".json" and not lists):
        return read_csv(text, field, dims, keep_text=keep_text)
    value = _lists(text, field, NumberText if keep_text else exact_number, strict=suffix == ".json")
    single = () if keep_text else (1,) if field in SINGLE_NUMBER else None
    return to_array(value, field, keep_text=keep_text, single=single)


def _lone_number(text: str, field: str) -> None:
    """An inline bare number (``-b nan``, ``-b 1e400``) that cannot be read: why, not a CSV cell's story."""
    try:
        parse_number(text)
    except ValueError as error:
        word = text.strip().lstrip("+-−").lower()
        reason = (
            f"{text.strip()!r} is not a finite number" if word in ("nan", "inf", "infinity") else str(error)
        )
        raise InputError(field, reason, "give a finite number, e.g. 0.5 or 1/3") from None


def _lists(text: str, field: str, number: Callable[[str], Any], strict: bool) -> Any:
    """Strict JSON; else (not a .json file) a matrix as typed — MATLAB, NumPy's printed forms."""
    try:
        return parse_json(text, field, number=number)
    except InputError:
        if strict or text.lstrip().startswith("{"):
            raise
    return parse_typed(text, field, number)


def as_written(array: np.ndarray) -> np.ndarray:
    """A numeric array's cells as :class:`Written` ones (a float's text is its repr; no decimals claimed)."""
    cells = np.empty(array.shape, dtype=object)
    for index, value in np.ndenumerate(array.astype(object)):
        cells[index] = Written(value, repr(value), None)
    return cells
