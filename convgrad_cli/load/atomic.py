"""Writing results: stdout, or a file replaced atomically.

Only a regular file — new, or existing, also through symlinks — is replaced, and atomically:
the text goes to a short-named temporary file in the same folder, then one rename, so a crash,
Ctrl-C, SIGTERM or SIGHUP never leaves half a file or a stray temporary behind.  What is not a
regular file is never replaced: a character device or FIFO (``/dev/null``, ``/dev/stdout`` in a
pipe, a named pipe) and a socket are written to directly, as a shell's ``>`` would; a folder, a
block device, and a file this command reads (stdin's too) are refused.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError

STDIN_NAMES = ("-", "<stdin>")  # how an input read from standard input is named
# Files replaced in full by this process: a Ctrl-C that lands after the rename must not
# read as if nothing was written (the CLI names them).
WRITTEN: list[str] = []


@dataclass(frozen=True)
class Target:
    """Where a write goes: ``how`` is ``replace`` (a regular file), ``open`` (a device or FIFO),
    ``socket``, or ``fd`` (the file is this process's stdout or stderr: written through it)."""

    path: str
    how: str
    fd: int = -1


def write_atomic(
    path: str, text: str | Iterable[str], inputs: Iterable[str] = (), *, flag: str = "--output"
) -> None:
    """Write ``text`` (or its pieces, in turn) to ``path``: a regular file is replaced atomically.

    A symlink is followed, so the link survives and its target is updated.
    An existing file keeps its permissions; a new one gets the umask's.
    ``flag`` is the option that named ``path``, for error messages.
    """
    target = output_target(path, inputs, flag)
    pieces = [text] if isinstance(text, str) else text
    try:
        if target.how == "replace":
            _replace(Path(target.path), pieces, path)
        elif target.how == "fd":
            _write_fd(target.fd, pieces)
        elif target.how == "socket":
            _write_socket(target.path, pieces)
        else:
            with open(target.path, "w", encoding="utf-8") as stream:
                stream.writelines(pieces)
    except BrokenPipeError:
        if target.how == "fd":
            raise  # stdout's reader went away (head, jq -e …): the CLI exits quietly
        raise _cannot_write(path, flag, "its reader went away") from None
    except OSError as error:
        raise _cannot_write(path, flag, error.strerror or str(error)) from None


def output_target(path: str, inputs: Iterable[str] = (), flag: str = "--output") -> Target:
    """Check ``path`` as an output and say how to write it; an :class:`InputError` if it must not be."""
    if "\x00" in path or not path.strip():
        raise InputError(flag, f"{path!r} is not a usable file name", "give a file name, e.g. result.json")
    if path.endswith(("/", os.sep)) or (os.altsep and path.endswith(os.altsep)):
        what = "is a folder" if os.path.isdir(path) else "ends with a slash, so it names a folder"
        raise InputError(flag, f"{path} {what}", "give a file name, e.g. result.json")
    status = _stat(path, flag)
    if status is None:
        return Target(_new_file(path, flag), "replace")
    mode = status.st_mode
    if stat.S_ISDIR(mode):
        raise InputError(flag, f"{path} is a folder", "give a file name, e.g. result.json")
    own = _own_stream(status)
    if own is not None:  # -o /dev/stdout, or the very file stdout is redirected to
        return Target(path, "fd", own)
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return Target(path, "open")
    if stat.S_ISSOCK(mode):
        return Target(path, "socket")
    if not stat.S_ISREG(mode):
        raise InputError(flag, f"{path} is {kind_of(mode)}, not a file", "give a file name, e.g. result.json")
    _not_an_input(path, status, list(inputs), flag)
    if not os.access(path, os.W_OK):
        raise InputError(flag, f"{path} is read-only", "write to a different file, or make it writable")
    return Target(os.path.realpath(path), "replace")


def kind_of(mode: int) -> str:
    """What a file system entry is, in words: ``a FIFO``, ``a folder``, ``a regular file``…"""
    kinds = (
        (stat.S_ISREG, "a regular file"),
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((words for test, words in kinds if test(mode)), "a special file")


def _stat(path: str, flag: str) -> os.stat_result | None:
    """The status of what ``path`` names (links followed); None when nothing is there yet."""
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as error:
        problem = {
            errno.ELOOP: "is a symlink loop",
            errno.ENOTDIR: "has a file where a folder belongs in its path",
            errno.ENAMETOOLONG: "is a longer name than the file system allows",
        }.get(error.errno or 0, f"cannot be looked up ({error.strerror})")
        raise InputError(flag, f"{path} {problem}", "give a file name you can write to") from None


def _new_file(path: str, flag: str) -> str:
    """The real path a new file gets; its folder must exist (named where a symlink points, not ".")."""
    real = os.path.realpath(path)
    folder = os.path.dirname(real)
    if not os.path.isdir(folder):
        shown = folder if os.path.islink(path) else str(Path(path).parent)
        through = f" ({path} is a symlink into it)" if os.path.islink(path) else ""
        raise InputError(flag, f"folder {shown} does not exist{through}", "create it or choose another path")
    return real


def _own_stream(status: os.stat_result) -> int | None:
    """1 or 2 when ``status`` is the file behind this process's stdout or stderr."""
    for fd in (1, 2):
        try:
            mine = os.fstat(fd)
        except OSError:
            continue
        if (mine.st_dev, mine.st_ino) == (status.st_dev, status.st_ino):
            return fd
    return None


def _not_an_input(path: str, status: os.stat_result, inputs: list[str], flag: str) -> None:
    """Refuse to replace a file this command reads: one given by name, or the one stdin comes from."""
    same = (status.st_dev, status.st_ino)
    for name in inputs:
        try:
            other = os.fstat(0) if name in STDIN_NAMES else os.stat(name)
        except (OSError, ValueError):
            continue  # inline text, or a name no file has
        if (other.st_dev, other.st_ino) == same:
            what = "standard input (-)" if name in STDIN_NAMES else "one of this command's inputs"
            raise InputError(flag, f"{path} is {what}", "write to a different file")


def _cannot_write(path: str, flag: str, why: str) -> InputError:
    return InputError(flag, f"cannot write {path} ({why})", "check the folder's permissions and free space")


def _replace(target: Path, pieces: Iterable[str], shown: str) -> None:
    import tempfile  # here, not at the top: few runs write files

    mode = _mode_for(target)
    temporary, made = "", None
    with _signals_raise():
        try:
            # A short fixed-length name: a 250-character target name must not make it too long.
            handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".cg-", suffix=".tmp")
            made = os.fstat(handle)
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.writelines(pieces)
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(temporary, mode)
            os.replace(temporary, target)
            WRITTEN.append(shown)
        except BaseException:  # Ctrl-C, SIGTERM and SIGHUP included: never leave the temporary behind
            if temporary:
                Path(temporary).unlink(missing_ok=True)
            if made is not None and _is(target, made) and shown not in WRITTEN:  # renamed, then interrupted
                WRITTEN.append(shown)
            raise


class Signalled(BaseException):
    """SIGTERM or SIGHUP arrived during a write: unwinds like Ctrl-C, then the signal is delivered again."""

    def __init__(self, number: int) -> None:
        super().__init__(number)
        self.number = number


@contextmanager
def _signals_raise() -> Iterator[None]:
    """SIGTERM and SIGHUP raise :class:`Signalled` inside the block, so cleanups run; after it, the
    signal's own disposition (the default ends the process with that signal) applies again."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set handlers; its own handler stays in charge
        return

    def handler(number: int, _frame: Any) -> None:
        raise Signalled(number)

    previous: dict[int, Any] = {}
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is None:
            continue  # Windows has no SIGHUP
        old = signal.getsignal(number)
        if old is signal.SIG_IGN or old is None:
            continue  # ignored (nohup) or set outside Python: leave it as it is
        previous[number] = old
        signal.signal(number, handler)
    try:
        yield
    except Signalled as caught:
        for number, old in previous.items():
            signal.signal(number, old)
        previous.clear()
        signal.raise_signal(caught.number)  # the default ends the process here, with that signal
        raise
    finally:
        for number, old in previous.items():
            signal.signal(number, old)


def _write_fd(fd: int, pieces: Iterable[str]) -> None:
    import sys

    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            stream.flush()  # what Python already holds for this descriptor goes first
    with os.fdopen(os.dup(fd), "w", encoding="utf-8") as stream:
        stream.writelines(pieces)


def _write_socket(path: str, pieces: Iterable[str]) -> None:
    import socket

    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.connect(path)
        for piece in pieces:
            connection.sendall(piece.encode("utf-8"))


def _mode_for(target: Path) -> int:
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _is(path: Path, status: os.stat_result) -> bool:
    try:
        now = path.stat()
    except OSError:
        return False
    return (now.st_dev, now.st_ino) == (status.st_dev, status.st_ino)
