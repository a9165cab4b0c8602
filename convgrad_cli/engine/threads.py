"""How many threads the engine uses: decided per call, by the size of the work.

BLAS's own threads meet at a barrier inside every product, so when another
program holds a core, each product waits for the thread that was descheduled.
The engine therefore runs every BLAS call on one thread (:func:`one_blas_thread`)
and uses the other cores itself, over work that is independent — halves of the
batch, or of the groups — where the work is large enough to pay for the hand-off
(:func:`parts_for`).  Independent parts meet only once, at the end, and their
sums are added in a fixed order, so results are identical run to run.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from itertools import pairwise
from typing import Any

LIMIT_FROM = 1 << 14  # multiply-adds below which BLAS never threads: leave it alone
SPLIT_FROM = 1 << 22  # multiply-adds per part from which a part on its own thread pays

_state: dict[str, Any] = {"depth": 0, "saved": None, "libs": None, "pool": None, "workers": 0}
_lock: Any = None


def cores() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def parts_for(work: int, independent: int) -> int:
    """How many threads to run ``independent`` equal pieces of ``work`` multiply-adds on."""
    return max(1, min(cores(), independent, work // SPLIT_FROM))


@contextmanager
def one_blas_thread(work: int) -> Iterator[None]:
    """Run the block with BLAS on one thread, then restore its setting (nested and thread-safe).

    Small work is left alone: BLAS does not thread it, and the CLI's small runs skip
    importing threadpoolctl.
    """
    if work < LIMIT_FROM:
        yield
        return
    _enter()
    try:
        yield
    finally:
        _leave()


def _enter() -> None:
    global _lock
    if _lock is None:
        import threading

        _lock = threading.Lock()
    with _lock:
        if _state["depth"] == 0:
            libs = _blas()
            _state["saved"] = [lib.get_num_threads() for lib in libs]
            for lib in libs:
                lib.set_num_threads(1)
        _state["depth"] += 1


def _leave() -> None:
    with _lock:
        _state["depth"] -= 1
        if _state["depth"] == 0:
            for lib, n in zip(_blas(), _state["saved"]):
                lib.set_num_threads(n)


def _blas() -> list[Any]:
    """The loaded BLAS libraries' controllers, found once (a scan of the loaded libraries)."""
    if _state["libs"] is None:
        from threadpoolctl import ThreadpoolController

        _state["libs"] = ThreadpoolController().select(user_api="blas").lib_controllers
    return list(_state["libs"])


def run_parts(job: Callable[[int], None], parts: int) -> None:
    """``job(0) … job(parts − 1)`` on the engine's threads, each in a copy of the caller's context.

    The copy carries context variables such as ``np.errstate`` into the threads.
    """
    import contextvars  # only big problems get here: small runs (the CLI's) skip the imports
    from concurrent.futures import ThreadPoolExecutor

    if _state["workers"] < parts:
        _state["workers"] = max(parts, cores())
        _state["pool"] = ThreadPoolExecutor(_state["workers"], thread_name_prefix="convgrad")
    pool = _state["pool"]
    futures = [pool.submit(contextvars.copy_context().run, job, i) for i in range(parts)]
    for future in futures:
        future.result()


def bounds(total: int, parts: int) -> Sequence[tuple[int, int]]:
    """``parts`` consecutive (start, stop) ranges covering ``range(total)``, sizes within one."""
    return list(pairwise([total * i // parts for i in range(parts + 1)]))
