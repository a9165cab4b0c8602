"""Scratch buffers kept between calls, one set per thread.

The engine's row layouts and column blocks are megabytes of scratch per call;
:func:`kept` hands out the same memory again instead of fresh pages.
"""

from __future__ import annotations

from collections.abc import Hashable
from math import prod
from typing import Any

import numpy as np

KEEP_FROM, KEEP_UP_TO = 1 << 20, 64 << 20  # scratch in this range is kept between calls

_thread_cache: Any = None


def kept(shape: tuple[int, ...], dtype: np.dtype, slot: Hashable = "columns") -> np.ndarray:
    """Scratch carved from a per-thread buffer kept between calls (contents undefined).

    Fresh memory is paid for in page faults on first touch, and glibc hands big
    blocks back to the system after every call.  One buffer per ``slot``: scratch
    live at the same time needs different slots.  Small, huge (beyond KEEP_UP_TO:
    not worth pinning) or object scratch is just allocated.
    """
    global _thread_cache
    dtype = np.dtype(dtype)
    need = prod(shape) * dtype.itemsize
    if dtype.hasobject or not KEEP_FROM <= need <= KEEP_UP_TO:
        return np.empty(shape, dtype)
    if _thread_cache is None:
        import threading  # only big problems get here: small runs (the CLI's) skip the import

        _thread_cache = threading.local()
    buffers: dict[Hashable, np.ndarray] = _thread_cache.__dict__.setdefault("buffers", {})
    buffer = buffers.get(slot)
    if buffer is None or buffer.size < need:
        buffer = buffers[slot] = np.empty(need, np.uint8)
    return buffer[:need].view(dtype).reshape(shape)
