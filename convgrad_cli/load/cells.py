"""One cell's number from its text: exact (``0.25`` → 1/4), or exact *and* as written.

``check`` judges a number as it was written — ``0.33`` for 1/3 is right to its two
decimals — so its answers are read as :class:`Written` cells; operands as plain values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from ..exact import MINUS_SIGNS, parse_number

PLAIN_INT = re.compile(r"[+-]?[0-9]{1,18}")  # fits int64; skips the slower general parser
_DECIMAL = re.compile(r"[+-]?\d*(?:\.(\d*))?(?:[eE]([+-]?\d+))?")


@dataclass(frozen=True, slots=True)
class Written:
    """One answer cell: its exact value, its text, and its decimal places (None for p/q or .npy floats)."""

    value: int | Fraction | float
    text: str
    decimals: int | None


def number_value(text: str) -> int | Fraction:
    """``"3"`` → 3, ``"0.25"`` → 1/4, ``"1/3"`` → 1/3; ``ValueError`` with a reason otherwise."""
    return int(text) if PLAIN_INT.fullmatch(text) else parse_number(text)


def written(text: str) -> Written:
    """``"0.33"`` → 33/100 with 2 decimals; ``"1/3"`` → 1/3; ``"3.3e-1"`` → 2 decimals too."""
    return Written(parse_number(text), text.strip(), decimals_of(text))


def decimals_of(text: str) -> int | None:
    """Decimal places of the last written digit (the exponent counts); 0 for integers, None for p/q."""
    match = _DECIMAL.fullmatch(text.strip().translate(MINUS_SIGNS))
    if match is None:
        return None
    return max(len(match.group(1) or "") - int(match.group(2) or 0), 0)


def from_text(text: str, keep_text: bool) -> int | Fraction | Written:
    """A cell's value from its text, as :class:`Written` when ``keep_text``; ``ValueError`` if not a number."""
    return written(text) if keep_text else number_value(text)
