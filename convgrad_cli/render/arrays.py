"""Rich tables for arrays: 1-based labels, numbers right-justified."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from rich.table import Table

from ..notation import number


def matrix(array: np.ndarray, title: str, style: str = "") -> Table:
    """A 0-, 1- or 2-D array as a table; rows and columns labelled from 1."""
    grid = np.atleast_2d(array)
    table = Table(title=title, title_justify="left", show_edge=True, pad_edge=False, header_style="dim")
    table.add_column("", style="dim", justify="right")
    for j in range(grid.shape[1]):
        table.add_column(str(j + 1), justify="right", style=style)
    for i, row in enumerate(grid):
        table.add_row(str(i + 1), *(number(v) for v in row))
    return table


def slices(array: np.ndarray, title: str, style: str = "") -> Iterator[Table]:
    """Arrays above 2-D shown as 2-D slices, each titled with its leading 1-based index."""
    if array.ndim <= 2:
        yield matrix(array, title, style)
        return
    for lead in np.ndindex(*array.shape[:-2]):
        label = ", ".join(str(i + 1) for i in lead)
        yield matrix(array[lead], f"{title} [{label}, :, :]", style)
