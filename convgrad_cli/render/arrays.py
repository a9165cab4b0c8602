"""Rich tables for arrays: 1-based labels, numbers right-justified."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
from rich import box
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

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


class Corner:
    """A 0-, 1- or 2-D array (of numbers, or of symbols) as a titled table with 1-based labels.

    Rich's Table squeezes columns to fit a narrow console, which breaks numbers; this one
    keeps as many whole columns as fit and says that it shows the top-left corner.
    """

    def __init__(self, array: np.ndarray, title: str, style: str = "") -> None:
        self.grid = np.atleast_2d(array)
        self.title, self.style, self.rank = title, style, array.ndim
        self.texts = [[v if isinstance(v, str) else number(v) for v in row] for row in self.grid]
        self.widths = [
            max(len(str(j + 1)), *(cell_len(row[j]) for row in self.texts)) for j in range(self.grid.shape[1])
        ]
        label = len(str(self.grid.shape[0])) if self.rank else 0
        self.table_width = _width(self.widths, label)  # uncut
        self.width = max(cell_len(title), self.table_width)

    def columns(self, max_width: int) -> int:
        """The most columns whose table fits ``max_width`` (all of them when they fit)."""
        rows, cols = self.grid.shape
        if self.table_width <= max_width:
            return cols
        columns = cols - 1  # and a "…" column
        while columns > 1 and _width([*self.widths[:columns], 1], len(str(min(rows, columns)))) > max_width:
            columns -= 1
        return columns

    def table(self, columns: int) -> Group:
        """The title, then the table of the first ``columns`` columns (and as many rows)."""
        rows, cols = self.grid.shape
        cut = columns < cols
        shown = min(rows, columns) if cut else rows
        table = Table(box=box.SQUARE, pad_edge=False, padding=(0, 1), header_style="dim")
        table.add_column("", style="dim", justify="right", no_wrap=True)
        for j in range(columns):
            table.add_column(str(j + 1), justify="right", style=self.style, no_wrap=True)
        if cut:
            table.add_column("…", style="dim", no_wrap=True)
        for i in range(shown):
            table.add_row(str(i + 1) if self.rank else "", *self.texts[i][:columns], *(["…"] if cut else []))
        if shown < rows:
            table.add_row("…", *[""] * (columns + cut))
        heading = Text(self.title, style="italic")
        if cut or shown < rows:
            size = "×".join(map(str, self.grid.shape if self.rank > 1 else self.grid.shape[1:]))
            heading.append(f"  ({size}: the top-left corner; --format json has all)", style="dim")
        return Group(heading, table)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.table(self.columns(options.max_width))

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.table(self.columns(options.max_width)))


def _width(widths: Sequence[int], label: int) -> int:
    """A SQUARE table with padding (0, 1) and no edge padding: contents, padding, rules."""
    contents = [label, *widths]
    return sum(contents) + 2 * len(contents) - 2 + len(contents) + 1
