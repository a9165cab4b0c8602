"""The wide grid: every convolution as matrix products over contiguous shifted rows.

Flatten the zero-padded input of each channel into one row.  At stride 1 the
kernel tap k then reads, for all outputs at once, the contiguous range that
starts ``Σ_a k_a·d_a·step_a`` cells in (``step_a`` the flattened grid's stride
of axis a): no copy of a strided window per tap.  The outputs land on a *wide*
grid, as wide as the padded input; cells past the true output's edge are
garbage and are cut away (or, where δ is read, are zeros).

A stride s > 1 is reduced to stride 1 by splitting the padded input into
phases: positions ≡ φ (mod s) along each axis form a grid read at stride 1,
and tap k belongs to phase φ = k·d mod s with shift m = ⌊k·d / s⌋.  So every
stride, dilation and padding runs through the same products; the phases cost
one strided copy of the input, and phases no tap reads are never built.

The taps of one phase have shifts m₀ + j·Δ per axis (j = 0 … J−1), a product
grid, so the rows all its taps read are one strided view of the phase buffer
(:class:`Reads`), stacked into a column block (im2col) by one copy and met
by the products in :mod:`.blocks`.

Layout: channels first, batch folded into the row, (G, C/G, N·ΠQ), so each
product is one GEMM over the whole batch.  Phase buffers are zero wherever no
input cell lands, so the garbage cells add 0·x to ∂L/∂W, never 0·NaN from
uninitialised memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from itertools import product
from math import gcd, prod

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .scratch import kept
from .spec import ConvSpec

EXACT_BLOCK = 64  # positions per exact partial sum (blocks._width)
GAP_SKIP = 16  # cells between images skipped from 1/16 of an image (see WideGrid.segments)
LAYOUT_PARTS = 8  # copies laying X and δ out as rows, each a range of channels, for the threads to share

Fill = Callable[[], None]  # a copy into rows, run later (on any thread)


@dataclass(frozen=True, slots=True)
class Phase:
    """The padded positions ≡ ``start`` (mod stride) and the taps that read them.

    ``grid`` and ``input`` are per-axis slices pairing the phase grid's cells
    with the (unpadded) input cells they hold.  ``taps`` are flat kernel
    indices, row-major; tap j (a multi-index, j_a < counts_a) reads from
    flat shift ``base + Σ j_a·steps_a`` of the flattened phase grid.
    """

    start: tuple[int, ...]
    grid: tuple[slice, ...]
    input: tuple[slice, ...]
    taps: tuple[int, ...]
    base: int
    counts: tuple[int, ...]
    steps: tuple[int, ...]

    @property
    def empty(self) -> bool:
        """True when every cell of the phase is padding (its taps only ever read zeros)."""
        return any(s.start >= s.stop for s in self.grid)

    @property
    def reach(self) -> int:
        """The largest shift of any of its taps."""
        return self.base + sum((c - 1) * s for c, s in zip(self.counts, self.steps))


@dataclass(frozen=True, slots=True)
class WideGrid:
    """Where every tap reads for one problem: S input cells, S_out outputs per axis.

    ``cells`` is Q, the shape of each phase grid (⌈padded / stride⌉ per axis).
    """

    spatial: tuple[int, ...]
    out: tuple[int, ...]
    cells: tuple[int, ...]
    phases: tuple[Phase, ...]

    @classmethod
    def of(cls, spec: ConvSpec, spatial: Sequence[int], kernel: Sequence[int]) -> WideGrid:
        return _plan(spec, tuple(spatial), tuple(kernel))

    @classmethod
    def _build(cls, spec: ConvSpec, spatial: tuple[int, ...], kernel: tuple[int, ...]) -> WideGrid:
        padded = spec.padded_shape(spatial)
        cells = tuple(-(-p // s) for p, s in zip(padded, spec.stride))
        steps = _row_major_strides(cells)
        per_axis = [
            _axis_phases(k, d, s, b, n, q)
            for k, d, s, (b, _), n, q in zip(kernel, spec.dilation, spec.stride, spec.padding, spatial, cells)
        ]
        phases = [_phase(axes, kernel, steps) for axes in product(*per_axis)]
        out = spec.output_shape(spatial, kernel)
        return cls(spatial, out, cells, tuple(p for p in phases if not p.empty))

    @property
    def size(self) -> int:
        """ΠQ: cells of one image's phase grid (the row length per image)."""
        return prod(self.cells)

    @property
    def reach(self) -> int:
        """The largest shift of any tap: how far δ is zero-extended in front for ∂L/∂X."""
        return max((p.reach for p in self.phases), default=0)

    def span(self, n: int, extent: Sequence[int] | None = None) -> int:
        """Wide cells covering the first ``extent`` cells per axis (default S_out) of all n images."""
        steps = _row_major_strides(self.cells)
        last = sum((e - 1) * step for e, step in zip(extent or self.out, steps))
        return (n - 1) * self.size + last + 1

    def segments(self, n: int, extent: Sequence[int] | None = None) -> list[tuple[int, int]]:
        """The wide cells worth computing for the first ``extent`` cells per axis (default S_out).

        One range over all n images (:meth:`span`), or one per image when the cells
        between images — garbage rows past the extent — are 1/GAP_SKIP of an image or more.
        """
        span = self.span(n, extent)
        each = self.span(1, extent)
        if n == 1 or (self.size - each) * GAP_SKIP < self.size:
            return [(0, span)]
        return [(i * self.size, i * self.size + each) for i in range(n)]

    def split(self, x: np.ndarray, groups: int, phase: Phase) -> tuple[np.ndarray, list[Fill]]:
        """X (N, C, *S) → one phase as rows (G, C/G, N·ΠQ), zero where no input cell lands.

        The rows come back unfilled, with the copies that fill them: a range of channels each.
        """
        n, c = x.shape[:2]
        rows = kept((c, n, *self.cells), x.dtype, ("input rows", phase.start))
        source = _channels_first(x[(...,) + phase.input])

        def fill(c0: int, c1: int) -> None:
            rows[c0:c1].fill(0)
            rows[c0:c1][_behind_two(phase.grid)] = source[c0:c1]

        return rows.reshape(groups, c // groups, n * self.size), _by_channels(fill, c)

    def spread(self, y: np.ndarray, lead: int = 0) -> tuple[np.ndarray, list[Fill]]:
        """δ (N, C, *S_out) → rows (C, lead + N·ΠQ), zero outside S_out and in the lead.

        ``lead`` zeros in front let ∂L/∂X read δ at negative shifts without wrapping.
        The rows come back unfilled, with the copies that fill them, as :meth:`split`'s.
        """
        n, c = y.shape[:2]
        rows = kept((c, lead + n * self.size), y.dtype, "delta rows")
        grid = rows[:, lead:].reshape(c, n, *self.cells)
        box = _behind_two(slice(0, o) for o in self.out)
        source = _channels_first(y)

        def fill(c0: int, c1: int) -> None:
            rows[c0:c1].fill(0)
            grid[c0:c1][box] = source[c0:c1]

        return rows, _by_channels(fill, c)

    def gather(self, rows: np.ndarray, n: int) -> np.ndarray:
        """Wide output rows (C, ≥N·ΠQ) → (N, C, *S_out), a view without the garbage cells."""
        c = rows.shape[0]
        grid = rows[:, : n * self.size].reshape(c, n, *self.cells)
        return _channels_first(grid[_behind_two(slice(0, o) for o in self.out)])

    def cells_of(self, rows: np.ndarray, n: int, phase: Phase) -> np.ndarray:
        """One phase's rows (C, ≥N·ΠQ) on the input cells it holds: (N, C, …), a view."""
        grid = rows[:, : n * self.size].reshape(rows.shape[0], n, *self.cells)
        return _channels_first(grid[_behind_two(phase.grid)])

    def merge(self, into: np.ndarray, rows: np.ndarray, phase: Phase) -> None:
        """Write one phase's rows (C, ≥N·ΠQ) onto its input cells of ``into`` (N, C, *S)."""
        into[(...,) + phase.input] = self.cells_of(rows, into.shape[0], phase)

    @property
    def single(self) -> bool:
        """True when one phase holds every input cell (stride 1): its rows are the input as they lie."""
        return len(self.phases) == 1 and all(s.start == 0 and s.step == 1 for s in self.phases[0].input)


@lru_cache(maxsize=256)
def _plan(spec: ConvSpec, spatial: tuple[int, ...], kernel: tuple[int, ...]) -> WideGrid:
    # The three passes, and repeated calls on one layer (finite differences, a class's
    # worth of `check`), share one plan: for small problems planning is most of the time.
    return WideGrid._build(spec, spatial, kernel)


@dataclass(frozen=True, slots=True)
class _AxisPhase:
    """One axis of a phase: its residue φ, the taps k in it, their first shift and shift step."""

    start: int
    grid: slice
    input: slice
    taps: tuple[int, ...]
    first: int
    step: int


def _axis_phases(kernel: int, d: int, s: int, before: int, size: int, cells: int) -> list[_AxisPhase]:
    phases = []
    for phi in sorted({k * d % s for k in range(kernel)}):
        taps = tuple(k for k in range(kernel) if k * d % s == phi)
        # Padded position φ + s·j is input cell φ + s·j − before; keep the j that land in [0, size).
        first = max(0, -(-(before - phi) // s))
        stop = max(first, min(cells, -(-(before + size - phi) // s)))
        grid, inputs = slice(first, stop), slice(phi + s * first - before, size, s)
        # Consecutive taps of one residue are s/gcd(s, d) apart, so their shifts d/gcd(s, d) apart.
        phases.append(_AxisPhase(phi, grid, inputs, taps, taps[0] * d // s, d // gcd(s, d)))
    return phases


def _phase(axes: tuple[_AxisPhase, ...], kernel: Sequence[int], steps: Sequence[int]) -> Phase:
    kernel_steps = _row_major_strides(kernel)
    taps = tuple(
        sum(k * ks for k, ks in zip(combo, kernel_steps)) for combo in product(*(a.taps for a in axes))
    )
    return Phase(
        start=tuple(a.start for a in axes),
        grid=tuple(a.grid for a in axes),
        input=tuple(a.input for a in axes),
        taps=taps,
        base=sum(a.first * step for a, step in zip(axes, steps)),
        counts=tuple(len(a.taps) for a in axes),
        steps=tuple(a.step * step for a, step in zip(axes, steps)),
    )


def _row_major_strides(shape: Sequence[int]) -> tuple[int, ...]:
    return tuple(prod(shape[a + 1 :]) for a in range(len(shape)))


def _behind_two(slices: Iterable[slice]) -> tuple[slice, ...]:
    """An index taking every (channel, image) pair and ``slices`` on the spatial axes."""
    return (slice(None), slice(None), *slices)


def _by_channels(fill: Callable[[int, int], None], channels: int) -> list[Fill]:
    """``fill`` over up to LAYOUT_PARTS even ranges of the channels: jobs for the engine's threads."""
    parts = min(channels, LAYOUT_PARTS)
    return [partial(fill, channels * i // parts, channels * (i + 1) // parts) for i in range(parts)]


def _channels_first(a: np.ndarray) -> np.ndarray:
    """Swap the two leading axes: (N, C, …) ↔ (C, N, …), as a view."""
    return a.swapaxes(0, 1)


# ---------------------------------------------------------------- what the products read


@dataclass(frozen=True, slots=True)
class Reads:
    """The rows a family of taps reads: ``source[g, :, start + q]`` for each start.

    The starts form a product grid ``base + Σ j_a·steps_a`` (j_a < counts_a),
    so all of them are one strided view.  (∂L/∂X reads δ shifted *back*: the
    same grid of starts with its taps listed in reverse order.)
    """

    source: np.ndarray  # (G, K, length)
    base: int
    counts: tuple[int, ...]
    steps: tuple[int, ...]

    @property
    def starts(self) -> list[int]:
        """Each tap's start, row-major over j (the order of its rows in a column block)."""
        return [
            self.base + sum(j * s for j, s in zip(index, self.steps)) for index in np.ndindex(*self.counts)
        ]

    @property
    def rows(self) -> int:
        """K·ΠJ: rows this family contributes to a column block."""
        return self.source.shape[1] * prod(self.counts)

    def check(self, length: int) -> None:
        """Refuse a view that would read outside the source (as_strided does not check)."""
        last = self.base + sum((c - 1) * s for c, s in zip(self.counts, self.steps)) + length - 1
        if self.base < 0 or last >= self.source.shape[2]:
            raise AssertionError(f"wide-grid read [{self.base}, {last}] outside {self.source.shape}")

    def block(self, q0: int, q1: int) -> np.ndarray:
        """(G, *J, K, q1 − q0): the rows for positions q0 … q1 − 1, as a view."""
        src = self.source
        g_step, k_step, item = src.strides
        return as_strided(
            src[:, :, self.base + q0 :],
            shape=(src.shape[0], *self.counts, src.shape[1], q1 - q0),
            strides=(g_step, *(s * item for s in self.steps), k_step, item),
            writeable=False,
        )
