"""A correct NumPy backward pass for the test implementations, with one switch per classic bug.

Scatter form: every tap k of W touches, at all output positions at once, a strided slice
of the padded X; ∂L/∂W[k] sums X's slice times δ, ∂L/∂X's slice gets δ times W[k].
"""

from __future__ import annotations

from typing import Any

import numpy as np


def axes(value: Any, dims: int) -> tuple[int, ...]:
    return tuple(value) if isinstance(value, (tuple, list)) else (int(value),) * dims


def backward(x: np.ndarray, w: np.ndarray, g: np.ndarray, stride: Any = 1, padding: Any = 0, dilation: Any = 1,
             groups: int = 1, bug: str | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """(∂L/∂X, ∂L/∂W, ∂L/∂b) for X (N, C, *S), W (F, C/groups, *K), δ (N, F, *O)."""
    dims = x.ndim - 2
    s, p, d = axes(stride, dims), axes(padding, dims), axes(dilation, dims)
    xp = np.pad(x, [(0, 0), (0, 0)] + [(q, q) for q in p])
    scatter = w[(slice(None), slice(None)) + (slice(None, None, -1),) * dims] if bug == "unrotated" else w
    dxp, dw = np.zeros(xp.shape), np.zeros(w.shape)
    images = slice(0, 1) if bug == "batch" else slice(None)
    c_group, f_group = w.shape[1], w.shape[0] // groups
    for k in np.ndindex(*w.shape[2:]):
        window = (slice(None), slice(None)) + tuple(
            slice(ki * di, ki * di + si * (o - 1) + 1, si) for ki, di, si, o in zip(k, d, s, g.shape[2:])
        )
        for group in range(groups):
            cs, fs = (
                slice(group * c_group, (group + 1) * c_group),
                slice(group * f_group, (group + 1) * f_group),
            )
            xs, gs = xp[:, cs][window], g[:, fs]
            summed = [0, *range(2, g.ndim)]  # the batch and every output position
            dw[(fs, slice(None), *k)] += np.tensordot(gs[images], xs[images], axes=(summed, summed))
            dxp[:, cs][window] += np.moveaxis(
                np.tensordot(gs, scatter[(fs, slice(None), *k)], axes=(1, 0)), -1, 1
            )
    crop = (slice(None), slice(None)) + tuple(slice(q, q + n) for q, n in zip(p, x.shape[2:]))
    dx = dxp if bug == "no-crop" else dxp[crop]
    db = g[images].sum(axis=(0, *range(2, g.ndim)))
    if bug == "rotated-dw":
        dw = dw[(slice(None), slice(None)) + (slice(None, None, -1),) * dims].copy()
    if bug == "sign":
        dx = -dx
    return dx, dw, db
