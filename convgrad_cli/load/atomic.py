"""Writing results: stdout, or a file replaced atomically.

A crash or Ctrl-C never leaves half a file (the text goes to a temporary file
in the same folder, then one rename), and convgrad refuses to write over a
file it is reading.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from ..errors import InputError


def write_atomic(
    path: str, text: str | Iterable[str], inputs: Iterable[str] = (), *, flag: str = "--output"
) -> None:
    """Write ``text`` (or its pieces, in turn) to ``path`` via a temporary file in the same folder and a rename.

    A symlink is followed, so the link survives and its target is updated.
    An existing file keeps its permissions; a new one gets the umask's.
    ``flag`` is the option that named ``path``, for error messages.
    """
    if "\x00" in path or not path.strip():
        raise InputError(flag, f"{path!r} is not a usable file name", "give a file name, e.g. result.json")
    target = Path(os.path.realpath(path))
    if any(_same_file(target, Path(i)) for i in inputs):
        raise InputError(flag, f"{path} is one of this command's inputs", "write to a different file")
    if target.is_dir():
        raise InputError(flag, f"{path} is a folder", "give a file name, e.g. result.json")
    if target.exists() and not os.access(target, os.W_OK):
        raise InputError(flag, f"{path} is read-only", "write to a different file, or make it writable")
    folder = target.parent
    if not folder.is_dir():
        raise InputError(
            flag, f"folder {Path(path).parent} does not exist", "create it or choose another path"
        )
    try:
        _replace(target, text)
    except OSError as error:
        raise InputError(
            flag,
            f"cannot write {path} ({error.strerror})",
            "check the folder's permissions and free space",
        ) from None


def _replace(target: Path, text: str | Iterable[str]) -> None:
    import tempfile  # here, not at the top: few runs write files

    mode = _mode_for(target)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.writelines([text] if isinstance(text, str) else text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:  # Ctrl-C included: never leave the temporary file behind
        Path(temporary).unlink(missing_ok=True)
        raise


def _mode_for(target: Path) -> int:
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and a.samefile(b)
    except OSError:
        return False
