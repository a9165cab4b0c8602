"""Which input and δ positions each filter tap or input cell meets, per axis, and their products.

The index arithmetic of the definition y[i] = Σ_t x[i·s + t·d − p] · w[t], tabulated once
per axis so a term costs one tuple: :func:`filter_pairs` (tap → the outputs and inputs it
links) and :func:`input_pairs` (input → the outputs and taps that read it), combined over
axes in row-major order by :func:`extend`.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import prod

from .records import Frame, Index

Pairs = list[list[list[tuple[int, int]]]]  # per axis, per tap or position: (output i, other) pairs
Combo = tuple[Index, Index, int, int]  # δ position, other position, their flat spatial offsets
START: list[Combo] = [((), (), 0, 0)]  # the one combination of no axes


def strides(shape: Sequence[int]) -> Index:
    """Row-major strides, in entries."""
    return tuple(prod(shape[i + 1 :]) for i in range(len(shape)))


def offset(index: Sequence[int], steps: Sequence[int]) -> int:
    return sum(i * s for i, s in zip(index, steps))


def tap(frame: Frame, axis: int, k: int) -> int:
    """Kernel tap ↔ weight index: the forward pass of convolve mode reads W rotated."""
    return frame.kernel[axis] - 1 - k if frame.spec.mode == "convolve" else k


def filter_pairs(frame: Frame) -> Pairs:
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


def input_pairs(frame: Frame) -> Pairs:
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


def combine(axes: list[list[tuple[int, int]]], d_strides: Index, o_strides: Index) -> list[Combo]:
    """Row-major product of per-axis (δ position, other position) pairs, with flat offsets.

    Built one axis at a time so each combination costs one tuple, not a loop over axes.
    """
    combos = START
    for pairs, ds, os_ in zip(axes, d_strides, o_strides):
        combos = extend(combos, pairs, ds, os_)
    return combos


def extend(combos: list[Combo], pairs: list[tuple[int, int]], ds: int, os_: int) -> list[Combo]:
    """Every combination followed by every pair of the next axis (row-major)."""
    return [
        (i + (ia,), p + (pa,), io + ia * ds, po + pa * os_) for i, p, io, po in combos for ia, pa in pairs
    ]
