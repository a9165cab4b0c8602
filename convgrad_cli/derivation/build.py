"""Building a :class:`~.records.Derivation`: every term of every chosen cell, in page order.

``build(result, selection=None, steps=True)``
    From :func:`convgrad_cli.engine.backward.backward`'s :class:`Gradients`.  Cell values are the
    engine's; term values are the operands'; the only arithmetic here is one product per
    term and, for cells summed over several images or filters, each part's subtotal.
``build_symbolic(frame, selection=None, steps=True)``
    The same steps with every value ``None``, for problems that have shapes but no numbers
    (``convgrad explain --input-shape 3x3 --filter-shape 2x2``): make the frame with
    ``Frame.of(spec, input_shape, filter_shape)``.  Renderers print the symbolic half of each
    formula always and the numeric half only when ``Derivation.values`` is not None.

``steps=False`` skips the grids (rotated filter, padded δ) that only the views draw.
Building costs time linear in the number of terms listed: per-axis index tables are made
once (:mod:`.pairs`), then each term is one record.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from ..engine.ops import rot180
from ..engine.shapes import Layout
from ..exact import normalize
from .grids import delta_steps, filter_steps
from .pairs import START, Combo, combine, extend, filter_pairs, input_pairs, offset, strides, tap
from .records import BiasCell, Cell, Derivation, Frame, Index, Part, Selection, Term, Values

Block = tuple[tuple[int, int], Index, tuple[int, int]]  # δ block (n, o), source's index prefix, source block


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while making many small acyclic objects.

    A trace is records, tuples and dicts without cycles: collector passes over tens of
    thousands of fresh ones find nothing, and take a third of a big trace's time.
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
    with collector_paused():
        return _derive(frame, values, _Flat.of(result), selection or Selection(), steps)


def build_symbolic(frame: Frame, selection: Selection | None = None, *, steps: bool = True) -> Derivation:
    """The derivation with symbols only: every value is None."""
    with collector_paused():
        return _derive(frame, None, None, selection or Selection(), steps)


@dataclass(frozen=True, slots=True)
class _Flat:
    """Full-form operands and gradients as flat Python lists, for O(1) lookups per term."""

    x: list[Any]
    w: list[Any]
    d: list[Any]
    dx: list[Any]
    dw: list[Any]
    db: list[Any] | None

    @classmethod
    def of(cls, result: Any) -> _Flat:
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


class _Builder:
    """Lists the terms of cells; per-axis tables and per-position combinations are cached."""

    def __init__(self, frame: Frame, flat: _Flat | None) -> None:
        self.frame, self.flat = frame, flat
        self.w_pairs, self.x_pairs = filter_pairs(frame), input_pairs(frame)
        self.x_strides, self.w_strides = strides(frame.input_shape), strides(frame.filter_shape)
        self.d_strides = strides(frame.output_shape)
        self._w_combos: dict[Index, list[Combo]] = {}
        self._x_heads: dict[Index, list[Combo]] = {}
        # One tuple per distinct index: a big trace names each position in many terms, and a
        # tuple per mention was over half its memory.
        self._known: dict[Index, Index] = {}

    def filter_combos(self, k: Index) -> list[Combo]:
        """(δ position, input position, their spatial offsets) for weight index k."""
        if k not in self._w_combos:
            axes = [self.w_pairs[a][tap(self.frame, a, ka)] for a, ka in enumerate(k)]
            self._w_combos[k] = self._shared(combine(axes, self.d_strides[2:], self.x_strides[2:]))
        return self._w_combos[k]

    def input_combos(self, r: Index) -> list[Combo]:
        """(δ position, weight index, their spatial offsets) for input position r."""
        return self._shared(self._input_axes(r))

    def _input_axes(self, r: Index) -> list[Combo]:
        # Prefixes are cached, so rows share their first axes' work: the last axis costs one tuple
        # per term.  Whole positions are not: each cell asks once per image and channel.
        a = len(r) - 1
        if a and r[:-1] in self._x_heads:
            head = self._x_heads[r[:-1]]
        elif a:
            head = self._x_heads[r[:-1]] = self._input_axes(r[:-1])
        else:
            head = START
        pairs = [(i, tap(self.frame, a, t)) for i, t in self.x_pairs[a][r[-1]]]
        return extend(head, pairs, self.d_strides[2 + a], self.w_strides[2 + a])

    def _shared(self, combos: list[Combo]) -> list[Combo]:
        """The combinations with each index the one tuple kept for it."""
        known = self._known
        return [(known.setdefault(i, i), known.setdefault(p, p), io, po) for i, p, io, po in combos]

    def _index(self, prefix: Index, index: Index) -> Index:
        """``prefix + index``, shared (``() + index`` is ``index`` already)."""
        if not prefix:
            return index
        full = prefix + index
        return self._known.setdefault(full, full)

    def filter_cell(self, full: Index) -> Cell:
        """∂L/∂w[o, c, k] = Σ δ·x over every image n: one part per image."""
        frame, flat = self.frame, self.flat
        o, c = full[0], full[1]
        ci = o // frame.per_group * frame.filter_shape[1] + c
        blocks = [((n, o), frame.input_prefix(n, ci), (n, ci)) for n in range(frame.input_shape[0])]
        parts = self._parts(
            self.filter_combos(full[2:]), blocks, (), None if flat is None else flat.x, self.x_strides
        )
        value = None if flat is None else flat.dw[offset(full, self.w_strides)]
        return Cell(full[frame.dims + 2 - frame.layout.filter_rank :], full, value, parts)

    def input_cell(self, full: Index) -> Cell:
        """∂L/∂x[n, ci, r] = Σ w·δ over the filters o of ci's group: one part (one window) per filter."""
        frame, flat = self.frame, self.flat
        n, ci, r = full[0], full[1], full[2:]
        c, first = ci % frame.filter_shape[1], ci // frame.filter_shape[1] * frame.per_group
        blocks = [((n, o), frame.filter_prefix(o, c), (o, c)) for o in range(first, first + frame.per_group)]
        corner = tuple(ra + before for ra, (before, _) in zip(r, frame.spec.padding))
        parts = self._parts(
            self.input_combos(r), blocks, corner, None if flat is None else flat.w, self.w_strides
        )
        value = None if flat is None else flat.dx[offset(full, self.x_strides)]
        return Cell(full[frame.dims + 2 - frame.input_rank :], full, value, parts)

    def _parts(
        self,
        combos: list[Combo],
        blocks: list[Block],
        corner: Index,
        source: list[Any] | None,
        source_strides: Index,
    ) -> tuple[Part, ...]:
        """One part per δ block; each term source·δ, valued from the flat lists when there are numbers."""
        parts = []
        index = self._index
        for (n, o), pre, source_block in blocks:
            d_pre = self.frame.delta_prefix(n, o)
            if self.flat is None or source is None:
                terms = tuple([Term(index(pre, p), index(d_pre, i)) for i, p, _, _ in combos])
            else:
                sb, db, d = offset(source_block, source_strides), offset((n, o), self.d_strides), self.flat.d
                terms = tuple(
                    [Term(index(pre, p), index(d_pre, i), source[sb + so], d[db + io], source[sb + so] * d[db + io])
                     for i, p, io, so in combos]
                )  # fmt: skip
            parts.append(Part((n, o), terms, corner))
        if self.flat is None or len(parts) == 1:
            return tuple(parts)
        return tuple(Part(p.block, p.terms, p.corner, sum((t.product for t in p.terms), 0)) for p in parts)


def _derive(
    frame: Frame, values: Values | None, flat: _Flat | None, selection: Selection, steps: bool
) -> Derivation:
    builder = _Builder(frame, flat)
    filter_cells, input_cells = selection.filter_cells, selection.input_cells
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
        filter_steps(frame, grad_input) if steps else (),
        delta_steps(frame, grad_input) if steps else (),
    )  # fmt: skip


def _bias_cells(frame: Frame, flat: _Flat | None) -> tuple[BiasCell, ...]:
    if not frame.bias:
        return ()
    n_batch, c_out = frame.output_shape[:2]
    d_strides = strides(frame.output_shape)
    cells = []
    for o in range(c_out):
        blocks = [(n, o) for n in range(n_batch)]
        deltas = tuple(frame.delta_prefix(*b) + i for b in blocks for i in np.ndindex(*frame.out))
        index = (o,) if frame.layout.output_channels else ()
        if flat is None or flat.db is None:
            cells.append(BiasCell(index, None, deltas, None))
            continue
        found = tuple(flat.d[offset(b + i, d_strides)] for b in blocks for i in np.ndindex(*frame.out))
        cells.append(BiasCell(index, flat.db[o], deltas, found))
    return tuple(cells)
