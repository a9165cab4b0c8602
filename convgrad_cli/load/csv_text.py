"""CSV text → one 2-D matrix, each bad cell reported by its row and column.

Hand-rolled, not the ``csv`` module: cells may be separated by commas, whitespace, tabs or
``;``, ``#`` starts a comment, one line may hold MATLAB's ``1 2; 3 4``, and every error names
the line the user sees in an editor.  How a file separates its cells is decided once, for
the whole file (:func:`layout`):

- commas or whitespace, as written by ``numpy.savetxt`` or by hand (the usual case);
- ``;`` on a single line: MATLAB's row separator, ``1 2; 3 4``;
- ``;`` or tabs between cells on several lines (a spreadsheet's export in a decimal-comma
  locale): commas inside cells are then decimal commas, ``0,5`` → 0.5.

A decimal comma anywhere else is ambiguous (is ``1,5`` one number or two?) and refused
with a message that says so.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from ..errors import InputError
from .cells import from_text
from .nested import exact_array

CSV_HINT = "CSV cells must be numbers; remove headers and text"
DECIMAL_COMMA_FIX = "write decimals with a point (0.5), or separate cells with ';' or tabs"
_SPLIT_DECIMALS = re.compile(r"\d+\s+[+\-−]?\d+")
_AMBIGUOUS_COMMA = re.compile(r"\d,\d")
_DECIMAL_COMMA = re.compile(r"[+\-−]?\d*,\d+(?:[eE][+\-−]?\d+)?")


def layout(contents: list[str]) -> str:
    """``"plain"``, ``"rows"`` (MATLAB ``;`` between rows), ``"semicolon"`` or ``"tab"`` (decimal commas)."""
    if any(";" in c for c in contents):
        return "rows" if len(contents) == 1 else "semicolon"
    if any("\t" in c for c in contents) and all(_decimal_commas_only(c) for c in contents):
        return "tab"
    return "plain"


def _decimal_commas_only(content: str) -> bool:
    return all(_DECIMAL_COMMA.fullmatch(cell) or "," not in cell for cell in content.split())


def read_csv(text: str, field: str, dims: int, *, keep_text: bool = False) -> np.ndarray:
    """One 2-D matrix; ``#`` comments and blank lines skipped.

    A single row is a 1-D signal when the convolution is 1-D (``dims`` 1).
    """
    lines = [
        (n, c) for n, line in enumerate(text.splitlines(), start=1) if (c := line.split("#", 1)[0].strip())
    ]
    if not lines:
        raise InputError(field, "the CSV has no rows of numbers", "write one matrix row per line")
    kind = layout([content for _, content in lines])
    rows: list[tuple[str, list[Any]]] = []  # (how an error names the row, its cells)
    for number, content in lines:
        if kind == "rows":
            if _AMBIGUOUS_COMMA.search(content):
                raise InputError(
                    f"{field} row 1", "',' between two digits may be a decimal comma or a cell separator",
                    "write decimals with a point, and a space after each comma between cells (1, 2; 3, 4)",
                )  # fmt: skip
            pieces = content.split(";")
            if not pieces[-1].strip():  # a trailing ';', as MATLAB allows
                pieces.pop()
            rows += [
                (f"{field} row {i}", _row(p, f"{field} row {i}", kind, keep_text))
                for i, p in enumerate(pieces, 1)
            ]
        else:
            rows.append((f"{field} row {number}", _row(content, f"{field} row {number}", kind, keep_text)))
    first, width = rows[0][0], len(rows[0][1])
    for name, row in rows:
        if len(row) != width:
            raise InputError(
                name, f"has {len(row)} cells, but {first.removeprefix(field + ' ')} has {width}",
                "make every row the same length",
            )  # fmt: skip
    array = exact_array([cell for _, row in rows for cell in row], (len(rows), width))
    return array[0] if dims == 1 and len(rows) == 1 else array


def _cells(content: str, kind: str) -> list[str]:
    if kind == "semicolon":
        return [c.strip().replace(",", ".") for c in content.split(";")]
    if kind == "tab":
        return [c.strip().replace(",", ".") for c in content.split("\t")]
    return [c.strip() for c in content.split(",")] if "," in content else content.split()


def _row(content: str, row: str, kind: str, keep_text: bool) -> list[Any]:
    cells: list[Any] = []
    for column, cell in enumerate(_cells(content, kind), start=1):
        where = f"{row}, column {column}"
        if not cell:
            raise InputError(
                where, "is empty (a stray or trailing comma?)", "remove the extra comma or fill the cell"
            )
        try:
            cells.append(from_text(cell, keep_text))
        except ValueError as error:
            if kind in ("plain", "rows") and _SPLIT_DECIMALS.fullmatch(cell):  # "0,5 1,5" split at its commas
                raise InputError(
                    where, f"{cell!r} is not a number (a decimal comma?)", DECIMAL_COMMA_FIX
                ) from None
            raise InputError(where, str(error), CSV_HINT) from None
    return cells
