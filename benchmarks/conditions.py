"""What a benchmark row ran under: load, BLAS threads, a busy core, the GEMM rate of this machine."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from math import prod

import numpy as np
from threadpoolctl import threadpool_limits


def load() -> float:
    """The 1-minute load average."""
    return os.getloadavg()[0]


def blas_config() -> str:
    """The BLAS library and its thread count at rest, and what the engine holds it to per call."""
    try:
        from threadpoolctl import threadpool_info

        from convgrad_cli.engine import threads
    except ImportError:
        return "unknown"
    libs = [f"{i['internal_api']} {i['num_threads']}" for i in threadpool_info() if i["user_api"] == "blas"]
    own = f"its own threads ≤ {threads.cores()} from 2^{threads.THREADS_FROM.bit_length() - 1} multiply-adds"
    return f"{', '.join(libs) or 'none'}; engine: BLAS on 1 thread per call, {own}"


@contextmanager
def busy_core() -> Iterator[None]:
    """One core kept busy by a spinning child process for the duration of the block."""
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.5)  # let it take its core
        yield
    finally:
        spinner.kill()
        spinner.wait()


def layer_flops(input_shape: tuple[int, ...], filter_shape: tuple[int, ...], out: tuple[int, ...]) -> int:
    """Floating-point operations of the forward pass and both gradients: 3 × 2 × multiply-adds."""
    return 6 * input_shape[0] * prod(out) * prod(filter_shape)


def gemm_rate(
    input_shape: tuple[int, ...],
    filter_shape: tuple[int, ...],
    out: tuple[int, ...],
    dtype: str,
    repeat: int = 5,
) -> float:
    """GFLOP/s NumPy's BLAS reaches on the layer's GEMMs (forward, ∂L/∂X, ∂L/∂W), best of ``repeat``.

    The shapes of one product over the whole layer: the engine's blocks are narrower.
    """
    rng = np.random.default_rng(0)
    m, k, n = filter_shape[0], prod(filter_shape[1:]), input_shape[0] * prod(out)
    w, cols, delta = (rng.standard_normal(s).astype(dtype) for s in ((m, k), (k, n), (m, n)))
    best = float("inf")
    for threads in (None, 1):  # BLAS's own threads, and one (as the engine runs it): the better
        with threadpool_limits(threads, user_api="blas"):
            for _ in range(repeat):
                start = time.perf_counter()
                np.matmul(w, cols)
                np.matmul(w.T, delta)
                np.matmul(cols, delta.T)
                best = min(best, time.perf_counter() - start)
    return 6 * m * k * n / best / 1e9
