"""Guards on what the machine can hold: memory before computing, float range after.

:func:`check_memory` estimates the bytes a problem needs — padded input, outputs,
gradients and the per-tap temporaries of the engine — and refuses, with the
estimate, what would not fit, so convgrad says so instead of being killed by
the kernel.  :func:`float_range` and :func:`require_finite` turn float64
overflow into a report instead of ``inf`` printed silently.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from math import prod

import numpy as np

from ..errors import InputError
from .blocks import MIN_BLOCK, PARTIALS_BYTES
from .spec import ConvSpec
from .threads import THREADS_FROM, cores, run_jobs

OBJECT_CELL = 64  # a pointer plus a Python int (larger ones when exact values grow), in bytes
WORKSPACE = 4 << 20  # one thread's im2col block (blocks.COLUMN_BYTES): a few MiB whatever the size
ALWAYS_FITS = 64 << 20  # problems this small are not checked against the memory available
SCAN_THREADS_FROM, SCAN_PARTS = 1 << 20, 4  # result cells from which the inf/NaN scan runs in parts
_UNLIMITED = 2**60  # cgroup v1 reports "no limit" as a huge number


def estimate_bytes(
    input_shape: Sequence[int],
    filter_shape: Sequence[int],
    out_spatial: Sequence[int],
    spec: ConvSpec,
    itemsize: int,
) -> int:
    """Peak bytes of one backward pass on full forms X (N, C_in, *S), W (C_out, C_g, *K).

    Counts, in cells: X and δ as given, and ∂L/∂X; the padded X and the padded ∂L/∂X
    rows (one buffer per stride phase); Y and δ; Y on the engine's *wide* grid (as wide
    as the padded input, per stride phase); one tap's worth of X and its product; W and
    ∂L/∂W with copies — plus the blocked temporaries: a column block for each of the
    engine's threads (all cores from THREADS_FROM multiply-adds) and ∂L/∂W's partial sums.
    Checked against measured peaks in ``tests/cli/test_robustness.py``.
    """
    n, c_in, *spatial = input_shape
    c_out, c_group, *kernel = filter_shape
    padded_shape = spec.padded_shape(spatial)
    given = n * c_in * prod(spatial)
    padded = n * c_in * prod(padded_shape)
    outputs = n * c_out * prod(out_spatial)
    positions = n * prod(-(-p // s) for p, s in zip(padded_shape, spec.stride))  # of the wide grid
    wide = c_out * positions
    tap = n * c_in * prod(out_spatial)
    weights = c_out * c_group * prod(kernel)
    cells = 2 * given + 2 * padded + 2 * outputs + wide + tap + 4 * weights
    partials = min(PARTIALS_BYTES, itemsize * weights * -(-positions // MIN_BLOCK))  # one per block at most
    threads = cores() if 3 * n * prod(out_spatial) * weights >= THREADS_FROM else 1  # as threads_for decides
    return itemsize * cells + WORKSPACE * threads + partials


def itemsize_for(*arrays: np.ndarray) -> int:
    """Bytes per cell of the arithmetic these operands will use (exact ints may take two copies)."""
    if any(a.dtype == object for a in arrays):
        return OBJECT_CELL
    if all(a.dtype == np.float32 for a in arrays):
        return 4
    # Exact integers run as int64 with float64 copies of some operands alongside.
    return 8 if all(a.dtype.kind == "f" for a in arrays) else 12


def check_memory(
    input_shape: Sequence[int],
    filter_shape: Sequence[int],
    out_spatial: Sequence[int],
    spec: ConvSpec,
    itemsize: int,
) -> None:
    """Raise :class:`InputError` (with the estimate) when the problem would not fit in memory."""
    needed = estimate_bytes(input_shape, filter_shape, out_spatial, spec, itemsize)
    if needed <= ALWAYS_FITS:
        return  # most runs: no need to read /proc and the cgroup files
    available = available_bytes()
    if available is None or needed <= available:
        return
    padded = "×".join(map(str, spec.padded_shape(input_shape[2:])))
    output = "×".join(map(str, out_spatial))
    raise InputError(
        "memory",
        f"this problem needs about {size_text(needed)} (padded input {padded}, output {output}), "
        f"but only {size_text(available)} is available",
        "use smaller arrays, less padding or dilation, or a larger stride",
    )


def available_bytes() -> int | None:
    """Memory this process may still use: the tightest of RAM, cgroup and rlimit; None if unknown."""
    found = [b for b in (_meminfo(), _cgroup(), _rlimit()) if b is not None]
    return min(found) if found else None


def _read(path: str) -> str:
    # open(), not pathlib: pathlib imports urllib.parse and ipaddress on every CLI start.
    with open(path, encoding="ascii") as file:
        return file.read()


def _meminfo() -> int | None:
    try:
        for line in _read("/proc/meminfo").splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def _cgroup() -> int | None:
    for limit, usage in (
        ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
        ("/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.usage_in_bytes"),
    ):
        try:
            cap = _read(limit).strip()
            if cap == "max" or int(cap) >= _UNLIMITED:
                return None
            return max(int(cap) - int(_read(usage).strip()), 0)
        except (OSError, ValueError):
            continue
    return None


def _rlimit() -> int | None:
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
        if soft == resource.RLIM_INFINITY:
            return None
        pages = int(_read("/proc/self/statm").split()[0])
        return max(soft - pages * os.sysconf("SC_PAGE_SIZE"), 0)
    except (ImportError, OSError, ValueError, IndexError):
        return None


def size_text(n: int) -> str:
    """Bytes for people: 512 B, 3.2 MiB, 29.1 TiB."""
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if value < 1024 or unit == "PiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} PiB"


@contextmanager
def float_range() -> Iterator[None]:
    """Compute quietly in floats: overflow is reported by :func:`require_finite`, not warned."""
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            yield
    except OverflowError:  # an exact number above float64's range, converted for --float
        raise InputError(
            "values",
            f"a number is too large for float64 (above {np.finfo(np.float64).max:.3g})",
            "scale the values down, or compute exactly with --exact",
        ) from None


def require_finite(arithmetic: str, arrays: dict[str, np.ndarray | None]) -> None:
    """Refuse results that overflowed to ±inf (or inf − inf = NaN) in float arithmetic.

    Big results are scanned in parts on the engine's threads (:func:`.threads.run_jobs`).
    """
    if arithmetic == "exact":
        return
    found = {name: a for name, a in arrays.items() if a is not None and a.dtype.kind == "f"}
    bad: set[str] = set()

    def scan(name: str, part: np.ndarray) -> None:
        if not np.isfinite(part).all():
            bad.add(name)

    jobs = [partial(scan, name, part) for name, a in found.items() for part in _scan_parts(a)]
    run_jobs(jobs, cores() if sum(a.size for a in found.values()) >= SCAN_THREADS_FROM else 1)
    for name, array in found.items():  # the first in the given order is named
        if name in bad:
            limit = np.finfo(array.dtype).max
            raise InputError(
                name,
                f"overflows {arithmetic}: some values exceed ±{limit:.3g}",
                "scale the inputs down, or compute exactly with --exact",
            )


def _scan_parts(a: np.ndarray) -> list[np.ndarray]:
    """Up to SCAN_PARTS views cutting ``a`` along the longer of its first two axes."""
    axis = 0 if a.ndim == 1 or a.shape[0] >= a.shape[1] else 1
    parts = max(1, min(a.shape[axis], SCAN_PARTS))
    return np.array_split(a, parts, axis=axis)
