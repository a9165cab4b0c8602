"""The typed report of ``convgrad verify``: one record per case, one per compared array.

Plain frozen data that the renderers turn into a table, Markdown, JSON or CSV and that
a notebook or a course's autograder reads directly.  A failing case keeps the
:class:`~convgrad_cli.grading.verdicts.Report` of its arrays and the solved problem
(``detail``), so a view can show it cell by cell and derive the wrong cells.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from ...derivation import Derivation
    from .. import Report, Solved

Status = Literal["pass", "fail", "error", "timeout"]
STATUSES: tuple[Status, ...] = ("pass", "fail", "error", "timeout")
TOLERANCE = 1e-9  # relative (absolute below 1): float64 sums of these sizes err by ~1e-15

# Mistakes only code makes, beside the catalog of grading/mistakes.py (what they mean, for the docs).
CODE_MISTAKES = {
    "swapped-outputs": "the function returned the gradients in the wrong order",
    "mutated-input": "the function changed one of its inputs in place",
    "returned-none": "the function returned None where an array belongs",
    "wrong-dtype": "an array is not float64, the dtype of the inputs (or not numbers at all)",
    "wrong-shape": "an array does not have the shape of the operand it is the gradient of",
    "not-finite": "an array holds NaN or infinity",
}


@dataclass(frozen=True)
class UserError:
    """An exception raised by the user's code: its type, message and the line of the user's file it came from."""

    type: str
    message: str
    file: str | None = None
    line: int | None = None
    code: str | None = None

    def short(self) -> str:
        """``NotImplementedError: stride 2 is not supported (mine.py:17)``: without the line of code."""
        where = f" ({self.file}:{self.line})" if self.file and self.line else ""
        return (f"{self.type}: {self.message}" if self.message else self.type) + where

    def __str__(self) -> str:
        where = f" at {self.file}:{self.line}" if self.file and self.line else ""
        shown = f": {self.code}" if self.code else ""
        text = f"{self.type}: {self.message}" if self.message else self.type
        return f"{text}{where}{shown}"


@dataclass(frozen=True)
class Config:
    """A case's parameters as passed to the function (ints, or per-axis tuples) and its operands' shapes.

    Shapes are in the convention's own layout (channels last for ``channels-last`` and ``dls``).
    """

    stride: int | tuple[int, ...] | None = None
    padding: int | tuple[int, ...] | None = None
    dilation: int | tuple[int, ...] | None = None
    groups: int | None = None
    dims: int | None = None
    shapes: dict[str, tuple[int, ...]] = field(default_factory=dict)

    def describe(self) -> str:
        """``stride 2, padding 1`` plus whatever differs from the defaults."""
        words = [f"stride {_axes(self.stride)}", f"padding {_axes(self.padding)}"]
        if self.dilation not in (None, 1):
            words.append(f"dilation {_axes(self.dilation)}")
        if self.groups not in (None, 1):
            words.append(f"groups {self.groups}")
        if self.dims not in (None, 2):
            words.append(f"{self.dims}-D")
        return ", ".join(words) if self.stride is not None else ""


def _axes(value: int | tuple[int, ...] | None) -> str:
    return ",".join(map(str, value)) if isinstance(value, tuple) else str(value)


@dataclass(frozen=True)
class ArrayResult:
    """One array a case compared: right or wrong, the mistake that names it, and how many cells are wrong.

    ``name`` is ``output``, ``grad_input``, ``grad_filter`` or ``grad_bias`` — or an input
    (``input``, ``filter``, ``bias``, ``grad_output``) the function changed in place.
    ``wrong_cells`` is None when the array could not be compared cell by cell (wrong shape, None).
    """

    name: str
    right: bool
    mistake: str | None = None
    wrong_cells: int | None = 0
    message: str | None = None


@dataclass(frozen=True)
class Detail:
    """What a full view of a failing case needs: the check report of its arrays and the solved problem."""

    check: Report
    solved: Solved
    setting: str

    def derivation(self) -> Derivation | None:
        """The derivation of the cells of ∂L/∂X and ∂L/∂W the function got wrong; None if it got none wrong."""
        from ...derivation import build
        from ..verdicts import derivation_selection

        selection = derivation_selection(self.solved, self.check)
        return None if selection is None else build(self.solved.result, selection)


@dataclass(frozen=True)
class CaseResult:
    """One case of the ladder and its verdict; ``message`` says why it did not pass."""

    name: str
    config: Config
    status: Status
    message: str = ""
    arrays: tuple[ArrayResult, ...] = ()
    error: UserError | None = None
    tolerance: float = TOLERANCE
    detail: Detail | None = field(default=None, compare=False, repr=False)

    @property
    def passed(self) -> bool:
        return self.status == "pass"

    @property
    def mistakes(self) -> list[str]:
        return list(dict.fromkeys(a.mistake for a in self.arrays if a.mistake))


@dataclass(frozen=True)
class VerifyReport:
    """Every case run against one implementation; ``passed`` when all of them pass."""

    target: str
    convention: str
    cases: tuple[CaseResult, ...]
    tolerance: float = TOLERANCE
    skipped: tuple[str, ...] = ()  # what the function cannot express, so was not tested

    @property
    def passed(self) -> bool:
        return bool(self.cases) and all(case.passed for case in self.cases)

    @property
    def cases_passed(self) -> int:
        return sum(case.passed for case in self.cases)

    @property
    def first_failure(self) -> CaseResult | None:
        return next((case for case in self.cases if not case.passed), None)


@dataclass(frozen=True)
class FileResult:
    """One file of a folder: its report, or the one line saying why it could not be verified."""

    file: str
    report: VerifyReport | None
    error: str | None = None

    @property
    def passed(self) -> bool:
        return self.report is not None and self.report.passed
