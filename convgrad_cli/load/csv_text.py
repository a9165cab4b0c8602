"""CSV text → one 2-D matrix, each bad cell reported by its file line and column.

Hand-rolled, not the ``csv`` module: cells may be separated by commas *or* whitespace,
``#`` starts a comment, and every error names the line the user sees in an editor.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InputError
from .cells import from_text
from .nested import exact_array

CSV_HINT = "CSV cells must be numbers; remove headers and text"


def read_csv(text: str, field: str, dims: int, *, keep_text: bool = False) -> np.ndarray:
    """One 2-D matrix: commas or whitespace between cells; ``#`` comments, blank lines skipped.

    A single row is a 1-D signal when the convolution is 1-D (``dims`` 1).
    """
    rows: list[list[Any]] = []
    lines: list[int] = []  # file line of each row, so errors point at the line the user sees
    for line, content in enumerate(text.splitlines(), start=1):
        content = content.split("#", 1)[0].strip()
        if content:
            rows.append(_row(content, line, field, keep_text))
            lines.append(line)
    if not rows:
        raise InputError(field, "the CSV has no rows of numbers", "write one matrix row per line")
    width = len(rows[0])
    for line, row in zip(lines, rows):
        if len(row) != width:
            raise InputError(
                f"{field} row {line}",
                f"has {len(row)} cells, but row {lines[0]} has {width}",
                "make every row the same length",
            )
    array = exact_array([cell for row in rows for cell in row], (len(rows), width))
    return array[0] if dims == 1 and len(rows) == 1 else array


def _row(content: str, line: int, field: str, keep_text: bool) -> list[Any]:
    if ";" in content:
        raise InputError(
            f"{field} row {line}", "uses ';' between cells", "separate cells with commas or spaces"
        )
    cells = [c.strip() for c in content.split(",")] if "," in content else content.split()
    row: list[Any] = []
    for column, cell in enumerate(cells, start=1):
        where = f"{field} row {line}, column {column}"
        if not cell:
            raise InputError(
                where, "is empty (a stray or trailing comma?)", "remove the extra comma or fill the cell"
            )
        try:
            row.append(from_text(cell, keep_text))
        except ValueError as error:
            raise InputError(where, str(error), CSV_HINT) from None
    return row
