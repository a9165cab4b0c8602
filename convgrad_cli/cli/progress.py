"""Progress over a class folder on stderr: a Rich bar on a terminal once it takes a moment, else plain lines."""

from __future__ import annotations

import sys
import time
from typing import Any

import click

SHOW_AFTER = 0.3  # seconds: a folder finished faster than this shows no progress bar


class Progress:
    """One step per file, for ``check`` and ``verify`` alike (a context manager: the bar always stops)."""

    def __init__(self, total: int, enabled: bool, delay: float, verb: str) -> None:
        self.total, self.enabled, self.delay, self.verb, self.done = total, enabled, delay, verb, 0
        self.started = time.monotonic()
        self.lines = enabled and not stderr_is_terminal()  # a log or a pipe: a bar would draw nothing there
        self.bar: Any = None
        self.task: Any = None

    @classmethod
    def choose(cls, forced: bool | None, total: int, output_format: str, verb: str) -> Progress:
        """--progress forces it; by default only people watching a terminal see it, never on the JSON path."""
        if forced is not None:
            return cls(total, forced, 0 if forced else SHOW_AFTER, verb)
        # The JSON path must not load Rich.
        wanted = total > 1 and stderr_is_terminal() and output_format not in ("json", "csv")
        return cls(total, wanted, SHOW_AFTER, verb)

    def tick(self, *_: object) -> None:
        self.done += 1
        if self.lines:
            click.echo(f"convgrad: {self.verb} {self.done} of {self.total}", err=True)
            return
        if self.bar is None and self.enabled and time.monotonic() - self.started >= self.delay:
            self._show()
        if self.bar is not None:
            self.bar.update(self.task, completed=self.done)

    def _show(self) -> None:
        from rich.console import Console
        from rich.progress import Progress as Bar

        from .views import console_width

        self.bar = Bar(console=Console(stderr=True, width=console_width(None)), transient=True)
        self.task = self.bar.add_task(self.verb, total=self.total)
        self.bar.start()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def stderr_is_terminal() -> bool:
    return sys.stderr is not None and sys.stderr.isatty()  # None: started with stderr closed
