"""Rows that grow with n: exact integers and many-denominator fractions, traced renders, checking a class."""

from __future__ import annotations

import itertools
import json
import subprocess
import tempfile
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from timing import Row, cli_env, convgrad_exe, paired, peak_memory, progress, run, selected

from convgrad_cli import backward


def exact_scaling_rows(repeat: int, only: list[str]) -> list[Row]:
    """Exact integers n×n (3×3 filter) against float64; cells 1/p against a plain Fraction loop."""
    rows = []
    rng = np.random.default_rng(3)
    for n in (32, 128, 512):
        if selected(f"exact int {n}×{n}", only):
            rows.append(_exact_ints(rng.integers(-9, 10, (n, n)), rng.integers(-9, 10, (3, 3)), repeat))
    for n in (16, 32, 48):
        if selected(f"exact 1/p {n}×{n}", only):
            rows.append(_many_denominators(n, max(3, repeat // 3)))
    return rows


def _exact_ints(x: np.ndarray, w: np.ndarray, repeat: int) -> Row:
    a, b = paired(lambda: backward(x, w, exact=True), lambda: backward(x, w, exact=False), repeat)
    n = x.shape[0]
    row = Row(f"exact int {n}×{n}", "exact", "float64", a, b, 3.0 if n == 512 else None)
    progress(row)
    return row


def _many_denominators(n: int, repeat: int) -> Row:
    """X n×n of 1/p and W 3×3 of k/p, every p a distinct prime from 1000 up, δ small integers."""
    primes: list[int] = []
    candidate = 1000
    while len(primes) < n * n + 9:
        if all(candidate % d for d in range(2, int(candidate**0.5) + 1)):
            primes.append(candidate)
        candidate += 1
    rng = np.random.default_rng(4)
    rng.shuffle(primes)
    x = [[Fraction(1, primes[i * n + j]) for j in range(n)] for i in range(n)]
    w = [[Fraction(int(rng.integers(-9, 10)), primes[n * n + 3 * i + j]) for j in range(3)] for i in range(3)]
    g = [[int(v) for v in row] for row in rng.integers(-9, 10, (n - 2, n - 2))]
    arrays = [np.array(v, dtype=object) for v in (x, w, g)]
    a, b = paired(lambda: backward(*arrays, exact=True), lambda: _fraction_loop(x, w, g), repeat)
    row = Row(f"exact 1/p {n}×{n}", "exact", "Fraction loop", a, b, 1.0)
    progress(row)
    return row


def _fraction_loop(x: list[list[Fraction]], w: list[list[Fraction]], g: list[list[int]]) -> None:
    """Y, ∂L/∂X and ∂L/∂W by the definition, a Fraction at a time: what exact mode must beat."""
    n, k, m = len(x), len(w), len(g)
    [[sum(x[i + p][j + q] * w[p][q] for p in range(k) for q in range(k)) for j in range(m)] for i in range(m)]
    dx: list[list[Any]] = [[0] * n for _ in range(n)]
    for i, j, p, q in itertools.product(range(m), range(m), range(k), range(k)):
        dx[i + p][j + q] += g[i][j] * w[p][q]
    [[sum(g[i][j] * x[i + p][j + q] for i in range(m) for j in range(m)) for q in range(k)] for p in range(k)]


def trace_rows(repeat: int, only: list[str]) -> list[Row]:
    """``compute --trace`` of an n×n input and a 3×3 filter: the table view against Markdown, and memory."""
    exe = convgrad_exe()
    names = [n for n in (16, 32, 64) if selected(f"trace table {n}×{n}", only)]
    if exe is None or not names:
        return []
    with tempfile.TemporaryDirectory() as folder:
        return [_trace(exe, Path(folder), n, max(3, repeat // 3)) for n in names]


def _trace(exe: str, folder: Path, n: int, repeat: int) -> Row:
    rng = np.random.default_rng(5)
    x, w = folder / f"x{n}.json", folder / "w.json"
    x.write_text(json.dumps(rng.integers(-9, 10, (n, n)).tolist()))
    w.write_text(json.dumps(rng.integers(-9, 10, (3, 3)).tolist()))
    base = [exe, "compute", "-x", str(x), "-w", str(w), "--trace", "--format"]
    env = cli_env()
    a, b = paired(lambda: run([*base, "table"], env), lambda: run([*base, "markdown"], env), repeat)
    peaks = [peak_memory([*base, view], env) >> 10 for view in ("table", "markdown")]
    note = "peak RSS {} / {} MiB".format(*peaks)
    row = Row(f"trace table {n}×{n}", "table", "markdown", a, b, 2.0 if n > 16 else None, note)
    progress(row)
    return row


def check_rows(repeat: int, only: list[str]) -> list[Row]:
    """``check`` on a folder of 1000 answers to the page's problem against a folder of one."""
    exe = convgrad_exe()
    if exe is None or not selected("check 1000 answers", only):
        return []
    rng = np.random.default_rng(6)
    with tempfile.TemporaryDirectory() as folder:
        many, one = Path(folder, "many"), Path(folder, "one")
        many.mkdir()
        one.mkdir()
        for i in range(1000):  # right and wrong answers to ∂L/∂W of the page: [[-1, 9], [4, 14]]
            answer = [[-1, 9], [4, 14]] if i % 3 else rng.integers(-9, 15, (2, 2)).tolist()
            (many / f"student{i:04d}.json").write_text(json.dumps({"grad_filter": answer}))
        (one / "student.json").write_text(json.dumps({"grad_filter": [[-1, 9], [4, 14]]}))
        env = cli_env()
        base = [exe, "check", "--sample", "page", "--format", "json", "--answer"]
        a, b = paired(
            lambda: _checked([*base, str(many)], env), lambda: _checked([*base, str(one)], env), repeat
        )
    per_file = (np.median(a) - np.median(b)) / 999
    row = Row("check 1000 answers", "1000 files", "1 file", a, b, note=f"{per_file * 1e3:.2f} ms per file")
    progress(row)
    return [row]


def _checked(command: list[str], env: dict[str, str]) -> None:
    # Exit status 1 (some answers wrong) is the expected outcome here, not a failure.
    subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
