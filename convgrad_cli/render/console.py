"""One Rich console per invocation: colour and width from flags, else the terminal."""

from __future__ import annotations

from typing import TextIO

from rich.console import Console


def make_console(
    *, color: bool | None, width: int | None, file: TextIO | None = None, record: bool = False
) -> Console:
    """``color=None`` lets Rich decide (TTY, NO_COLOR, FORCE_COLOR); True/False override."""
    return Console(
        file=file,
        width=width,
        force_terminal=True if color else None,
        no_color=color is False,
        color_system="auto" if color is not False else None,
        highlight=False,
        record=record,
        soft_wrap=False,
    )
