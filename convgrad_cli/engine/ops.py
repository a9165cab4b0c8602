"""The array operations a hand derivation names: pad, crop, rotate, dilate, taps.

They work on any dtype (float, int64 and object arrays of Python ints) because
exact arithmetic runs through the same code as floats.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from .spec import ConvSpec, Pairs


def zeros(shape: Sequence[int], like: np.ndarray) -> np.ndarray:
    """Zeros of ``like``'s dtype; object arrays get Python ``0`` so sums stay exact."""
    return np.zeros(tuple(shape), dtype=like.dtype)


def pad(x: np.ndarray, padding: Pairs) -> np.ndarray:
    """Zero-pad the trailing ``len(padding)`` axes of ``x`` by (before, after) each."""
    if not any(b or a for b, a in padding):
        return x
    lead = x.ndim - len(padding)
    shape = x.shape[:lead] + tuple(s + b + a for s, (b, a) in zip(x.shape[lead:], padding))
    out = zeros(shape, x)
    out[(...,) + tuple(slice(b, b + s) for s, (b, _) in zip(x.shape[lead:], padding))] = x
    return out


def crop(x: np.ndarray, padding: Pairs) -> np.ndarray:
    """Undo :func:`pad`: drop the border that belongs to the padding zeros."""
    lead = x.ndim - len(padding)
    return x[(...,) + tuple(slice(b, s - a) for s, (b, a) in zip(x.shape[lead:], padding))]


def rot180(w: np.ndarray, dims: int) -> np.ndarray:
    """Rotate the trailing ``dims`` (spatial) axes by 180°: flip every one of them."""
    return np.flip(w, axis=tuple(range(w.ndim - dims, w.ndim)))


def dilate(x: np.ndarray, factor: Sequence[int]) -> np.ndarray:
    """Insert ``f − 1`` zeros between neighbours along each trailing axis."""
    lead = x.ndim - len(factor)
    shape = x.shape[:lead] + tuple((s - 1) * f + 1 for s, f in zip(x.shape[lead:], factor))
    out = zeros(shape, x)
    out[(...,) + tuple(slice(None, None, f) for f in factor)] = x
    return out


def taps(
    kernel: Sequence[int], out: Sequence[int], spec: ConvSpec
) -> Iterator[tuple[tuple[int, ...], tuple[slice, ...]]]:
    """Each kernel tap ``k`` with the slice of the padded input it meets.

    For tap k on an axis with stride s and dilation d, output position i reads
    padded input position i·s + k·d, so over all outputs the tap sees the strided
    slice ``k·d : k·d + s·(n_out−1) + 1 : s``.  Looping over taps (not pixels) keeps
    every step one BLAS-shaped product over all positions.
    """
    for k in np.ndindex(*kernel):
        yield (
            k,
            tuple(
                slice(ki * d, ki * d + s * (n - 1) + 1, s)
                for ki, d, s, n in zip(k, spec.dilation, spec.stride, out)
            ),
        )
