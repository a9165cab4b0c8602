"""Cold start of the CLI against bare imports of its dependencies: wall time and CPU time.

Run it from the repository root:

    python benchmarks/cold_start.py                  # every row, 21 rounds
    python benchmarks/cold_start.py --repeat 31 json # rows whose names start with "json"
    python benchmarks/cold_start.py --env OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1

Each round runs every command of the selected rows once, in a fresh process, in an order
that rotates from round to round, so load from other programs falls on all of them alike.
A row's ratio is the median of the per-round ratios A/B, for wall time and for CPU time
(user + system of the child, from ``os.wait4``): on a shared machine the wall time of a
start swings with the load, the CPU time much less.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

from timing import cli_env, convgrad_exe

FLOOR = "import numpy, click"
FLOOR_RICH = "import numpy, click, rich.console, rich.table"


def commands(exe: str) -> dict[str, list[str]]:
    python = sys.executable
    return {
        "floor": [python, "-c", FLOOR],
        "floor+rich": [python, "-c", FLOOR_RICH],
        "json": [exe, "compute", "--format", "json"],
        "table": [exe, "compute"],
        "help": [exe, "--help"],
        "version": [exe, "--version"],
    }


# name → (command, floor, target ratio)
ROWS = {
    "json": ("json", "floor", 1.15),
    "table": ("table", "floor+rich", 1.35),
    "help": ("help", "floor", 0.6),
    "version": ("version", "floor", 0.6),
}


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one run of ``command``."""
    start = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"{' '.join(command)} exited {child.returncode}")
    return wall, usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("rows", nargs="*", default=list(ROWS), help=f"rows to run: {', '.join(ROWS)}")
    parser.add_argument("--repeat", type=int, default=21, help="rounds (default 21)")
    parser.add_argument("--env", nargs="*", default=[], help="NAME=VALUE set for every command")
    args = parser.parse_args(argv)
    exe = convgrad_exe()
    if exe is None:
        return 1
    env = cli_env()
    env.update(item.split("=", 1) for item in args.env)
    rows = {name: ROWS[name] for name in args.rows}
    everything = commands(exe)
    names = sorted({n for a, b, _ in rows.values() for n in (a, b)})
    wall: dict[str, list[float]] = {n: [] for n in names}
    cpu: dict[str, list[float]] = {n: [] for n in names}
    for name in names:  # warm up: bytecode, the page cache
        timed(everything[name], env)
    load = [os.getloadavg()[0]]
    for i in range(args.repeat):
        order = names[i % len(names) :] + names[: i % len(names)]
        for name in order:
            w, c = timed(everything[name], env)
            wall[name].append(w)
            cpu[name].append(c)
    load.append(os.getloadavg()[0])
    print(f"{args.repeat} rounds, load {load[0]:.1f} → {load[1]:.1f}, env {' '.join(args.env) or '-'}")
    print("| row | wall A | wall B | wall A/B | CPU A | CPU B | CPU A/B | target |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for row, (a, b, target) in rows.items():
        wall_ratio = statistics.median(x / y for x, y in zip(wall[a], wall[b]))
        cpu_ratio = statistics.median(x / y for x, y in zip(cpu[a], cpu[b]))
        print(
            f"| {row} vs {b} | {_ms(wall[a])} | {_ms(wall[b])} | {wall_ratio:.2f}× "
            f"| {_ms(cpu[a])} | {_ms(cpu[b])} | {cpu_ratio:.2f}× | ≤ {target}× |"
        )
    return 0


def _ms(times: list[float]) -> str:
    return f"{statistics.median(times) * 1e3:.0f} ms"


if __name__ == "__main__":
    sys.exit(main())
