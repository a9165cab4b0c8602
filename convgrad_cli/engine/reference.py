"""The page's recipe, plainly: read this first, then the fast paths in :mod:`.grads`.

Full forms throughout: X (N, C_in, *S), W (C_out, C_in/G, *K), δ = ∂L/∂Y
(N, C_out, *S_out), with stride s, dilation d, padding (p_b, p_a) and G groups
from a :class:`~.spec.ConvSpec`.  Every step is one the page names — pad,
slide a window, rot180, dilate, full correlation, crop — written with
``sliding_window_view`` and ``einsum``, so it runs on floats, int64 and object
arrays (Python ints, Fractions) alike.  The tests hold it, the fast engine and
the brute-force loop to the same results.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .ops import crop, dilate, rot180
from .spec import ConvSpec, Pairs

_OUT, _KERNEL = "ijl", "pqr"  # einsum letters for up to three spatial axes


def forward(x: np.ndarray, w: np.ndarray, spec: ConvSpec) -> np.ndarray:
    """Y (N, C_out, *S_out): y_i = Σ_c Σ_k x_(i·s + k·d) · w_k on the zero-padded X.

    In convolve mode W is rotated by 180° first.
    """
    return correlate(_pad(x, spec.padding), _spread(_oriented(w, spec), spec), spec.stride, spec.groups)


def grad_filter(x: np.ndarray, delta: np.ndarray, spec: ConvSpec, kernel: tuple[int, ...]) -> np.ndarray:
    """∂L/∂W (C_out, C_in/G, *K): ∂L/∂w_k = Σ_n Σ_i δ_i · x_(i·s + k·d).

    δ slides over X like a filter: dilated by the stride, d cells at a time; the
    first K positions are the taps.  Rotated by 180° in convolve mode.
    """
    spread = dilate(delta, spec.stride)  # (N, C_out, *((S_out − 1)·s + 1))
    win = _windows(_pad(x, spec.padding), spread.shape[2:], spec.dilation)
    win = win[(slice(None),) * 2 + tuple(slice(k) for k in kernel)]  # (N, C_in, *K, *S_δ)
    o, k = _OUT[: spec.dims], _KERNEL[: spec.dims]
    grad = np.einsum(f"ngc{k}{o},ngm{o}->gmc{k}", _grouped(win, spec.groups), _grouped(spread, spec.groups))
    grad = grad.reshape(-1, *grad.shape[2:])
    return rot180(grad, spec.dims) if spec.mode == "convolve" else grad


def grad_input(delta: np.ndarray, w: np.ndarray, spec: ConvSpec, spatial: tuple[int, ...]) -> np.ndarray:
    """∂L/∂X (N, C_in, *S) = crop(pad(dilate(δ, s), E − 1) ⋆ rot180(dilate(W, d))): a full correlation.

    E is the dilated kernel's extent; input cells no window reached (past the
    last stride step) get zeros, and the border the forward padding added is cropped.
    """
    extent, padded = spec.dilated_kernel(w.shape[2:]), spec.padded_shape(spatial)
    spread = dilate(delta, spec.stride)
    rest = [p - (t + e - 1) for p, t, e in zip(padded, spread.shape[2:], extent)]
    framed = _pad(spread, tuple((e - 1, e - 1 + r) for e, r in zip(extent, rest)))
    flipped = rot180(_spread(_oriented(w, spec), spec), spec.dims)  # (C_out, C_in/G, *E)
    per_group = flipped.reshape(spec.groups, -1, *flipped.shape[1:]).swapaxes(1, 2)
    full = correlate(framed, per_group.reshape(-1, *per_group.shape[2:]), (1,) * spec.dims, spec.groups)
    return crop(full, spec.padding)


def correlate(x: np.ndarray, w: np.ndarray, stride: tuple[int, ...], groups: int) -> np.ndarray:
    """Valid grouped cross-correlation: x (N, C_in, *P), w (C_out, C_in/G, *E) → (N, C_out, *O).

    y[n, o, i] = Σ_c Σ_k x[n, c, i·s + k] · w[o, c, k], c over o's group.
    """
    o, k = _OUT[: w.ndim - 2], _KERNEL[: w.ndim - 2]
    win = _grouped(_windows(x, w.shape[2:], stride), groups)  # (N, G, C_in/G, *O, *E)
    y = np.einsum(f"ngc{o}{k},gmc{k}->ngm{o}", win, w.reshape(groups, -1, *w.shape[1:]))
    return y.reshape(y.shape[0], -1, *y.shape[3:])


def _windows(x: np.ndarray, extent: tuple[int, ...], step: tuple[int, ...]) -> np.ndarray:
    """x (N, C, *P) → (N, C, *O, *extent): every window, ``step`` apart per axis (a view)."""
    view = sliding_window_view(x, extent, axis=tuple(range(2, x.ndim)))
    return view[(slice(None),) * 2 + tuple(slice(None, None, s) for s in step)]


def _grouped(a: np.ndarray, groups: int) -> np.ndarray:
    """(N, C, …) → (N, G, C/G, …)."""
    return a.reshape(a.shape[0], groups, -1, *a.shape[2:])


def _oriented(w: np.ndarray, spec: ConvSpec) -> np.ndarray:
    """The filter the forward pass correlates with: W, or rot180(W) in convolve mode."""
    return rot180(w, spec.dims) if spec.mode == "convolve" else w


def _spread(w: np.ndarray, spec: ConvSpec) -> np.ndarray:
    """W with d − 1 zeros between its taps: (C_out, C_in/G, *E)."""
    return dilate(w, spec.dilation)


def _pad(x: np.ndarray, padding: Pairs) -> np.ndarray:
    """Zero-pad the spatial axes; object arrays get Python 0 (NumPy's int64 0 would overflow on big ints)."""
    return np.pad(x, ((0, 0), (0, 0), *padding), constant_values=np.zeros((), x.dtype))
