"""Regenerate the repository's samples/ from the package's built-in samples, the one source.

    python scripts/export_samples.py          # exit 1 and list what differs
    python scripts/export_samples.py --write  # rewrite samples/ (stale files removed)

samples/ is exactly what ``convgrad samples export NAME -o samples`` writes for every
sample: NAME.json as shipped in convgrad_cli/load/data/samples/, and NAME/*.csv for the
operands of at most two axes.  tests/test_samples_sync.py checks that the two agree.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from click.testing import CliRunner

from convgrad_cli.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


def sample_names() -> list[str]:
    """The built-in samples, from ``convgrad samples`` (one name and title per line)."""
    return [line.split()[0] for line in _run("samples").splitlines() if line.strip()]


def export(folder: Path) -> None:
    """Write every sample into ``folder`` with ``convgrad samples export``."""
    for name in sample_names():
        _run("samples", "export", name, "--output", str(folder), "--force")


def files(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder``, by its path relative to it."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()
    }


def differences(folder: Path = SAMPLES) -> list[str]:
    """What differs between ``folder`` and a fresh export: 'missing X', 'extra X', 'changed X'."""
    with tempfile.TemporaryDirectory() as fresh:
        export(Path(fresh))
        want, have = files(Path(fresh)), files(folder) if folder.exists() else {}
    return sorted(
        [f"missing {p}" for p in want.keys() - have.keys()]
        + [f"extra {p}" for p in have.keys() - want.keys()]
        + [f"changed {p}" for p in want.keys() & have.keys() if want[p] != have[p]]
    )


def _run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), prog_name="convgrad")
    if result.exit_code != 0:
        raise RuntimeError(f"convgrad {' '.join(args)} failed:\n{result.output}") from result.exception
    return result.stdout


if __name__ == "__main__":
    if "--write" in sys.argv[1:]:
        shutil.rmtree(SAMPLES, ignore_errors=True)
        export(SAMPLES)
    elif found := differences():
        print("samples/ differs from the built-in samples: " + ", ".join(found))
        print("run: python scripts/export_samples.py --write")
        sys.exit(1)
