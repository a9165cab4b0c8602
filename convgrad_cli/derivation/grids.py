"""The grids the views draw: W flipped to rot180(W), and δ zero-inserted and zero-padded.

Entries are operand indices, or :data:`~.records.PAD` / :data:`~.records.GAP` for zeros
that are not data; only the blocks the listed cells use are drawn.
"""

from __future__ import annotations

import numpy as np

from .records import GAP, PAD, Cell, DeltaSteps, Entry, FilterSteps, Frame, Grid, Index


def filter_steps(frame: Frame, cells: tuple[Cell, ...]) -> tuple[FilterSteps, ...]:
    """For each filter block (o, c) the ∂L/∂x cells use: W flipped one axis at a time, and what slides."""
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


def delta_steps(frame: Frame, cells: tuple[Cell, ...]) -> tuple[DeltaSteps, ...]:
    """For each δ block (n, o) the ∂L/∂x cells use: δ, zero-inserted (stride > 1), then padded."""
    blocks = sorted({p.block for c in cells for p in c.parts})
    stride, out = frame.spec.stride, frame.out
    inserted_shape = tuple((o - 1) * s + 1 for o, s in zip(out, stride))
    before = tuple(e - 1 for e in frame.extent)
    grid_shape = frame.padded_delta
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
