"""Benchmark: convgrad's engine against PyTorch, exact mode against float, and CLI cold start.

Run it from the repository root (it is not a test; pytest does not collect it):

    python benchmarks/bench.py                 # everything, ~2 minutes on 2 cores
    python benchmarks/bench.py --only W3 W6    # some rows (names or prefixes: W, exact, cli)
    python benchmarks/bench.py --repeat 31     # more pairs, tighter medians

Every row times two things in alternating pairs (A then B, then B then A, …)
in one process (CLI rows: one fresh process per run), so load from other
programs falls on both sides alike.  The ratio is the median of the paired
ratios A/B; "spread" is the interquartile range of those ratios, so a wide
spread says the machine was busy.

* Engine rows (W3–W6): ``convgrad_cli.backward`` (forward output and every
  gradient, input validation included) against PyTorch's ``F.convNd`` forward
  plus ``backward()`` with the same number of threads.  Skipped without torch.
* Exact rows: an integer problem (exact mode) and a rational one against the
  same problem in float64; they show what exactness costs.
* CLI rows: the installed ``convgrad`` against bare imports of its
  dependencies in the same Python; and the JSON trace of a 64×64 input with a
  3×3 filter against ``convgrad compute --format json`` itself.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from convgrad_cli import backward


@dataclass(frozen=True)
class Workload:
    """One engine row: shapes in full form and the layer's parameters."""

    name: str
    input: tuple[int, ...]
    filter: tuple[int, ...]
    params: dict[str, Any]
    target: dict[str, float]  # dtype name → the largest acceptable ratio to torch

    @property
    def dims(self) -> int:
        return len(self.input) - 2


WORKLOADS = (
    Workload("W3", (8, 32, 64, 64), (64, 32, 3, 3), {"padding": 1}, {"float32": 1.25, "float64": 0.8}),
    Workload(
        "W4",
        (4, 16, 64, 64),
        (32, 16, 5, 5),
        {"padding": 2, "stride": 2, "dilation": 2},
        {"float32": 1.25, "float64": 1.0},
    ),
    Workload("W5", (16, 64, 4096), (64, 64, 7), {"padding": 3}, {"float32": 1.25, "float64": 0.8}),
    Workload(
        "W6", (8, 64, 56, 56), (64, 1, 3, 3), {"padding": 1, "groups": 64}, {"float32": 2.0, "float64": 1.2}
    ),
)


@dataclass
class Row:
    """A measured pair: medians of A and B (seconds), the median paired ratio and its IQR."""

    name: str
    a: str
    b: str
    a_times: list[float]
    b_times: list[float]
    target: float | None = None

    @property
    def ratios(self) -> np.ndarray:
        return np.array(self.a_times) / np.array(self.b_times)

    @property
    def ratio(self) -> float:
        return float(np.median(self.ratios))

    def cells(self) -> list[str]:
        q1, q3 = np.percentile(self.ratios, [25, 75])
        verdict = "" if self.target is None else ("ok" if self.ratio <= self.target else "MISSED")
        target = "" if self.target is None else f"≤ {self.target:g}×"
        return [
            self.name,
            f"{self.a} {_ms(np.median(self.a_times))}",
            f"{self.b} {_ms(np.median(self.b_times))}",
            f"{self.ratio:.2f}×",
            f"{q1:.2f}–{q3:.2f}",
            target,
            verdict,
        ]


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:.1f} ms"


def paired(
    a: Callable[[], object], b: Callable[[], object], repeat: int, rest: float = 0.0
) -> tuple[list[float], list[float]]:
    """Time a and b ``repeat`` times each, alternating which goes first.

    With ``rest`` > 0 each timed call comes after ``rest`` seconds idle and
    one untimed call of the same side: the other library's worker threads
    have stopped spinning (OpenBLAS spins ~0.1 s after every product, taking
    a core from whatever runs next), and this side's are awake, as in a loop
    of calls.  Back to back (``rest`` = 0), whichever runs second fights the
    first one's spinning threads.
    """
    a(), b()  # warm up: first-call allocations, lazy imports, BLAS thread start
    a_times: list[float] = []
    b_times: list[float] = []
    for i in range(repeat):
        order = ((a, a_times), (b, b_times)) if i % 2 == 0 else ((b, b_times), (a, a_times))
        for fn, times in order:
            if rest:
                time.sleep(rest)
                fn()
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    return a_times, b_times


# ---------------------------------------------------------------- engine vs torch


def engine_rows(repeat: int, only: list[str], threads: int, rest: float) -> list[Row]:
    try:
        import torch
        import torch.nn.functional as F
    except ImportError:
        print("torch is not installed: engine rows against PyTorch skipped", file=sys.stderr)
        return []
    torch.set_num_threads(threads)
    rows = []
    for work in WORKLOADS:
        for dtype in ("float32", "float64"):
            name = f"{work.name} {dtype}"
            if not _selected(name, only):
                continue
            rng = np.random.default_rng(0)
            x = rng.standard_normal(work.input).astype(dtype)
            w = rng.standard_normal(work.filter).astype(dtype)
            conv = getattr(F, f"conv{work.dims}d")
            xt = torch.from_numpy(x).requires_grad_()
            wt = torch.from_numpy(w).requires_grad_()
            g = rng.standard_normal(tuple(conv(xt, wt, **work.params).shape)).astype(dtype)
            gt = torch.from_numpy(g)

            def ours(x: np.ndarray = x, w: np.ndarray = w, g: np.ndarray = g, work: Workload = work) -> None:
                backward(x, w, g, dims=work.dims, **work.params)

            def theirs(
                xt: Any = xt, wt: Any = wt, gt: Any = gt, conv: Any = conv, work: Workload = work
            ) -> None:
                xt.grad = wt.grad = None
                conv(xt, wt, **work.params).backward(gt)

            a, b = paired(ours, theirs, repeat, rest)
            rows.append(Row(name, "convgrad", "torch", a, b, work.target[dtype]))
            _progress(rows[-1])
    return rows


# ---------------------------------------------------------------- exact vs float


def exact_rows(repeat: int, only: list[str]) -> list[Row]:
    rows = []
    rng = np.random.default_rng(1)
    if _selected("exact int W3", only):
        x = rng.integers(-9, 10, (8, 32, 64, 64))
        w = rng.integers(-9, 10, (64, 32, 3, 3))
        g = rng.integers(-9, 10, (8, 64, 64, 64))
        a, b = paired(
            lambda: backward(x, w, g, padding=1, exact=True),
            lambda: backward(x, w, g, padding=1, exact=False),
            repeat,
        )
        rows.append(Row("exact int W3", "exact", "float64", a, b))
        _progress(rows[-1])
    if _selected("exact rational", only):
        shape_x, shape_w, shape_g = (1, 4, 64, 64), (4, 4, 3, 3), (1, 4, 64, 64)
        x, w, g = (_fractions(rng, s) for s in (shape_x, shape_w, shape_g))
        a, b = paired(
            lambda: backward(x, w, g, padding=1, exact=True),
            lambda: backward(x, w, g, padding=1, exact=False),
            max(3, repeat // 3),
        )
        rows.append(Row("exact rational 4×64×64", "exact", "float64", a, b))
        _progress(rows[-1])
    return rows


def _fractions(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    tops, bottoms = rng.integers(-9, 10, shape), rng.integers(1, 7, shape)
    flat = [Fraction(int(t), int(b)) for t, b in zip(tops.ravel(), bottoms.ravel())]
    return np.array(flat, dtype=object).reshape(shape)


# ---------------------------------------------------------------- CLI cold start


def cli_rows(repeat: int, only: list[str]) -> list[Row]:
    exe = shutil.which("convgrad", path=str(Path(sys.executable).parent)) or shutil.which("convgrad")
    if exe is None:
        print("the convgrad command is not installed: CLI rows skipped", file=sys.stderr)
        return []
    python = sys.executable
    numpy_click = [python, "-c", "import numpy, click"]
    with_rich = [python, "-c", "import numpy, click, rich.console, rich.table"]
    json_sample = [exe, "compute", "--format", "json"]
    with tempfile.TemporaryDirectory() as folder:
        x, w = Path(folder, "x.json"), Path(folder, "w.json")
        rng = np.random.default_rng(2)
        x.write_text(json.dumps(rng.integers(-9, 10, (64, 64)).tolist()))
        w.write_text(json.dumps(rng.integers(-9, 10, (3, 3)).tolist()))
        trace = [exe, "compute", "-x", str(x), "-w", str(w), "--trace", "--format", "json"]
        cases = [
            ("cli compute --format json", json_sample, numpy_click, "imports", 1.15),
            ("cli compute (tables)", [exe, "compute"], with_rich, "imports", 1.2),
            ("cli --help", [exe, "--help"], numpy_click, "imports", 0.6),
            ("cli --version", [exe, "--version"], numpy_click, "imports", 0.6),
            # The JSON trace of a 64×64 input and a 3×3 filter (~36 000 terms) against a plain start.
            ("cli trace 64×64", trace, json_sample, "own start", 5.0),
        ]
        return [_cli_row(*case, repeat) for case in cases if _selected(case[0], only)]


def _cli_row(name: str, command: list[str], floor: list[str], b: str, target: float, repeat: int) -> Row:
    # Bytecode caching on, as for any installed package (pip compiles on install): without it
    # every run would recompile convgrad's modules and measure the compiler instead.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(NO_COLOR="1", COLUMNS="100")
    a_times, b_times = paired(lambda: _run(command, env), lambda: _run(floor, env), repeat)
    row = Row(name, "convgrad", b, a_times, b_times, target)
    _progress(row)
    return row


def _run(command: list[str], env: dict[str, str]) -> None:
    subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)


# ---------------------------------------------------------------- table


HEADER = ["row", "A (median)", "B (median)", "A/B", "spread", "target", ""]


def table(rows: list[Row]) -> str:
    """A Markdown table, ready to paste into the README."""
    lines = [HEADER, ["---"] * len(HEADER)] + [r.cells() for r in rows]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)


def _selected(name: str, only: list[str]) -> bool:
    return not only or any(name.lower().startswith(o.lower()) for o in only)


def _progress(row: Row) -> None:
    print(f"  {row.name}: {row.ratio:.2f}×", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=15, help="timed pairs per row (default 15)")
    parser.add_argument("--only", nargs="*", default=[], help="rows whose names start with these")
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)), help="torch threads")
    parser.add_argument(
        "--rest",
        type=float,
        default=0.2,
        help="seconds idle (then one untimed call) before each timed engine call; 0: back to back",
    )
    args = parser.parse_args(argv)
    print(
        f"numpy {np.__version__}, {args.threads} thread(s), {args.repeat} pairs per row; "
        f"ratios are medians of paired A/B times",
        file=sys.stderr,
    )
    rows = engine_rows(args.repeat, args.only, args.threads, args.rest)
    rows += exact_rows(args.repeat, args.only)
    rows += cli_rows(args.repeat, args.only)
    print(table(rows))
    missed = [r.name for r in rows if r.target is not None and r.ratio > r.target]
    if missed:
        print(f"targets missed: {', '.join(missed)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
