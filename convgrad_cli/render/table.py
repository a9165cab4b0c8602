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
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.rule import Rule
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Span, Text

from ..derivation.records import GAP, PAD, Cell, Derivation, Entry, Grid
from ..notation import UNICODE, number
from . import prose

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
    yield _Beside([t for name, title in arrays for t in _array(d, name, title)], gap=3)
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
    for rows, o in prose.pattern_blocks(d):
        n, ci = rows[0].full[:2]
        caption = prose.block_caption(d.frame, n, ci, o)
        if caption:
            yield Text(caption.capitalize(), style="italic")
        columns = deltas[(n, o)].entries
        if len(rows) > PATTERN_LIMIT[0] or len(columns) > PATTERN_LIMIT[1]:
            yield Text(f"({len(rows)} inputs × {len(columns)} δ: too large to tabulate)", style="dim")
            continue
        yield _contribution_table(d, rows, o, columns)


def _contribution_table(d: Derivation, cells: Sequence[Cell], o: int, columns: Sequence[Entry]) -> _Laid:
    frame = d.frame
    header = ["", *(prose.entry(frame, "grad_output", delta, UNICODE) for delta in columns)]
    rows = []
    for cell, links in prose.pattern_rows(cells, o):
        row = [Text(prose.lhs(frame, "input", cell.index, UNICODE))]
        for delta in columns:
            weight = links.get(delta)
            row.append(
                Text("0", ZERO) if weight is None else Text(prose.entry(frame, "filter", weight, UNICODE))
            )
        rows.append(row)
    return _contributions(header, rows)


def _contributions(header: Sequence[str], rows: Sequence[Sequence[Text]]) -> _Laid:
    """Input cells down, δ across, a weight where they meet: drawn here, or by Rich if too wide."""
    justify: list[Justify] = ["center"] * len(header)
    justify[0] = "left"
    lines = _drawn_table(box.SIMPLE_HEAD, header, rows, justify, [_PLAIN] * len(header), _BOLD, edge=False)
    return _Laid(lines, partial(_rich_contributions, header, rows))


def _rich_contributions(header: Sequence[str], rows: Sequence[Sequence[Text]]) -> Table:
    """:func:`_contributions` in Rich's Table, which shrinks columns to fit a narrow console."""
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1), header_style="bold")
    table.add_column(header[0], no_wrap=True)
    for symbol in header[1:]:
        table.add_column(symbol, justify="center", no_wrap=True)
    for row in rows:
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
    return _Laid.table(
        [blocks], ["left"] * len(blocks), gap, partial(_columns, [Group(*b) for b in blocks], gap)
    )


def _columns(blocks: Sequence[RenderableType], gap: int) -> RenderableType:
    # Imported here: only a console too narrow for the laid-out blocks needs Columns.
    from rich.columns import Columns

    return Columns(blocks, padding=(0, gap))


def _titled(title: str, body: RenderableType) -> RenderableType:
    return Group(Text(title, style="italic"), body) if title else body


def _filter_label(d: Derivation, block: tuple[int, int]) -> str:
    o, c = block
    return f"filter {o + 1}, input channel {c + 1}" if d.frame.filter_shape[1] > 1 else f"filter {o + 1}"


def _delta_label(d: Derivation, block: tuple[int, int]) -> str:
    n, o = block
    return f"image {n + 1}, filter {o + 1}" if d.frame.input_shape[0] > 1 else f"filter {o + 1}"


def _array(d: Derivation, name: str, title: str, style: str = "") -> Iterator[_Matrix]:
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
        self.labels = [str(i + 1) if self.rank else "" for i in range(len(self.texts))]
        # len, not cell_len: numbers take one cell per character, and a 64×64 matrix has 4096 of them.
        self.widths = [
            max(len(str(j + 1)), *(len(row[j]) for row in self.texts)) for j in range(self.grid.shape[1])
        ]
        self.width = max(cell_len(self.title), self._width(self.widths, max(map(len, self.labels))))
        self.measured: dict[tuple[int, int], Measurement] = {}

    def _columns(self, max_width: int) -> int:
        """The most columns whose table fits ``max_width`` (all of them when they fit)."""
        rows, cols = self.grid.shape
        widths = self.widths
        if self._width(widths, max(map(len, self.labels))) <= max_width:
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

    def lines(self) -> list[Line]:
        """The whole matrix (title, then the table) as Rich draws it, for :class:`_Laid`."""
        return [Text(self.title, style="italic"), *self._table_lines()]

    def _table_lines(self) -> list[list[Text | Segment]]:
        """The whole table as :meth:`_table` draws it uncut."""
        header = ["", *(str(j + 1) for j in range(len(self.widths)))]
        rows = [[label, *texts] for label, texts in zip(self.labels, self.texts)]
        style = Style.parse(self.style) if self.style else _PLAIN
        styles = [_DIM, *[style] * len(self.widths)]
        return _drawn_table(box.SQUARE, header, rows, ["right"] * len(header), styles, _DIM, edge=True)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        columns = self._columns(options.max_width)
        if columns < self.grid.shape[1] or _substitutes_boxes(options):
            yield self._table(columns)
            return
        yield Text(self.title, style="italic")
        for line in self._table_lines():
            yield from _pieces(console, line)
            yield _NEW_LINE

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        # Columns measures each matrix twice (to count columns, then in its grid): measure once
        key = (id(console), options.max_width)
        if key not in self.measured:
            self.measured[key] = Measurement.get(
                console, options, self._table(self._columns(options.max_width))
            )
        return self.measured[key]


class _Beside:
    """Matrices side by side as ``Columns`` shows them: drawn here when they fit in one row.

    ``width`` comes from the matrices' column widths, so a problem too wide for the console
    goes to Columns (which wraps it) without drawing tables that would not be shown.
    """

    def __init__(self, matrices: list[_Matrix], gap: int) -> None:
        self.matrices, self.gap = matrices, gap
        self.width = sum(m.width for m in matrices) + gap * (len(matrices) - 1)

    def _columns(self) -> RenderableType:
        return _columns(self.matrices, self.gap)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if self.width > options.max_width:
            yield self._columns()
            return
        blocks = [m.lines() for m in self.matrices]
        yield _Laid.table([blocks], ["left"] * len(blocks), self.gap, self._columns)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self._columns())


def _show(value: object) -> str:
    return value if isinstance(value, str) else number(value)


Justify = Literal["left", "center", "right"]


def _drawn_table(
    square: box.Box,
    header: Sequence[str],
    rows: Sequence[Sequence[str | Text]],
    justify: Sequence[Justify],
    styles: Sequence[Style],
    header_style: Style,
    *,
    edge: bool,
) -> list[list[Text | Segment]]:
    """A table of one-line cells as Rich's Table draws it at its natural width, segment for segment.

    Columns don't wrap; padding (0, 1) between them, none at the edges; the header row in
    ``header_style``, other cells in their column's style (a Text cell, in a column without
    style, keeps its own).  Rich measures and renders each cell through nested containers,
    ~1 ms for a small matrix; the layout here is fixed, every column as wide as its widest cell.
    """
    cells: list[Sequence[str | Text]] = [header, *rows]
    widths = [max(map(_text_width, column)) for column in zip(*cells)]
    last = len(widths) - 1
    pads = [(0 if j == 0 else 1, 0 if j == last else 1) for j in range(len(widths))]
    edges = [w + left + right for w, (left, right) in zip(widths, pads)]
    lines: list[list[Text | Segment]] = [[Segment(square.get_top(edges), _PLAIN)]] if edge else []
    for i, row in enumerate(cells):
        left, right, divider = _box_edges(square, i, len(cells))
        line: list[Text | Segment] = [left] if edge else []
        for j, content in enumerate(row):
            if j:
                line.append(divider)
            line += _drawn_cell(
                content, widths[j], justify[j], *pads[j], header_style if i == 0 else styles[j]
            )
        lines.append([*line, right] if edge else line)
        if i == 0:
            lines.append([Segment(square.get_row(edges, "head", edge=edge), _PLAIN)])
    if edge:
        lines.append([Segment(square.get_bottom(edges), _PLAIN)])
    return lines


def _box_edges(square: box.Box, row: int, rows: int) -> tuple[Segment, Segment, Segment]:
    """Left edge, right edge and divider of a table row: the header's, the last row's, or the middle's."""
    if row == 0:
        chars = square.head_left, square.head_right, square.head_vertical
    elif row == rows - 1:
        chars = square.foot_left, square.foot_right, square.foot_vertical
    else:
        chars = square.mid_left, square.mid_right, square.mid_vertical
    left, right, divider = (Segment(c, _PLAIN) for c in chars)
    return left, right, divider


def _drawn_cell(
    content: str | Text, width: int, justify: Justify, left: int, right: int, style: Style
) -> list[Text | Segment]:
    """A cell as Rich renders it: padding, the content justified to ``width``, padding, in ``style``."""
    pieces: list[Text | Segment] = [Segment(" " * left, style)] if left else []
    if isinstance(content, Text):
        pieces.append(_cell_text(content, width, justify))
    elif width:  # an empty column (a scalar's row labels) renders no text at all
        pieces.append(Segment(_justified_text(content, width, justify), style or None))
    if right:
        pieces.append(Segment(" " * right, style))
    return pieces


def _text_width(content: str | Text) -> int:
    return content.cell_len if isinstance(content, Text) else cell_len(content)


def _substitutes_boxes(options: ConsoleOptions) -> bool:
    """Whether Rich would draw boxes in other characters (ASCII-only output, a legacy Windows console)."""
    return options.ascii_only or options.legacy_windows


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
    position = (j,) if len(shape) == 1 else (i, j) if len(shape) == 2 else (s, i, j)
    return text(position)  # type: ignore[arg-type]


def _row_lines(rows: list[list[Cell_ | None]], widths: list[int]) -> list[Text]:
    lines = []
    for row in rows:
        pieces: list[tuple[str, str]] = []
        for j, cell in enumerate(row):
            if j:
                pieces.append((" ", ""))
            if cell is None:
                pieces.append(("…".rjust(widths[j] + 2), "dim"))
                continue
            value, style, marked = cell
            if marked:
                pieces.append((f"[{value.rjust(widths[j])}]", f"{style} {WINDOW}".strip()))
            else:
                pieces.append((f" {value.rjust(widths[j])} ", style))
        lines.append(_assembled(pieces))
    return lines


def _assembled(pieces: Sequence[tuple[str, str]]) -> Text:
    """A no-wrap line of (text, style) pieces, as ``Text.append`` would build it, in one go."""
    spans, offset = [], 0
    for text, style in pieces:
        if style and text:
            spans.append(Span(offset, offset + len(text), style))
        offset += len(text)
    return Text("".join(text for text, _ in pieces), spans=spans, no_wrap=True)


# ---------------------------------------------------------------- layout


class _Laid:
    """A block laid out here, line by line, instead of in nested Rich Tables, Columns and Groups.

    The page has hundreds of small fixed-layout blocks (formulas, windows, grids, tables of
    numbers), and Rich measuring and rendering them container by container was most of the
    table view's cold start.  ``lines`` reproduce Rich's output segment for segment
    (``--export-svg`` and colour depend on the segments, not only the characters): each
    cell's text justified in its own style, the containers' padding and blank filler as plain
    segments.  They are used when the block stands on its own and fits; in a table cell
    (which justifies it), on a console too narrow, or where Rich would swap box characters
    (ASCII output), ``fallback`` renders the same block in Rich's containers.
    ``tests/test_laid_out.py`` compares each layout with its Rich container.
    """

    def __init__(
        self,
        lines: list[list[Text | Segment]],
        fallback: Callable[[], RenderableType],
        width: int | None = None,
    ) -> None:
        self.lines, self.fallback = lines, fallback
        self.width = max((sum(map(_cells, line)) for line in lines), default=0) if width is None else width

    @classmethod
    def stack(cls, lines: list[Text]) -> _Laid:
        """``Group(*lines)``: the lines one under another, unpadded."""
        return cls([[_as_rendered(line)] for line in lines], partial(Group, *lines))

    @classmethod
    def table(
        cls,
        rows: Sequence[Sequence[Sequence[Line]]],
        justify: Sequence[Literal["left", "right"]],
        gap: int,
        fallback: Callable[[], RenderableType],
    ) -> _Laid:
        """Rows of multi-line cells as a borderless ``Table.grid`` (or ``Columns``) lays them out.

        Every column is as wide as its widest line and every line filled to it, ``gap``
        spaces after every column but the last; under a cell shorter than its row, one blank
        as wide as the column and its gap.
        """
        widths = [max(_line_width(line) for row in rows for line in row[j]) for j in range(len(justify))]
        padding = Segment(" " * gap, _PLAIN)
        last = len(justify) - 1
        lines = []
        for row in rows:
            for k in range(max(len(cell) for cell in row)):
                line: list[Text | Segment] = []
                for j, cell in enumerate(row):
                    if k >= len(cell):
                        line.append(Segment(" " * (widths[j] + (gap if j < last else 0)), _PLAIN))
                        continue
                    line += _filled(cell[k], widths[j], justify[j])
                    if j < last:
                        line.append(padding)
                lines.append(line)
        return cls(lines, fallback, sum(widths) + gap * last)  # every line fills every column

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if (
            options.justify not in (None, "default")
            or self.width > options.max_width
            or _substitutes_boxes(options)
        ):
            yield self.fallback()
            return
        for line in self.lines:
            yield from _pieces(console, line)
            yield _NEW_LINE

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.fallback())


_NEW_LINE = Segment.line()
_PLAIN = Style.null()
_DIM = Style(dim=True)
_BOLD = Style(bold=True)


def _pieces(console: Console, line: Sequence[Text | Segment]) -> Iterator[Segment]:
    """A laid-out line's segments: drawn ones as they are, text rendered as a cell renders it."""
    for piece in line:
        if isinstance(piece, Segment):
            yield piece
        else:
            yield from piece.render(console)


Line = Text | list[Text | Segment]  # a line of a block: text, or pieces drawn already (a table's)


def _cells(piece: Text | Segment) -> int:
    return piece.cell_length if isinstance(piece, Segment) else piece.cell_len


def _line_width(line: Line) -> int:
    return line.cell_len if isinstance(line, Text) else sum(map(_cells, line))


def _filled(line: Line, width: int, justify: Literal["left", "right"]) -> list[Text | Segment]:
    """A line filled to ``width`` as a table cell fills it: text justified, drawn segments blank-padded."""
    if isinstance(line, Text):
        return [_cell_text(line, width, justify)]
    short = width - _line_width(line)
    return [*line, Segment(" " * short, _PLAIN)] if short else list(line)


def _cell_text(text: Text, width: int, justify: Justify) -> Text:
    """``text`` justified to ``width`` as Rich renders a table cell: the padding takes the text's
    style, and that style becomes a span (a bare style renders nothing), built in one go."""
    gap = width - text.cell_len
    if not gap and not text.style:
        return text  # already as wide as its column, and no style to turn into a span
    before = {"left": 0, "center": gap // 2, "right": gap}[justify]
    plain = " " * before + text.plain + " " * (gap - before)
    spans = [Span(0, len(plain), text.style)] if text.style and plain else []
    spans += [Span(span.start + before, span.end + before, span.style) for span in text.spans]
    return Text(plain, spans=spans)


def _justified_text(text: str, width: int, justify: Justify) -> str:
    """:func:`_cell_text` for a plain string."""
    gap = width - cell_len(text)
    before = {"left": 0, "center": gap // 2, "right": gap}[justify]
    return " " * before + text + " " * (gap - before)


def _as_rendered(text: Text) -> Text:
    """``text`` with its own style as a span, as Rich renders it (a bare style renders nothing)."""
    return Text().append(text)
