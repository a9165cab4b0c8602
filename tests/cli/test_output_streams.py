"""stdout closed, full or gone, a nonsense COLUMNS, progress into a log: one line and exit 2, or quiet — never a traceback."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from convgrad_cli.cli.main import main

CONVGRAD = shlex.join([sys.executable, "-m", "convgrad_cli"])
FULL = "convgrad: error: stdout: cannot write (No space left on device); write to a file with -o\n"
SAMPLE_NOTE = "convgrad: using the built-in sample page (give -x/-w or --problem for your own)\n"
needs_dev_full = pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")


def shell(command: str) -> subprocess.CompletedProcess[str]:
    """``convgrad ARGS`` and redirections, as a user types them into sh."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "NO_COLOR", "FORCE_COLOR")}
    return subprocess.run(["sh", "-c", command.replace("convgrad", CONVGRAD)], capture_output=True, text=True,
                          env=env, check=False, timeout=120)  # fmt: skip


@needs_dev_full
@pytest.mark.parametrize(
    "args", ["compute -f json", "compute", "explain -f markdown", "--help", "--version", "compute --help",
             "samples show --help"]
)  # fmt: skip
def test_a_full_stdout_is_one_line_and_exit_2(args: str) -> None:
    done = shell(f"convgrad {args} > /dev/full")
    assert done.returncode == 2, done.stderr
    assert done.stderr.endswith(FULL) and "Traceback" not in done.stderr


def test_a_closed_stdout_is_one_line_and_exit_2() -> None:
    done = shell("convgrad compute -f json >&-")
    assert (done.returncode, done.stderr) == (
        2,
        SAMPLE_NOTE + "convgrad: error: stdout: is closed; write to a file with -o, or leave stdout open\n",
    )


@pytest.mark.parametrize("args", ["--help", "--version"])
def test_help_and_version_into_a_closed_stdout_are_quiet(args: str) -> None:
    done = shell(f"convgrad {args} >&-")
    assert (done.returncode, done.stderr) == (0, "")


@pytest.mark.parametrize("args", ["--version", "--help", "compute", "compute -f json"])
def test_a_reader_that_goes_away_is_not_an_error(args: str) -> None:
    # `true` reads nothing and exits: the write meets a closed pipe (or just fits in its buffer).
    done = shell(f"convgrad {args} | true; echo $? >&2")
    assert done.stderr.splitlines()[-1] == "0"
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr


def test_version_is_the_package_metadata_one() -> None:
    from importlib.metadata import version

    done = shell("convgrad --version")
    assert (done.returncode, done.stdout) == (0, f"convgrad {version('convgrad')}\n")


# ---------------------------------------------------------------- COLUMNS


@pytest.mark.parametrize(("columns", "like"), [("0", None), ("000", None), ("abc", None), ("-5", None),
                                               ("10000000", "1000"), ("5", "20"), ("120", "120")])  # fmt: skip
def test_columns_is_clamped_like_width(runner: CliRunner, columns: str, like: str | None) -> None:
    # 0 and nonsense count as unset (80 columns when not on a terminal); numbers are clamped to --width's range.
    expected = runner.invoke(main, ["compute"] + (["--width", like] if like else []))
    result = runner.invoke(main, ["compute"], env={"COLUMNS": columns})
    assert result.exit_code == 0 and result.stdout == expected.stdout


def test_check_with_columns_zero_still_reports(runner: CliRunner) -> None:
    result = runner.invoke(main, ["check", "--sample", "page", "--grad-filter", "[[1, 2], [3, 4]]"],
                           env={"COLUMNS": "0"})  # fmt: skip
    assert result.exit_code == 1 and "∂L/∂W" in result.stdout


# ---------------------------------------------------------------- --progress into a log


def test_forced_progress_into_a_log_prints_plain_lines(tmp_path: Path) -> None:
    problem = {"input": [[1, 2, 3], [4, 5, 6], [7, 8, 9]], "filter": [[1, 0], [0, -1]]}
    (tmp_path / "p.json").write_text(json.dumps(problem))
    answers = tmp_path / "class"
    answers.mkdir()
    for name in ("a", "b", "c"):
        (answers / f"{name}.json").write_text('{"output": [[-4, -4], [-4, -4]]}')
    done = shell(f"cd {shlex.quote(str(tmp_path))} && convgrad check --problem p.json --answer class "
                 "-f json --progress 2>progress.log >/dev/null; cat progress.log")  # fmt: skip
    assert done.stdout.splitlines()[-3:] == [f"convgrad: graded {i} of 3" for i in (1, 2, 3)]


@needs_dev_full
@pytest.mark.parametrize(
    "args", ["samples", "samples show page", "samples show page -f json", "check --list-mistakes"]
)
def test_the_other_commands_on_a_full_stdout(args: str) -> None:
    done = shell(f"convgrad {args} > /dev/full")
    assert (done.returncode, done.stderr) == (2, FULL)


@pytest.mark.parametrize(
    "args", ["compute -x - -w '[[1]]'", "compute --problem -", "check --sample page --answer -"]
)
def test_a_closed_stdin_read_as_dash_is_one_line(args: str) -> None:
    done = shell(f"convgrad {args} <&-")
    assert done.returncode == 2
    assert (
        done.stderr.splitlines()[-1]
        == "convgrad: error: -: standard input is not available; give a file path instead"
    )


@pytest.mark.parametrize(
    "args",
    ["compute -f json", "explain -f json", "check --sample page --grad-filter '[[1, 2], [3, 4]]' -f json"],
)
def test_a_closed_stderr_drops_the_notes_and_keeps_stdout_clean(args: str) -> None:
    done = shell(f"convgrad {args} 2>&-")
    assert done.stdout.startswith('{\n  "schema": "convgrad/1"') and "convgrad:" not in done.stdout
