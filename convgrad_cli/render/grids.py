"""Grids of the table view as lines of Rich Text: δ padded, the window marked on it, the products under it.

The window is the page's own notation, which no Rich component draws: entries under it are
bracketed as well as highlighted (so it shows without colour too), zeros that are not data
are dimmed, and every column is as wide as its widest entry, whatever the console's width.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Span, Text

from ..derivation.records import Derivation, Entry, Grid
from ..notation import UNICODE, number
from . import prose
from .page import Window, is_zero, shown_axes

WINDOW = "bold reverse"  # the window on the padded δ grid
ZERO = "dim"  # zeros that are not data: padding and inserted zeros

Shown = tuple[str, str, bool]  # an entry's text, its style, whether the window covers it


def grid_lines(
    d: Derivation, grid: Grid, operand: str, *, symbols: bool = False, window: Window | None = None
) -> list[Text]:
    """A grid of entries (values, or symbols); 3-D grids slice by slice (those the window covers)."""

    def shown(position: Sequence[int]) -> Shown:
        entry = grid.at(position)
        covered = window is not None and window.covers(position)
        if is_zero(entry):
            return "0", ZERO, covered
        return _entry(d, operand, entry, symbols), "", covered

    return _lines(grid.shape, shown, window)


def product_lines(d: Derivation, window: Window) -> list[Text]:
    """The window's products, laid out like the window: w·δ where both are data, else a dim 0."""

    def shown(at: Sequence[int]) -> Shown:
        pair = window.product(at)
        if pair is None:
            return "0", ZERO, False
        weight, delta = pair
        if d.values is None:
            return (
                f"{prose.entry(d.frame, 'filter', weight, UNICODE)}·{prose.entry(d.frame, 'grad_output', delta, UNICODE)}",
                "",
                False,
            )
        w_value, d_value = d.values.filter[weight], d.values.grad_output[delta]
        return f"{UNICODE.factor(w_value)}·{UNICODE.factor(d_value)}", "", False

    return _lines(window.sliding.shape, shown, None)


def _entry(d: Derivation, operand: str, entry: Entry, symbols: bool) -> str:
    if symbols or d.values is None:
        return prose.entry(d.frame, operand, entry, UNICODE)
    return number(getattr(d.values, operand)[entry])


def _lines(
    shape: Sequence[int], shown: Callable[[Sequence[int]], Shown], window: Window | None
) -> list[Text]:
    """One line per row, columns right-justified to their widest entry; "…" for rows or columns left out."""
    axes = shown_axes(shape, window)
    slices: list[int | None] = [s for s in axes[0] if s is not None] if len(shape) == 3 else [None]
    rows = axes[-2] if len(shape) > 1 else [None]
    columns = axes[-1]
    blocks = [[[_at(shown, shape, s, i, j) for j in columns] for i in rows] for s in slices]
    widths = [
        max((len(cell[0]) for block in blocks for row in block if (cell := row[j])), default=1)
        for j in range(len(columns))
    ]
    if len(shape) < 3:
        return _row_lines(blocks[0], widths)
    lines: list[Text] = []
    for s, block in zip(slices, blocks):
        lines += [Text(f"slice {s + 1}", style="dim"), *_row_lines(block, widths)]  # type: ignore[operator]
    return lines


def _at(
    shown: Callable[[Sequence[int]], Shown], shape: Sequence[int], s: int | None, i: int | None, j: int | None
) -> Shown | None:
    """The entry at (s, i, j) of a 1-, 2- or 3-D grid; None where "…" stands for left-out positions."""
    if j is None or (len(shape) > 1 and i is None):
        return None
    return shown((j,) if len(shape) == 1 else (i, j) if len(shape) == 2 else (s, i, j))  # type: ignore[arg-type]


def _row_lines(rows: list[list[Shown | None]], widths: list[int]) -> list[Text]:
    """One Text per row: the entries' text joined, a Span per styled entry.

    The spans are the ones ``Text.assemble`` would make from (text, style) pieces; built
    directly, as a page has hundreds of thousands of entries.
    """
    lines = []
    for row in rows:
        pieces: list[str] = []
        spans: list[Span] = []
        at = 0
        for j, cell in enumerate(row):
            if j:
                pieces.append(" ")
                at += 1
            if cell is None:
                piece, style = "…".rjust(widths[j] + 2), "dim"
            else:
                value, style, covered = cell
                if covered:
                    piece, style = f"[{value.rjust(widths[j])}]", f"{style} {WINDOW}".strip()
                else:
                    piece = f" {value.rjust(widths[j])} "
            pieces.append(piece)
            if style:
                spans.append(Span(at, at + len(piece), style))
            at += len(piece)
        lines.append(Text("".join(pieces), no_wrap=True, spans=spans))
    return lines
