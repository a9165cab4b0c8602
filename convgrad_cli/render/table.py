"""The table view: a :class:`Derivation` as Rich renderables, section by section in the page's order.

The sections come from :func:`~convgrad_cli.render.page.sections`; matrices are Rich Tables
(:class:`~convgrad_cli.render.arrays.Corner`), grids and windows lines of Text
(:mod:`~convgrad_cli.render.grids`), blocks side by side Rich's Columns.  Only formatting:
every number and index comes from the derivation.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import groupby

import numpy as np
from rich import box
from rich.cells import cell_len
from rich.columns import Columns
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from ..derivation.records import Cell, Derivation, Entry
from ..notation import UNICODE, number
from . import page, prose
from .arrays import Corner
from .grids import ZERO, grid_lines, product_lines

W = UNICODE.words
RESULT = "bold"


def derivation_view(derivation: Derivation, note: str | None = None) -> RenderableType:
    """Every step of the derivation; with no cells selected, the problem and results and ``note``."""
    return Group(*sections(derivation, note))


def sections(d: Derivation, note: str | None = None) -> Iterator[RenderableType]:
    """The page's renderables one by one, so a long derivation can be printed as it is built."""
    return PAGE.walk(d, W, note)


def _heading(section: page.Section) -> Iterator[RenderableType]:
    if section.number is not None:
        yield Rule(Text(f"{section.number}. {section.title}", style="bold"), align="left", style="dim")
        return
    yield Rule(style="dim")
    if section.title:
        yield Text(section.title, style="yellow")


PAGE = page.Bodies(_heading)


@PAGE("problem")
def _problem(d: Derivation) -> Iterator[RenderableType]:
    frame = d.frame
    yield Text(frame.spec.describe())
    yield _Beside([m for name, title in page.problem_operands(frame) for m in _array(d, name, title)], gap=3)
    if d.values is not None:
        yield from _array(d, "output", page.output_title(frame))


@PAGE("weights")
def _weights(d: Derivation) -> Iterator[RenderableType]:
    if d.grad_filter:
        yield Text(prose.weights_intro(d.frame, W))
        for cell in d.grad_filter:
            lhs = prose.lhs(d.frame, "filter", cell.index, UNICODE)
            yield _formula(lhs, prose.formula(d, cell, "filter", UNICODE))
    yield from _array(d, "grad_filter", W["dW"], RESULT)
    if d.grad_filter:
        yield Text(prose.weights_note(d.frame, W))


@PAGE("pattern")
def _pattern(d: Derivation) -> Iterator[RenderableType]:
    yield Text(prose.pattern_intro(d.frame, W))
    for rows, o, columns in page.pattern_blocks(d):
        caption = prose.block_caption(d.frame, rows[0].full[0], rows[0].full[1], o)
        if caption:
            yield Text(caption.capitalize(), style="italic")
        if not page.tabulated(len(rows), len(columns)):
            yield Text(f"({len(rows)} inputs × {len(columns)} δ: too large to tabulate)", style="dim")
            continue
        yield _contribution_table(d, rows, o, columns)


def _contribution_table(d: Derivation, cells: Sequence[Cell], o: int, columns: Sequence[Entry]) -> Table:
    """Input cells down, δ across, the weight that links them where they meet (0 where none does)."""
    frame = d.frame
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1), header_style="bold")
    table.add_column("", no_wrap=True)
    for delta in columns:
        table.add_column(prose.entry(frame, "grad_output", delta, UNICODE), justify="center", no_wrap=True)
    for cell, links in page.pattern_rows(cells, o):
        weights = [links.get(delta) for delta in columns]
        table.add_row(
            prose.lhs(frame, "input", cell.index, UNICODE),
            *(Text("0", ZERO) if w is None else prose.entry(frame, "filter", w, UNICODE) for w in weights),
        )
    return table


@PAGE("rotation")
def _rotation(d: Derivation) -> Iterator[RenderableType]:
    frame = d.frame
    yield Text(prose.rotation_intro(frame, W))
    for steps in d.filters:
        if len(d.filters) > 1:
            yield Text(_filter_label(d, steps.block), style="italic")
        if frame.spec.mode == "correlate":
            names = ["W", *(f"→ {name}" for name in prose.flip_names(frame.dims))]
            names[-1] += " = rot180(W)"
            grids = [grid_lines(d, g, "filter", symbols=True) for g in steps.flips]
            yield _Beside([_block(Text(n, style="italic"), *g) for n, g in zip(names, grids)], gap=3)
        else:
            yield _block(
                Text("W, as it slides", style="italic"),
                *grid_lines(d, steps.flips[0], "filter", symbols=True),
            )
        if any(dl > 1 for dl in frame.spec.dilation):
            yield Text(prose.spread_intro(frame, W))
            yield _block(*grid_lines(d, steps.sliding, "filter", symbols=True))
    if d.values is not None and frame.spec.mode == "correlate":
        yield from _array(d, "rotated_filter", "rot180(W)")


@PAGE("windows")
def _full_convolution(d: Derivation) -> Iterator[RenderableType]:
    frame = d.frame
    yield Text(prose.full_intro(frame, W))
    for steps in d.deltas:
        label = f" ({_delta_label(d, steps.block)})" if len(d.deltas) > 1 else ""
        yield _block(Text(f"δ{label}", style="italic"), *grid_lines(d, steps.delta, "grad_output"))
        if steps.inserted is not None:
            yield Text(prose.inserted_intro(frame, W))
            yield _block(*grid_lines(d, steps.inserted, "grad_output"))
        yield Text(prose.padded_intro(frame, steps.before, steps.after, W))
        yield _block(*grid_lines(d, steps.padded, "grad_output"))
    if prose.crop_note(frame, W):
        yield Text(prose.crop_note(frame, W))
    uncovered = 0
    for block, cells in groupby(d.grad_input, key=lambda c: c.full[:2]):
        caption = prose.block_caption(frame, *block)
        if caption:
            yield Text(caption.capitalize(), style="bold italic")
        for cell in cells:
            uncovered += not cell.terms
            yield from _windows(d, cell)
    if uncovered:
        yield Text(prose.uncovered_note(uncovered, W))
    yield from _array(d, "grad_input", W["dX"], RESULT)


def _windows(d: Derivation, cell: Cell) -> Iterator[RenderableType]:
    """Each window of one ∂L/∂x cell on the padded δ, beside the products under it; then the sum."""
    frame = d.frame
    name = prose.lhs(frame, "input", cell.index, UNICODE)
    for window in page.windows(d, cell):
        where = prose.window_span(frame.dims, window.corner, window.extent)
        heading = Text(f"{name}{window.label}: window at {where}", style="italic")
        products = Text("products under it", style="italic")
        yield _Beside(
            [
                _block(heading, *grid_lines(d, window.padded, "grad_output", window=window)),
                _block(products, *product_lines(d, window)),
            ],
            gap=4,
        )
    yield _formula(name, prose.formula(d, cell, "input", UNICODE))


@PAGE("grad_input")
def _grad_input(d: Derivation) -> Iterator[RenderableType]:
    yield from _array(d, "grad_input", W["dX"], RESULT)


@PAGE("bias")
def _bias(d: Derivation) -> Iterator[RenderableType]:
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
    """``δ₁₁ + δ₁₂ + …``, elided in the middle when long, as the products are."""
    return UNICODE.products([(s, "") for s in items]).replace("·", "")


@PAGE("summary")
def _summary(d: Derivation) -> Iterator[RenderableType]:
    count = page.multiplications(d)
    if count is not None:
        yield Text(prose.summary(d.frame, count, W))


# ---------------------------------------------------------------- pieces


def _formula(lhs: str, rows: Sequence[prose.Row]) -> _Formula:
    """``lhs = row``, further rows aligned under the ``=``; a part's label in the lhs column."""
    return _Formula(lhs, rows)


class _Formula:
    """A formula as a grid of three columns: the lhs (or a part's label), ``=``, the row.

    Where every row fits the console on one line, the grid's lines are assembled as Text
    instead, each column justified as the grid justifies it: the same characters and
    styles, without laying out a Table per formula (a page has thousands; measured in
    docs/performance.md). A longer formula is the grid, which wraps it inside its column.
    """

    def __init__(self, lhs: str, rows: Sequence[prose.Row]) -> None:
        self.lhs, self.rows = lhs, rows
        self.texts = [_row_text(row) for row in rows]
        self.label = max(_label_width(lhs, row) for row in rows)
        self.width = self.label + 3 + max(text.cell_len for text in self.texts)

    def grid(self) -> Table:
        table = Table.grid(padding=(0, 1))
        # Widths given where they are known: Rich then measures only the sums.
        table.add_column(no_wrap=True, justify="right", width=self.label)
        table.add_column(no_wrap=True, width=1)
        table.add_column()
        for i, (row, text) in enumerate(zip(self.rows, self.texts)):
            if row.label:
                table.add_row(Text(f"{row.label}:", style="italic"), "", text)
            else:
                table.add_row(self.lhs if i == 0 else "", "=", text)
        return table

    def lines(self, console: Console) -> Iterator[Text]:
        """The grid's lines when nothing wraps: lhs right-justified, `` = ``, the row padded to the widest."""
        width = max(text.cell_len for text in self.texts)
        for i, (row, text) in enumerate(zip(self.rows, self.texts)):
            if row.label:
                lhs, sign = Text(f"{row.label}:", style="italic"), " "
            else:
                lhs, sign = console.render_str(self.lhs if i == 0 else "", highlight=False), "="
            lhs.rstrip()
            lhs.pad_left(self.label - lhs.cell_len)
            text = text.copy()
            text.pad_right(width - text.cell_len)
            yield Text.assemble(lhs, " ", sign, " ", text)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if _as_lines(console, options, self.width):
            yield from self.lines(console)
        else:
            yield self.grid()

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.grid())


def _row_text(row: prose.Row) -> Text:
    text = Text(row.text)
    if row.value is not None:
        text.append(" = ")
        text.append(row.value, style=RESULT)
    return text


def _label_width(lhs: str, row: prose.Row) -> int:
    return cell_len(f"{row.label}:") if row.label else cell_len(lhs)


def _block(*lines: Text) -> Group:
    """Lines one under another, as one block."""
    return Group(*lines)


class _Beside:
    """Blocks side by side, ``gap`` apart: a row of Rich's grid where they fit, else Rich's Columns.

    Columns (which wraps the blocks onto more rows on a narrow console) measures every block
    first, 2.5× the cost of the grid row it then draws; the page has one of these per window,
    and each block's width is known here already. Blocks of lines (a window and its
    products) that fit are assembled line by line as Text, each line padded as the grid pads
    it, without a Table per window.
    """

    def __init__(self, blocks: Sequence[Group | Corner], gap: int) -> None:
        self.blocks, self.gap = blocks, gap
        self.width = sum(map(_width, blocks)) + gap * (len(blocks) - 1)

    def _laid_out(self, max_width: int) -> Table | Columns:
        if self.width > max_width:
            return Columns(self.blocks, padding=(0, self.gap))
        grid = Table.grid(padding=(0, self.gap), collapse_padding=True, pad_edge=False)
        for block in self.blocks:
            grid.add_column(no_wrap=True, width=_width(block))  # known: Rich need not measure them
        grid.add_row(*self.blocks)
        return grid

    def _blocks_of_lines(self) -> list[list[Text]] | None:
        """Each block's lines, when every block is a Group of Text lines (a window, its products)."""
        blocks = []
        for block in self.blocks:
            if not isinstance(block, Group):
                return None
            lines = [line for line in block.renderables if isinstance(line, Text)]
            if len(lines) < len(block.renderables):
                return None
            blocks.append(lines)
        return blocks

    def _lines(self, blocks: list[list[Text]]) -> Iterator[Text]:
        """The grid's row as lines: each block's lines padded to its width, a shorter block with blanks."""
        widths = [_width(block) for block in self.blocks]
        gap = " " * self.gap
        for i in range(max(map(len, blocks))):
            pieces: list[Text | str] = []
            for j, (lines, width) in enumerate(zip(blocks, widths)):
                if j:
                    pieces.append(gap)
                if i < len(lines):
                    line = lines[i].copy()
                    line.pad_right(width - line.cell_len)
                    pieces.append(line)
                else:
                    pieces.append(" " * width)
            yield Text.assemble(*pieces, no_wrap=True)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        blocks = self._blocks_of_lines() if _as_lines(console, options, self.width) else None
        if blocks:
            yield from self._lines(blocks)
        else:
            yield self._laid_out(options.max_width)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self._laid_out(options.max_width))


def _as_lines(console: Console, options: ConsoleOptions, width: int) -> bool:
    """Whether a grid ``width`` wide is printed as lines of Text: where it fits, unless recorded.

    The lines print the same characters and styles as the grid, in fewer segments; a
    recording console (--export-svg/--export-html) writes an element per segment, so it
    gets the grid, and the pictures stay the same.
    """
    return width <= options.max_width and not console.record


def _width(block: Group | Corner) -> int:
    if isinstance(block, Corner):
        return block.width
    return max(line.cell_len for line in block.renderables if isinstance(line, Text))


def _filter_label(d: Derivation, block: tuple[int, int]) -> str:
    o, c = block
    return f"filter {o + 1}, input channel {c + 1}" if d.frame.filter_shape[1] > 1 else f"filter {o + 1}"


def _delta_label(d: Derivation, block: tuple[int, int]) -> str:
    n, o = block
    return f"image {n + 1}, filter {o + 1}" if d.frame.input_shape[0] > 1 else f"filter {o + 1}"


def _array(d: Derivation, name: str, title: str, style: str = "") -> Iterator[Corner]:
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
        yield Corner(array, title, style)
        return
    for lead in np.ndindex(*array.shape[:-2]):
        yield Corner(array[lead], f"{title} [{', '.join(str(i + 1) for i in lead)}, :, :]", style)
