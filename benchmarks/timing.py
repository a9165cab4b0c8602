"""Timing pairs of things and tabulating them: the core every benchmark row uses."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import conditions
import numpy as np


@dataclass
class Row:
    """A measured pair: medians of A and B (seconds), the median paired ratio and its IQR."""

    name: str
    a: str
    b: str
    a_times: list[float]
    b_times: list[float]
    target: float | None = None
    note: str = ""  # e.g. achieved GFLOP/s against the GEMM rate, or peak memory
    load: float = field(default_factory=conditions.load)  # when the row finished

    @property
    def ratios(self) -> np.ndarray:
        return np.array(self.a_times) / np.array(self.b_times)

    @property
    def ratio(self) -> float:
        return float(np.median(self.ratios))

    def cells(self) -> list[str]:
        q1, q3 = np.percentile(self.ratios, [25, 75])
        verdict = "" if self.target is None else ("ok" if self.ratio <= self.target else "MISSED")
        target = "" if self.target is None else f"≤ {self.target:.3g}×"
        return [
            self.name,
            f"{self.a} {_ms(np.median(self.a_times))}",
            f"{self.b} {_ms(np.median(self.b_times))}",
            f"{self.ratio:.2f}×",
            f"{q1:.2f}–{q3:.2f}",
            target,
            verdict,
            self.note,
            f"{self.load:.1f}",
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


def convgrad_exe() -> str | None:
    exe = shutil.which("convgrad", path=str(Path(sys.executable).parent)) or shutil.which("convgrad")
    if exe is None:
        print("the convgrad command is not installed: CLI and trace rows skipped", file=sys.stderr)
    return exe


def cli_env() -> dict[str, str]:
    # Bytecode caching on, as for any installed package (pip compiles on install): without it
    # every run would recompile convgrad's modules and measure the compiler instead.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(NO_COLOR="1", COLUMNS="100")
    return env


def run(command: list[str], env: dict[str, str]) -> None:
    subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)


def peak_memory(command: list[str], env: dict[str, str]) -> int:
    """Peak resident memory of ``command`` in KiB, or 0 without GNU time.

    Measured by /usr/bin/time, a small parent: a child of this process would
    report at least this process's own peak (Linux carries it over fork and exec).
    """
    if not os.path.exists("/usr/bin/time"):
        return 0
    with tempfile.NamedTemporaryFile("r") as out:
        run(["/usr/bin/time", "-f", "%M", "-o", out.name, *command], env)
        return int(out.read().split()[-1])


# ---------------------------------------------------------------- table


HEADER = ["row", "A (median)", "B (median)", "A/B", "spread", "target", "", "note", "load"]


def table(rows: list[Row]) -> str:
    """A Markdown table, ready to paste into the README."""
    lines = [HEADER, ["---"] * len(HEADER)] + [r.cells() for r in rows]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)


def selected(name: str, only: list[str]) -> bool:
    return not only or any(name.lower().startswith(o.lower()) for o in only)


def progress(row: Row) -> None:
    print(f"  {row.name}: {row.ratio:.2f}×", file=sys.stderr, flush=True)
