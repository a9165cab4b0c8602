"""The table view: a :class:`Derivation` as Rich renderables, section by section in the page's order.

The sections come from :func:`~convgrad_cli.render.page.sections`; matrices are Rich Tables
(:class:`~convgrad_cli.render.arrays.Corner`), grids and windows lines
(:mod:`~convgrad_cli.render.grids`), laid out and printed by :mod:`~convgrad_cli.render.lines`:
formulas, and blocks side by side.  Only formatting: every number and index comes from the
derivation.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import groupby

import numpy as np
from rich import box
from rich.console import Group, RenderableType
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from ..derivation.records import Cell, Derivation, Entry
from ..notation import UNICODE, number
from . import page, prose
from .arrays import Corner
from .grids import ZERO, Drawn, grid_lines, product_lines
from .lines import RESULT, Beside, Block, Formula, Line

W = UNICODE.words


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
    yield Beside([m for name, title in page.problem_operands(frame) for m in _array(d, name, title)], gap=3)
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
            yield Beside([[Line.styled(n, "italic"), *g] for n, g in zip(names, grids)], gap=3)
        else:
            yield _block(
                Line.styled("W, as it slides", "italic"),
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
        yield _block(Line.styled(f"δ{label}", "italic"), *grid_lines(d, steps.delta, "grad_output"))
        if steps.inserted is not None:
            yield Text(prose.inserted_intro(frame, W))
            yield _block(*grid_lines(d, steps.inserted, "grad_output"))
        yield Text(prose.padded_intro(frame, steps.before, steps.after, W))
        yield _block(*grid_lines(d, steps.padded, "grad_output"))
    if prose.crop_note(frame, W):
        yield Text(prose.crop_note(frame, W))
    uncovered, drawn = 0, Drawn(d)
    for block, cells in groupby(d.grad_input, key=lambda c: c.full[:2]):
        caption = prose.block_caption(frame, *block)
        if caption:
            yield Text(caption.capitalize(), style="bold italic")
        for cell in cells:
            uncovered += not cell.terms
            yield from _windows(d, cell, drawn)
    if uncovered:
        yield Text(prose.uncovered_note(uncovered, W))
    yield from _array(d, "grad_input", W["dX"], RESULT)


def _windows(d: Derivation, cell: Cell, drawn: Drawn) -> Iterator[RenderableType]:
    """Each window of one ∂L/∂x cell on the padded δ, beside the products under it; then the sum."""
    frame = d.frame
    name = prose.lhs(frame, "input", cell.index, UNICODE)
    for window in page.windows(d, cell):
        where = prose.window_span(frame.dims, window.corner, window.extent)
        heading = Line.styled(f"{name}{window.label}: window at {where}", "italic")
        products = Line.styled("products under it", "italic")
        yield Beside(
            [
                [heading, *grid_lines(d, window.padded, "grad_output", window=window, drawn=drawn)],
                [products, *product_lines(d, window, drawn)],
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


def _formula(lhs: str, rows: Sequence[prose.Row]) -> Formula:
    """``lhs = row``, further rows aligned under the ``=``; a part's label in the lhs column."""
    return Formula(lhs, rows)


def _block(*lines: Line) -> Block:
    """Lines one under another, as one block."""
    return Block(lines)


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
