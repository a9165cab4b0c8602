"""Grids of the table view as lines of styled pieces: δ padded, the window marked on it, the products under it.

The window is the page's own notation, which no Rich component draws: entries under it are
bracketed as well as highlighted (so it shows without colour too), zeros that are not data
are dimmed, and every column is as wide as its widest entry, whatever the console's width.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import product

from rich.cells import cell_len

from ..derivation.records import Derivation, Entry, Grid
from ..notation import UNICODE, number
from . import prose
from .lines import Line, Piece, narrow
from .page import Window, is_zero, shown_axes

WINDOW = "bold reverse"  # the window on the padded δ grid
ZERO = "dim"  # zeros that are not data: padding and inserted zeros

Shown = tuple[str, str, bool]  # an entry's text, its style, whether the window covers it
Texts = list[str | None]  # a grid's entries as written, row-major; None for a zero that is not data


class Drawn:
    """The texts of grids drawn again and again (the padded δ under every window), written once per grid."""

    def __init__(self, d: Derivation) -> None:
        self.d = d
        self._texts: dict[tuple[int, str, bool, bool], tuple[Grid, Texts]] = {}

    def texts(self, grid: Grid, operand: str, symbols: bool = False, factors: bool = False) -> Texts:
        """Each entry as a number (or a symbol), or as a factor of a product: ``(−1)``."""
        key = (id(grid), operand, symbols, factors)
        found = self._texts.get(key)
        if found is None or found[0] is not grid:
            found = self._texts[key] = (
                grid,
                [self._text(e, operand, symbols, factors) for e in grid.entries],
            )
        return found[1]

    def _text(self, entry: Entry, operand: str, symbols: bool, factor: bool) -> str | None:
        d = self.d
        if is_zero(entry):
            return None
        if symbols or d.values is None:
            return prose.entry(d.frame, operand, entry, UNICODE)
        value = getattr(d.values, operand)[entry]
        return UNICODE.factor(value) if factor else number(value)


def grid_lines(
    d: Derivation,
    grid: Grid,
    operand: str,
    *,
    symbols: bool = False,
    window: Window | None = None,
    drawn: Drawn | None = None,
) -> list[Line]:
    """A grid of entries (values, or symbols); 3-D grids slice by slice (those the window covers)."""
    texts = (drawn or Drawn(d)).texts(grid, operand, symbols)
    return _lines(grid.shape, texts, window)


def product_lines(d: Derivation, window: Window, drawn: Drawn | None = None) -> list[Line]:
    """The window's products, laid out like the window: w·δ where both are data, else a dim 0."""
    drawn = drawn or Drawn(d)
    weights = drawn.texts(window.sliding, "filter", factors=True)
    deltas = drawn.texts(window.padded, "grad_output", factors=True)
    steps = _strides(window.padded.shape)
    products: Texts = []
    for at, weight in zip(product(*map(range, window.sliding.shape)), weights):
        delta = deltas[sum((c + a) * step for c, a, step in zip(window.corner, at, steps))]
        products.append(None if weight is None or delta is None else f"{weight}·{delta}")
    return _lines(window.sliding.shape, products, None)


def _strides(shape: Sequence[int]) -> list[int]:
    steps = [1] * len(shape)
    for a in range(len(shape) - 2, -1, -1):
        steps[a] = steps[a + 1] * shape[a + 1]
    return steps


def _lines(shape: Sequence[int], texts: Texts, window: Window | None) -> list[Line]:
    """One line per row, columns right-justified to their widest entry; "…" for rows or columns left out."""
    axes = shown_axes(shape, window)
    steps = _strides(shape)
    inside = (
        [range(c, c + e) for c, e in zip(window.corner, window.extent)] if window else [range(0)] * len(shape)
    )
    slices = [s for s in axes[0] if s is not None] if len(shape) == 3 else [0]
    rows: list[int | None] = axes[-2] if len(shape) > 1 else [0]
    columns = axes[-1]
    blocks: list[list[list[Shown | None]]] = []
    for s in slices:
        block: list[list[Shown | None]] = []
        for i in rows:
            if i is None:
                block.append([None] * len(columns))
                continue
            leading = (
                (s, i)[3 - len(shape) :] if len(shape) > 1 else ()
            )  # the row's position on the other axes
            start = sum(at * step for at, step in zip(leading, steps))
            covered = window is not None and all(at in span for at, span in zip(leading, inside))
            block.append(
                [
                    None if j is None else _shown(texts[start + j], covered and j in inside[-1])
                    for j in columns
                ]
            )
        blocks.append(block)
    widths = [
        max((len(cell[0]) for block in blocks for row in block if (cell := row[j])), default=1)
        for j in range(len(columns))
    ]
    if len(shape) < 3:
        return _row_lines(blocks[0], widths)
    lines: list[Line] = []
    for s, block in zip(slices, blocks):
        lines += [Line.styled(f"slice {s + 1}", "dim"), *_row_lines(block, widths)]
    return lines


def _shown(text: str | None, covered: bool) -> Shown:
    return ("0", ZERO, covered) if text is None else (text, "", covered)


def _row_lines(rows: list[list[Shown | None]], widths: list[int]) -> list[Line]:
    """One line per row: unstyled entries joined into one piece, a piece per styled entry."""
    lines = []
    for row in rows:
        pieces: list[Piece] = []
        plain = ""  # unstyled text not yet in a piece
        for j, cell in enumerate(row):
            if j:
                plain += " "
            if cell is None:
                piece, style = "…".rjust(widths[j] + 2), "dim"
            else:
                value, style, covered = cell
                if covered:
                    piece, style = f"[{value.rjust(widths[j])}]", f"{style} {WINDOW}".strip()
                else:
                    piece = f" {value.rjust(widths[j])} "
            if style:
                if plain:
                    pieces.append((plain, ""))
                    plain = ""
                pieces.append((piece, style))
            else:
                plain += piece
        if plain:
            pieces.append((plain, ""))
        text = "".join([piece for piece, _ in pieces])
        lines.append(Line(pieces, width=len(text) if narrow(text) else cell_len(text)))
    return lines
