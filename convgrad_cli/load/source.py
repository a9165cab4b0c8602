"""Where an operand's bytes come from — a path, ``-`` (stdin) or inline text — and their decoding.

Every read is bounded, so ``-x /dev/zero`` or a 10 GB file is refused instead of hanging
(no library read takes a limit and names the file in the error).
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, BinaryIO

from ..errors import InputError
from ..exact import parse_number
from .limits import CLIP, MAX_CELLS, MAX_FILE_BYTES, MAX_TEXT_BYTES

if TYPE_CHECKING:
    from pathlib import Path  # only annotated: pathlib stays off the operand reading path

STDIN = "<stdin>"
INLINE = "<inline>"
# Text with a byte-order mark in another Unicode form is read with that form's codec,
# which consumes the mark; anything else is UTF-8, with or without its mark.
_BOM_CODECS = (
    (b"\xff\xfe\x00\x00", "utf-32"),  # before UTF-16 LE, whose mark it starts with
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
# A number as typed, valid or not: NaN, infinities, out-of-range exponents, fractions like 1/0.
_NUMBER_TEXT = r"[+\-−]?(?:nan|inf(?:inity)?|(?:\d[\d_]*\.?\d*|\.\d+)(?:e[+\-−]?\d+)?)"
_ATTEMPTED_NUMBER = re.compile(rf"{_NUMBER_TEXT}(?:\s*/\s*{_NUMBER_TEXT})?", re.IGNORECASE)
INLINE_STARTS = ("[", "array(", "np.array(", "numpy.array(")  # JSON, MATLAB, NumPy's printed forms


@dataclass(frozen=True, slots=True)
class Source:
    """Where an operand comes from: a path, ``-`` (stdin) or inline text."""

    text: str
    inline: bool = field(init=False)

    def __post_init__(self) -> None:
        # Decided once: is_inline may ask the file system, and the answer must not change between uses.
        object.__setattr__(self, "inline", self.text != "-" and is_inline(self.text))

    @property
    def name(self) -> str:
        if self.text == "-":
            return STDIN
        return INLINE if self.inline else self.text

    @property
    def suffix(self) -> str:
        """The file's suffix in lower case (``.csv``); empty for stdin and inline text."""
        return os.path.splitext(self.text)[1].lower() if self.name not in (STDIN, INLINE) else ""


def is_inline(text: str) -> bool:
    """Inline matrices start with ``[`` (or ``array(``); a lone number (a bias) is inline too.

    So is what no file is named and only looks like an attempt at a value — ``nan``, ``1e400``,
    ``1/0``, ``{"a": 1}`` — so that the reader says what is wrong with it, not "no such file".
    """
    stripped = text.strip()
    if stripped.startswith(INLINE_STARTS):
        return True
    try:
        parse_number(stripped)
    except ValueError:
        if not (stripped.startswith("{") or _ATTEMPTED_NUMBER.fullmatch(stripped)):
            return False
    return not os.path.exists(text)  # also False for a name no file can have (too long, a NUL byte)


def read_bytes(source: Source, stdin: BinaryIO | None) -> bytes:
    """The raw bytes behind a source, at most :data:`MAX_FILE_BYTES` of them."""
    if source.text == "-":
        if stdin is None:
            raise InputError("-", "standard input is not available", "give a file path instead")
        return _bounded(stdin, STDIN)
    if source.inline:
        return source.text.encode()
    try:
        with open(source.text, "rb") as stream:
            return _bounded(stream, source.text)
    except InputError:  # a ValueError too, so it must pass before the clause below
        raise
    except FileNotFoundError:
        raise InputError("", "no such file", "check the path", source=source.text) from None
    except IsADirectoryError:
        raise InputError(
            "", "is a folder, not a file", "give a .json, .csv or .npy file", source=source.text
        ) from None
    except OSError as error:
        raise InputError(
            "", f"cannot be read ({error.strerror})", "check the path and permissions", source=source.text
        ) from None
    except ValueError:  # Python refuses the name itself, e.g. one holding a NUL byte
        raise InputError(
            "", "is not a usable file name", "check the path", source=repr(source.text)
        ) from None


def _bounded(stream: BinaryIO, name: str) -> bytes:
    # read(limit + 1), not read(): a device such as /dev/zero never ends.
    data = stream.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise InputError(
            "",
            f"is larger than {MAX_FILE_BYTES // 2**20} MiB",
            f"convgrad reads arrays of at most {MAX_CELLS} cells",
            source=name,
        )
    return data


def decode(data: bytes, field: str) -> str:
    """UTF-8 (BOM allowed) or UTF-16/32 with a BOM, else a clear error."""
    if len(data) > MAX_TEXT_BYTES:
        raise InputError(
            field,
            f"is {len(data) // 2**20} MiB of text; convgrad parses at most {MAX_TEXT_BYTES // 2**20} MiB",
            "save large arrays with numpy.save and give the .npy file",
        )
    codec = next((codec for bom, codec in _BOM_CODECS if data.startswith(bom)), "utf-8-sig")
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as error:
        raise InputError(
            field,
            f"is not {codec.removesuffix('-sig').upper()} text (byte {error.start} cannot be decoded)",
            "give JSON or CSV text (UTF-8), or a .npy file",
        ) from None
    if not text.strip():
        raise InputError(field, "the file is empty", "give a matrix as JSON, CSV or .npy")
    if "\x00" in text:
        raise InputError(
            field,
            f"contains a NUL character at offset {text.index(chr(0))} (UTF-16 without a byte-order mark?)",
            "save the file as UTF-8 text",
        )
    return text


def not_a_file(path: str | os.PathLike[str]) -> str | None:
    """What ``path`` is when it is there but not a regular file (``a FIFO (named pipe)``), else None.

    A folder's listing skips such entries: opening a FIFO waits for a writer forever.  A link
    that leads nowhere (dangling, or a loop) is None too, so reading it reports what is wrong.
    """
    from .atomic import kind_of  # the one wording of file kinds, shared with the output checks

    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return None
    return None if stat.S_ISREG(mode) else kind_of(mode)


def folder_files(
    folder: Path, wanted: Callable[[Path], bool], skipped: Callable[[Path, str], None]
) -> list[Path]:
    """The ``wanted`` entries of ``folder``, sorted; those that are not regular files go to ``skipped``.

    One listing for every command that grades a folder (answers, implementations): a FIFO or a
    folder named like a file is skipped with what it is, a symlink loop stays in so its row says so.
    """
    files = []
    for path in sorted(folder.iterdir()):
        if not wanted(path):
            continue
        kind = not_a_file(path)
        if kind is None:
            files.append(path)
        else:
            skipped(path, kind)
    return files


def clip(text: str, width: int = CLIP) -> str:
    """``text`` cut to ``width`` characters with an ellipsis, for quoting it back in a message."""
    return text if len(text) <= width else text[: width - 1] + "…"
