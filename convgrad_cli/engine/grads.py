"""Forward pass and the three gradients of an N-d convolution layer.

Everything here takes full forms — X (N, C_in, *S), W (C_out, C_in/groups, *K),
δ = ∂L/∂Y (N, C_out, *S_out) — and any numeric dtype (float32 stays float32).
Each function is the definition y_i = Σ_k x_(i·s + k·d) · w_k regrouped as
matrix products over contiguous shifted rows of the input (see :mod:`.wide`
and :mod:`.blocks`), so the work is BLAS-shaped and no Python loop runs over
pixels.  The same numbers, the page's way and short, are in :mod:`.reference`.
:func:`gradients` does all three at once: X and δ are laid out once, and the
forward pass and ∂L/∂W share X's column blocks.

With channels to contract the time is the GEMMs', at BLAS's peak; depthwise
layers have no real GEMM and are bound by memory.  BLAS runs on one thread and
the column blocks of big problems run as jobs on the engine's own threads
(:mod:`.threads`).  Measurements, and what was tried and did not pay:
``docs/performance.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from math import prod

import numpy as np

from .blocks import Job, correlate_and_filter_rows, correlate_rows, filter_rows
from .ops import rot180
from .spec import ConvSpec
from .threads import one_blas_thread, run_jobs, threads_for
from .wide import Reads, WideGrid


def forward(x: np.ndarray, w: np.ndarray, spec: ConvSpec) -> np.ndarray:
    """Y (N, C_out, *S_out) = conv(X, W), without bias: Y = Σ_k W_k · (X shifted by k)."""
    grid = WideGrid.of(spec, x.shape[2:], w.shape[2:])
    work, floats = _work(grid, x, w), _floats(x, w)
    with one_blas_thread(work, floats):
        fills: list[Job] = []
        xs = _split(grid, x, spec.groups, fills)
        return _forward(grid, xs, _oriented(w, spec), x, fills, work, floats)


def grad_input(delta: np.ndarray, w: np.ndarray, spec: ConvSpec, spatial: tuple[int, ...]) -> np.ndarray:
    """∂L/∂X (N, C_in, *S): full correlation of δ with rot180(W), cropped by the padding.

    Computed phase by phase of the input as Σ_k W_kᵀ · (δ shifted back by k),
    the same sum without materialising the zero-inserted, padded δ.
    """
    grid = WideGrid.of(spec, spatial, w.shape[2:])
    work, floats = _work(grid, delta, w), _floats(delta, w)
    with one_blas_thread(work, floats):
        fills: list[Job] = []
        jobs, dx = _grad_input(grid, _spread(grid, delta, spec.groups, fills), _oriented(w, spec))
        _run(fills, jobs, work, floats)
        return dx()


def grad_filter(x: np.ndarray, delta: np.ndarray, spec: ConvSpec, kernel: tuple[int, ...]) -> np.ndarray:
    """∂L/∂W (C_out, C_in/groups, *K): valid correlation of X with δ, summed over the batch.

    ∂L/∂W_k = δ · (X shifted by k)ᵀ, the batch and every output position
    folded into one contraction.
    """
    grid = WideGrid.of(spec, x.shape[2:], kernel)
    work = delta.shape[0] * prod(grid.out) * delta.shape[1] * (x.shape[1] // spec.groups) * prod(kernel)
    with one_blas_thread(work, _floats(x, delta)):
        fills: list[Job] = []
        ds, xs = _spread(grid, delta, spec.groups, fills), _split(grid, x, spec.groups, fills)
        run_jobs(fills, 1)
        grad = _grad_filter(grid, xs, ds, x, kernel)
    return rot180(grad, spec.dims) if spec.mode == "convolve" else grad


def gradients(
    x: np.ndarray, w: np.ndarray, delta: np.ndarray, spec: ConvSpec
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(Y, ∂L/∂X, ∂L/∂W) as :func:`forward`, :func:`grad_input` and :func:`grad_filter` give them.

    X and δ are laid out as rows once and shared by the three products, whose
    column blocks run as one queue of jobs on the engine's threads (see :mod:`.threads`).
    """
    grid = WideGrid.of(spec, x.shape[2:], w.shape[2:])
    work, floats = 3 * _work(grid, x, w), _floats(x, w, delta)
    with one_blas_thread(work, floats):
        fills: list[Job] = []
        xs, ds = _split(grid, x, spec.groups, fills), _spread(grid, delta, spec.groups, fills)
        oriented = _oriented(w, spec)
        dx_jobs, dx = _grad_input(grid, ds, oriented)
        if xs and np.result_type(x, w) == np.result_type(delta, x) == x.dtype:
            rows, taps = _forward_rows(grid, oriented, x)
            parts = grid.segments(x.shape[0])
            span = parts[-1][1]
            jobs, found = correlate_and_filter_rows(rows[:, :, :span], taps, ds.wide[:, :, :span], xs, parts)
            # ∂L/∂X's jobs are the shorter ones: last in the queue, they even out the threads' finish.
            _run(fills, jobs + dx_jobs, work, floats)
            y = grid.gather(rows.reshape(-1, rows.shape[2]), x.shape[0])
            dw = _filter_from(grid, found(), x.shape[1] // spec.groups, w.shape[2:], x.dtype)
        else:  # mixed dtypes (exact mode), or every tap reads padding only
            _run(fills, dx_jobs, work, False)
            y, dw = (
                _forward(grid, xs, oriented, x, [], work, False),
                _grad_filter(grid, xs, ds, x, w.shape[2:]),
            )
    return y, dx(), rot180(dw, spec.dims) if spec.mode == "convolve" else dw


def _run(fills: list[Job], jobs: list[Job], work: int, floats: bool) -> None:
    """The copies laying X and δ out, then the products' jobs, on the threads the work calls for."""
    threads = threads_for(work, len(jobs), floats)
    run_jobs(fills, threads)
    run_jobs(jobs, threads)


def _work(grid: WideGrid, a: np.ndarray, w: np.ndarray) -> int:
    """Multiply-adds of one pass: N · ΠS_out · C_out · C_in/G · ΠK."""
    return a.shape[0] * prod(grid.out) * w.size


def _floats(*arrays: np.ndarray) -> bool:
    """True when the products run in floats, on BLAS (integers and Python objects do not)."""
    return np.result_type(*arrays).kind == "f"


def grad_bias(delta: np.ndarray) -> np.ndarray:
    """∂L/∂b (C_out,) = Σ δ over the batch and every output position."""
    return delta.sum(axis=(0, *range(2, delta.ndim)))


# ---------------------------------------------------------------- on rows


@dataclass(frozen=True, slots=True)
class _Delta:
    """δ as rows (G, C_out/G, lead + N·ΠQ): ``lead`` zeros, then δ on the wide grid."""

    rows: np.ndarray
    lead: int
    n: int

    @property
    def wide(self) -> np.ndarray:
        """δ on the wide grid, without the lead (what ∂L/∂W contracts with)."""
        return self.rows[:, :, self.lead :]


def _split(grid: WideGrid, x: np.ndarray, groups: int, fills: list[Job]) -> list[Reads]:
    """X as the rows every phase's taps read, filled by the jobs appended to ``fills``."""
    reads = []
    for p in grid.phases:
        rows, jobs = grid.split(x, groups, p)
        fills += jobs
        reads.append(Reads(rows, p.base, p.counts, p.steps))
    return reads


def _spread(grid: WideGrid, delta: np.ndarray, groups: int, fills: list[Job]) -> _Delta:
    """δ as rows, filled by the jobs appended to ``fills``."""
    lead = grid.reach
    rows, jobs = grid.spread(delta, lead)
    fills += jobs
    return _Delta(rows.reshape(groups, -1, rows.shape[1]), lead, delta.shape[0])


def _forward(
    grid: WideGrid, xs: list[Reads], w: np.ndarray, x: np.ndarray, fills: list[Job], work: int, floats: bool
) -> np.ndarray:
    """Y from X's rows once ``fills`` have laid them out (see :func:`_run`)."""
    rows, taps = _forward_rows(grid, w, x)
    if xs:
        parts = grid.segments(x.shape[0])
        _run(fills, correlate_rows(rows[:, :, : parts[-1][1]], taps, xs, parts), work, floats)
    else:  # every tap reads padding only
        rows[...] = 0
    return grid.gather(rows.reshape(-1, rows.shape[2]), x.shape[0])


def _forward_rows(grid: WideGrid, w: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scratch rows (G, C_out/G, N·ΠQ) for Y on the wide grid, and the taps side by side in read order."""
    groups = x.shape[1] // w.shape[1]
    taps = _taps(w, groups)  # (T, G, C_out/G, C_in/G)
    rows = _empty((groups, taps.shape[2], x.shape[0] * grid.size), np.result_type(x, w))
    return rows, _side_by_side(taps, [t for p in grid.phases for t in p.taps])


def _grad_input(grid: WideGrid, ds: _Delta, w: np.ndarray) -> tuple[list[Job], Callable[[], np.ndarray]]:
    """The jobs of ∂L/∂X's products, and what assembles ∂L/∂X (N, C_in, *S) once they have run."""
    groups = ds.rows.shape[0]
    taps = _taps(w, groups).swapaxes(2, 3)  # (T, G, C_in/G, C_out/G)
    dtype = np.result_type(ds.rows, w)
    # A buffer per phase: their jobs may run at the same time.
    rows = [_empty((groups, taps.shape[2], ds.n * grid.size), dtype) for _ in grid.phases]
    jobs: list[Job] = []
    for p, out in zip(grid.phases, rows):
        # Tap j reads δ from lead − shift_j: the same grid of starts, walked backwards.
        reads = Reads(ds.rows, ds.lead - p.reach, p.counts, p.steps)
        parts = grid.segments(ds.n, [g.stop for g in p.grid])
        jobs += correlate_rows(out[:, :, : parts[-1][1]], _side_by_side(taps, p.taps[::-1]), [reads], parts)

    def dx() -> np.ndarray:
        flat = [r.reshape(-1, r.shape[2]) for r in rows]
        if grid.single:  # stride 1: the rows are ∂L/∂X already, in (C, N, …) order; no copy back
            return grid.cells_of(flat[0], ds.n, grid.phases[0])
        into = np.zeros((ds.n, taps.shape[1] * taps.shape[2], *grid.spatial), dtype=dtype)
        for p, phase_rows in zip(grid.phases, flat):
            grid.merge(into, phase_rows, p)
        return into

    return jobs, dx


def _grad_filter(
    grid: WideGrid, xs: list[Reads], ds: _Delta, x: np.ndarray, kernel: Sequence[int]
) -> np.ndarray:
    c_group, dtype = x.shape[1] // ds.rows.shape[0], np.result_type(ds.rows, x)
    if xs:
        found = filter_rows(ds.wide[:, :, : grid.span(ds.n)], xs)
        return _filter_from(grid, found, c_group, kernel, dtype)
    c_out = ds.rows.shape[0] * ds.rows.shape[1]
    return np.zeros((c_out, c_group, *kernel), dtype)


def _filter_from(
    grid: WideGrid, found: np.ndarray, c_group: int, kernel: Sequence[int], dtype: np.dtype
) -> np.ndarray:
    """∂L/∂W (C_out, C_in/G, *K) from the products (G, C_out/G, Σ rows), taps in read order.

    Taps that only ever read padding are in no phase: their gradient stays 0.
    """
    groups, per_group = found.shape[:2]
    order = [t for p in grid.phases for t in p.taps]
    grad = np.zeros((prod(kernel), groups, per_group, c_group), dtype)
    grad[order] = np.moveaxis(found.reshape(groups, per_group, len(order), c_group), 2, 0)
    c_out = groups * per_group
    return np.moveaxis(grad.reshape(-1, c_out, c_group), 0, -1).reshape(c_out, c_group, *kernel)


def _oriented(w: np.ndarray, spec: ConvSpec) -> np.ndarray:
    """The filter the forward pass correlates with: W, or rot180(W) in convolve mode."""
    return rot180(w, spec.dims) if spec.mode == "convolve" else w


def _side_by_side(taps: np.ndarray, order: Sequence[int]) -> np.ndarray:
    """Tap matrices (T, G, M, K) → (G, M, n·K): the ones in ``order``, side by side."""
    if not order:  # every tap reads padding only
        return np.empty((*taps.shape[1:3], 0), taps.dtype)
    return np.concatenate([taps[t] for t in order], axis=2)


def _taps(w: np.ndarray, groups: int) -> np.ndarray:
    """W (C_out, C_in/G, *K) → (T, G, C_out/G, C_in/G): one small matrix per tap (a view)."""
    c_out, c_group = w.shape[:2]
    per_tap = np.moveaxis(w.reshape(c_out, c_group, -1), -1, 0)
    return per_tap.reshape(-1, groups, c_out // groups, c_group)


def _empty(shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """Scratch to be overwritten; exact (object) arrays start at Python 0 so sums stay exact."""
    return np.empty(shape, dtype) if dtype.kind in "fc" else np.zeros(shape, dtype)
