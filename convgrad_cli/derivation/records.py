"""The derivation as frozen records, in the order of the hand-written page (``DERIVATION.md``).

A :class:`Derivation` holds ∂L/∂w one weight at a time, the rotated filter, δ zero-inserted
and padded, ∂L/∂x one window at a time, and ∂L/∂b.  The views (table, Markdown, LaTeX, JSON)
only format it; :mod:`.build` makes one, :mod:`.selection` decides which cells it lists.

Conventions
-----------
Indices are 0-based tuples into the arrays in the user's own forms (``Term.source``,
``Term.delta``, ``Cell.index``, grid entries); ``Cell.full`` and ``Part.block`` are
full-form — X (N, C_in, *S), W (C_out, C_in/groups, *K), δ (N, C_out, *S_out) — for grouping.
A term of ∂L/∂w is δ·x (``source`` indexes the input); a term of ∂L/∂x is w·δ (``source``
indexes the filter).  Terms are exactly the multiplications of the definition that read real
values (never padding or inserted zeros), in derivation order: weights row-major, their terms
by image then output position row-major; input cells row-major, their terms by output channel
then in window order (which is δ's row-major order).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..engine.shapes import Layout
from ..engine.spec import ConvSpec

PAD = "pad"  # a grid entry that is a padding zero, not data
GAP = "gap"  # a grid entry that is a zero inserted between entries (stride for δ, dilation for W)

Index = tuple[int, ...]
Entry = Index | str  # an index into the operand, PAD or GAP


@dataclass(frozen=True, slots=True)
class Term:
    """One multiplication of the definition: ``source`` (x for ∂L/∂w, w for ∂L/∂x) times δ."""

    source: Index
    delta: Index
    source_value: Any = None
    delta_value: Any = None
    product: Any = None


@dataclass(frozen=True, slots=True)
class Part:
    """The terms a cell takes from one δ block (one image for ∂L/∂w, one filter for ∂L/∂x).

    ``corner``: for ∂L/∂x, the top-left of the window on the padded δ grid.  ``value``:
    the subtotal, set when the cell has several parts (the sum over the batch or filters).
    """

    block: tuple[int, int]
    terms: tuple[Term, ...]
    corner: Index = ()
    value: Any = None


@dataclass(frozen=True, slots=True)
class Cell:
    """One gradient entry and its chain-rule sum; ``value`` is the engine's (None when symbolic)."""

    index: Index
    full: Index
    value: Any
    parts: tuple[Part, ...]

    @property
    def terms(self) -> tuple[Term, ...]:
        if len(self.parts) == 1:
            return self.parts[0].terms
        return tuple(t for part in self.parts for t in part.terms)


@dataclass(frozen=True, slots=True)
class BiasCell:
    """∂L/∂b for one output channel: the sum of every δ of that channel."""

    index: Index
    value: Any
    deltas: tuple[Index, ...]
    delta_values: tuple[Any, ...] | None


@dataclass(frozen=True, slots=True)
class Grid:
    """A spatial grid, row-major; each entry an operand index, :data:`PAD` or :data:`GAP`."""

    shape: Index
    entries: tuple[Entry, ...]

    def at(self, position: Sequence[int]) -> Entry:
        offset = 0
        for p, n in zip(position, self.shape):
            offset = offset * n + p
        return self.entries[offset]


@dataclass(frozen=True, slots=True)
class FilterSteps:
    """The filter block (o, c): W, flipped one axis at a time, and what slides over δ.

    ``flips[0]`` is W; ``flips[a]`` has axes 0…a−1 reversed, so the last is rot180(W).
    ``sliding`` is rot180(W) (correlate) or W (convolve), spread by dilation (GAP entries).
    """

    block: tuple[int, int]
    flips: tuple[Grid, ...]
    sliding: Grid


@dataclass(frozen=True, slots=True)
class DeltaSteps:
    """The δ block (n, o): as given, zero-inserted (stride > 1), then zero-padded.

    ``before``/``after``: zeros added on each side of each axis of the inserted grid;
    ``before`` is the dilated kernel extent − 1, ``after`` also covers inputs beyond the
    last window a stride reaches.
    """

    block: tuple[int, int]
    delta: Grid
    inserted: Grid | None
    padded: Grid
    before: Index
    after: Index


@dataclass(frozen=True, slots=True)
class Frame:
    """The geometry of one problem: parameters, layout and full-form shapes, no values."""

    spec: ConvSpec
    layout: Layout
    input_shape: Index  # (N, C_in, *S)
    filter_shape: Index  # (C_out, C_in/groups, *K)
    bias: bool = False

    @classmethod
    def of(
        cls, spec: ConvSpec, input_shape: Sequence[int], filter_shape: Sequence[int], bias: bool = False
    ) -> Frame:
        """From shapes in the user's forms (short or full)."""
        layout = Layout.of(len(input_shape), len(filter_shape), spec.dims)
        lead = spec.dims + 2
        x = (1,) * (lead - len(input_shape)) + tuple(input_shape)
        w = (1,) * (lead - len(filter_shape)) + tuple(filter_shape)
        return cls(spec, layout, x, w, bias)

    @property
    def dims(self) -> int:
        return self.spec.dims

    @property
    def spatial(self) -> Index:
        return self.input_shape[2:]

    @property
    def kernel(self) -> Index:
        return self.filter_shape[2:]

    @property
    def out(self) -> Index:
        return self.spec.output_shape(self.spatial, self.kernel)

    @property
    def output_shape(self) -> Index:
        return (self.input_shape[0], self.filter_shape[0], *self.out)

    @property
    def extent(self) -> Index:
        return self.spec.dilated_kernel(self.kernel)

    @property
    def padded(self) -> Index:
        return self.spec.padded_shape(self.spatial)

    @property
    def padded_delta(self) -> Index:
        """The zero-padded δ the rotated filter slides over: one window per padded input position."""
        return tuple(p + e - 1 for p, e in zip(self.padded, self.extent))

    @property
    def per_group(self) -> int:
        """Output channels per group."""
        return self.filter_shape[0] // self.spec.groups

    def input_prefix(self, n: int, ci: int) -> Index:
        return (n, ci)[self.dims + 2 - self.input_rank :]

    def filter_prefix(self, o: int, c: int) -> Index:
        return (o, c)[self.dims + 2 - self.layout.filter_rank :]

    def delta_prefix(self, n: int, o: int) -> Index:
        return (n,) * self.layout.batched + (o,) * self.layout.output_channels

    @property
    def input_rank(self) -> int:
        return self.dims + self.layout.input_channels + self.layout.batched

    def user_shape(self, name: str) -> Index:
        """The shape of ``input``, ``filter`` or ``grad_output`` in the user's form."""
        if name == "input":
            return self.input_shape[self.dims + 2 - self.input_rank :]
        if name == "filter":
            return self.filter_shape[self.dims + 2 - self.layout.filter_rank :]
        return self.delta_prefix(*self.output_shape[:2]) + self.out

    def separate(self, name: str) -> bool:
        """Whether subscripts of this operand carry channel or batch axes (written with commas)."""
        # The rank of user_shape(name), without building it: the views ask for every symbol.
        if name == "input":
            return self.input_rank > self.dims
        if name == "filter":
            return self.layout.filter_rank > self.dims
        return bool(self.layout.batched or self.layout.output_channels)


@dataclass(frozen=True, slots=True, eq=False)
class Values:
    """The numbers, in the user's forms (what the engine returned); compared by identity, as arrays are."""

    arithmetic: str
    input: np.ndarray
    filter: np.ndarray
    grad_output: np.ndarray
    output: np.ndarray
    grad_input: np.ndarray
    grad_filter: np.ndarray
    rotated_filter: np.ndarray
    bias: np.ndarray | None = None
    grad_bias: np.ndarray | None = None


@dataclass(frozen=True, slots=True)
class Selection:
    """Which cells to derive: full-form indices, ``None`` for every cell."""

    filter_cells: tuple[Index, ...] | None = None
    input_cells: tuple[Index, ...] | None = None
    names: tuple[str, ...] = ()  # as the user wrote them; empty for the full trace

    @property
    def everything(self) -> bool:
        return self.filter_cells is None and self.input_cells is None


@dataclass(frozen=True, slots=True)
class Derivation:
    """Every step of the page for one problem, in order; ``values`` None when symbolic."""

    frame: Frame
    values: Values | None
    selection: Selection
    grad_filter: tuple[Cell, ...]
    grad_input: tuple[Cell, ...]
    grad_bias: tuple[BiasCell, ...] = ()
    filters: tuple[FilterSteps, ...] = ()
    deltas: tuple[DeltaSteps, ...] = ()
