"""Compare a student's answers with the exact result, cell by cell, and say why they are wrong.

A number is judged as it was *written*: ``0.33`` for 1/3 is right because it is 1/3
rounded to its two written decimals (within half a unit of its last digit; at a tie
both roundings count), so answers are read (:mod:`.answers`) with the text of every
cell kept.  Anything else must lie within a relative tolerance of the exact value.
Every wrong array gets a diagnosis from :mod:`.diagnosis`.  No Click, no Rich.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from ..load.cells import Written
from .answers import Answer, read_answer
from .diagnosis import Diagnosis, diagnose
from .forms import channels_last, flat_note
from .limits import DEFAULT_TOL, DERIVED_CELLS
from .shape_notes import shape_note
from .solved import ARRAYS, Solved, as_fraction, squeezed

# How much a report reveals, least first: each level shows everything the one before it does.
# none: ✓/✗ only; mistake: the wrong cells and the mistake, no right values; cells: the right
# values of the wrong cells too; derivation: and the right derivation of those cells.
HINTS = ("none", "mistake", "cells", "derivation")


def reveals(hints: str, what: str) -> bool:
    """Whether a report at level ``hints`` shows ``what`` (a level of :data:`HINTS`)."""
    return HINTS.index(hints) >= HINTS.index(what)


# ---------------------------------------------------------------- one number


def judge(given: Written, expected: Any, tol: Fraction) -> str:
    """``exact``, ``rounded`` (fewer decimals, within half a unit of the last one), ``close`` (within tol) or ``wrong``.

    The tolerance is relative to |expected|, and absolute below 1 so that zeros can be met.
    Against a float result, a rounding may also be off by that tolerance.
    """
    truth, value = as_fraction(expected), as_fraction(given.value)
    gap = abs(value - truth)
    if gap == 0:
        return "exact"
    allowed = tol * max(abs(truth), Fraction(1))
    slack = allowed if isinstance(expected, (float, np.floating)) else 0
    if given.decimals and gap <= Fraction(1, 2 * 10**given.decimals) + slack:
        return "rounded"
    return "close" if gap <= allowed else "wrong"


# ---------------------------------------------------------------- verdicts


@dataclass(frozen=True)
class Cell:
    """One answer cell: 0-based ``index``, what was given, the exact value, and the verdict."""

    index: tuple[int, ...]
    given: Written
    expected: Any
    verdict: str

    @property
    def correct(self) -> bool:
        return self.verdict not in ("wrong", "too-few-decimals")


@dataclass(frozen=True)
class Verdict:
    """One answered array: its cells (none when the shape is wrong) and, if wrong, a diagnosis."""

    name: str
    given_shape: tuple[int, ...]
    expected_shape: tuple[int, ...]
    cells: tuple[Cell, ...]
    shape_note: str | None
    diagnosis: Diagnosis | None
    notes: tuple[str, ...] = ()  # how the answer was read: a flat list, channels-last

    @property
    def shape_ok(self) -> bool:
        return self.shape_note is None

    @property
    def correct(self) -> bool:
        return self.shape_ok and all(cell.correct for cell in self.cells)

    @property
    def wrong_cells(self) -> list[Cell]:
        return [cell for cell in self.cells if not cell.correct]

    @property
    def rounded(self) -> bool:
        return any(cell.verdict == "rounded" for cell in self.cells)

    @property
    def right_cells(self) -> int:
        return sum(cell.correct for cell in self.cells)

    @property
    def size(self) -> int:
        return int(np.prod(self.expected_shape, dtype=int))


@dataclass(frozen=True)
class Report:
    """Every answered array of one answer, in the order Y, ∂L/∂X, ∂L/∂W, ∂L/∂b."""

    source: str
    verdicts: tuple[Verdict, ...]
    notes: tuple[str, ...] = ()  # how the answer's keys were read ("read 'dX' as grad_input")

    @property
    def correct(self) -> bool:
        return all(v.correct for v in self.verdicts)

    @property
    def mistakes(self) -> list[str]:
        return list(dict.fromkeys(v.diagnosis.mistake for v in self.verdicts if v.diagnosis))

    def score(self) -> tuple[int, int, int, int]:
        """(arrays right, arrays given, cells right, cells expected)."""
        return (
            sum(v.correct for v in self.verdicts), len(self.verdicts),
            sum(v.right_cells for v in self.verdicts), sum(v.size for v in self.verdicts),
        )  # fmt: skip


def conform(given: np.ndarray, shape: tuple[int, ...]) -> np.ndarray | None:
    """``given`` in ``shape`` when they differ only by axes of length 1 (a 3×3 written as 1×1×3×3)
    or ``given`` is a flat list of as many cells; else None."""
    if given.shape == shape:
        return given
    same_size = given.size == int(np.prod(shape, dtype=int))
    # A flat list is read row by row (C order); any other reshape is a different answer.
    if same_size and (given.ndim == 1 or squeezed(given.shape) == squeezed(shape)):
        return given.reshape(shape)
    return None


def check(
    p: Solved, answer: Answer, tol: float = DEFAULT_TOL, layout: str = "channels-first", decimals: int = 0
) -> Report:
    """Judge every array the answer gives against the exact result of ``p``.

    ``layout="channels-last"``: arrays given as NHWC / HWIO are moved to channels-first first.
    ``decimals``: a value that is not exact must be written with at least this many decimals.
    """
    limit = Fraction(tol)
    verdicts = tuple(
        verdict(p, name, answer.arrays[name], limit, layout, decimals)
        for name in ARRAYS
        if name in answer.arrays
    )
    return Report(answer.source, verdicts, answer.notes)


def verdict(
    p: Solved, name: str, given: np.ndarray, tol: Fraction, layout: str = "channels-first", decimals: int = 0
) -> Verdict:
    """One array: cell verdicts, or a shape note; a diagnosis when anything is wrong."""
    expected = p.expected(name)
    notes: list[str] = []
    form = channels_last(p, name)
    if layout == "channels-last" and form is not None and given.shape == form.shape(expected.shape):
        given = form.to_first(given)
        notes.append(f"read as channels-last {form.last}")
    shaped = conform(given, expected.shape)
    cells: tuple[Cell, ...] = ()
    note = None
    if shaped is None:
        note = shape_note(p, name, given.shape, expected.shape)
    else:
        notes += filter(None, [flat_note(given, expected.shape)])
        cells = tuple(
            Cell(index, g, e, _precise(judge(g, e, tol), g, decimals))
            for index, g, e in zip(np.ndindex(expected.shape), shaped.flat, expected.flat)
        )
        notes += filter(None, [_decimals_note(cells, decimals)])
    # Too few decimals is no mistake of the derivation: only wrong values get a diagnosis.
    wrong = note is not None or any(cell.verdict == "wrong" for cell in cells)
    diagnosis = diagnose(p, name, agreement(given, tol)) if wrong else None
    return Verdict(name, given.shape, expected.shape, cells, note, diagnosis, tuple(notes))


def _precise(verdict: str, given: Written, decimals: int) -> str:
    """An approximate value (rounded, within tolerance) written with fewer than ``decimals`` decimals fails."""
    if verdict in ("rounded", "close") and (given.decimals or 0) < decimals:
        return "too-few-decimals"
    return verdict


def _decimals_note(cells: Iterable[Cell], decimals: int) -> str | None:
    few = sum(cell.verdict == "too-few-decimals" for cell in cells)
    if not few:
        return None
    which = "1 value is" if few == 1 else f"{few} values are"
    return f"{which} right but written with fewer than {decimals} decimals (--decimals {decimals})"


def agreement(given: np.ndarray, tol: Fraction) -> Callable[[np.ndarray], np.ndarray | None]:
    """For the diagnosis: the mask of given cells that agree with ``array``, by the same rules as :func:`judge`."""

    def agrees(array: np.ndarray) -> np.ndarray | None:
        shaped = conform(given, array.shape)
        if shaped is None:
            return None
        hits = [judge(g, e, tol) != "wrong" for g, e in zip(shaped.flat, array.flat)]
        return np.array(hits, dtype=bool).reshape(array.shape)

    return agrees


# ---------------------------------------------------------------- the derivation of the wrong cells


def derivation_selection(p: Solved, report: Report) -> Any | None:
    """The :class:`~convgrad_cli.derivation.records.Selection` of the ∂L/∂W and ∂L/∂X cells answered wrong.

    None when no such cell is wrong (Y and ∂L/∂b have no per-cell derivation).  At most
    :data:`DERIVED_CELLS` per array, the first in row-major order.
    """
    from ..derivation.records import Selection

    # A value right but short of --decimals needs no derivation: only wrong values do.
    wrong = {
        v.name: [c.index for c in v.cells if c.verdict == "wrong"][:DERIVED_CELLS] for v in report.verdicts
    }
    filter_cells, input_cells = wrong.get("grad_filter", []), wrong.get("grad_input", [])
    if not filter_cells and not input_cells:
        return None
    names = tuple(_cell_name("w", i) for i in filter_cells) + tuple(_cell_name("x", i) for i in input_cells)
    return Selection(_full_indices(p, filter_cells), _full_indices(p, input_cells), names)


def submitted_only(derivation: Any, report: Report) -> Any:
    """``derivation`` with the results the answer did not give left out (Y, ∂L/∂X, ∂L/∂W, ∂L/∂b).

    The right values of an array the student did not submit (the whole ∂L/∂X, when only ∂L/∂W
    was answered) would give away a question not yet answered.
    """
    from dataclasses import replace

    if derivation.values is None:
        return derivation
    given = {v.name for v in report.verdicts}
    hidden = {name: None for name in ARRAYS if name not in given}
    return replace(derivation, values=replace(derivation.values, **hidden))


def _full_indices(p: Solved, cells: list[tuple[int, ...]]) -> tuple[tuple[int, ...], ...]:
    # The user's forms leave out leading axes of length 1 (N, C), so a full index puts zeros in front.
    return tuple(sorted((0,) * (p.spec.dims + 2 - len(index)) + index for index in cells))


def _cell_name(letter: str, index: tuple[int, ...]) -> str:
    """``x22`` (1-based), or ``x[1,10]`` once an index passes 9: what ``--cells`` accepts."""
    parts = [str(i + 1) for i in index]
    return letter + ("".join(parts) if all(len(q) == 1 for q in parts) else "[" + ",".join(parts) + "]")


# ---------------------------------------------------------------- a whole class


@dataclass(frozen=True)
class Graded:
    """One answer file of a class: its report, or why it could not be read."""

    name: str
    report: Report | None
    error: str | None = None
    problem: str | None = None  # what was wrong with an unreadable file, without where


def answer_files(
    folder: Path, skip: Iterable[str] = (), skipped: Callable[[Path, str], None] = lambda _path, _kind: None
) -> list[Path]:
    """The ``*.json`` answer files of a folder, sorted, leaving out hidden files and ``skip`` (the problem).

    An entry that is not a regular file (a FIFO, a socket, a folder named ``x.json``) is left out
    and handed to ``skipped`` with what it is: opening a FIFO would wait forever.  A symlink loop
    stays in, so grading reports it as unreadable and goes on with the rest.
    """
    from ..load.source import folder_files

    # realpath, not Path.resolve: resolve raises on a symlink loop, which must not stop the class.
    left_out = {os.path.realpath(s) for s in skip}
    answers = folder_files(
        folder, lambda p: p.suffix.lower() == ".json" and not p.name.startswith("."), skipped
    )
    return [path for path in answers if os.path.realpath(path) not in left_out]


def grade(
    p: Solved,
    paths: list[str],
    tol: float,
    dims: int,
    done: Callable[[], None] = lambda: None,
    layout: str = "channels-first",
    decimals: int = 0,
) -> list[Graded]:
    """Check each answer file; an unreadable file is reported, not fatal. Files are only read."""
    graded = []
    for path in paths:
        try:
            graded.append(Graded(path, check(p, read_answer(path, None, dims, p), tol, layout, decimals)))
        except InputError as error:
            graded.append(Graded(path, None, str(error.with_source(path)), error.problem))
        done()
    return graded
