"""Errors meant for people, and the exit codes the CLI maps them to.

An :class:`InputError` carries enough to write one actionable line:
which file, which field, what was wrong and what would be right.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Every exit status convgrad uses (documented in the README)."""

    OK = 0
    WRONG_ANSWER = 1
    BAD_INPUT = 2
    INTERNAL_ERROR = 101
    INTERRUPTED = 130


class InputError(ValueError):
    """A problem with what the user gave: a file, an array, a parameter.

    ``source`` is the file (or ``<stdin>``, ``<inline>``) the field came from;
    the API leaves it empty and the CLI fills it in from the field's origin.
    """

    def __init__(
        self,
        field: str,
        problem: str,
        expected: str = "",
        *,
        source: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(problem)
        self.field = field
        self.problem = problem
        self.expected = expected
        self.source = source
        self.hint = hint

    def with_source(self, source: str | None) -> InputError:
        """This error, naming ``source`` unless it already names one."""
        if self.source is None and source:
            self.source = source
        return self

    def __str__(self) -> str:
        where = ": ".join(part for part in (self.source, self.field) if part)
        text = f"{where}: {self.problem}" if where else self.problem
        return f"{text}; {self.expected}" if self.expected else text
