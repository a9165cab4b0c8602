"""What each run leaves unimported: every module is part of a millisecond of every start.

The JSON path never needs Rich (``tests/test_fast_paths.py`` checks that); these are the
smaller modules only some runs need: the table view's fallbacks when a block is too wide,
the LaTeX view, writing files, the BOM-stripping codec, pathlib (with urllib.parse and
ipaddress behind it, ~3 ms), the rlimit query of a memory check small problems skip.
"""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    ("args", "absent"),
    [
        (
            ["compute", "--format", "json"],
            ["encodings.utf_8_sig", "convgrad_cli.output", "pathlib", "resource"],
        ),
        (["compute"], ["rich.columns", "convgrad_cli.render.latex", "convgrad_cli.output"]),
    ],
)
def test_a_run_imports_only_what_it_uses(args: list[str], absent: list[str]) -> None:
    # What the interpreter loads before convgrad runs (an editable install's finder loads
    # pathlib from a .pth file) is not the run's doing.
    started = subprocess.run(
        [sys.executable, "-c", "import sys; print(' '.join(sys.modules))"], capture_output=True, text=True
    ).stdout.split()
    absent = [m for m in absent if m not in started]
    code = (
        "import sys; from convgrad_cli.cli import main\n"
        f"try:\n    main({args!r}, prog_name='convgrad')\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in {absent!r} if m in sys.modules), file=sys.stderr)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stderr.strip().splitlines()[-1] == "[]", run.stderr
