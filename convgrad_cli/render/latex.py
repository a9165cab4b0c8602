"""``--format latex``: the derivation as a standalone LaTeX document, or a fragment (``--latex-body``).

Matrices are ``bmatrix``; each cell's chain-rule sum is an ``align*`` block, e.g.
``\\frac{\\partial L}{\\partial x_{22}} &= w_{22}\\,\\delta_{11} + \\dots = 7``.  The window on the
padded δ grid is ``\\boxed``, zeros that are not data are grey.  The matrix and formula
helpers here are shared with the Markdown view, whose math is LaTeX too.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from ..derivation.records import BiasCell, Cell, Derivation, Entry, FilterSteps, Grid
from ..notation import LATEX
from . import page, prose
from .page import Window

W = LATEX.words
TERMS_PER_LINE = 4  # LaTeX does not break long formulas by itself
_TEXT = {
    "°": r"$^\circ$",
    "−": "$-$",
    "…": r"\dots{}",
    "→": r"$\to$",
    "×": r"$\times$",
    "δ": r"$\delta$",
    "∂": r"$\partial$",
}

PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[margin=2cm]{geometry}
\usepackage{amsmath}
\usepackage{xcolor}
\setcounter{MaxMatrixCols}{40}
\begin{document}
"""
FRAGMENT_NOTE = r"% convgrad derivation: needs \usepackage{amsmath,xcolor} and \setcounter{MaxMatrixCols}{40}"


def latex(derivation: Derivation, note: str | None = None, *, body: bool = False) -> str:
    """The whole document, or (``body``) the part between ``\\begin{document}`` and its end."""
    text = "\n".join(_sections(derivation, note)) + "\n"
    return f"{FRAGMENT_NOTE}\n{text}" if body else f"{PREAMBLE}{text}\\end{{document}}\n"


def _sections(d: Derivation, note: str | None) -> Iterator[str]:
    yield r"\section*{Backprop through convolution}"
    yield tex_text(d.frame.spec.describe()) + "\n"
    yield from PAGE.walk(d, W, note)


def _heading(section: page.Section) -> Iterator[str]:
    if section.number is not None:
        yield f"\\subsection*{{{section.number}. {tex_text(section.title).strip()}}}"
    elif section.title:
        yield r"\medskip\noindent " + tex_text(section.title)


PAGE = page.Bodies(_heading)


def _arrays(d: Derivation, name: str, symbol: str) -> Iterator[str]:
    yield display(r" \qquad ".join(array_matrices(d, name, symbol)))


@PAGE("problem")
def _problem(d: Derivation) -> Iterator[str]:
    names = dict(input="X", filter="W", grad_output=r"\delta", bias="b")
    matrices = [m for name, _ in page.problem_operands(d.frame) for m in array_matrices(d, name, names[name])]
    yield display(r" \qquad ".join(matrices))
    if d.values is not None:
        yield from _arrays(d, "output", "Y")


@PAGE("weights")
def _weights(d: Derivation) -> Iterator[str]:
    if d.grad_filter:
        yield tex_text(prose.weights_intro(d.frame, W))
        for cell in d.grad_filter:
            yield align(formula_lines(d, cell, "filter"))
    yield from _arrays(d, "grad_filter", r"\frac{\partial L}{\partial W}")
    if d.grad_filter:
        yield tex_text(prose.weights_note(d.frame, W))


@PAGE("pattern")
def _pattern(d: Derivation) -> Iterator[str]:
    frame = d.frame
    yield tex_text(prose.pattern_intro(frame, W))
    for rows, o, columns in page.pattern_blocks(d):
        if not page.tabulated(len(rows), len(columns)):
            continue
        header = " & ".join(prose.entry(frame, "grad_output", c, LATEX) for c in columns)
        lines = [rf"\begin{{array}}{{r|{'c' * len(columns)}}}", rf" & {header} \\ \hline"]
        for cell, links in page.pattern_rows(rows, o):
            entries = [
                _grey("0") if links.get(c) is None else prose.entry(frame, "filter", links[c], LATEX)
                for c in columns
            ]
            lines.append(f"{prose.lhs(frame, 'input', cell.index, LATEX)} & {' & '.join(entries)} \\\\")
        lines.append(r"\end{array}")
        yield display("\n".join(lines))


@PAGE("rotation")
def _rotation(d: Derivation) -> Iterator[str]:
    frame = d.frame
    yield tex_text(prose.rotation_intro(frame, W))
    for steps in d.filters:
        yield display(flip_math(d, steps))
        if any(dl > 1 for dl in frame.spec.dilation):
            yield tex_text(prose.spread_intro(frame, W))
            yield display(grid_matrix(d, steps.sliding, "filter", symbols=True))
    if d.values is not None and frame.spec.mode == "correlate":
        yield from _arrays(d, "rotated_filter", r"\mathrm{rot180}(W)")


@PAGE("windows")
def _full(d: Derivation) -> Iterator[str]:
    frame = d.frame
    yield tex_text(prose.full_intro(frame, W))
    for steps in d.deltas:
        yield display(rf"\delta = {grid_matrix(d, steps.delta, 'grad_output')}")
        if steps.inserted is not None:
            yield tex_text(prose.inserted_intro(frame, W))
            yield display(grid_matrix(d, steps.inserted, "grad_output"))
        yield tex_text(prose.padded_intro(frame, steps.before, steps.after, W))
        yield display(grid_matrix(d, steps.padded, "grad_output"))
    if prose.crop_note(frame, W):
        yield tex_text(prose.crop_note(frame, W))
    for cell in d.grad_input:
        for window in page.windows(d, cell):
            yield display(window_math(d, window))
        yield align(formula_lines(d, cell, "input"))
    yield from _arrays(d, "grad_input", r"\frac{\partial L}{\partial X}")


@PAGE("grad_input")
def _grad_input(d: Derivation) -> Iterator[str]:
    yield from _arrays(d, "grad_input", r"\frac{\partial L}{\partial X}")


@PAGE("bias")
def _bias(d: Derivation) -> Iterator[str]:
    yield tex_text(prose.bias_intro(d.frame, W))
    for cell in d.grad_bias:
        yield align(bias_lines(d, cell))


@PAGE("summary")
def _summary(d: Derivation) -> Iterator[str]:
    count = page.multiplications(d)
    if count is not None:
        yield r"\medskip\noindent " + tex_text(prose.summary(d.frame, count, W))


def bias_lines(d: Derivation, cell: BiasCell) -> list[tuple[str, str]]:
    """``∂L/∂b = δ₁₁ + … = 1 + … = 5`` as align rows."""
    deltas = [prose.entry(d.frame, "grad_output", i, LATEX) for i in cell.deltas]
    name = LATEX.partial(LATEX.symbol("b", cell.index, False) if cell.index else "b")
    rows = [(name, " + ".join(deltas))]
    if cell.delta_values is not None:
        rows.append(("", f"{LATEX.total(list(cell.delta_values))} = {LATEX.number(cell.value)}"))
    return rows


# ---------------------------------------------------------------- shared with Markdown


def flip_math(d: Derivation, steps: FilterSteps) -> str:
    """W, flipped one axis at a time, ``= rot180(W)``; in convolve mode just W (it slides unrotated)."""
    if d.frame.spec.mode == "convolve":
        return f"W = {grid_matrix(d, steps.flips[0], 'filter', symbols=True)}"
    arrows = [rf"\xrightarrow{{\text{{{n}}}}}" for n in prose.flip_names(d.frame.dims)]
    parts = [f"W = {grid_matrix(d, steps.flips[0], 'filter', symbols=True)}"]
    parts += [f"{a} {grid_matrix(d, g, 'filter', symbols=True)}" for a, g in zip(arrows, steps.flips[1:])]
    return " ".join(parts) + r" = \mathrm{rot180}(W)"


def display(math: str) -> str:
    # Nothing to show (a result matrix of a symbolic derivation): an empty \[ \] would not compile.
    return f"\\[\n{math}\n\\]" if math else ""


def align(rows: Sequence[tuple[str, str]]) -> str:
    """An ``align*`` block: each (lhs, rhs) row as ``lhs &= rhs``, long sums broken every few terms."""
    lines = []
    for lhs, rhs in rows:
        lines.append(f"{lhs} &= {_broken(rhs)}")
    return "\\begin{align*}\n" + " \\\\\n".join(lines) + "\n\\end{align*}"


def _broken(rhs: str) -> str:
    items = rhs.split(" + ")
    if len(items) <= TERMS_PER_LINE:
        return rhs
    chunks = [" + ".join(items[i : i + TERMS_PER_LINE]) for i in range(0, len(items), TERMS_PER_LINE)]
    return " \\\\\n&\\quad + ".join(chunks)


def formula_lines(d: Derivation, cell: Cell, kind: str) -> list[tuple[str, str]]:
    """A cell's chain-rule sum as align rows: symbols, then numbers and the value."""
    operand = "filter" if kind == "filter" else "input"
    lhs = prose.lhs(d.frame, operand, cell.index, LATEX)
    rows: list[tuple[str, str]] = []
    for i, row in enumerate(prose.formula(d, cell, kind, LATEX)):
        rhs = row.text + (f" = {row.value}" if row.value is not None else "")
        if row.label:
            rows.append((rf"\text{{{row.label}:}}\quad", rhs))
        else:
            rows.append((lhs if i == 0 else "", rhs))
    return rows


def bmatrix(rows: Sequence[Sequence[str]]) -> str:
    body = r" \\ ".join(" & ".join(row) for row in rows)
    return rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"


def array_matrices(d: Derivation, name: str, symbol: str) -> list[str]:
    """``symbol = [matrix]`` for an operand or result (2-D slices above two axes)."""
    if d.values is None:
        if name not in ("input", "filter", "grad_output"):
            return []
        array = prose.symbols(d.frame, name, LATEX)
    else:
        value = getattr(d.values, name)
        if value is None:
            return []
        array = np.vectorize(LATEX.number, otypes=[object])(np.asarray(value))
    if array.ndim <= 2:
        return [f"{symbol} = {bmatrix(_rows(np.atleast_2d(array)))}"]
    return [
        f"{symbol}_{{[{','.join(str(i + 1) for i in lead)}]}} = {bmatrix(_rows(array[lead]))}"
        for lead in np.ndindex(*array.shape[:-2])
    ]


def _rows(grid: np.ndarray) -> list[list[str]]:
    return [[str(v) for v in row] for row in grid]


def window_math(d: Derivation, window: Window) -> str:
    """The window boxed on the padded δ, an arrow, and the products under it."""
    covered = grid_matrix(d, window.padded, "grad_output", window=window)
    return rf"{covered} \quad \longrightarrow \quad {products_matrix(d, window)}"


def grid_matrix(
    d: Derivation, grid: Grid, operand: str, *, symbols: bool = False, window: Window | None = None
) -> str:
    """A grid as bmatrix (slices side by side in 3-D): window entries boxed, non-data zeros grey."""

    def entry(position: Sequence[int]) -> str:
        value = grid.at(position)
        text = _grey("0") if page.is_zero(value) else _value(d, operand, value, symbols)
        return rf"\boxed{{{text}}}" if window is not None and window.covers(position) else text

    return _matrices(grid.shape, entry, page.shown_axes(grid.shape, window))


def products_matrix(d: Derivation, window: Window) -> str:
    """The window's products laid out like the window: ``w \\cdot δ`` where both are data."""

    def entry(at: Sequence[int]) -> str:
        pair = window.product(at)
        if pair is None:
            return _grey("0")
        weight, delta = pair
        if d.values is None:
            return f"{prose.entry(d.frame, 'filter', weight, LATEX)}\\,{prose.entry(d.frame, 'grad_output', delta, LATEX)}"
        return f"{LATEX.factor(d.values.filter[weight])} \\cdot {LATEX.factor(d.values.grad_output[delta])}"

    shape = window.sliding.shape
    return _matrices(shape, entry, page.shown_axes(shape))


def _matrices(shape: Sequence[int], entry: object, shown: list[list[int | None]]) -> str:
    make = entry  # a callable from position to LaTeX

    def matrix(lead: tuple[int, ...]) -> str:
        rows_axis = shown[-2] if len(shape) > 1 else [None]
        rows = []
        for i in rows_axis:
            row = []
            for j in shown[-1]:
                if j is None or (len(shape) > 1 and i is None):
                    row.append(r"\cdots")
                    continue
                row.append(make((*lead, *(() if i is None else (i,)), j)))  # type: ignore[operator]
            rows.append(row)
        return bmatrix(rows)

    if len(shape) < 3:
        return matrix(())
    return r" \; ".join(matrix((s,)) for s in shown[0] if s is not None)


def _value(d: Derivation, operand: str, entry: Entry, symbols: bool) -> str:
    if symbols or d.values is None:
        return prose.entry(d.frame, operand, entry, LATEX)
    return LATEX.number(getattr(d.values, operand)[entry])


def _grey(text: str) -> str:
    return rf"{{\color{{gray}}{text}}}"


def tex_text(text: str) -> str:
    """Prose for LaTeX: its math is already LaTeX; only stray Unicode needs spelling out."""
    for char, spelled in _TEXT.items():
        text = text.replace(char, spelled)
    return text + "\n"
