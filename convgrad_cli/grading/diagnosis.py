"""The diagnosis: which mistake of the catalog a wrong answer matches, in every cell or in most.

No Click, no Rich: the CLI and the renderers only show what this returns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from .limits import NEARLY, SAME_ATOL, SAME_RTOL
from .mistakes import Mistake, for_array
from .solved import SYMBOLS, Solved, squeezed


@dataclass(frozen=True)
class Diagnosis:
    """The mistake a wrong answer matches: in every cell (exact) or in most (``matching`` of ``cells``)."""

    mistake: str
    explanation: str
    matching: int
    cells: int
    also: tuple[str, ...] = ()  # other mistakes that give exactly the same array

    @property
    def exact(self) -> bool:
        return self.matching == self.cells


Agreement = Callable[[np.ndarray], "np.ndarray | None"]


def diagnose(p: Solved, name: str, agrees: Agreement) -> Diagnosis | None:
    """The mistake whose ``name`` the student's answer matches, or None.

    ``agrees(array)`` gives the mask of the student's cells that agree with ``array``
    (under the rounding and tolerance rules), or None when the shapes differ.  A near
    match needs most cells (≥ 2/3) and most of the cells the mistake changes.
    """
    expected = p.expected(name)
    scored: list[tuple[tuple[Any, ...], Mistake, str, int, int]] = []
    for order, mistake in enumerate(for_array(name)):
        for array, detail in p.candidates(mistake, name):
            mask = agrees(array)
            changed = _changed(array, expected)
            if mask is None or not changed.any():
                continue
            matching, telltale = int(mask.sum()), int((mask & changed).sum())
            exact = matching == mask.size
            if exact or (matching >= NEARLY * mask.size and 2 * telltale > changed.sum()):
                key = (exact, Fraction(telltale, int(changed.sum())), Fraction(matching, mask.size), -order)
                scored.append((key, mistake, detail, matching, mask.size))
    if not scored:
        return None
    scored.sort(key=lambda entry: entry[0], reverse=True)
    _, mistake, detail, matching, cells = scored[0]
    also = tuple(dict.fromkeys(m.id for key, m, *_ in scored[1:] if key[0] and m.id != mistake.id))
    return Diagnosis(
        mistake.id, explanation(p, mistake, name, detail, matching, cells), matching, cells, also
    )


def _changed(array: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Cells where the mistake's answer differs from the right one (all of them if the shapes differ).

    Shapes that differ only by axes of length 1 (a row for a column) hold the same numbers, and the
    check accepts one for the other, so they are compared cell by cell.
    """
    if array.size != expected.size or squeezed(array.shape) != squeezed(expected.shape):
        return np.ones(array.shape, dtype=bool)
    same = [_same(a, e) for a, e in zip(array.flat, expected.flat)]
    return ~np.array(same, dtype=bool).reshape(array.shape)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (float, np.floating)) or isinstance(b, (float, np.floating)):
        return bool(np.isclose(float(a), float(b), rtol=SAME_RTOL, atol=SAME_ATOL))
    return bool(a == b)


def explanation(p: Solved, mistake: Mistake, name: str, detail: str, matching: int, cells: int) -> str:
    """A sentence for the student: "your ∂L/∂X is what you get when …"."""
    how = "is" if matching == cells else f"matches, in {matching} of {cells} cells,"
    variant = f" ({detail})" if detail else ""
    return f"your {SYMBOLS[name]} {how} what you get when {mistake.reason(p.spec.mode)}{variant}."


def shape_causes(p: Solved, name: str, shape: tuple[int, ...]) -> list[Mistake]:
    """Mistakes that give ``name`` this (wrong) shape: what usually causes a shape mismatch."""
    return [
        mistake
        for mistake in for_array(name)
        if any(squeezed(array.shape) == squeezed(shape) for array, _ in p.candidates(mistake, name))
    ]
