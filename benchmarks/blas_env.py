"""The engine with ``OPENBLAS_NUM_THREADS=1`` set before NumPy loads (as the CLI sets it) against BLAS's default.

Run it from the repository root:

    python benchmarks/blas_env.py               # W3 and W4 in float32 and float64, exact int 512×512
    python benchmarks/blas_env.py --rounds 9

The engine holds BLAS to one thread per call itself (``engine/threads.py``), so the
variable should cost big problems nothing. Each round starts one process per setting, in
alternating order; each process times ``--calls`` calls per row, each after 0.2 s idle
and one untimed call (as the benchmark's "cold" rows), and reports its medians. The table
gives the median over rounds and the median of the per-round ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

ROWS = {  # name → (input shape, filter shape, parameters, dtype; "int" runs exact)
    "W3 float32": ((8, 32, 64, 64), (64, 32, 3, 3), {"padding": 1}, "float32"),
    "W3 float64": ((8, 32, 64, 64), (64, 32, 3, 3), {"padding": 1}, "float64"),
    "W4 float32": ((4, 16, 64, 64), (32, 16, 5, 5), {"padding": 2, "stride": 2, "dilation": 2}, "float32"),
    "W4 float64": ((4, 16, 64, 64), (32, 16, 5, 5), {"padding": 2, "stride": 2, "dilation": 2}, "float64"),
    "exact int 512×512": ((512, 512), (3, 3), {}, "int"),
}


def child(calls: int) -> None:
    """In a fresh process: time every row, print {row: median seconds} as JSON."""
    import numpy as np

    sys.path.insert(0, str(ROOT))
    from convgrad_cli import backward

    medians = {}
    for name, (shape_x, shape_w, params, dtype) in ROWS.items():
        rng = np.random.default_rng(0)
        if dtype == "int":
            x, w = rng.integers(-9, 10, shape_x), rng.integers(-9, 10, shape_w)
            call = lambda x=x, w=w: backward(x, w, exact=True)  # noqa: E731
        else:
            x = rng.standard_normal(shape_x).astype(dtype)
            w = rng.standard_normal(shape_w).astype(dtype)
            call = lambda x=x, w=w, params=params: backward(x, w, **params)  # noqa: E731
        times = []
        for _ in range(calls):
            time.sleep(0.2)
            call()
            start = time.perf_counter()
            call()
            times.append(time.perf_counter() - start)
        medians[name] = statistics.median(times)
    print(json.dumps(medians))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=5)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.calls)
        return 0
    base = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
    settings = {"default": base, "OPENBLAS_NUM_THREADS=1": {**base, "OPENBLAS_NUM_THREADS": "1"}}
    results: dict[str, list[dict[str, float]]] = {name: [] for name in settings}
    load = [os.getloadavg()[0]]
    for i in range(args.rounds):
        order = list(settings) if i % 2 == 0 else list(settings)[::-1]
        for name in order:
            command = [sys.executable, __file__, "--child", "--calls", str(args.calls)]
            out = subprocess.run(command, env=settings[name], capture_output=True, text=True, check=True)
            results[name].append(json.loads(out.stdout))
    load.append(os.getloadavg()[0])
    print(f"{args.rounds} rounds of {args.calls} calls, load {load[0]:.1f} → {load[1]:.1f}")
    print("| row | BLAS default | OPENBLAS_NUM_THREADS=1 | ratio |")
    print("| --- | --- | --- | --- |")
    for row in ROWS:
        a = [r[row] for r in results["default"]]
        b = [r[row] for r in results["OPENBLAS_NUM_THREADS=1"]]
        ratio = statistics.median(y / x for x, y in zip(a, b))
        print(
            f"| {row} | {statistics.median(a) * 1e3:.1f} ms | {statistics.median(b) * 1e3:.1f} ms | {ratio:.2f}× |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
