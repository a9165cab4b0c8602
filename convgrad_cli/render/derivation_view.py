"""The table view: a :class:`Derivation` as Rich renderables, in the order of the page.

1. the problem (X, W, δ, b, the configuration, Y); 2. ∂L/∂w one weight at a time and
∂L/∂W; 3. which weight links each x to each δ; 4. rot180(W) as a vertical then a
horizontal flip; 5. δ zero-inserted and padded, each window with its products and sum,
∂L/∂X with the crop; 6. ∂L/∂b; a summary.  Only formatting: every number and index comes
from the derivation.  Wide tables degrade to their top-left corner, never to broken cells.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import partial
from itertools import groupby
from typing import Literal

import numpy as np
from rich import box
from rich.columns import Columns
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.rule import Rule
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text

from ..derivation import GAP, PAD, Cell, Derivation, Entry, Grid
from ..notation import UNICODE, number
from . import prose
from .latex import pattern_blocks, pattern_rows

W = UNICODE.words
WINDOW = "bold reverse"  # the window on the padded δ grid
ZERO = "dim"  # zeros that are not data: padding and inserted zeros
RESULT = "bold"
PATTERN_LIMIT = (49, 16)  # rows × columns of the largest contribution table drawn


def derivation_view(derivation: Derivation, note: str | None = None) -> RenderableType:
    """Every step of the derivation; with no cells selected, the problem and results and ``note``."""
    d = derivation
    parts: list[RenderableType] = [*_problem(d)]
    parts += _weights(d)
    if d.grad_input:
        parts += _pattern(d)
        parts += _rotation(d)
        parts += _full_convolution(d)
    else:
        parts += _result(d, "grad_input", W["dX"])
    parts += _bias(d)
    parts += _summary(d, note)
    return Group(*parts)


# ---------------------------------------------------------------- sections


def _heading(number_: int, title: str) -> RenderableType:
    return Rule(Text(f"{number_}. {title}", style="bold"), align="left", style="dim")


def _problem(d: Derivation) -> Iterator[RenderableType]:
    frame = d.frame
    yield _heading(1, "The problem")
    yield Text(frame.spec.describe())
    arrays = [("input", "X (input)"), ("filter", "W (filter)"), ("grad_output", "δ = ∂L/∂Y (upstream)")]
    if frame.bias:
        arrays.append(("bias", "b (bias)"))
    tables = [t for name, title in arrays for t in _array(d, name, title)]
    yield Columns(tables, padding=(0, 3))
    if d.values is not None:
        title = "Y = conv(X, W) + b" if frame.bias else "Y = conv(X, W)"
        yield from _array(d, "output", title)


def _weights(d: Derivation) -> Iterator[RenderableType]:
    yield _heading(2, f"{W['dW']}, one weight at a time")
    if d.grad_filter:
        yield Text(prose.weights_intro(d.frame, W))
        for cell in d.grad_filter:
            yield _formula(
                prose.lhs(d.frame, "filter", cell.index, UNICODE), prose.formula(d, cell, "filter", UNICODE)
            )
    yield from _array(d, "grad_filter", W["dW"], RESULT)
    if d.grad_filter:
        yield Text(prose.weights_note(d.frame, W))


def _result(d: Derivation, name: str, title: str) -> Iterator[RenderableType]:
    yield _heading(3, title)
    yield from _array(d, name, title, RESULT)


def _pattern(d: Derivation) -> Iterator[RenderableType]:
    yield _heading(3, f"{W['dX']}: the pattern")
    yield Text(prose.pattern_intro(d.frame, W))
    deltas = {steps.block: steps.delta for steps in d.deltas}
    for rows, o in pattern_blocks(d):
        n, ci = rows[0].full[:2]
        caption = prose.block_caption(d.frame, n, ci, o)
        if caption:
            yield Text(caption.capitalize(), style="italic")
        columns = deltas[(n, o)].entries
        if len(rows) > PATTERN_LIMIT[0] or len(columns) > PATTERN_LIMIT[1]:
            yield Text(f"({len(rows)} inputs × {len(columns)} δ: too large to tabulate)", style="dim")
            continue
        yield _contribution_table(d, rows, o, columns)


def _contribution_table(d: Derivation, cells: Sequence[Cell], o: int, columns: Sequence[Entry]) -> Table:
    frame = d.frame
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1), header_style="bold")
    table.add_column("", no_wrap=True)
    for delta in columns:
        table.add_column(prose.entry(frame, "grad_output", delta, UNICODE), justify="center", no_wrap=True)
    for cell, links in pattern_rows(cells, o):
        row = [Text(prose.lhs(frame, "input", cell.index, UNICODE))]
        for delta in columns:
            weight = links.get(delta)
            row.append(
                Text("0", ZERO) if weight is None else Text(prose.entry(frame, "filter", weight, UNICODE))
            )
        table.add_row(*row)
    return table


def _rotation(d: Derivation) -> Iterator[RenderableType]:
    frame = d.frame
    yield _heading(4, "The rotated filter" if frame.spec.mode == "correlate" else "The filter, unrotated")
    yield Text(prose.rotation_intro(frame, W))
    for steps in d.filters:
        if len(d.filters) > 1:
            yield Text(_filter_label(d, steps.block), style="italic")
        if frame.spec.mode == "correlate":
            names = ["W", *(f"→ {name}" for name in prose.flip_names(frame.dims))]
            names[-1] += " = rot180(W)"
            grids = [_grid_lines(d, g, "filter", symbols=True) for g in steps.flips]
            yield _beside([[Text(n, style="italic"), *g] for n, g in zip(names, grids)], gap=3)
        else:
            yield _titled("W, as it slides", _grid(d, steps.flips[0], "filter", symbols=True))
        if any(dl > 1 for dl in frame.spec.dilation):
            yield Text(prose.spread_intro(frame, W))
            yield _grid(d, steps.sliding, "filter", symbols=True)
    if d.values is not None and frame.spec.mode == "correlate":
        yield from _array(d, "rotated_filter", "rot180(W)")


def _full_convolution(d: Derivation) -> Iterator[RenderableType]:
    frame = d.frame
    yield _heading(5, "The full convolution, window by window")
    yield Text(prose.full_intro(frame, W))
    for steps in d.deltas:
        label = f" ({_delta_label(d, steps.block)})" if len(d.deltas) > 1 else ""
        yield _titled(f"δ{label}", _grid(d, steps.delta, "grad_output"))
        if steps.inserted is not None:
            yield Text(prose.inserted_intro(frame, W))
            yield _grid(d, steps.inserted, "grad_output")
        yield Text(prose.padded_intro(frame, steps.before, steps.after, W))
        yield _grid(d, steps.padded, "grad_output")
    if prose.crop_note(frame, W):
        yield Text(prose.crop_note(frame, W))
    grids = {steps.block: steps.padded for steps in d.deltas}
    sliding = {steps.block: steps.sliding for steps in d.filters}
    uncovered = 0
    for block, cells in groupby(d.grad_input, key=lambda c: c.full[:2]):
        caption = prose.block_caption(frame, *block)
        if caption:
            yield Text(caption.capitalize(), style="bold italic")
        for cell in cells:
            uncovered += not cell.terms
            yield from _windows(d, cell, grids, sliding)
    if uncovered:
        yield Text(prose.uncovered_note(uncovered, W))
    yield from _array(d, "grad_input", W["dX"], RESULT)


def _windows(
    d: Derivation, cell: Cell, grids: dict[tuple[int, int], Grid], sliding: dict[tuple[int, int], Grid]
) -> Iterator[RenderableType]:
    frame = d.frame
    name = prose.lhs(frame, "input", cell.index, UNICODE)
    c = cell.full[1] % frame.filter_shape[1]
    for part in cell.parts:
        where = prose.window_span(frame.dims, part.corner, frame.extent)
        label = f", filter {part.block[1] + 1}" if len(cell.parts) > 1 else ""
        grid, filt = grids[part.block], sliding[(part.block[1], c)]
        window = [
            Text(f"{name}{label}: window at {where}", style="italic"),
            *_grid_lines(d, grid, "grad_output", window=part.corner, extent=frame.extent),
        ]
        products = [Text("products under it", style="italic"), *_products(d, grid, filt, part.corner)]
        yield _beside([window, products], gap=4)
    yield _formula(name, prose.formula(d, cell, "input", UNICODE))


def _bias(d: Derivation) -> Iterator[RenderableType]:
    if not d.frame.bias:
        return
    yield _heading(6, f"{W['db']}")
    yield Text(prose.bias_intro(d.frame, W))
    for cell in d.grad_bias:
        symbols = [prose.entry(d.frame, "grad_output", i, UNICODE) for i in cell.deltas]
        rows = [prose.Row(_plain_sum(symbols))]
        if cell.delta_values is not None:
            rows.append(prose.Row(UNICODE.total(list(cell.delta_values)), number(cell.value)))
        name = UNICODE.partial(UNICODE.symbol("b", cell.index, False)) if cell.index else W["db"]
        yield _formula(name, rows)
    if not d.grad_bias:
        yield from _array(d, "grad_bias", W["db"], RESULT)


def _plain_sum(items: Sequence[str]) -> str:
    return UNICODE.products([(s, "") for s in items]).replace("·", "")


def _summary(d: Derivation, note: str | None) -> Iterator[RenderableType]:
    yield Rule(style="dim")
    if note:
        yield Text(prose.results_only(note), style="yellow")
    if d.grad_filter or d.grad_input:
        count = sum(len(c.terms) for c in d.grad_filter) if d.selection.everything else None
        if count is not None:
            yield Text(prose.summary(d.frame, count, W))


# ---------------------------------------------------------------- pieces


def _formula(lhs: str, rows: Sequence[prose.Row]) -> RenderableType:
    """``lhs = row``, further rows aligned under the ``=``; a part's label in the lhs column."""
    cells: list[tuple[str | Text, str, Text]] = []
    for i, row in enumerate(rows):
        text = Text(row.text)
        if row.value is not None:
            text.append(" = ")
            text.append(row.value, style=RESULT)
        if row.label:
            cells.append((Text(f"{row.label}:", style="italic"), "", text))
        else:
            cells.append((lhs if i == 0 else "", "=", text))
    laid = [[[Text(c) if isinstance(c, str) else c] for c in row] for row in cells]
    return _Laid.table(laid, ("right", "left", "left"), gap=1, fallback=partial(_formula_table, cells))


def _formula_table(cells: Sequence[tuple[str | Text, str, Text]]) -> Table:
    """The formula as Rich lays it out: only when it is wider than the console (it wraps)."""
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True, justify="right")
    table.add_column(no_wrap=True)
    table.add_column()
    for row in cells:
        table.add_row(*row)
    return table


def _beside(blocks: list[list[Text]], gap: int) -> _Laid:
    """Blocks of lines side by side, ``gap`` apart, as ``Columns`` shows them (it wraps them if narrow)."""
    return _Laid.table([blocks], ["left"] * len(blocks), gap, partial(_columns, blocks, gap))


def _columns(blocks: list[list[Text]], gap: int) -> Columns:
    return Columns([Group(*lines) for lines in blocks], padding=(0, gap))


def _titled(title: str, body: RenderableType) -> RenderableType:
    return Group(Text(title, style="italic"), body) if title else body


def _filter_label(d: Derivation, block: tuple[int, int]) -> str:
    o, c = block
    return f"filter {o + 1}, input channel {c + 1}" if d.frame.filter_shape[1] > 1 else f"filter {o + 1}"


def _delta_label(d: Derivation, block: tuple[int, int]) -> str:
    n, o = block
    return f"image {n + 1}, filter {o + 1}" if d.frame.input_shape[0] > 1 else f"filter {o + 1}"


def _array(d: Derivation, name: str, title: str, style: str = "") -> Iterator[RenderableType]:
    """An operand or result as 1-based tables (2-D slices above two axes); symbols when symbolic."""
    if d.values is None:
        if name not in ("input", "filter", "grad_output"):
            return
        array = prose.symbols(d.frame, name, UNICODE)
    else:
        value = getattr(d.values, name)
        if value is None:
            return
        array = np.asarray(value)
    if array.ndim <= 2:
        yield _Matrix(array, title, style)
        return
    for lead in np.ndindex(*array.shape[:-2]):
        yield _Matrix(array[lead], f"{title} [{', '.join(str(i + 1) for i in lead)}, :, :]", style)


class _Matrix:
    """A 0-, 1- or 2-D array as a table with 1-based labels, as many columns as the width allows.

    Too wide for the console, it shows its top-left corner and says so, instead of letting
    Rich squeeze every column to nothing.
    """

    def __init__(self, array: np.ndarray, title: str, style: str) -> None:
        self.grid = np.atleast_2d(array)
        self.title, self.style, self.rank = title, style, array.ndim
        self.texts = [[_show(v) for v in row] for row in self.grid]
        self.measured: dict[tuple[int, int], Measurement] = {}

    def _columns(self, max_width: int) -> int:
        """The most columns whose table fits ``max_width`` (all of them when they fit)."""
        rows, cols = self.grid.shape
        widths = [max(len(str(j + 1)), *(len(row[j]) for row in self.texts)) for j in range(cols)]
        if self._width(widths, len(str(rows))) <= max_width:
            return cols
        columns = cols - 1
        while columns > 1 and self._width([*widths[:columns], 1], len(str(min(rows, columns)))) > max_width:
            columns -= 1
        return columns

    @staticmethod
    def _width(widths: Sequence[int], label: int) -> int:
        """A SQUARE box with padding (0, 1) and no edge padding: contents, padding, rules."""
        contents = [label, *widths]
        return sum(contents) + 2 * len(contents) - 2 + len(contents) + 1

    def _table(self, columns: int) -> RenderableType:
        rows_, cols = self.grid.shape
        cut = columns < cols
        rows = min(rows_, columns) if cut else rows_
        table = Table(box=box.SQUARE, pad_edge=False, padding=(0, 1), header_style="dim")
        table.add_column("", style="dim", justify="right", no_wrap=True)
        for j in range(columns):
            table.add_column(str(j + 1), justify="right", style=self.style, no_wrap=True)
        if cut:
            table.add_column("…", style="dim", no_wrap=True)
        for i in range(rows):
            table.add_row(str(i + 1) if self.rank else "", *self.texts[i][:columns], *(["…"] if cut else []))
        if rows < rows_:
            table.add_row("…", *[""] * (columns + cut))
        heading = Text(self.title, style="italic")
        if cut or rows < rows_:
            size = "×".join(map(str, self.grid.shape if self.rank > 1 else self.grid.shape[1:]))
            heading.append(f"  ({size}: the top-left corner; --format json has all)", style="dim")
        return Group(heading, table)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self._table(self._columns(options.max_width))

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        # Columns measures each matrix twice (to count columns, then in its grid): measure once
        key = (id(console), options.max_width)
        if key not in self.measured:
            self.measured[key] = Measurement.get(
                console, options, self._table(self._columns(options.max_width))
            )
        return self.measured[key]


def _show(value: object) -> str:
    return value if isinstance(value, str) else number(value)


# ---------------------------------------------------------------- grids


def _grid(d: Derivation, grid: Grid, operand: str, *, symbols: bool = False) -> RenderableType:
    """A grid of entries as its own block."""
    return _Laid.stack(_grid_lines(d, grid, operand, symbols=symbols))


def _grid_lines(
    d: Derivation,
    grid: Grid,
    operand: str,
    *,
    symbols: bool = False,
    window: Sequence[int] | None = None,
    extent: Sequence[int] = (),
) -> list[Text]:
    """A grid of entries (values, or symbols), zeros that are not data dimmed, the window marked.

    Window entries are bracketed as well as highlighted, so it shows without colour too.
    3-D grids are shown slice by slice (only the slices the window covers).
    """

    def text(entry: Entry) -> tuple[str, str]:
        if entry in (PAD, GAP):
            return "0", ZERO
        if symbols or d.values is None:
            return prose.entry(d.frame, operand, entry, UNICODE), ""
        return number(getattr(d.values, operand)[entry]), ""

    def inside(position: Sequence[int]) -> bool:
        return window is not None and all(c <= p < c + e for p, c, e in zip(position, window, extent))

    return _lines(grid.shape, lambda p: (*text(grid.at(p)), inside(p)), window, extent)


def _products(d: Derivation, grid: Grid, sliding: Grid, corner: Sequence[int]) -> list[Text]:
    """The window's products, laid out like the window: w·δ where both are data, else a dim 0."""

    def text(a: Sequence[int]) -> tuple[str, str, bool]:
        delta = grid.at(tuple(c + ai for c, ai in zip(corner, a)))
        weight = sliding.at(a)
        if delta in (PAD, GAP) or weight in (PAD, GAP):
            return "0", ZERO, False
        if d.values is None:
            pair = (
                prose.entry(d.frame, "filter", weight, UNICODE),
                prose.entry(d.frame, "grad_output", delta, UNICODE),
            )
            return "·".join(pair), "", False
        w_value, d_value = d.values.filter[weight], d.values.grad_output[delta]
        return f"{UNICODE.factor(w_value)}·{UNICODE.factor(d_value)}", "", False

    return _lines(sliding.shape, text, None, ())


def _lines(
    shape: Sequence[int],
    text: Callable[[Sequence[int]], tuple[str, str, bool]],
    window: Sequence[int] | None,
    extent: Sequence[int],
) -> list[Text]:
    """Fixed-width lines (alignment never depends on the console), one per row; 3-D by slice."""
    shown = prose.shown_axes(shape, window, extent)
    slices = shown[0] if len(shape) == 3 else [None]
    rows = shown[-2] if len(shape) > 1 else [None]
    columns = shown[-1]
    grids: list[tuple[int | None, list[list[Cell_ | None]]]] = []
    for s in slices:
        if len(shape) == 3 and s is None:
            continue
        grids.append((s, [[_cell_at(text, shape, s, i, j) for j in columns] for i in rows]))
    widths = [
        max((len(c[0]) for _, b in grids for c in (row[j] for row in b) if c), default=1)
        for j in range(len(columns))
    ]
    if len(shape) < 3:
        return _row_lines(grids[0][1], widths)
    lines: list[Text] = []
    for s, b in grids:
        if s is not None:
            lines += [Text(f"slice {s + 1}", style="dim"), *_row_lines(b, widths)]
    return lines


Cell_ = tuple[str, str, bool]


def _cell_at(
    text: Callable[[Sequence[int]], Cell_], shape: Sequence[int], s: int | None, i: int | None, j: int | None
) -> Cell_ | None:
    """The cell at (s, i, j) of a 1-, 2- or 3-D grid; None where "…" stands for left-out positions."""
    if j is None or (len(shape) > 1 and i is None):
        return None
    position = {1: (j,), 2: (i, j), 3: (s, i, j)}[len(shape)]
    return text(position)  # type: ignore[arg-type]


def _row_lines(rows: list[list[Cell_ | None]], widths: list[int]) -> list[Text]:
    lines = []
    for row in rows:
        line = Text(no_wrap=True)
        for j, cell in enumerate(row):
            if j:
                line.append(" ")
            if cell is None:
                line.append("…".rjust(widths[j] + 2), style="dim")
                continue
            value, style, marked = cell
            if marked:
                line.append(f"[{value.rjust(widths[j])}]", style=f"{style} {WINDOW}".strip())
            else:
                line.append(f" {value.rjust(widths[j])} ", style=style)
        lines.append(line)
    return lines


# ---------------------------------------------------------------- layout


class _Laid:
    """A block laid out here, line by line, instead of in nested Rich Tables, Columns and Groups.

    The page has hundreds of small fixed-layout blocks (formulas, windows, grids), and Rich
    measuring and rendering them container by container was most of the table view's cold
    start.  ``lines`` reproduce Rich's output segment for segment (``--export-svg`` and colour
    depend on the segments, not only the characters): each cell's text justified in its own
    style, the containers' padding and blank filler as plain segments.  They are used when
    the block stands on its own and fits; in a table cell (which justifies it) or on a
    console too narrow, ``fallback`` renders the same block in Rich's containers.
    """

    def __init__(self, lines: list[list[Text | Segment]], fallback: Callable[[], RenderableType]) -> None:
        self.lines, self.fallback = lines, fallback
        self.width = max((sum(map(_cells, line)) for line in lines), default=0)

    @classmethod
    def stack(cls, lines: list[Text]) -> _Laid:
        """``Group(*lines)``: the lines one under another, unpadded."""
        return cls([[_as_rendered(line)] for line in lines], partial(Group, *lines))

    @classmethod
    def table(
        cls,
        rows: Sequence[Sequence[list[Text]]],
        justify: Sequence[Literal["left", "right"]],
        gap: int,
        fallback: Callable[[], RenderableType],
    ) -> _Laid:
        """Rows of multi-line cells as a borderless ``Table.grid`` (or ``Columns``) lays them out.

        Every column is as wide as its widest line and every cell padded to it, ``gap``
        spaces after every column but the last, blank lines under a cell shorter than its row.
        """
        widths = [max(line.cell_len for row in rows for line in row[j]) for j in range(len(justify))]
        padding = Segment(" " * gap, _PLAIN)
        lines = []
        for row in rows:
            for k in range(max(len(cell) for cell in row)):
                line: list[Text | Segment] = []
                for j, cell in enumerate(row):
                    if j:
                        line.append(padding)
                    if k < len(cell):
                        line.append(_as_rendered(_justified(cell[k], widths[j], justify[j])))
                    else:
                        line.append(Segment(" " * widths[j], _PLAIN))
                lines.append(line)
        return cls(lines, fallback)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if options.justify not in (None, "default") or self.width > options.max_width:
            yield self.fallback()
            return
        for line in self.lines:
            for piece in line:
                if isinstance(piece, Segment):
                    yield piece
                else:
                    yield from piece.render(console)
            yield _NEW_LINE

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.fallback())


_NEW_LINE = Segment.line()
_PLAIN = Style.null()


def _cells(piece: Text | Segment) -> int:
    return piece.cell_length if isinstance(piece, Segment) else piece.cell_len


def _justified(text: Text, width: int, justify: Literal["left", "right"]) -> Text:
    """``text`` padded to ``width`` as Rich justifies a table cell: the padding takes its style."""
    padded = text.copy()
    if justify == "right":
        padded.pad_left(width - padded.cell_len)
    else:
        padded.pad_right(width - padded.cell_len)
    return padded


def _as_rendered(text: Text) -> Text:
    """``text`` with its own style as a span, as Rich renders it (a bare style renders nothing)."""
    return Text().append(text)
