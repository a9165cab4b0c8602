"""A class folder holding more than answer files: symlink loops are reported, FIFOs and folders skipped.

One odd entry must neither stop the class (a loop once aborted it with exit 101) nor hang it
(opening a FIFO named ``x.json`` waits for a writer forever) — for ``check`` and ``verify`` alike.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from convgrad_cli.cli.main import main
from convgrad_cli.grading.verdicts import answer_files
from convgrad_cli.grading.verify import CONVENTIONS, verify_folder
from convgrad_cli.grading.verify.run import python_files

PAGE = {
    "input": [[1, 2, 0], [3, -1, 2], [0, 1, 4]],
    "filter": [[2, -1], [0, 1]],
    "grad_output": [[1, 2], [-1, 3]],
}
RIGHT_FILTER = [[4, 4], [6, 4]]  # ∂L/∂W of PAGE

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs and symlinks as on POSIX")


def _odd_entries(folder: Path, suffix: str) -> None:
    """A symlink loop (a → b → a), a FIFO and a folder, all named like answers."""
    (folder / f"loop_a{suffix}").symlink_to(folder / f"loop_b{suffix}")
    (folder / f"loop_b{suffix}").symlink_to(folder / f"loop_a{suffix}")
    os.mkfifo(folder / f"pipe{suffix}")
    (folder / f"sub{suffix}").mkdir()


@pytest.fixture
def klass(tmp_path: Path) -> Path:
    (tmp_path / "hw.json").write_text(json.dumps(PAGE))
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "alice.json").write_text(json.dumps({"grad_filter": RIGHT_FILTER}))
    _odd_entries(folder, ".json")
    return folder


def _check(folder: Path, *more: str) -> Result:
    args = ["check", "--problem", str(folder.parent / "hw.json"), "--answer", str(folder), "--no-progress"]
    return CliRunner().invoke(main, [*args, *more])


def test_the_listing_skips_what_is_not_a_file_and_keeps_loops(klass: Path) -> None:
    skipped: list[tuple[str, str]] = []
    files = answer_files(klass, [], lambda path, kind: skipped.append((path.name, kind)))
    assert [p.name for p in files] == ["alice.json", "loop_a.json", "loop_b.json"]
    assert skipped == [("pipe.json", "a FIFO (named pipe)"), ("sub.json", "a folder")]


def test_a_symlink_loop_is_reported_and_the_rest_is_graded(klass: Path) -> None:
    result = _check(klass, "-f", "json")
    assert result.exit_code == 2  # an unreadable entry is bad input, after everything else is graded
    doc = json.loads(result.stdout)
    assert [Path(f["answer"]).name for f in doc["files"]] == ["alice.json", "loop_a.json", "loop_b.json"]
    assert doc["summary"]["answers"] == 3 and doc["summary"]["unreadable"] == 2
    assert f"convgrad: error: {klass / 'loop_a.json'}: cannot be read (" in result.stderr


def test_a_fifo_and_a_folder_are_skipped_with_a_line_each(klass: Path) -> None:
    result = _check(klass, "-f", "json")  # it returns at all: the FIFO is never opened
    assert (
        f"convgrad: skipping {klass / 'pipe.json'}: a FIFO (named pipe), not a regular file\n"
        in result.stderr
    )
    assert f"convgrad: skipping {klass / 'sub.json'}: a folder, not a regular file\n" in result.stderr
    assert "pipe.json" not in result.stdout and "sub.json" not in result.stdout


def test_only_fifos_is_a_folder_with_no_answers(tmp_path: Path) -> None:
    (tmp_path / "hw.json").write_text(json.dumps(PAGE))
    folder = tmp_path / "class"
    folder.mkdir()
    os.mkfifo(folder / "a.json")
    result = _check(folder)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "convgrad: error: --answer: the folder holds no .json answer files; put one JSON answer per student in it"
    )


def test_verify_skips_a_fifo_with_a_line_and_reports_a_loop(tmp_path: Path) -> None:
    _odd_entries(tmp_path, ".py")
    skipped: list[str] = []
    assert [p.name for p in python_files(tmp_path, lambda p, _kind: skipped.append(p.name))] == [
        "loop_a.py",
        "loop_b.py",
    ]
    assert skipped == ["pipe.py", "sub.py"]
    results = verify_folder(tmp_path, CONVENTIONS["torch"])
    assert [(Path(r.file).name, r.error) for r in results] == [
        (name, f"{tmp_path / name}: is a symlink that leads nowhere (or in a loop); "
               "give FILE.py[:FUNCTION] or a folder of .py files")
        for name in ("loop_a.py", "loop_b.py")
    ]  # fmt: skip
    result = CliRunner().invoke(main, ["verify", str(tmp_path), "--no-progress", "-f", "json"])
    assert result.exit_code == 1
    assert (
        f"convgrad: skipping {tmp_path / 'pipe.py'}: a FIFO (named pipe), not a regular file\n"
        in result.stderr
    )
