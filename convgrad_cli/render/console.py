"""One Rich console per invocation: colour and width from flags, else the terminal."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from itertools import groupby, islice
from typing import TextIO

from rich.console import Console, Group, RenderableType


def make_console(
    *, color: bool | None, width: int | None, file: TextIO | None = None, record: bool = False
) -> Console:
    """``color=None`` lets Rich decide (TTY, FORCE_COLOR) unless NO_COLOR is set; True/False override."""
    if color is None and os.environ.get("NO_COLOR"):
        color = False  # no-color.org: no escape codes at all, not even bold (Rich alone keeps styles)
    return Console(
        file=file,
        width=width,
        force_terminal=True if color else None,
        no_color=color is False,
        color_system="auto" if color is not False else None,
        highlight=False,
        emoji=False,  # ":x:" in a cell stays text
        record=record,
        soft_wrap=False,
    )


def printed(console: Console, renderables: Iterable[RenderableType], batch: int = 64) -> Iterator[str]:
    """What ``console`` prints for the renderables, ``batch`` at a time, so a long page is written as it is drawn.

    The text is the same as printing them all in one Group, but only one batch's segments
    are in memory at a time (one print per renderable costs ~15% more than one per batch).
    Blocks laid out to fit (:class:`~.lines.LaidOut`) print without Rich's crop, which
    measures every line again, character by character once a line holds a subscript or a
    minus sign: most of the time of printing a traced page.
    """
    iterator = iter(renderables)
    width = console.width  # asked once: Rich asks the terminal for its size each time
    while group := list(islice(iterator, batch)):
        with console.capture() as capture:
            for fits, run in groupby(group, key=lambda r: _fits(r, console, width)):
                console.print(Group(*run), crop=not fits)
        yield capture.get()


def _fits(renderable: RenderableType, console: Console, width: int) -> bool:
    """Whether a renderable says its lines fit ``width`` (:meth:`.lines.LaidOut.fits_console`)."""
    # Asked by name, not by class: reports print here too, and need not import the table view's blocks.
    fits = getattr(renderable, "fits_console", None)
    return bool(fits is not None and fits(console, width))
