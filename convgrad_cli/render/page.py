"""The page's structure, declared once: its sections in order, and what each one walks over.

The table, Markdown and LaTeX views each register a heading and one body per section in a
:class:`Bodies` and walk it, so the order of the hand-written page lives here only: the
problem, ∂L/∂W one weight at a time, the pattern of ∂L/∂X, rot180(W), the full convolution
window by window, ∂L/∂b, the summary.  No Rich here, and no spelling of the mathematics
(that is the views').
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from ..derivation.records import GAP, PAD, Cell, Derivation, Entry, Frame, Grid
from .prose import Words, full_operation, results_only

PATTERN_LIMIT = (49, 16)  # rows × columns of the largest contribution table a view draws
GRID_VIEW = 15  # grids longer than this on an axis are drawn around the window only
T = TypeVar("T")
KEYS = ("problem", "weights", "pattern", "rotation", "windows", "grad_input", "bias", "summary")


@dataclass(frozen=True, slots=True)
class Section:
    """One section of the page: ``key`` names its body in each view.

    The summary has no ``number``; its ``title`` is the note that heads it (why only
    results are shown), if any.
    """

    key: str
    number: int | None
    title: str


def sections(d: Derivation, w: Words, note: str | None = None) -> list[Section]:
    """The sections ``d`` shows, in the page's order; without ∂L/∂x cells, ∂L/∂X is a result only."""
    page = [Section("problem", 1, "The problem")]
    if d.grad_filter or _has_result(d, "grad_filter"):
        page.append(Section("weights", 2, f"{w['dW']}, one weight at a time"))
    if d.grad_input:
        rotation = "The rotated filter" if d.frame.spec.mode == "correlate" else "The filter, unrotated"
        page += [
            Section("pattern", 3, f"{w['dX']}: the pattern"),
            Section("rotation", 4, rotation),
            Section("windows", 5, f"The {full_operation(d.frame)}, window by window"),
        ]
    elif _has_result(d, "grad_input"):
        page.append(Section("grad_input", 3, w["dX"]))
    if d.frame.bias and (d.grad_bias or _has_result(d, "grad_bias")):
        page.append(Section("bias", 6, w["db"]))
    return [*page, Section("summary", None, results_only(note) if note else "")]


def _has_result(d: Derivation, result: str) -> bool:
    """Whether a result array is on the page: a derivation may leave out results (``check``'s)."""
    return d.values is None or getattr(d.values, result) is not None


Body = Callable[[Derivation], Iterator[T]]


class Bodies(Generic[T]):
    """A view's heading and its body for each section key, registered with ``@bodies("key")``."""

    def __init__(self, heading: Callable[[Section], Iterator[T]]) -> None:
        self.heading = heading
        self.bodies: dict[str, Body[T]] = {}

    def __call__(self, key: str) -> Callable[[Body[T]], Body[T]]:
        def register(body: Body[T]) -> Body[T]:
            self.bodies[key] = body
            return body

        return register

    def walk(self, d: Derivation, w: Words, note: str | None = None) -> Iterator[T]:
        """Each section's heading, then its body, in the page's order."""
        for section in sections(d, w, note):
            yield from self.heading(section)
            yield from self.bodies[section.key](d)


# ---------------------------------------------------------------- what the sections show


def problem_operands(frame: Frame) -> list[tuple[str, str]]:
    """The operands of the problem section, in order, with their titles."""
    operands = [("input", "X (input)"), ("filter", "W (filter)"), ("grad_output", "δ = ∂L/∂Y (upstream)")]
    return operands + [("bias", "b (bias)")] * frame.bias


def output_title(frame: Frame) -> str:
    return "Y = conv(X, W) + b" if frame.bias else "Y = conv(X, W)"


def multiplications(d: Derivation) -> int | None:
    """The summary's count of multiplications, when every cell is shown (else no summary)."""
    if not (d.grad_filter and d.selection.everything):
        return None
    return sum(len(c.terms) for c in d.grad_filter)


def tabulated(rows: int, columns: int) -> bool:
    """Whether a contribution table of ``rows`` inputs × ``columns`` δ is small enough to draw."""
    return rows <= PATTERN_LIMIT[0] and columns <= PATTERN_LIMIT[1]


def pattern_blocks(d: Derivation) -> Iterator[tuple[list[Cell], int, list[Entry]]]:
    """The ∂L/∂x cells of each (image, input channel) block, each filter they meet, and its δ entries."""
    deltas = {steps.block: steps.delta for steps in d.deltas}
    blocks: dict[tuple[int, ...], list[Cell]] = {}
    for cell in d.grad_input:
        blocks.setdefault(cell.full[:2], []).append(cell)
    for rows in blocks.values():
        for o in sorted({p.block[1] for c in rows for p in c.parts}):
            yield rows, o, list(deltas[(rows[0].full[0], o)].entries)


def pattern_rows(cells: Sequence[Cell], o: int) -> Iterator[tuple[Cell, dict[Entry, Entry]]]:
    """Each cell with the weight that links it to each δ of filter ``o``."""
    for cell in cells:
        yield cell, {t.delta: t.source for p in cell.parts if p.block[1] == o for t in p.terms}


@dataclass(frozen=True, slots=True)
class Window:
    """One sliding-window position: where it sits on the padded δ, and the filter as it slides."""

    label: str  # ", filter 2" when the cell sums over several filters, else ""
    corner: tuple[int, ...]
    extent: tuple[int, ...]
    padded: Grid
    sliding: Grid

    def covers(self, position: Sequence[int]) -> bool:
        return all(c <= p < c + e for p, c, e in zip(position, self.corner, self.extent))

    def product(self, at: Sequence[int]) -> tuple[Entry, Entry] | None:
        """The (weight, δ) multiplied at ``at`` of the window; None where either is a zero that is not data."""
        delta = self.padded.at(tuple(c + a for c, a in zip(self.corner, at)))
        weight = self.sliding.at(at)
        return None if delta in (PAD, GAP) or weight in (PAD, GAP) else (weight, delta)


def windows(d: Derivation, cell: Cell) -> list[Window]:
    """The windows of one ∂L/∂x cell, one per filter it meets."""
    frame = d.frame
    padded = {steps.block: steps.padded for steps in d.deltas}
    sliding = {steps.block: steps.sliding for steps in d.filters}
    c = cell.full[1] % frame.filter_shape[1]
    return [
        Window(
            f", filter {part.block[1] + 1}" if len(cell.parts) > 1 else "",
            tuple(part.corner),
            tuple(frame.extent),
            padded[part.block],
            sliding[(part.block[1], c)],
        )
        for part in cell.parts
    ]


def is_zero(entry: Entry) -> bool:
    """A grid's zero that is not data: padding, or a zero inserted between entries."""
    return entry in (PAD, GAP)


def shown_axes(shape: Sequence[int], window: Window | None = None) -> list[list[int | None]]:
    """Positions of a grid to draw, per axis; ``None`` stands for positions left out ("…").

    Short axes are drawn whole; long ones from the start, or around the window.  3-D grids
    with a window keep only the slices the window covers.
    """
    if window is None:
        return [_shown(n, None) for n in shape]
    corner, extent = window.corner, window.extent
    axes = [_shown(n, (corner[a], corner[a] + extent[a])) for a, n in enumerate(shape)]
    if len(shape) == 3:
        axes[0] = list(range(corner[0], corner[0] + extent[0]))
    return axes


def _shown(length: int, span: tuple[int, int] | None) -> list[int | None]:
    if length <= GRID_VIEW:
        return list(range(length))
    if span is None:
        return [*range(GRID_VIEW - 1), None]
    lo, hi = max(0, span[0] - 1), min(length, span[1] + 1)
    return ([None] if lo > 0 else []) + list(range(lo, hi)) + ([None] if hi < length else [])
