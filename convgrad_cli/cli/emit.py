"""Where a command's text goes: stdout, or the output file replaced atomically (``-o``, ``--report``)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, TextIO

from ..errors import InputError

if TYPE_CHECKING:
    from .requests import OutputChoice


def emit(text: str | Iterable[str], output: OutputChoice, inputs: Sequence[str] = ()) -> None:
    """``text`` (or its pieces, each written as it comes) to the output file (never over one of
    ``inputs``), else to stdout."""
    if output.file is not None:
        from ..load.atomic import write_atomic  # here: most runs write to stdout

        write_atomic(output.file, text, inputs, flag=output.flag)
    elif isinstance(text, str) or not _writes_unicode(sys.stdout):
        # A stdout that is not UTF may refuse a later piece: then nothing at all is written.
        write_stdout(text if isinstance(text, str) else "".join(text))
    else:
        for piece in text:
            write_stdout(piece)


def distinct_files(outputs: dict[str, str | None]) -> None:
    """Refuse two output flags (``-o``, ``--export-svg``, …) naming one file: the later would replace the first."""
    seen: dict[str, tuple[str, str]] = {}  # real path → (flag, path as given)
    for flag, path in outputs.items():
        if not path:
            continue
        real = os.path.realpath(path)
        for other_real, (other_flag, _) in seen.items():
            if real == other_real or _same_existing(real, other_real):
                raise InputError(
                    flag, f"{path} is also the file of {other_flag}", "give each output its own file"
                )
        seen[real] = (flag, path)


def _same_existing(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)  # hard links
    except OSError:
        return False  # one of them does not exist yet


def note_written() -> None:
    """After a Ctrl-C, name each file already written in full: exit 130 must not read as "nothing written"."""
    import click

    atomic = sys.modules.get("convgrad_cli.load.atomic")  # not loaded: nothing was written
    for path in getattr(atomic, "WRITTEN", ()):
        click.echo(f"convgrad: interrupted after {path} was written in full", err=True)


def skipped_note(path: object, kind: str) -> None:
    """A folder's entry left out of a class (check, verify), said on stderr: a FIFO would hang the run."""
    import click

    click.echo(f"convgrad: skipping {path}: {kind}, not a regular file", err=True)


def _writes_unicode(stream: TextIO | None) -> bool:
    import codecs

    return stream is not None and codecs.lookup(stream.encoding or "ascii").name.startswith("utf")


def write_stdout(text: str) -> None:
    """Write and flush; a closed or full stdout is the user's to fix (one line), a gone reader is not."""
    stream = sys.stdout
    if stream is None:  # started with fd 1 closed (`>&-`): Python has no stdout at all
        raise InputError("stdout", "is closed", "write to a file with -o, or leave stdout open")
    try:
        stream.write(text)
        stream.flush()
    except BrokenPipeError:
        raise  # the reader went away (head, jq -e …): the group exits quietly
    except OSError as error:
        raise stdout_failed(error) from None


def stdout_failed(error: OSError) -> InputError:
    """stdout refused the text (a full disk, /dev/full, an I/O error): say so, and let nothing more be tried."""
    discard_stdout()
    return InputError("stdout", f"cannot write ({error.strerror})", "write to a file with -o")


def discard_stdout() -> None:
    """Point fd 1 at /dev/null, so the exit's flush of what is still buffered neither fails nor warns."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, AttributeError, ValueError):  # no stdout at all: nothing will be flushed
        pass
