"""The array operations a hand derivation names beside padding: crop, rotate, dilate.

They work on any dtype (float, int64 and object arrays of Python ints) because
exact arithmetic runs through the same code as floats.  Padding is ``np.pad``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .spec import Pairs


def crop(x: np.ndarray, padding: Pairs) -> np.ndarray:
    """Undo zero-padding: drop the (before, after) border of each trailing axis."""
    lead = x.ndim - len(padding)
    return x[(...,) + tuple(slice(b, s - a) for s, (b, a) in zip(x.shape[lead:], padding))]


def rot180(w: np.ndarray, dims: int) -> np.ndarray:
    """Rotate the trailing ``dims`` (spatial) axes by 180°: flip every one of them."""
    return np.flip(w, axis=tuple(range(w.ndim - dims, w.ndim)))


def dilate(x: np.ndarray, factor: Sequence[int]) -> np.ndarray:
    """Insert ``f − 1`` zeros between neighbours along each trailing axis.

    ``np.zeros`` of an object dtype holds Python ``0``, so exact sums stay exact.
    """
    lead = x.ndim - len(factor)
    out = np.zeros(x.shape[:lead] + tuple((s - 1) * f + 1 for s, f in zip(x.shape[lead:], factor)), x.dtype)
    out[(...,) + tuple(slice(None, None, f) for f in factor)] = x
    return out
