"""The derivation as data: every ∂L/∂w and ∂L/∂x as the chain-rule sum a hand derivation writes.

A :class:`Derivation` is frozen, plain data in the order of the hand-written page
(``DERIVATION.md``): ∂L/∂w one weight at a time, the rotated filter, δ zero-inserted and
padded, ∂L/∂x one window at a time, ∂L/∂b.  Renderers (table, Markdown, LaTeX, JSON) only
format it; nothing here imports Click or Rich.  The records are NamedTuples, not frozen
dataclasses: as immutable, and defining a dozen dataclasses cost ~5 ms of every traced CLI
start (each generates and compiles its methods at import).

Building one
------------
``build(result, selection=None, steps=True)``
    From :func:`convgrad_cli.engine.backward.backward`'s :class:`Gradients`.  Cell values are the
    engine's; term values are the operands'; the only arithmetic here is one product per
    term and, for cells summed over several images or filters, each part's subtotal.
``build_symbolic(frame, selection=None, steps=True)``
    The same steps with every value ``None``, for problems that have shapes but no numbers
    (``convgrad explain --input-shape 3x3 --filter-shape 2x2``): make the frame with
    ``Frame.of(spec, input_shape, filter_shape)``.  Renderers print the symbolic half of each
    formula always and the numeric half only when ``Derivation.values`` is not None.
``parse_cells(text, frame)``, ``choose(frame, trace=…, cells=…)``
    ``--cells x22,w12`` as a :class:`Selection`; the size policy (full trace when small).
``window_count(frame)``, ``term_count(frame)``
    Sizes, without building anything.

``steps=False`` skips the grids (rotated filter, padded δ) that only the views draw.
Building costs time linear in the number of terms listed: per-axis index tables are made
once, then each term is one tuple.

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

# Without ``from __future__ import annotations``: typing would compile each NamedTuple field's
# annotation from its string, ~0.4 ms of every traced start.  Forward references are quoted.

import gc
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from fractions import Fraction
from math import prod
from typing import Any, NamedTuple

import numpy as np

from ..engine.ops import rot180
from ..engine.shapes import Layout
from ..engine.spec import ConvSpec
from ..errors import InputError
from ..exact import normalize

TRACE_LIMIT = 300  # window positions traced by default; above, results only and a note
TERM_LIMIT = 400_000  # multiplications a forced --trace may list (each costs a few hundred bytes)
PAD = "pad"  # a grid entry that is a padding zero, not data
GAP = "gap"  # a grid entry that is a zero inserted between entries (stride for δ, dilation for W)

Index = tuple[int, ...]
Entry = Index | str  # an index into the operand, PAD or GAP


class Term(NamedTuple):
    """One multiplication of the definition: ``source`` (x for ∂L/∂w, w for ∂L/∂x) times δ."""

    source: Index
    delta: Index
    source_value: Any = None
    delta_value: Any = None
    product: Any = None


class Part(NamedTuple):
    """The terms a cell takes from one δ block (one image for ∂L/∂w, one filter for ∂L/∂x).

    ``corner``: for ∂L/∂x, the top-left of the window on the padded δ grid.  ``value``:
    the subtotal, set when the cell has several parts (the sum over the batch or filters).
    """

    block: tuple[int, int]
    terms: tuple[Term, ...]
    corner: Index = ()
    value: Any = None


class Cell(NamedTuple):
    """One gradient entry and its chain-rule sum; ``value`` is the engine's (None when symbolic)."""

    index: Index  # type: ignore[assignment]  # the cell's index; hides tuple.index, unused on cells
    full: Index
    value: Any
    parts: tuple[Part, ...]

    @property
    def terms(self) -> tuple[Term, ...]:
        if len(self.parts) == 1:
            return self.parts[0].terms
        return tuple(t for part in self.parts for t in part.terms)


class BiasCell(NamedTuple):
    """∂L/∂b for one output channel: the sum of every δ of that channel."""

    index: Index  # type: ignore[assignment]  # as in Cell
    value: Any
    deltas: tuple[Index, ...]
    delta_values: tuple[Any, ...] | None


class Grid(NamedTuple):
    """A spatial grid, row-major; each entry an operand index, :data:`PAD` or :data:`GAP`."""

    shape: Index
    entries: tuple[Entry, ...]

    def at(self, position: Sequence[int]) -> Entry:
        offset = 0
        for p, n in zip(position, self.shape):
            offset = offset * n + p
        return self.entries[offset]


class FilterSteps(NamedTuple):
    """The filter block (o, c): W, flipped one axis at a time, and what slides over δ.

    ``flips[0]`` is W; ``flips[a]`` has axes 0…a−1 reversed, so the last is rot180(W).
    ``sliding`` is rot180(W) (correlate) or W (convolve), spread by dilation (GAP entries).
    """

    block: tuple[int, int]
    flips: tuple[Grid, ...]
    sliding: Grid


class DeltaSteps(NamedTuple):
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


class Frame(NamedTuple):
    """The geometry of one problem: parameters, layout and full-form shapes, no values."""

    spec: ConvSpec
    layout: Layout
    input_shape: Index  # (N, C_in, *S)
    filter_shape: Index  # (C_out, C_in/groups, *K)
    bias: bool = False

    @classmethod
    def of(
        cls, spec: ConvSpec, input_shape: Sequence[int], filter_shape: Sequence[int], bias: bool = False
    ) -> "Frame":
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


class Values(NamedTuple):
    """The numbers, in the user's forms (what the engine returned)."""

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


class Selection(NamedTuple):
    """Which cells to derive: full-form indices, ``None`` for every cell."""

    filter_cells: tuple[Index, ...] | None = None
    input_cells: tuple[Index, ...] | None = None
    names: tuple[str, ...] = ()  # as the user wrote them; empty for the full trace

    @property
    def everything(self) -> bool:
        return self.filter_cells is None and self.input_cells is None


class Derivation(NamedTuple):
    """Every step of the page for one problem, in order; ``values`` None when symbolic."""

    frame: Frame
    values: Values | None
    selection: Selection
    grad_filter: tuple[Cell, ...]
    grad_input: tuple[Cell, ...]
    grad_bias: tuple[BiasCell, ...] = ()
    filters: tuple[FilterSteps, ...] = ()
    deltas: tuple[DeltaSteps, ...] = ()

    def _repr_markdown_(self) -> str:
        # Jupyter shows the derivation as the Markdown view (the renderer imports lazily).
        from ..render.markdown import markdown

        return markdown(self)

    def _repr_latex_(self) -> str:
        from ..render.latex import latex

        return latex(self, body=True)


# ---------------------------------------------------------------- building


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while making many small acyclic objects.

    A trace is tuples and dicts without cycles: collector passes over tens of thousands of
    fresh ones find nothing and cost about half the time on a 64×64 problem.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def frame_of(result: Any) -> Frame:
    """The :class:`Frame` of a :class:`~convgrad_cli.engine.backward.Gradients`."""
    layout: Layout = result.layout
    x = layout.full_input(np.asarray(result.input)).shape
    w = layout.full_filter(np.asarray(result.filter)).shape
    return Frame(result.spec, layout, x, w, result.bias is not None)


def build(result: Any, selection: Selection | None = None, *, steps: bool = True) -> Derivation:
    """The derivation of a solved problem (:class:`~convgrad_cli.engine.backward.Gradients`)."""
    frame = frame_of(result)
    values = Values(
        result.arithmetic, result.input, result.filter, result.grad_output, result.output,
        result.grad_input, result.grad_filter, rot180(np.asarray(result.filter), frame.dims),
        result.bias, result.grad_bias,
    )  # fmt: skip
    return _derive(frame, values, _Flat.of(result, frame), selection or Selection(), steps)


def build_symbolic(frame: Frame, selection: Selection | None = None, *, steps: bool = True) -> Derivation:
    """The derivation with symbols only: every value is None."""
    return _derive(frame, None, None, selection or Selection(), steps)


class _Flat(NamedTuple):
    """Full-form operands and gradients as flat Python lists, for O(1) lookups per term."""

    x: list[Any]
    w: list[Any]
    d: list[Any]
    dx: list[Any]
    dw: list[Any]
    db: list[Any] | None

    @classmethod
    def of(cls, result: Any, frame: Frame) -> "_Flat":
        layout: Layout = result.layout
        operand = _float_list if result.arithmetic != "exact" else _exact_list
        db = None if result.grad_bias is None else _list(np.asarray(result.grad_bias))
        return cls(
            operand(layout.full_input(np.asarray(result.input))),
            operand(layout.full_filter(np.asarray(result.filter))),
            operand(layout.full_grad_output(np.asarray(result.grad_output))),
            _list(np.asarray(result.grad_input)), _list(np.asarray(result.grad_filter)), db,
        )  # fmt: skip


def _list(a: np.ndarray) -> list[Any]:
    """Python numbers (ints stay ints, Fractions stay Fractions), row-major."""
    return a.ravel().tolist()


def _exact_list(a: np.ndarray) -> list[Any]:
    # --exact on float data: each float is the exact rational it stores, so products stay exact.
    if a.dtype.kind == "f":
        return [normalize(Fraction(v)) for v in a.ravel().tolist()]
    return _list(a)


def _float_list(a: np.ndarray) -> list[Any]:
    # Float arithmetic: exact operands become floats so each product is what the engine used.
    return a.astype(np.float64).ravel().tolist() if a.dtype.kind != "f" else a.ravel().tolist()


def _strides(shape: Sequence[int]) -> Index:
    return tuple(prod(shape[i + 1 :]) for i in range(len(shape)))


def _offset(index: Sequence[int], strides: Sequence[int]) -> int:
    return sum(i * s for i, s in zip(index, strides))


def _tap(frame: Frame, axis: int, k: int) -> int:
    """Kernel tap ↔ weight index: the forward pass of convolve mode reads W rotated."""
    return frame.kernel[axis] - 1 - k if frame.spec.mode == "convolve" else k


def _filter_pairs(frame: Frame) -> list[list[list[tuple[int, int]]]]:
    """Per axis, per tap t: every (output i, input position) the tap reads, i ascending."""
    spec, tables = frame.spec, []
    for a, (size, k, o) in enumerate(zip(frame.spatial, frame.kernel, frame.out)):
        s, d, before = spec.stride[a], spec.dilation[a], spec.padding[a][0]
        rows = []
        for t in range(k):
            positions = ((i, i * s + t * d - before) for i in range(o))
            rows.append([(i, p) for i, p in positions if 0 <= p < size])
        tables.append(rows)
    return tables


def _input_pairs(frame: Frame) -> list[list[list[tuple[int, int]]]]:
    """Per axis, per input position r: every (output i, tap t) that reads it, i ascending.

    Taps descending give i ascending, which is window order on the padded δ grid.
    """
    spec, tables = frame.spec, []
    for a, (size, k, o) in enumerate(zip(frame.spatial, frame.kernel, frame.out)):
        s, d, before = spec.stride[a], spec.dilation[a], spec.padding[a][0]
        rows = []
        for r in range(size):
            reach = ((r + before - t * d, t) for t in reversed(range(k)))
            rows.append([(q // s, t) for q, t in reach if q >= 0 and q % s == 0 and q // s < o])
        tables.append(rows)
    return tables


Combo = tuple[Index, Index, int, int]  # δ position, other position, their flat spatial offsets
_START: list[Combo] = [((), (), 0, 0)]  # the one combination of no axes


def _combine(axes: list[list[tuple[int, int]]], d_strides: Index, o_strides: Index) -> list[Combo]:
    """Row-major product of per-axis (δ position, other position) pairs, with flat offsets.

    Built one axis at a time so each combination costs one tuple, not a loop over axes.
    """
    combos = _START
    for pairs, ds, os_ in zip(axes, d_strides, o_strides):
        combos = _extend(combos, pairs, ds, os_)
    return combos


def _extend(combos: list[Combo], pairs: list[tuple[int, int]], ds: int, os_: int) -> list[Combo]:
    """Every combination followed by every pair of the next axis (row-major)."""
    return [
        (i + (ia,), p + (pa,), io + ia * ds, po + pa * os_) for i, p, io, po in combos for ia, pa in pairs
    ]


class _Builder:
    """Lists the terms of cells; per-axis tables and per-position combinations are cached."""

    def __init__(self, frame: Frame, flat: _Flat | None) -> None:
        self.frame, self.flat = frame, flat
        self.w_pairs, self.x_pairs = _filter_pairs(frame), _input_pairs(frame)
        self.x_strides, self.w_strides = _strides(frame.input_shape), _strides(frame.filter_shape)
        self.d_strides = _strides(frame.output_shape)
        self._w_combos: dict[Index, list[Combo]] = {}
        self._x_combos: dict[Index, list[Combo]] = {}

    def filter_combos(self, k: Index) -> list[Combo]:
        """(δ position, input position, their spatial offsets) for weight index k."""
        if k not in self._w_combos:
            axes = [self.w_pairs[a][_tap(self.frame, a, ka)] for a, ka in enumerate(k)]
            self._w_combos[k] = _combine(axes, self.d_strides[2:], self.x_strides[2:])
        return self._w_combos[k]

    def input_combos(self, r: Index) -> list[Combo]:
        """(δ position, weight index, their spatial offsets) for input position r."""
        # Cached by prefix, so rows share their first axes' work: the last axis costs one tuple per term.
        if r not in self._x_combos:
            a = len(r) - 1
            pairs = [(i, _tap(self.frame, a, t)) for i, t in self.x_pairs[a][r[-1]]]
            head = self.input_combos(r[:-1]) if a else _START
            self._x_combos[r] = _extend(head, pairs, self.d_strides[2 + a], self.w_strides[2 + a])
        return self._x_combos[r]

    def filter_cell(self, full: Index) -> Cell:
        frame, flat = self.frame, self.flat
        o, c, k = full[0], full[1], full[2:]
        ci = o // frame.per_group * frame.filter_shape[1] + c
        combos = self.filter_combos(k)
        parts = []
        for n in range(frame.input_shape[0]):
            x_pre, d_pre = frame.input_prefix(n, ci), frame.delta_prefix(n, o)
            if flat is None:
                terms = tuple([Term(x_pre + pos, d_pre + i) for i, pos, _, _ in combos])
            else:
                xb, db = _offset((n, ci), self.x_strides), _offset((n, o), self.d_strides)
                x, d = flat.x, flat.d
                terms = tuple(
                    [Term(x_pre + pos, d_pre + i, x[xb + po], d[db + io], d[db + io] * x[xb + po])
                     for i, pos, io, po in combos]
                )  # fmt: skip
            parts.append(Part((n, o), terms))
        value = None if flat is None else flat.dw[_offset(full, self.w_strides)]
        return Cell(full[2 - frame.layout.filter_rank + frame.dims :], full, value, self._subtotals(parts))

    def input_cell(self, full: Index) -> Cell:
        frame, flat = self.frame, self.flat
        n, ci, r = full[0], full[1], full[2:]
        c, first = ci % frame.filter_shape[1], ci // frame.filter_shape[1] * frame.per_group
        combos = self.input_combos(r)
        corner = tuple(ra + before for ra, (before, _) in zip(r, frame.spec.padding))
        parts = []
        for o in range(first, first + frame.per_group):
            w_pre, d_pre = frame.filter_prefix(o, c), frame.delta_prefix(n, o)
            if flat is None:
                terms = tuple([Term(w_pre + k, d_pre + i) for i, k, _, _ in combos])
            else:
                wb, db = _offset((o, c), self.w_strides), _offset((n, o), self.d_strides)
                w, d = flat.w, flat.d
                terms = tuple(
                    [Term(w_pre + k, d_pre + i, w[wb + wo], d[db + io], w[wb + wo] * d[db + io])
                     for i, k, io, wo in combos]
                )  # fmt: skip
            parts.append(Part((n, o), terms, corner))
        value = None if flat is None else flat.dx[_offset(full, self.x_strides)]
        user = full[frame.dims + 2 - frame.input_rank :]
        return Cell(user, full, value, self._subtotals(parts))

    def _subtotals(self, parts: list[Part]) -> tuple[Part, ...]:
        if self.flat is None or len(parts) == 1:
            return tuple(parts)
        return tuple(Part(p.block, p.terms, p.corner, sum((t.product for t in p.terms), 0)) for p in parts)


def _derive(
    frame: Frame, values: Values | None, flat: _Flat | None, selection: Selection, steps: bool
) -> Derivation:
    with collector_paused():
        return _steps(frame, values, flat, selection, steps)


def _steps(
    frame: Frame, values: Values | None, flat: _Flat | None, selection: Selection, steps: bool
) -> Derivation:
    builder = _Builder(frame, flat)
    filter_cells = selection.filter_cells
    input_cells = selection.input_cells
    grad_filter = tuple(
        builder.filter_cell(f)
        for f in (filter_cells if filter_cells is not None else np.ndindex(*frame.filter_shape))
    )
    grad_input = tuple(
        builder.input_cell(f)
        for f in (input_cells if input_cells is not None else np.ndindex(*frame.input_shape))
    )
    return Derivation(
        frame, values, selection, grad_filter, grad_input,
        _bias_cells(frame, flat) if selection.everything else (),
        _filter_steps(frame, grad_input) if steps else (),
        _delta_steps(frame, grad_input) if steps else (),
    )  # fmt: skip


def _bias_cells(frame: Frame, flat: _Flat | None) -> tuple[BiasCell, ...]:
    if not frame.bias:
        return ()
    n_batch, c_out = frame.output_shape[:2]
    strides = _strides(frame.output_shape)
    cells = []
    for o in range(c_out):
        blocks = [(n, o) for n in range(n_batch)]
        deltas = tuple(frame.delta_prefix(*b) + i for b in blocks for i in np.ndindex(*frame.out))
        index = (o,) if frame.layout.output_channels else ()
        if flat is None or flat.db is None:
            cells.append(BiasCell(index, None, deltas, None))
            continue
        found = tuple(flat.d[_offset(b + i, strides)] for b in blocks for i in np.ndindex(*frame.out))
        cells.append(BiasCell(index, flat.db[o], deltas, found))
    return tuple(cells)


# ---------------------------------------------------------------- grids the views draw


def _filter_steps(frame: Frame, cells: tuple[Cell, ...]) -> tuple[FilterSteps, ...]:
    c_group = frame.filter_shape[1]
    blocks = sorted({(p.block[1], c.full[1] % c_group) for c in cells for p in c.parts})
    kernel, dims = frame.kernel, frame.dims
    steps = []
    for o, c in blocks:
        pre = frame.filter_prefix(o, c)
        flips = []
        for flipped in range(dims + 1):
            entries = tuple(
                pre + tuple(kernel[a] - 1 - k[a] if a < flipped else k[a] for a in range(dims))
                for k in np.ndindex(*kernel)
            )
            flips.append(Grid(kernel, entries))
        steps.append(FilterSteps((o, c), tuple(flips), _sliding(frame, pre)))
    return tuple(steps)


def _sliding(frame: Frame, pre: Index) -> Grid:
    """What slides over the padded δ: rot180(W) (correlate) or W (convolve), spread by dilation."""
    rotate = frame.spec.mode == "correlate"
    entries: list[Entry] = []
    for e in np.ndindex(*frame.extent):
        if any(ea % d for ea, d in zip(e, frame.spec.dilation)):
            entries.append(GAP)
            continue
        k = tuple(ea // d for ea, d in zip(e, frame.spec.dilation))
        entries.append(pre + (tuple(n - 1 - ka for n, ka in zip(frame.kernel, k)) if rotate else k))
    return Grid(frame.extent, tuple(entries))


def _delta_steps(frame: Frame, cells: tuple[Cell, ...]) -> tuple[DeltaSteps, ...]:
    blocks = sorted({p.block for c in cells for p in c.parts})
    stride, out = frame.spec.stride, frame.out
    inserted_shape = tuple((o - 1) * s + 1 for o, s in zip(out, stride))
    before = tuple(e - 1 for e in frame.extent)
    grid_shape = tuple(p + e - 1 for p, e in zip(frame.padded, frame.extent))
    after = tuple(g - b - i for g, b, i in zip(grid_shape, before, inserted_shape))
    steps = []
    for n, o in blocks:
        pre = frame.delta_prefix(n, o)
        delta = Grid(out, tuple(pre + i for i in np.ndindex(*out)))
        inserted = None
        if any(s > 1 for s in stride):
            inserted = Grid(
                inserted_shape, tuple(_inserted(pre, u, stride) for u in np.ndindex(*inserted_shape))
            )
        padded = tuple(
            _padded(pre, tuple(g - b for g, b in zip(position, before)), stride, inserted_shape)
            for position in np.ndindex(*grid_shape)
        )
        steps.append(DeltaSteps((n, o), delta, inserted, Grid(grid_shape, padded), before, after))
    return tuple(steps)


def _inserted(pre: Index, u: Index, stride: Index) -> Entry:
    if any(ua % s for ua, s in zip(u, stride)):
        return GAP
    return pre + tuple(ua // s for ua, s in zip(u, stride))


def _padded(pre: Index, u: Index, stride: Index, inserted_shape: Index) -> Entry:
    if any(not 0 <= ua < n for ua, n in zip(u, inserted_shape)):
        return PAD
    return _inserted(pre, u, stride)


# ---------------------------------------------------------------- sizes and selection


def window_count(frame: Frame) -> int:
    """Window positions of the full trace: one per input cell and output channel of its group."""
    return prod(frame.input_shape) * frame.per_group


def term_count(frame: Frame) -> int:
    """Multiplications in the definition that read real values (each appears once per gradient)."""
    per_position = prod(sum(len(rows) for rows in axis) for axis in _filter_pairs(frame))
    return frame.input_shape[0] * frame.filter_shape[0] * frame.filter_shape[1] * per_position


def choose(frame: Frame, *, trace: bool | None, cells: str | None) -> tuple[Selection | None, str | None]:
    """What to derive: a selection (None for results only) and a note for the user, if any.

    ``cells`` wins; ``trace`` True forces the full trace (up to :data:`TERM_LIMIT`), False
    turns it off, None traces problems of at most :data:`TRACE_LIMIT` window positions.
    """
    if cells:
        return parse_cells(cells, frame), None
    if trace is False:
        return None, None
    windows = window_count(frame)
    example = _example(frame)
    if trace is None and windows > TRACE_LIMIT:
        return None, (
            f"the derivation has {windows:,} window positions (more than {TRACE_LIMIT}): showing results "
            f"only; --trace shows every step, --cells {example} chosen cells"
        )
    terms = term_count(frame)
    if terms > TERM_LIMIT:
        raise InputError(
            "--trace", f"the full derivation would list {terms:,} multiplications",
            f"at most {TERM_LIMIT:,} are traced; choose cells with --cells {example}",
        )  # fmt: skip
    return Selection(), None


def _example(frame: Frame) -> str:
    x = "1" * len(frame.user_shape("input"))
    w = "1" * len(frame.user_shape("filter"))
    return f"x{x},w{w}"


# Compiled (and cached) by re on first use, not at import: only --cells pays for it.
_ITEM = r"(?i)(?P<name>[xw])(?:(?P<digits>\d+)|[\[(](?P<numbers>[\d,\s]*)[\])])?"


def parse_cells(text: str, frame: Frame) -> Selection:
    """``x22,w12`` (1-based, one digit per axis), ``x[1,10]``, or ``x``/``w`` for every cell."""
    chosen: dict[str, set[Index] | None] = {"x": set(), "w": set()}
    names = tuple(_split(text))
    if not names:
        raise InputError("--cells", "names no cells", _cells_advice(frame))
    for item in names:
        match = re.fullmatch(_ITEM, item)
        if not match:
            raise InputError("--cells", f"{item!r} is not a cell", _cells_advice(frame))
        name = match["name"].lower()
        if match["digits"] is None and match["numbers"] is None:
            chosen[name] = None
            continue
        user = _cell_index(item, name, match, frame)
        found = chosen[name]
        if found is not None:
            found.add(user)
    return Selection(_full(frame, "filter", chosen["w"]), _full(frame, "input", chosen["x"]), names)


def _split(text: str) -> Iterator[str]:
    """Items separated by commas, semicolons or spaces, except inside brackets."""
    depth, item = 0, ""
    for char in text:
        depth += char in "[("
        depth -= char in "])"
        if depth == 0 and (char in ",;" or char.isspace()):
            if item:
                yield item
            item = ""
        else:
            item += char
    if item:
        yield item


def _cell_index(item: str, name: str, match: re.Match[str], frame: Frame) -> Index:
    operand = "input" if name == "x" else "filter"
    shape = frame.user_shape(operand)
    if match["digits"] is not None:
        numbers = [int(ch) for ch in match["digits"]]
    else:
        numbers = [int(p) for p in re.split(r"[,\s]+", match["numbers"].strip()) if p]
    if len(numbers) != len(shape):
        raise InputError(
            "--cells", f"{item!r} gives {len(numbers)} indices but the {operand} has {len(shape)} axes",
            _cells_advice(frame),
        )  # fmt: skip
    if any(not 1 <= i <= n for i, n in zip(numbers, shape)):
        size = "×".join(map(str, shape))
        raise InputError("--cells", f"{item!r} is outside the {size} {operand}", "indices start at 1")
    return tuple(i - 1 for i in numbers)


def _cells_advice(frame: Frame) -> str:
    return f"write cells like {_example(frame)} (1-based, one digit per axis), x[1,10] for larger indices"


def _full(frame: Frame, operand: str, users: set[Index] | None) -> tuple[Index, ...] | None:
    if users is None:
        return None
    lead = frame.dims + 2 - len(frame.user_shape(operand))
    return tuple(sorted((0,) * lead + u for u in users))
