"""Symbols and numbers as every renderer writes them, in one place.

Display indices are 1-based like the hand-written page (x₁₁, w₁₂, δ₂₁); machine
output stays 0-based.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import numpy as np

# A plain comma: the subscript comma U+FE50 is double-width in terminals and breaks alignment.
_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
MINUS = "−"

# The page's letters for each operand, and their LaTeX spellings.
LETTERS = {"input": "x", "filter": "w", "grad_output": "δ", "output": "y", "bias": "b"}
_LATEX_LETTERS = {"δ": r"\delta"}
MAX_SHOWN_TERMS = 40  # longer sums are elided in the middle for people (JSON lists every term)
SHOWN_HEAD, SHOWN_TAIL = 6, 3


def index_text(index: Sequence[int], separate: bool = False) -> str:
    """0-based index → 1-based digits: ``12``; ``1,12`` when asked or once a part exceeds 9."""
    parts = [str(i + 1) for i in index]
    return ",".join(parts) if separate or any(len(p) > 1 for p in parts) else "".join(parts)


def subscript(index: Sequence[int], separate: bool = False) -> str:
    """0-based index → 1-based Unicode subscript: ``₁₂``, or ``₁,₁₂`` (see :func:`index_text`)."""
    return index_text(index, separate).translate(_SUBSCRIPT)


def symbol(name: str, index: Sequence[int], separate: bool = False) -> str:
    """``symbol("x", (0, 1))`` → ``x₁₂``; ``separate`` for indices with channel or batch axes."""
    if type(index) is tuple:
        return _cached_symbol(name, index, separate)
    return f"{name}{subscript(index, separate)}"


# A traced page writes each symbol and number many times (every window and formula that
# meets it), in an order that keeps the ones in use close together: a small cache serves them.
CACHE_SIZE = 4096


@lru_cache(maxsize=CACHE_SIZE)
def _cached_symbol(name: str, index: tuple[int, ...], separate: bool) -> str:
    return f"{name}{subscript(index, separate)}"


# Past 12 decimals a number stops being one a person typed or reads at a glance (1/2^200 has
# 200); products of two numbers typed with up to 6 decimals each stay within it.
MAX_DECIMALS = 12


def decimal(value: Fraction) -> str | None:
    """``9/8`` → ``1.125``: the exact decimal of a rational whose expansion terminates within
    :data:`MAX_DECIMALS` places (denominator 2^a·5^b), else None (``1/3``)."""
    den = value.denominator
    if den > 10**MAX_DECIMALS:  # cannot divide 10^MAX_DECIMALS
        return None
    twos = (den & -den).bit_length() - 1
    rest, fives = den >> twos, 0
    while rest % 5 == 0:
        rest, fives = rest // 5, fives + 1
    places = max(twos, fives)
    if rest != 1 or places > MAX_DECIMALS:
        return None
    whole, digits = divmod(abs(value.numerator) * (10**places // den), 10**places)
    return f"{'-' if value < 0 else ''}{whole}" + (f".{digits:0{places}d}" if places else "")


def number(value: object) -> str:
    """A value for people: ``3``, ``0.25``, ``1.125``, ``−1/3`` (typographic minus).

    Exact rationals read as decimals when their expansion terminates (:func:`decimal`), as
    fractions otherwise.
    """
    if type(value) in _CACHED_NUMBERS:  # equal values of one of these types are written alike
        return _cached_number(type(value).__name__, value)
    return _number(value)


@lru_cache(maxsize=CACHE_SIZE)
def _cached_number(kind: str, value: object) -> str:
    return _number(value)


def _number(value: object) -> str:
    if isinstance(value, Fraction):
        text = decimal(value) or str(value)
    elif isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        text = str(value)
    elif isinstance(value, (float, np.floating)):
        text = f"{float(value):.6g}" if value != int(value) or abs(value) >= 1e15 else str(int(value))
    else:
        text = str(value)
    return text.replace("-", MINUS)


_CACHED_NUMBERS = frozenset({int, float, Fraction, np.int64, np.int32, np.float64, np.float32})


def approximate(value: object) -> str:
    """``1/3`` → ``1/3 ≈ 0.3333`` where a fraction is shown; any other value as :func:`number`."""
    text = number(value)
    if "/" in text and isinstance(value, Fraction) and abs(value) < 10**300:  # a float can hold it
        text += " ≈ " + f"{float(value):.4g}".replace("-", MINUS)
    return text


def factor(value: object) -> str:
    """A number as a factor in a product: negatives in parentheses, ``(−1)·3``."""
    text = number(value)
    return f"({text})" if text.startswith(MINUS) or "/" in text else text


def partial(name: str) -> str:
    """``∂L/∂x₁₂`` for the symbol ``x₁₂`` (or ``∂L/∂W`` for a whole array)."""
    return f"∂L/∂{name}"


def latex_symbol(name: str, index: Sequence[int], separate: bool = False) -> str:
    """``latex_symbol("δ", (0, 1))`` → ``\\delta_{12}``."""
    return f"{_LATEX_LETTERS.get(name, name)}_{{{index_text(index, separate)}}}"


def latex_partial(name: str) -> str:
    """``\\frac{\\partial L}{\\partial x_{12}}`` for the LaTeX symbol ``x_{12}``."""
    return rf"\frac{{\partial L}}{{\partial {name}}}"


def latex_number(value: object) -> str:
    """A value in LaTeX: ``3``, ``-\\tfrac{1}{3}``, ``0.25`` (terminating rationals as decimals)."""
    if isinstance(value, Fraction) and value.denominator != 1 and decimal(value) is None:
        sign = "-" if value < 0 else ""
        return rf"{sign}\tfrac{{{abs(value.numerator)}}}{{{value.denominator}}}"
    return number(value).replace(MINUS, "-")


def latex_factor(value: object) -> str:
    """A number as a LaTeX factor: negatives and fractions in parentheses."""
    text = latex_number(value)
    return f"({text})" if text.startswith("-") or "frac" in text else text


@dataclass(frozen=True, slots=True)
class Style:
    """How one output flavour writes symbols, numbers and products (Unicode or LaTeX)."""

    symbol: Callable[[str, Sequence[int], bool], str]
    partial: Callable[[str], str]
    number: Callable[[object], str]
    factor: Callable[[object], str]
    times: str  # between two symbols
    times_numbers: str  # between two numbers
    more: str  # stands for the elided middle of a long sum; ``{n}`` is how many terms
    words: Mapping[str, str]  # whole arrays and operations named in prose (see render/prose.py)
    text: str = "{}"  # words inside a formula

    def products(self, pairs: Sequence[tuple[str, str]]) -> str:
        """``δ₁₁·x₁₂ + δ₁₂·x₁₃`` (``0`` for an empty sum), elided in the middle when long."""
        return self._sum([f"{a}{self.times}{b}" for a, b in pairs])

    def numeric_products(self, pairs: Sequence[tuple[object, object]]) -> str:
        """``1·2 + (−1)·3`` for the values of the same products."""
        return self._sum([f"{self.factor(a)}{self.times_numbers}{self.factor(b)}" for a, b in pairs])

    def total(self, values: Sequence[object]) -> str:
        """``5 + (−2) + 3``: subtotals added up."""
        return self._sum([self.factor(v) if i else self.number(v) for i, v in enumerate(values)])

    def _sum(self, items: list[str]) -> str:
        if not items:
            return "0"
        if len(items) > MAX_SHOWN_TERMS:
            hidden = len(items) - SHOWN_HEAD - SHOWN_TAIL
            items = [*items[:SHOWN_HEAD], self.more.format(n=hidden), *items[-SHOWN_TAIL:]]
        return " + ".join(items)


_UNICODE_WORDS = {
    "X": "X", "W": "W", "delta": "δ", "dX": "∂L/∂X", "dW": "∂L/∂W", "dw": "∂L/∂w", "db": "∂L/∂b",
    "rot": "rot180(W)", "times": "×",
}  # fmt: skip
_LATEX_WORDS = {
    "X": "$X$", "W": "$W$", "delta": r"$\delta$", "dX": r"$\partial L/\partial X$",
    "dW": r"$\partial L/\partial W$", "dw": r"$\partial L/\partial w$", "db": r"$\partial L/\partial b$",
    "rot": r"$\mathrm{rot180}(W)$", "times": r"$\times$",
}  # fmt: skip
UNICODE = Style(symbol, partial, number, factor, "·", "·", "… ({n} more terms)", _UNICODE_WORDS)
LATEX = Style(
    latex_symbol, latex_partial, latex_number, latex_factor,
    r"\,", r" \cdot ", r"\dots\text{{ ({n} more terms)}}", _LATEX_WORDS, r"\text{{{}}}",
)  # fmt: skip
