"""``--format markdown``: the derivation as GitHub-flavoured Markdown, for notebooks and reports.

Arrays and the contribution table are Markdown tables; every formula is LaTeX math in
``$…$`` (one line per chain-rule sum), and the rotated filter and each window are
``$$…$$`` blocks with the same matrices as ``--format latex``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from ..derivation.records import Cell, Derivation
from ..notation import LATEX, UNICODE, number
from . import latex as tex
from . import page, pipe_table, prose

W = UNICODE.words  # headings and prose in plain Unicode; formulas in LaTeX
M = LATEX.words


def markdown(derivation: Derivation, note: str | None = None) -> str:
    """The derivation as one Markdown document."""
    return "\n".join(_sections(derivation, note)).rstrip("\n") + "\n"


def _sections(d: Derivation, note: str | None) -> Iterator[str]:
    yield "# Backprop through convolution\n"
    yield f"{d.frame.spec.describe()}\n"
    yield from PAGE.walk(d, W, note)


def _heading(section: page.Section) -> Iterator[str]:
    if section.number is not None:
        yield f"## {section.number}. {section.title}\n"
    elif section.title:
        yield f"> {section.title}\n"


PAGE = page.Bodies(_heading)


@PAGE("problem")
def _problem(d: Derivation) -> Iterator[str]:
    for name, title in page.problem_operands(d.frame):
        yield from _array(d, name, title)
    yield from _array(d, "output", page.output_title(d.frame))


@PAGE("weights")
def _weights(d: Derivation) -> Iterator[str]:
    if d.grad_filter:
        yield prose.weights_intro(d.frame, W) + "\n"
        yield from (_formula(d, cell, "filter") for cell in d.grad_filter)
        yield ""
    yield from _array(d, "grad_filter", W["dW"])
    if d.grad_filter:
        yield prose.weights_note(d.frame, W) + "\n"


@PAGE("pattern")
def _pattern(d: Derivation) -> Iterator[str]:
    frame = d.frame
    yield prose.pattern_intro(frame, W) + "\n"
    for rows, o, columns in page.pattern_blocks(d):
        caption = prose.block_caption(frame, rows[0].full[0], rows[0].full[1], o)
        if caption:
            yield f"*{caption.capitalize()}*\n"
        if not page.tabulated(len(rows), len(columns)):
            yield f"*({len(rows)} inputs × {len(columns)} δ: too large to tabulate)*\n"
            continue
        header = [""] + [_math(prose.entry(frame, "grad_output", c, LATEX)) for c in columns]
        body = [
            [_math(prose.lhs(frame, "input", cell.index, LATEX))]
            + [
                "0" if links.get(c) is None else _math(prose.entry(frame, "filter", links[c], LATEX))
                for c in columns
            ]
            for cell, links in page.pattern_rows(rows, o)
        ]
        yield _table(header, body, "c")


@PAGE("rotation")
def _rotation(d: Derivation) -> Iterator[str]:
    frame = d.frame
    yield prose.rotation_intro(frame, W) + "\n"
    for steps in d.filters:
        yield _display(tex.display(tex.flip_math(d, steps)))
        if any(dl > 1 for dl in frame.spec.dilation):
            yield prose.spread_intro(frame, W) + "\n"
            yield _display(tex.display(tex.grid_matrix(d, steps.sliding, "filter", symbols=True)))
    if d.values is not None and frame.spec.mode == "correlate":
        yield from _array(d, "rotated_filter", "rot180(W)")


@PAGE("windows")
def _full(d: Derivation) -> Iterator[str]:
    frame = d.frame
    yield prose.full_intro(frame, W) + "\n"
    for steps in d.deltas:
        yield _display(tex.display(rf"\delta = {tex.grid_matrix(d, steps.delta, 'grad_output')}"))
        if steps.inserted is not None:
            yield prose.inserted_intro(frame, W) + "\n"
            yield _display(tex.display(tex.grid_matrix(d, steps.inserted, "grad_output")))
        yield prose.padded_intro(frame, steps.before, steps.after, W) + "\n"
        yield _display(tex.display(tex.grid_matrix(d, steps.padded, "grad_output")))
    if prose.crop_note(frame, W):
        yield prose.crop_note(frame, W) + "\n"
    yield "Each window (boxed) on the padded δ, and the products under it:\n"
    for cell in d.grad_input:
        name = prose.lhs(frame, "input", cell.index, UNICODE)
        for window in page.windows(d, cell):
            yield f"{name}{window.label}: window at {prose.window_span(frame.dims, window.corner, window.extent)}\n"
            yield _display(tex.display(tex.window_math(d, window)))
        yield _formula(d, cell, "input") + "\n"
    yield from _array(d, "grad_input", W["dX"])


@PAGE("grad_input")
def _grad_input(d: Derivation) -> Iterator[str]:
    yield from _array(d, "grad_input", W["dX"])


@PAGE("bias")
def _bias(d: Derivation) -> Iterator[str]:
    yield prose.bias_intro(d.frame, W) + "\n"
    for cell in d.grad_bias:
        rows = tex.bias_lines(d, cell)
        yield "- " + _math(" = ".join([rows[0][0], *(rhs for _, rhs in rows)]))
    yield ""


@PAGE("summary")
def _summary(d: Derivation) -> Iterator[str]:
    count = page.multiplications(d)
    if count is not None:
        yield prose.summary(d.frame, count, W) + "\n"


def _formula(d: Derivation, cell: Cell, kind: str) -> str:
    """A bullet with the chain-rule sum on one line; a sum over parts gets a sub-bullet per part."""
    lhs = prose.lhs(d.frame, "filter" if kind == "filter" else "input", cell.index, LATEX)
    bullets: list[tuple[str, list[str]]] = []
    for row in prose.formula(d, cell, kind, LATEX):
        if row.label:
            bullets.append((f"  - {row.label}: ", [row.text]))
        elif not bullets:
            bullets.append(("- ", [lhs, row.text]))
        else:
            bullets[-1][1].append(row.text)
        if row.value is not None:
            bullets[-1][1].append(row.value)
    return "\n".join(prefix + _math(" = ".join(parts)) for prefix, parts in bullets)


def _array(d: Derivation, name: str, title: str) -> Iterator[str]:
    if d.values is None:
        if name not in ("input", "filter", "grad_output"):
            return
        array = prose.symbols(d.frame, name, LATEX, _math)
    else:
        value = getattr(d.values, name)
        if value is None:
            return
        array = np.vectorize(number, otypes=[object])(np.asarray(value))
    slices = (
        [((), array)] if array.ndim <= 2 else [(lead, array[lead]) for lead in np.ndindex(*array.shape[:-2])]
    )
    for lead, block in slices:
        label = f" [{', '.join(str(i + 1) for i in lead)}, :, :]" if lead else ""
        yield f"**{title}{label}**\n"
        grid = np.atleast_2d(block)
        header = [""] + [str(j + 1) for j in range(grid.shape[1])]
        body = [[f"**{i + 1}**" if block.ndim else "", *map(str, row)] for i, row in enumerate(grid)]
        yield _table(header, body, "r")


def _table(header: Sequence[str], body: Sequence[Sequence[str]], align: str) -> str:
    rule = ["---:" if align == "r" else ":---:"] * len(header)
    rows = [header, rule, *body]
    return "\n".join(pipe_table.row(cells) for cells in rows) + "\n"


def _math(latex: str) -> str:
    return f"${latex}$"


def _display(block: str) -> str:
    """A LaTeX ``\\[ … \\]`` block as a Markdown ``$$ … $$`` block."""
    return "$$\n" + block.removeprefix("\\[\n").removesuffix("\n\\]") + "\n$$\n"
