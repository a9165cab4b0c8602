"""``load/atomic.py``: which targets are replaced, written directly or refused, and what an interruption leaves.

Every node is made here, in ``tmp_path``: a FIFO with a reader thread, a socket bound with
``socket.bind``, a character device with ``mknod`` (skipped where that is not permitted).
"""

from __future__ import annotations

import errno
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fifo_reader import reading

from convgrad_cli.errors import InputError
from convgrad_cli.load import atomic
from convgrad_cli.load.atomic import output_target, write_atomic

posix = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs, sockets and signals as on POSIX")


def _refusal(path: str, inputs: tuple[str, ...] = ()) -> str:
    with pytest.raises(InputError) as caught:
        write_atomic(path, "new", inputs)
    return str(caught.value)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# ---------------------------------------------------------------- regular files: replaced atomically


def test_a_new_and_an_existing_file_are_replaced_and_nothing_is_left_behind(tmp_path: Path) -> None:
    write_atomic(str(tmp_path / "new.json"), "fresh")
    (tmp_path / "old.json").write_text("old")
    write_atomic(str(tmp_path / "old.json"), ["a", "b"])
    assert (tmp_path / "new.json").read_text() == "fresh" and (tmp_path / "old.json").read_text() == "ab"
    assert _leftovers(tmp_path) == []


def test_a_250_character_name_works_the_temporary_name_is_short(tmp_path: Path) -> None:
    name = "a" * 250
    try:
        (tmp_path / name).write_text("old")
    except OSError as error:
        if error.errno == errno.ENAMETOOLONG:
            pytest.skip("this file system does not allow 250-character names")
        raise
    seen: list[str] = []
    real_replace = os.replace

    def spy(source: str, target: object) -> None:
        seen.append(Path(source).name)
        real_replace(source, target)  # type: ignore[arg-type]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(atomic.os, "replace", spy)
        write_atomic(str(tmp_path / name), "new")
    assert (tmp_path / name).read_text() == "new"
    assert len(seen[0]) <= 16 and seen[0].startswith(".cg-") and seen[0].endswith(".tmp")


def test_a_symlink_is_followed_and_a_symlink_into_a_missing_folder_names_that_folder(tmp_path: Path) -> None:
    (tmp_path / "real.txt").write_text("old")
    (tmp_path / "link.txt").symlink_to(tmp_path / "real.txt")
    write_atomic(str(tmp_path / "link.txt"), "new")
    assert (tmp_path / "link.txt").is_symlink() and (tmp_path / "real.txt").read_text() == "new"
    (tmp_path / "dangling").symlink_to(tmp_path / "gone" / "out.json")
    assert _refusal(str(tmp_path / "dangling")) == (
        f"--output: folder {tmp_path / 'gone'} does not exist ({tmp_path / 'dangling'} is a symlink into it); "
        "create it or choose another path"
    )


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("", "--output: '' is not a usable file name; give a file name, e.g. result.json"),
        ("  ", "--output: '  ' is not a usable file name; give a file name, e.g. result.json"),
        ("sub/", "--output: sub/ is a folder; give a file name, e.g. result.json"),
        ("sub", "--output: sub is a folder; give a file name, e.g. result.json"),
        ("new/", "--output: new/ ends with a slash, so it names a folder; give a file name, e.g. result.json"),
        ("f.txt/x", "--output: f.txt/x has a file where a folder belongs in its path; give a file name you can write to"),
        ("loop", "--output: loop is a symlink loop; give a file name you can write to"),
    ],
)  # fmt: skip
def test_what_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path: str, message: str) -> None:
    monkeypatch.chdir(tmp_path)
    Path("sub").mkdir()
    Path("f.txt").write_text("x")
    Path("loop").symlink_to("loop2")
    Path("loop2").symlink_to("loop")
    assert _refusal(path) == message
    assert not Path("new").exists() and _leftovers(tmp_path) == []


def test_an_input_is_never_replaced_even_through_a_hard_link(tmp_path: Path) -> None:
    (tmp_path / "x.csv").write_text("1,2")
    os.link(tmp_path / "x.csv", tmp_path / "hard.csv")
    message = _refusal(str(tmp_path / "hard.csv"), (str(tmp_path / "x.csv"), "<inline>"))
    assert message.endswith("hard.csv is one of this command's inputs; write to a different file")
    assert (tmp_path / "x.csv").read_text() == "1,2"


# ---------------------------------------------------------------- what is not a regular file: written directly


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[tuple[Path, list[bytes], threading.Thread]]:
    """A FIFO and a thread reading it to the end; the bytes read land in the list."""
    path = tmp_path / "pipe"
    os.mkfifo(path)
    reader, received = reading(path)
    yield path, received, reader
    if reader.is_alive():  # the test failed before writing: open the FIFO once so the reader ends
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
        reader.join(timeout=10)


@posix
def test_a_fifo_is_written_into_not_replaced(fifo: tuple[Path, list[bytes], threading.Thread]) -> None:
    path, received, reader = fifo
    assert output_target(str(path)).how == "open"
    write_atomic(str(path), ["{", "}"])  # returns once the reader has it: the FIFO, not a file in its place
    reader.join(timeout=10)
    assert path.is_fifo() and received == [b"{}"]


@posix
def test_a_socket_is_sent_the_text(tmp_path: Path) -> None:
    path = tmp_path / "s.sock"
    if len(str(path)) > 100:
        pytest.skip("the temporary folder's path is too long for an AF_UNIX address")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(1)
    received: list[bytes] = []

    def serve() -> None:
        connection, _ = server.accept()
        with connection:
            chunks = []
            while chunk := connection.recv(65536):
                chunks.append(chunk)
            received.append(b"".join(chunks))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    write_atomic(str(path), "hello ∂")
    thread.join(timeout=10)
    server.close()
    assert received == ["hello ∂".encode()] and path.is_socket()


@pytest.fixture
def char_device(tmp_path: Path) -> Path:
    """A node of /dev/null's kind (c 1 3), made here."""
    path = tmp_path / "mynull"
    try:
        os.mknod(path, 0o666 | 0o020000, os.makedev(1, 3))
    except (PermissionError, AttributeError, OSError):
        pytest.skip("mknod is not permitted here")
    return path


def test_a_character_device_is_written_into_not_replaced(char_device: Path) -> None:
    before = char_device.stat()
    write_atomic(str(char_device), "discarded")
    after = char_device.stat()
    assert char_device.is_char_device() and (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)
    assert _leftovers(char_device.parent) == []


def test_a_block_device_is_refused_before_it_is_opened(tmp_path: Path) -> None:
    path = tmp_path / "disk"
    try:
        os.mknod(
            path, 0o600 | 0o060000, os.makedev(7, 200)
        )  # a loop-device node: only looked at, never opened
    except (PermissionError, AttributeError, OSError):
        pytest.skip("mknod is not permitted here")
    with pytest.raises(InputError) as caught:
        output_target(str(path))
    assert (
        str(caught.value)
        == f"--output: {path} is a block device, not a file; give a file name, e.g. result.json"
    )


def test_dev_null_is_written_into() -> None:
    if not Path("/dev/null").is_char_device():
        pytest.skip("no /dev/null")
    assert output_target("/dev/null").how in ("open", "fd")
    write_atomic("/dev/null", "x")
    assert Path("/dev/null").is_char_device()


# ---------------------------------------------------------------- interruptions


def test_ctrl_c_after_the_rename_counts_the_file_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_replace = os.replace

    def replaced_then_interrupted(source: str, target: object) -> None:
        real_replace(source, target)  # type: ignore[arg-type]
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic.os, "replace", replaced_then_interrupted)
    monkeypatch.setattr(atomic, "WRITTEN", [])
    with pytest.raises(KeyboardInterrupt):
        write_atomic(str(tmp_path / "out.json"), "whole")
    written = list(atomic.WRITTEN)
    assert (tmp_path / "out.json").read_text() == "whole" and written == [str(tmp_path / "out.json")]
    assert _leftovers(tmp_path) == []


_SLOW_WRITER = """
import sys, time
from pathlib import Path
from convgrad_cli.load.atomic import write_atomic

def pieces():
    yield "partial"
    Path(sys.argv[2]).write_text("ready")  # the temporary file exists now
    time.sleep(60)
    yield "never"

write_atomic(sys.argv[1], pieces())
"""


@posix
@pytest.mark.parametrize("name", ["SIGTERM", "SIGHUP"])
def test_a_signal_during_the_write_removes_the_temporary_and_keeps_the_old_file(
    tmp_path: Path, name: str
) -> None:
    target, ready = tmp_path / "out.json", tmp_path / "ready"
    target.write_text("precious")
    process = subprocess.Popen([sys.executable, "-c", _SLOW_WRITER, str(target), str(ready)])
    try:
        for _ in range(600):
            if ready.exists() or process.poll() is not None:
                break
            time.sleep(0.05)
        assert ready.exists(), "the writer never started"
        assert len(_leftovers(tmp_path)) == 1  # the temporary file, mid-write
        number = getattr(signal, name)
        process.send_signal(number)
        assert process.wait(timeout=30) == -number  # ended by that signal, as without convgrad's cleanup
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert target.read_text() == "precious"
    assert _leftovers(tmp_path) == []


@posix
def test_handlers_are_restored_after_a_write(tmp_path: Path) -> None:
    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGHUP)
    write_atomic(str(tmp_path / "a.txt"), "x")
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGHUP)) == before
