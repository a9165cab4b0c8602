"""Output targets of -o, --export-svg, --export-html and check's --report, through the CLI.

Only a regular file is replaced (atomically); a device, FIFO or socket is written into; a
folder, an input, or the file stdin comes from is refused with one line and exit 2.  The fuzz
test at the end draws targets of every kind and checks those rules hold whatever the mix.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from fifo_reader import reading
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convgrad_cli.cli.main import main

CONVGRAD = [sys.executable, "-m", "convgrad_cli"]
OPERANDS = ["-x", "x.csv", "-w", "[[1]]", "-g", "[[1,1],[1,1]]"]
posix = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs and device nodes as on POSIX")


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.csv").write_text("1,2\n3,4\n")
    return tmp_path


def _json_text() -> str:
    result = invoke("compute", *OPERANDS, "-f", "json")
    assert result.exit_code == 0
    return result.stdout


def _unblock(path: Path, thread: threading.Thread) -> None:
    """A reader still waiting for a writer (the write was refused) is let go."""
    while thread.is_alive():
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
        except OSError as error:  # ENXIO: the reader has not opened the FIFO yet
            if error.errno != errno.ENXIO:
                raise
            time.sleep(0.01)
            continue
        thread.join(timeout=10)


def _mknull(path: Path) -> bool:
    """A character device like /dev/null (c 1 3) at ``path``; False where mknod is not permitted."""
    try:
        os.mknod(path, 0o666 | 0o020000, os.makedev(1, 3))
    except (PermissionError, AttributeError, OSError):
        return False
    return True


# ---------------------------------------------------------------- the reproductions


def test_dev_stdout_in_a_pipe_works(folder: Path) -> None:
    done = subprocess.run(
        [*CONVGRAD, "compute", *OPERANDS, "-f", "json", "-o", "/dev/stdout"], capture_output=True, timeout=120
    )
    assert (done.returncode, done.stderr) == (0, b"")
    assert done.stdout.decode() == _json_text()


@posix
def test_a_device_node_stays_a_device(folder: Path) -> None:
    if not _mknull(folder / "mynull"):
        pytest.skip("mknod is not permitted here")
    result = invoke("compute", *OPERANDS, "-f", "json", "-o", "mynull")
    assert result.exit_code == 0, result.stderr
    assert (folder / "mynull").is_char_device()
    assert sorted(p.name for p in folder.iterdir()) == ["mynull", "x.csv"]


@posix
def test_a_fifo_gets_the_text_and_stays_a_fifo(folder: Path) -> None:
    os.mkfifo(folder / "f")
    thread, received = reading(folder / "f")
    result = invoke("compute", *OPERANDS, "-f", "json", "-o", "f")
    thread.join(timeout=10)
    assert result.exit_code == 0, result.stderr
    assert (folder / "f").is_fifo() and received == [_json_text().encode()]


def test_the_file_stdin_comes_from_is_refused(folder: Path) -> None:
    with open(folder / "x.csv", "rb") as stdin:
        done = subprocess.run(
            [*CONVGRAD, "compute", "-x", "-", "-w", "[[1]]", "-f", "json", "-o", "x.csv"],
            stdin=stdin, capture_output=True, timeout=120,
        )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.decode().splitlines()[-1] == (
        "convgrad: error: --output: x.csv is standard input (-); write to a different file"
    )
    assert (folder / "x.csv").read_text() == "1,2\n3,4\n"


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("", "--output: '' is not a usable file name; give a file name, e.g. result.json"),
        (
            "name/",
            "--output: name/ ends with a slash, so it names a folder; give a file name, e.g. result.json",
        ),
    ],
)
def test_an_empty_name_and_a_folder_name_are_errors(folder: Path, target: str, message: str) -> None:
    result = invoke("compute", *OPERANDS, "-f", "json", "-o", target)
    assert (result.exit_code, result.stderr.splitlines()[-1]) == (2, f"convgrad: error: {message}")


def test_a_250_character_name_works(folder: Path) -> None:
    name = "r" * 245 + ".json"
    try:
        (folder / name).write_text("")
    except OSError:
        pytest.skip("this file system does not allow 250-character names")
    result = invoke("compute", *OPERANDS, "-f", "json", "-o", name)
    assert result.exit_code == 0, result.stderr
    assert (folder / name).read_text() == _json_text()


def test_a_symlink_into_a_missing_folder_names_that_folder(folder: Path) -> None:
    (folder / "out.json").symlink_to(folder / "missing" / "out.json")
    result = invoke("compute", *OPERANDS, "-f", "json", "-o", "out.json")
    assert result.stderr.splitlines()[-1] == (
        f"convgrad: error: --output: folder {folder / 'missing'} does not exist (out.json is a symlink into it); "
        "create it or choose another path"
    )


@pytest.mark.parametrize("flag", ["--export-svg", "--export-html"])
def test_the_same_rules_for_the_exports(folder: Path, flag: str) -> None:
    (folder / "d").mkdir()
    result = invoke("compute", *OPERANDS, flag, "d")
    assert (result.exit_code, result.stderr.splitlines()[-1]) == (
        2,
        f"convgrad: error: {flag}: d is a folder; give a file name, e.g. result.json",
    )
    assert invoke("compute", *OPERANDS, flag, "x.csv").stderr.splitlines()[-1] == (
        f"convgrad: error: {flag}: x.csv is one of this command's inputs; write to a different file"
    )


@posix
def test_the_same_rules_for_checks_report(folder: Path) -> None:
    os.mkfifo(folder / "r")
    thread, received = reading(folder / "r")
    result = invoke("check", "--sample", "page", "--grad-bias", "4", "-f", "json", "--report", "r")
    thread.join(timeout=10)
    assert result.exit_code in (0, 1), result.stderr
    assert (folder / "r").is_fifo() and json.loads(received[0])["schema"].startswith("convgrad/")
    (folder / "d").mkdir()
    result = invoke("check", "--sample", "page", "--grad-bias", "4", "--report", "d")
    assert result.stderr.splitlines()[-1] == (
        "convgrad: error: --report: d is a folder; give a file name, e.g. result.json"
    )


def test_ctrl_c_after_the_rename_says_the_file_was_written(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from convgrad_cli.load import atomic

    real_replace = os.replace

    def replaced_then_interrupted(source: str, target: str) -> None:
        real_replace(source, target)
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic.os, "replace", replaced_then_interrupted)
    result = invoke("compute", *OPERANDS, "-f", "json", "-o", "out.json")
    assert (result.exit_code, result.stderr) == (
        130,
        "convgrad: interrupted after out.json was written in full\n",
    )
    assert (folder / "out.json").read_text() == _json_text()


# ---------------------------------------------------------------- the fuzz: every kind of target

KINDS = ["new", "regular", "symlink", "dangling", "fifo", "device", "folder", "missing", "input", "slash"]
FLAGS = ["-o", "--export-svg", "--export-html"]


def _make(kind: str, root: Path, name: str) -> tuple[str, Callable[[], None]]:
    """A target of ``kind`` under ``root``: the path to give, and a cleanup to run afterwards."""
    path = root / name
    nothing: Callable[[], None] = lambda: None  # noqa: E731
    if kind == "regular":
        path.write_text("old")
    elif kind == "symlink":
        (root / f"real-{name}").write_text("old")
        path.symlink_to(root / f"real-{name}")
    elif kind == "dangling":
        path.symlink_to(root / "nowhere" / name)
    elif kind == "fifo":
        os.mkfifo(path)
        thread, _ = reading(path)
        return str(path), lambda: _unblock(path, thread)
    elif kind == "device" and not _mknull(path):
        return "/dev/null", nothing
    elif kind == "folder":
        path.mkdir()
    elif kind == "missing":
        return str(root / "no" / "such" / name), nothing
    elif kind == "input":
        return str(root / "x.csv"), nothing
    elif kind == "slash":
        return str(path) + "/", nothing
    return str(path), nothing


@posix
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.sampled_from(FLAGS), st.sampled_from(KINDS)),
        min_size=1,
        max_size=3,
        unique_by=lambda t: t[0],
    )
)
def test_fuzz_output_targets(targets: list[tuple[str, str]]) -> None:  # fmt: skip
    with tempfile.TemporaryDirectory() as name:
        root = Path(name)
        (root / "x.csv").write_text("1,2\n3,4\n")
        args, cleanups = [], []
        for i, (flag, kind) in enumerate(targets):
            path, cleanup = _make(kind, root, f"t{i}")
            args += [flag, path]
            cleanups.append(cleanup)
        try:
            result = CliRunner().invoke(
                main, ["compute", "-x", str(root / "x.csv"), "-w", "[[1]]", "-f", "json", *args]
            )
        finally:
            for cleanup in cleanups:
                cleanup()
        assert result.exit_code in (0, 2), result.stderr  # never 101
        if result.exit_code == 2:
            last = result.stderr.splitlines()[-1]
            assert last.startswith(("convgrad: error: -", "convgrad: error: --")), last
        refused = {"folder", "missing", "input", "slash", "dangling"}
        if not refused & {kind for _, kind in targets}:
            assert result.exit_code == 0, result.stderr
        assert (root / "x.csv").read_text() == "1,2\n3,4\n"  # an input is never replaced
        assert not [p.name for p in root.iterdir() if p.name.endswith(".tmp")]  # no temporary left behind
        for i, (_, kind) in enumerate(targets):
            made = root / f"t{i}"
            if kind == "fifo":
                assert made.is_fifo()
            if kind == "device" and made.exists():
                assert made.is_char_device()
            if kind == "folder":
                assert made.is_dir()
            if kind in ("new", "regular", "symlink") and result.exit_code == 0:
                assert made.read_text() not in ("", "old")  # replaced in full, through the link too
