"""The products on the wide grid, a column block at a time, as jobs for the engine's threads.

The rows every tap of a phase reads (:class:`.wide.Reads`) are stacked into a
column block (im2col) of ~COLUMN_BYTES — long enough for BLAS to run at speed,
short enough to stay in L3 — and met by one GEMM per product.  Each block is a
job (:func:`.threads.run_jobs`): it stacks into its thread's own scratch and
writes its own columns of the result; ∂L/∂W's partial sums are added in a
fixed order once every job has run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

import numpy as np

from ..exact import pairwise_sum
from .scratch import kept
from .wide import EXACT_BLOCK, Reads

COLUMN_BYTES = 4 << 20  # an im2col block: long enough for BLAS's speed, short enough to stay in L3
MIN_BLOCK, MAX_BLOCK = 512, 4096  # columns per block; much shorter GEMMs run well below peak
BLOCKS = 8  # blocks a product is cut into at least, while they stay MIN_BLOCK wide (see _ranges)
DOT_BYTES = 2 << 20  # a depthwise block of δ: stays in L2 while every tap's dot product reads it
PARTIALS_BYTES = 4 << 20  # ∂L/∂W partial sums kept for a total in fixed order (see _runs)

Job = Callable[[], None]
Segments = Sequence[tuple[int, int]]  # ranges of positions to compute, in order


def correlate_rows(
    out: np.ndarray, coefficients: np.ndarray, reads: Sequence[Reads], segments: Segments | None = None
) -> list[Job]:
    """Jobs that compute ``out[g, :, q] = coefficients[g] @ (every read row at q, stacked)``.

    out (G, M, L); coefficients (G, M, Σ rows), columns in the order of
    ``reads``, each family row-major over its taps j then its K channels.  The
    rows are stacked into a column block (im2col, a block at a time so it
    stays in cache) and met by one GEMM with Σ rows inner terms: with few
    channels per tap (K = 16 in W4, 1 depthwise) a product per tap would be
    short and leave BLAS idle.  One job per block: each writes its own columns
    of ``out``, so the jobs may run on any threads in any order.  Only the
    ``segments`` of q are computed (default: all of them); the rest of ``out``
    is left as it was.
    """

    def job(q0: int, q1: int) -> None:
        np.matmul(coefficients, _columns(reads, q0, q1, out.dtype), out=out[:, :, q0:q1])

    return [partial(job, q0, q1) for q0, q1 in _ranges(reads, segments or [(0, out.shape[2])], out.dtype)]


def filter_rows(delta: np.ndarray, reads: Sequence[Reads]) -> np.ndarray:
    """``Σ_q delta[g, :, q] ⊗ (every read row at q, stacked)``: (G, M, L) → (G, M, Σ rows).

    The contraction over q (batch and positions) runs a column block at a time.
    """
    if all(r.source.shape[1] == 1 for r in reads):
        return _filter_depthwise(delta, reads)
    jobs, total = correlate_and_filter_rows(None, None, delta, reads)
    for job in jobs:
        job()
    return total()


def correlate_and_filter_rows(
    out: np.ndarray | None,
    coefficients: np.ndarray | None,
    delta: np.ndarray,
    reads: Sequence[Reads],
    segments: Segments | None = None,
) -> tuple[list[Job], Callable[[], np.ndarray]]:
    """Jobs for :func:`correlate_rows` into ``out`` and :func:`filter_rows` of ``delta``, in one pass; the total.

    The forward pass and ∂L/∂W read the same columns of X: each block is
    stacked once and met by both products while it is in cache, not stacked
    twice (depthwise too: with the columns built anyway, a product per block
    beats :func:`filter_rows`' dot per tap).  ``out`` and ``delta`` need the
    same length and dtype; without ``out`` only ∂L/∂W is taken.  Only the
    ``segments`` of q are read: δ must be zero outside them.

    A job covers a run of consecutive blocks and keeps its own partial sum of
    ∂L/∂W; ``total()``, called after every job has run, adds the partials in
    job order, so the result does not depend on which thread ran which job.
    """
    ranges = _ranges(reads, segments or [(0, delta.shape[2])], delta.dtype)
    each = delta.shape[0] * delta.shape[1] * sum(r.rows for r in reads) * delta.itemsize
    runs = _runs(ranges, each, delta.dtype.hasobject)
    partials: list[list[np.ndarray]] = [[] for _ in runs]

    def job(i: int) -> None:
        for q0, q1 in runs[i]:
            block = _columns(reads, q0, q1, delta.dtype)
            if out is not None and coefficients is not None:
                np.matmul(coefficients, block, out=out[:, :, q0:q1])
            # Kept as columns · δᵀ: OpenBLAS runs that shape faster than δ · columnsᵀ.
            part = np.matmul(block, delta[:, :, q0:q1].swapaxes(1, 2))
            if partials[i] and not delta.dtype.hasobject:
                partials[i][0] += part
            else:
                partials[i].append(part)

    def total() -> np.ndarray:
        """(G, M, Σ rows)."""
        found = [p for run in partials for p in run]
        assert found, "no column block was added"
        if delta.dtype.hasobject:  # exact sums: added pairwise, so Fraction denominators grow slowly
            return pairwise_sum(found).swapaxes(1, 2)
        grad = found[0]
        for part in found[1:]:
            grad += part
        return grad.swapaxes(1, 2)

    return [partial(job, i) for i in range(len(runs))], total


def _runs(ranges: list[tuple[int, int]], each: int, exact: bool) -> list[list[tuple[int, int]]]:
    """The blocks in runs of consecutive ones, as many runs as PARTIALS_BYTES of partial sums allow.

    Exact (object) sums keep a partial per block, added pairwise; their jobs run on one thread.
    """
    if exact:
        return [ranges]
    count = max(1, min(len(ranges), PARTIALS_BYTES // max(1, each)))
    return [ranges[len(ranges) * i // count : len(ranges) * (i + 1) // count] for i in range(count)]


def _ranges(reads: Sequence[Reads], segments: Segments, dtype: np.dtype) -> list[tuple[int, int]]:
    """Consecutive column blocks (q0, q1) of equal width (within one) covering each segment.

    Each at most ~COLUMN_BYTES: long enough for BLAS to run at speed, short enough
    to stay in L3.  At least BLOCKS of them in all where each can still be MIN_BLOCK
    wide, so a mid-sized product gives the engine's threads jobs to share.  The
    widths depend on the problem only, never on the thread count: so do the results.
    """
    for r in reads:
        r.check(segments[-1][1])
    rows = sum(r.rows for r in reads) * reads[0].source.shape[0]
    width = _width(
        max(MIN_BLOCK, min(MAX_BLOCK, COLUMN_BYTES // max(1, rows * np.dtype(dtype).itemsize))), dtype
    )
    total = sum(b - a for a, b in segments)
    least = min(BLOCKS, total // MIN_BLOCK)
    ranges = []
    for a, b in segments:
        count = max(-(-(b - a) // width), -(-least * (b - a) // total))
        ranges += [(a + (b - a) * i // count, a + (b - a) * (i + 1) // count) for i in range(count)]
    return ranges


def _filter_depthwise(delta: np.ndarray, reads: Sequence[Reads]) -> np.ndarray:
    """K = 1: a dot product per tap, block by block so δ's block is read from cache by every tap.

    Stacking columns would copy every row once per tap for a product with one
    inner term; the dots read each row where it lies.
    """
    groups, m, length = delta.shape
    for r in reads:
        r.check(length)
    starts = [s for r in reads for s in r.starts]
    block = _width(max(MIN_BLOCK, DOT_BYTES // max(1, groups * m * delta.itemsize)), delta.dtype)
    sources = [r.source for r in reads for _ in r.starts]
    parts = []
    for q0 in range(0, length, block):
        here, q1 = delta[:, :, q0 : q0 + block], min(q0 + block, length)
        dots = [
            np.matmul(here, s[:, :, start + q0 : start + q1].swapaxes(1, 2))
            for s, start in zip(sources, starts)
        ]
        parts.append(np.concatenate(dots, axis=2))
    return pairwise_sum(parts)


def _width(columns: int, dtype: np.dtype) -> int:
    """Exact (object) sums run in short blocks added pairwise, so Fraction denominators grow slowly."""
    return min(columns, EXACT_BLOCK) if np.dtype(dtype).hasobject else columns


def _columns(reads: Sequence[Reads], q0: int, q1: int, dtype: np.dtype) -> np.ndarray:
    """Every family's rows for positions q0 … q1 − 1, stacked into this thread's scratch: (G, Σ rows, q1 − q0)."""
    rows = sum(r.rows for r in reads)
    block, top = kept((reads[0].source.shape[0], rows, q1 - q0), np.dtype(dtype)), 0
    for r in reads:
        view = r.block(q0, q1)
        # Splitting the row axis into (J…, K) is always a view, so this writes into ``block``.
        np.copyto(block[:, top : top + r.rows].reshape(view.shape), view)
        top += r.rows
    return block
