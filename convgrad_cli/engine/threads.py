"""How many threads the engine uses: decided per call, by the size of the work.

BLAS's own threads meet at a barrier inside every product, so when another
program holds a core, each product waits for the thread that was descheduled.
The engine therefore runs every BLAS call on one thread (:func:`one_blas_thread`)
and uses the cores itself, over jobs that need no barrier: the column blocks of
the products (:func:`run_jobs`), taken from one queue by whichever thread is
free, so a thread that loses its core delays the call by one block at most.
Every job writes its own part of the results, and ∂L/∂W's partial sums are
added in a fixed order, so results are identical to the last bit run to run
and whatever the number of threads.  A call runs on one thread below
THREADS_FROM multiply-adds, or with too few jobs to share (:func:`threads_for`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

LIMIT_FROM = 1 << 14  # multiply-adds below which BLAS never threads: leave it alone
THREADS_FROM = 1 << 24  # multiply-adds of a call from which the engine's own threads pay
JOBS_PER_THREAD = 2  # fewer jobs leave one thread waiting for another's last one

_executor: Any = None
_executor_size = 0


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


def threads_for(work: int, jobs: int, floats: bool = True) -> int:
    """How many threads to run ``jobs`` jobs of ``work`` multiply-adds in all on.

    All cores when the work is big enough (THREADS_FROM) and the jobs are enough
    (JOBS_PER_THREAD on each) for the threads to finish together; one otherwise.
    """
    threads = cores()
    return threads if floats and work >= THREADS_FROM and jobs >= JOBS_PER_THREAD * threads else 1


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


def run_jobs(jobs: Sequence[Callable[[], None]], threads: int) -> None:
    """Every job once, on ``threads`` threads (the caller's and the engine's), each taking the next when free.

    The jobs must be independent.  A thread that is descheduled — another
    program holds its core — takes no new job, so the others carry on instead
    of waiting at a barrier; they meet once, when the queue is empty.  Each
    thread runs in a copy of the caller's context, which carries context
    variables such as ``np.errstate``.
    """
    if threads <= 1 or len(jobs) <= 1:
        for job in jobs:
            job()
        return
    import contextvars  # only big problems get here: small runs (the CLI's) skip the imports
    import threading

    queue, lock = iter(jobs), threading.Lock()
    failed: list[bool] = []  # set by the first job that raises (or an interrupt): the others stop taking jobs

    def worker() -> None:
        while not failed:
            with lock:
                job = next(queue, None)
            if job is None:
                return
            try:
                job()
            except BaseException:
                failed.append(True)
                raise

    helpers = [_pool(threads - 1).submit(contextvars.copy_context().run, worker) for _ in range(threads - 1)]
    try:
        worker()
    finally:
        for helper in helpers:
            helper.exception()  # wait for each (a job at most, once one failed or Ctrl-C came)
    for helper in helpers:
        helper.result()  # a helper's error, raised here


def _pool(size: int) -> Any:
    """The engine's threads (``size`` at least), started by the first problem big enough to need them."""
    global _executor, _executor_size
    if _executor_size < size:
        from concurrent.futures import ThreadPoolExecutor

        if _executor is None:
            os.register_at_fork(after_in_child=_forget_threads)
        _executor_size = max(size, cores() - 1)
        _executor = ThreadPoolExecutor(_executor_size, thread_name_prefix="convgrad")
    return _executor


def _forget_threads() -> None:
    """In a forked child: the parent's threads do not exist there, so start new ones when needed.

    A pool carried over would take jobs that no thread runs (multiprocessing forks by default on Linux).
    """
    global _executor, _executor_size
    _executor, _executor_size = None, 0
    _limit.lock = None  # a lock another thread held at the fork would stay held
