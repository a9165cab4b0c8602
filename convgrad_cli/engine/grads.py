"""Forward pass and the three gradients of an N-d convolution layer.

Everything here takes full forms — X (N, C_in, *S), W (C_out, C_in/groups, *K),
δ = ∂L/∂Y (N, C_out, *S_out) — and any numeric dtype.  Each function is the
definition y_i = Σ_k x_(i·s + k·d) · w_k regrouped as one grouped matrix product
per kernel tap, so the work is BLAS-shaped and no Python loop runs over pixels.
"""

from __future__ import annotations

from math import prod

import numpy as np

from .ops import crop, pad, rot180, taps, zeros
from .spec import ConvSpec


def forward(x: np.ndarray, w: np.ndarray, spec: ConvSpec) -> np.ndarray:
    """Y (N, C_out, *S_out) = conv(X, W), without bias."""
    if spec.mode == "convolve":
        w = rot180(w, spec.dims)
    return _correlate(x, w, spec)


def grad_input(delta: np.ndarray, w: np.ndarray, spec: ConvSpec, spatial: tuple[int, ...]) -> np.ndarray:
    """∂L/∂X (N, C_in, *S): full correlation of δ with rot180(W), cropped by the padding.

    Computed as its adjoint: every tap scatters W_kᵀ·δ back onto the input cells
    it read, which is the same sum without materialising the zero-inserted δ.
    """
    if spec.mode == "convolve":
        w = rot180(w, spec.dims)
    n, groups = delta.shape[0], spec.groups
    c_out, c_group = w.shape[:2]
    kernel, out = w.shape[2:], delta.shape[2:]
    grad = zeros((n, c_group * groups, *spec.padded_shape(spatial)), _result(delta, w))
    d = delta.reshape(n, groups, c_out // groups, prod(out))
    for k, window in taps(kernel, out, spec):
        w_k = w[(...,) + k].reshape(groups, c_out // groups, c_group)
        contribution = np.matmul(w_k.transpose(0, 2, 1), d)  # (N, G, C_in/G, P)
        grad[(...,) + window] += contribution.reshape(n, -1, *out)
    return crop(grad, spec.padding)


def grad_filter(x: np.ndarray, delta: np.ndarray, spec: ConvSpec, kernel: tuple[int, ...]) -> np.ndarray:
    """∂L/∂W (C_out, C_in/groups, *K): valid correlation of X with δ, summed over the batch."""
    n, groups = x.shape[0], spec.groups
    c_out, out = delta.shape[1], delta.shape[2:]
    c_group = x.shape[1] // groups
    padded = pad(x, spec.padding)
    # Batch and positions become one contraction axis, so each tap is a single GEMM.
    d = _group_major(delta.reshape(n, groups, c_out // groups, prod(out)))
    grad = zeros((c_out, c_group, *kernel), _result(x, delta))
    for k, window in taps(kernel, out, spec):
        x_k = _group_major(padded[(...,) + window].reshape(n, groups, c_group, prod(out)))
        grad[(...,) + k] = np.matmul(d, x_k.transpose(0, 2, 1)).reshape(c_out, c_group)
    return rot180(grad, spec.dims) if spec.mode == "convolve" else grad


def grad_bias(delta: np.ndarray) -> np.ndarray:
    """∂L/∂b (C_out,) = Σ δ over the batch and every output position."""
    return delta.sum(axis=(0, *range(2, delta.ndim)))


def _correlate(x: np.ndarray, w: np.ndarray, spec: ConvSpec) -> np.ndarray:
    n, groups = x.shape[0], spec.groups
    c_out, c_group = w.shape[:2]
    kernel = w.shape[2:]
    out = spec.output_shape(x.shape[2:], kernel)
    padded = pad(x, spec.padding)
    y = zeros((n, groups, c_out // groups, prod(out)), _result(x, w))
    for k, window in taps(kernel, out, spec):
        x_k = padded[(...,) + window].reshape(n, groups, c_group, prod(out))
        y += np.matmul(w[(...,) + k].reshape(groups, c_out // groups, c_group), x_k)
    return y.reshape(n, c_out, *out)


def _group_major(a: np.ndarray) -> np.ndarray:
    """(N, G, C, P) → (G, C, N·P): fold the batch into the positions."""
    n, g, c, p = a.shape
    return a.transpose(1, 2, 0, 3).reshape(g, c, n * p)


def _result(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """A zero-size stand-in carrying the dtype of a·b (what :func:`zeros` copies)."""
    return np.empty(0, dtype=np.result_type(a.dtype, b.dtype))
