"""Symbols and numbers as every renderer writes them, in one place.

Display indices are 1-based like the hand-written page (x₁₁, w₁₂, δ₂₁); machine
output stays 0-based.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import numpy as np

_SUBSCRIPT = str.maketrans("0123456789,", "₀₁₂₃₄₅₆₇₈₉﹐")
MINUS = "−"


def subscript(index: Sequence[int]) -> str:
    """0-based index → 1-based Unicode subscript; comma-separated once any part exceeds 9."""
    parts = [str(i + 1) for i in index]
    joined = ",".join(parts) if any(len(p) > 1 for p in parts) else "".join(parts)
    return joined.translate(_SUBSCRIPT)


def symbol(name: str, index: Sequence[int]) -> str:
    """``symbol("x", (0, 1))`` → ``x₁₂``."""
    return f"{name}{subscript(index)}"


def number(value: object) -> str:
    """A value for people: ``3``, ``−1/3``, ``0.25`` (typographic minus)."""
    if isinstance(value, (Fraction, int, np.integer)) and not isinstance(value, bool):
        text = str(value)
    elif isinstance(value, (float, np.floating)):
        text = f"{float(value):.6g}" if value != int(value) or abs(value) >= 1e15 else str(int(value))
    else:
        text = str(value)
    return text.replace("-", MINUS)


def factor(value: object) -> str:
    """A number as a factor in a product: negatives in parentheses, ``(−1)·3``."""
    text = number(value)
    return f"({text})" if text.startswith(MINUS) or "/" in text else text
