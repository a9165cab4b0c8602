"""Writing results: stdout, or a file replaced atomically.

A crash or Ctrl-C never leaves half a file, and convgrad refuses to write over
a file it is reading.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from .errors import InputError


def write_atomic(path: str, text: str, inputs: Iterable[str] = ()) -> None:
    """Write ``text`` to ``path`` via a temporary file in the same folder and a rename."""
    target = Path(path)
    if any(_same_file(target, Path(i)) for i in inputs):
        raise InputError("--output", f"{path} is one of this command's inputs", "write to a different file")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise InputError("--output", f"folder {folder} does not exist", "create it or choose another path")
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and a.samefile(b)
    except OSError:
        return False
