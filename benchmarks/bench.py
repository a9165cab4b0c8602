"""Benchmark: convgrad's engine against PyTorch, exact mode against float and Fractions, the CLI.

Run it from the repository root (it is not a test; pytest does not collect it):

    python benchmarks/bench.py                 # everything, a few minutes on 2 cores
    python benchmarks/bench.py --only W3 W6    # some rows (names or prefixes: W, exact, trace, cli)
    python benchmarks/bench.py --repeat 31     # more pairs, tighter medians
    python benchmarks/bench.py --under-load    # engine rows again with one core kept busy

Every row times two things in alternating pairs (A then B, then B then A, …)
in one process (CLI rows: one fresh process per run), so load from other
programs falls on both sides alike.  The ratio is the median of the paired
ratios A/B; "spread" is the interquartile range of those ratios, so a wide
spread says the machine was busy.  Each row records the 1-minute load average
when it finished; the BLAS thread configuration is printed above the table.

* Engine rows (W3–W6): ``convgrad_cli.backward`` (forward output and every
  gradient, input validation included) against PyTorch's ``F.convNd`` forward
  plus ``backward()``, each call after 0.2 s idle ("cold", as the CLI and a
  notebook call) and back to back ("b2b").  GEMM-bound rows also note the
  achieved GFLOP/s beside the rate NumPy's BLAS reaches on the layer's three
  GEMMs alone.  ``--under-load`` repeats them beside a spinning child process.
  Skipped without torch.
* Exact rows: integers n×n with a 3×3 filter against the same in float64;
  cells 1/p (distinct primes) against a plain ``Fraction`` loop.
* Trace rows: ``compute --trace`` rendered as a table against Markdown, with
  both runs' peak RSS.
* Check row: ``convgrad check`` on a folder of 1000 answers against a folder
  of one, and the cost per file.
* CLI rows: the installed ``convgrad`` against bare imports of its
  dependencies in the same Python; and the JSON trace of a 64×64 input with a
  3×3 filter against ``convgrad compute --format json`` itself.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the checkout, when convgrad is not installed

import conditions
from scaling import check_rows, exact_scaling_rows, trace_rows
from timing import Row, cli_env, convgrad_exe, paired, progress, run, selected, table

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
    Workload("W3", (8, 32, 64, 64), (64, 32, 3, 3), {"padding": 1}, {"float32": 1.5, "float64": 0.8}),
    Workload(
        "W4",
        (4, 16, 64, 64),
        (32, 16, 5, 5),
        {"padding": 2, "stride": 2, "dilation": 2},
        {"float32": 1.25, "float64": 1.0},
    ),
    Workload("W5", (16, 64, 4096), (64, 64, 7), {"padding": 3}, {"float32": 1.5, "float64": 0.8}),
    Workload(
        "W6", (8, 64, 56, 56), (64, 1, 3, 3), {"padding": 1, "groups": 64}, {"float32": 2.5, "float64": 1.2}
    ),
)


# ---------------------------------------------------------------- engine vs torch


def engine_rows(repeat: int, only: list[str], threads: int, rest: float, busy: bool = False) -> list[Row]:
    """Each workload and dtype, cold (``rest`` s idle before each call) and back to back."""
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
            if not selected(name, only):
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

            out = g.shape[2:]
            gemm = work.name != "W6" and not busy  # depthwise has no GEMM to speak of
            peak = conditions.gemm_rate(work.input, work.filter, out, dtype) if gemm else 0.0
            suffix = " (1 core busy)" if busy else ""
            for label, pause in (("cold", rest), ("b2b", 0.0)):
                a, b = paired(ours, theirs, repeat, pause)
                row = Row(f"{name} {label}{suffix}", "convgrad", "torch", a, b, work.target[dtype])
                if gemm:
                    rate = conditions.layer_flops(work.input, work.filter, out) / np.median(a) / 1e9
                    row.note = f"{rate:.0f} of {peak:.0f} GFLOP/s ({rate / peak:.0%})"
                rows.append(row)
                progress(row)
    return rows


def under_load(quiet: list[Row], repeat: int, only: list[str], threads: int, rest: float) -> list[Row]:
    """The engine rows again beside a spinning process; target: within 1.3× of the quiet ratio."""
    with conditions.busy_core():
        rows = engine_rows(repeat, only, threads, rest, busy=True)
    ratios = {r.name: r.ratio for r in quiet}
    for row in rows:
        quiet_ratio = ratios.get(row.name.removesuffix(" (1 core busy)"))
        row.target = None if quiet_ratio is None else 1.3 * quiet_ratio
    return rows


# ---------------------------------------------------------------- exact vs float


def exact_rows(repeat: int, only: list[str]) -> list[Row]:
    rows = []
    rng = np.random.default_rng(1)
    if selected("exact int W3", only):
        x = rng.integers(-9, 10, (8, 32, 64, 64))
        w = rng.integers(-9, 10, (64, 32, 3, 3))
        g = rng.integers(-9, 10, (8, 64, 64, 64))
        a, b = paired(
            lambda: backward(x, w, g, padding=1, exact=True),
            lambda: backward(x, w, g, padding=1, exact=False),
            repeat,
        )
        rows.append(Row("exact int W3", "exact", "float64", a, b))
        progress(rows[-1])
    if selected("exact rational", only):
        shape_x, shape_w, shape_g = (1, 4, 64, 64), (4, 4, 3, 3), (1, 4, 64, 64)
        x, w, g = (_fractions(rng, s) for s in (shape_x, shape_w, shape_g))
        a, b = paired(
            lambda: backward(x, w, g, padding=1, exact=True),
            lambda: backward(x, w, g, padding=1, exact=False),
            max(3, repeat // 3),
        )
        rows.append(Row("exact rational 4×64×64", "exact", "float64", a, b))
        progress(rows[-1])
    return rows


def _fractions(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    tops, bottoms = rng.integers(-9, 10, shape), rng.integers(1, 7, shape)
    flat = [Fraction(int(t), int(b)) for t, b in zip(tops.ravel(), bottoms.ravel())]
    return np.array(flat, dtype=object).reshape(shape)


# ---------------------------------------------------------------- CLI cold start


def cli_rows(repeat: int, only: list[str]) -> list[Row]:
    exe = convgrad_exe()
    if exe is None:
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
            ("cli compute (tables)", [exe, "compute"], with_rich, "imports", 1.35),
            ("cli --help", [exe, "--help"], numpy_click, "imports", 0.6),
            ("cli --version", [exe, "--version"], numpy_click, "imports", 0.6),
            # The JSON trace of a 64×64 input and a 3×3 filter (~36 000 terms) against a plain start.
            ("cli trace 64×64", trace, json_sample, "own start", 5.0),
        ]
        return [_cli_row(*case, repeat) for case in cases if selected(case[0], only)]


def _cli_row(name: str, command: list[str], floor: list[str], b: str, target: float, repeat: int) -> Row:
    env = cli_env()
    a_times, b_times = paired(lambda: run(command, env), lambda: run(floor, env), repeat)
    row = Row(name, "convgrad", b, a_times, b_times, target)
    progress(row)
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=15, help="timed pairs per row (default 15)")
    parser.add_argument("--only", nargs="*", default=[], help="rows whose names start with these")
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)), help="torch threads")
    parser.add_argument("--under-load", action="store_true", help="engine rows again with one core kept busy")
    parser.add_argument(
        "--rest",
        type=float,
        default=0.2,
        help="seconds idle (then one untimed call) before each timed engine call; 0: back to back",
    )
    args = parser.parse_args(argv)
    print(
        f"numpy {np.__version__}, torch threads {args.threads}, BLAS {conditions.blas_config()}, "
        f"{args.repeat} pairs per row, load {conditions.load():.1f} at the start; "
        f"ratios are medians of paired A/B times",
        file=sys.stderr,
    )
    rows = engine_rows(args.repeat, args.only, args.threads, args.rest)
    if args.under_load:
        rows += under_load(rows, args.repeat, args.only, args.threads, args.rest)
    rows += exact_rows(args.repeat, args.only)
    rows += exact_scaling_rows(args.repeat, args.only)
    rows += trace_rows(args.repeat, args.only)
    rows += check_rows(max(3, args.repeat // 3), args.only)
    rows += cli_rows(args.repeat, args.only)
    print(table(rows))
    missed = [r.name for r in rows if r.target is not None and r.ratio > r.target]
    if missed:
        print(f"targets missed: {', '.join(missed)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
