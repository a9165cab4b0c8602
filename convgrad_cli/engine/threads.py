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

_pool: Any = None  # the engine's threads, started by the first problem big enough to need them
_pool_size = 0


class _BlasLimit:
    """BLAS held to one thread while any engine call runs, then restored (process-wide, as BLAS is)."""

    def __init__(self) -> None:
        self.lock: Any = None
        self.depth = 0
        self.saved: list[int] = []
        self.libs: list[Any] | None = None

    def enter(self) -> None:
        if self.lock is None:
            import threading

            self.lock = threading.Lock()
        with self.lock:
            if self.depth == 0:
                self.saved = [lib.get_num_threads() for lib in self.blas()]
                for lib in self.blas():
                    lib.set_num_threads(1)
            self.depth += 1

    def leave(self) -> None:
        with self.lock:
            self.depth -= 1
            if self.depth == 0:
                for lib, n in zip(self.blas(), self.saved):
                    lib.set_num_threads(n)

    def blas(self) -> list[Any]:
        """The loaded BLAS libraries' controllers, found once (a scan of the loaded libraries)."""
        if self.libs is None:
            from threadpoolctl import ThreadpoolController

            self.libs = list(ThreadpoolController().select(user_api="blas").lib_controllers)
        return self.libs


_limit = _BlasLimit()


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
def one_blas_thread(work: int, floats: bool = True) -> Iterator[None]:
    """Run the block with BLAS on one thread, then restore its setting (nested and thread-safe).

    Small work, and work on integers or Python objects, is left alone: BLAS does not
    thread it (or is not called), and the CLI's small runs skip importing threadpoolctl.
    """
    if work < LIMIT_FROM or not floats:
        yield
        return
    _limit.enter()
    try:
        yield
    finally:
        _limit.leave()


def run_parts(job: Callable[[int], None], parts: int) -> None:
    """``job(0) … job(parts − 1)`` on the engine's threads, each in a copy of the caller's context.

    The copy carries context variables such as ``np.errstate`` into the threads.
    """
    global _pool, _pool_size
    import contextvars  # only big problems get here: small runs (the CLI's) skip the imports
    from concurrent.futures import ThreadPoolExecutor

    if _pool_size < parts:
        _pool_size = max(parts, cores())
        _pool = ThreadPoolExecutor(_pool_size, thread_name_prefix="convgrad")
    futures = [_pool.submit(contextvars.copy_context().run, job, i) for i in range(parts)]
    for future in futures:
        future.result()


def bounds(total: int, parts: int) -> Sequence[tuple[int, int]]:
    """``parts`` consecutive (start, stop) ranges covering ``range(total)``, sizes within one."""
    return list(pairwise([total * i // parts for i in range(parts + 1)]))
