"""The exact-number policy: integers stay integers, 1/3 stays 1/3.

Exact arrays are carried as integers over one common denominator
(:class:`Scaled`), so the engine runs on integer arrays instead of per-element
``Fraction`` loops.  The dtype used to compute is picked from a bound on the
largest partial sum: float64 BLAS while every partial sum is an integer below
2⁵³ (where float64 is exact), int64 below 2⁶³, and Python integers beyond.

Many distinct denominators (1/p for many primes p) make the common one grow
with every new denominator, and every cell's numerator and the final
reductions with it: past :data:`FRACTIONS_FROM_BITS` an array is carried as
one :class:`Ratio` per cell instead, whose denominators stay those of the few
terms each result sums.  Ratios add and multiply without a gcd; each result
cell is reduced once, at the end.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from math import lcm
from operator import attrgetter

import numpy as np

FLOAT_EXACT = 2**53  # every integer below this is a float64
FRACTIONS_FROM_BITS = 1 << 12  # past this, a common denominator costs more than a Ratio per cell
INT64_LIMIT = 2**63
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_MAX_EXPONENT = 308  # beyond float64's range a written number is a typo or an attack
_MAX_DIGITS = 4000  # Python refuses int(str) past 4300 digits anyway
MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2012": "-", "\ufe63": "-"})


def parse_number(text: str) -> int | Fraction:
    """A number as written: ``3``, ``-1.25``, ``1e-3``, ``1/3``, ``−2`` (PDF minus).

    Raises ``ValueError`` with a reason a person can act on.
    """
    cleaned = text.strip().translate(MINUS_SIGNS)
    if "/" in cleaned:
        if cleaned.count("/") > 1:  # 1/2/3 is a typo, not (1/2)/3 or 1/(2/3)
            raise ValueError(f"{text!r} is not a number (more than one '/')")
        top, _, bottom = cleaned.partition("/")
        numerator, denominator = parse_number(top), parse_number(bottom)
        if denominator == 0:
            raise ValueError(f"{text!r} divides by zero")
        return normalize(Fraction(numerator) / Fraction(denominator))
    match = _NUMBER.fullmatch(cleaned)
    if not match:
        raise ValueError(f"{text!r} is not a number")
    _check_range(text, match.group(1), int(match.group(2)[1:]) if match.group(2) else 0)
    return normalize(Fraction(cleaned))


def _check_range(text: str, mantissa: str, exponent: int) -> None:
    # Refuse before Fraction builds 10**exponent: '1e999999999' would hang, not fail.
    whole = mantissa.split(".")[0].lstrip("0")
    if len(mantissa) > _MAX_DIGITS:
        raise ValueError(f"{text[:20]!r}… has more than {_MAX_DIGITS} digits")
    if abs(exponent) > 2 * _MAX_EXPONENT or len(whole) - 1 + exponent > _MAX_EXPONENT:
        raise ValueError(f"{_quoted(text)} is out of range (|x| must be below 1e{_MAX_EXPONENT})")


def _quoted(text: str) -> str:
    """A number echoed in a message: whole when short, else ``1234…(4000 digits)`` (not 4 KB of it)."""
    stripped = text.strip()
    if len(stripped) <= 40:
        return repr(text)
    return f"{stripped[:4]}…({sum(c.isdigit() for c in stripped)} digits)"


def normalize(value: Fraction) -> int | Fraction:
    """Integers as ``int`` so they print and serialise as integers."""
    return value.numerator if value.denominator == 1 else value


class Ratio:
    """``n / d`` left unreduced: + and × cost big-integer products only, no gcd.

    A sum of many terms with distinct denominators pays one gcd per result (in
    :meth:`Scaled.values`; a long sum's tree in :func:`pairwise_sum` reduces its
    partial sums first) instead of one per addition, and NumPy's object loops call
    these two methods directly.  Zeros stay the integer 0, so padding and
    zero coefficients add no denominator to a sum.
    """

    __slots__ = ("d", "n")

    def __init__(self, n: int, d: int) -> None:
        self.n = n
        self.d = d

    def __add__(self, other: Ratio | int) -> Ratio:
        if isinstance(other, Ratio):
            if self.d == other.d:
                return Ratio(self.n + other.n, self.d)
            return Ratio(self.n * other.d + other.n * self.d, self.d * other.d)
        return Ratio(self.n + other * self.d, self.d) if other else self

    __radd__ = __add__

    def __mul__(self, other: Ratio | int) -> Ratio | int:
        if isinstance(other, Ratio):
            return Ratio(self.n * other.n, self.d * other.d)
        return Ratio(self.n * other, self.d) if other else 0

    __rmul__ = __mul__

    def reduced(self, den: int = 1) -> int | Fraction:
        """``n / (d·den)`` in lowest terms (one gcd)."""
        return normalize(Fraction(self.n, self.d * den))


def _reduce(value: Ratio | Fraction | int, den: int) -> int | Fraction:
    if isinstance(value, Ratio):
        return value.reduced(den)
    if isinstance(value, Fraction):
        # Already in lowest terms (a tree's sum): dividing by den needs no gcd of its whole length.
        return normalize(value / den if den != 1 else value)
    return value if den == 1 else normalize(Fraction(value, den))


_reduced = np.frompyfunc(_reduce, 2, 1)
_fractions = np.frompyfunc(lambda v: Fraction(v.n, v.d) if isinstance(v, Ratio) else v, 1, 1)


@dataclass(frozen=True, slots=True, eq=False)
class Scaled:
    """Exact values as ``num / den``: ``num`` int64 or object (Python ints), ``den`` ≥ 1.

    ``fractions``: ``num`` holds :class:`Ratio` and ints itself (no common
    denominator worth having), still to be divided by ``den``.  ``peak``: max |num|
    when known (−1: not yet measured), so the dtype choices scan ``num`` once.
    """

    num: np.ndarray
    den: int
    fractions: bool = False
    peak: int = -1

    def magnitude(self) -> int:
        """The largest |numerator| (0 for Ratios, whose lengths the cost estimate reads itself)."""
        if self.fractions:
            return 0
        return self.peak if self.peak >= 0 else max_abs(self.num)

    def values(self) -> np.ndarray:
        """The exact array: integers (int64, or object when large) or object Fractions."""
        if self.fractions:
            exact = _objects(_reduced(self.num.reshape(-1), self.den)).reshape(self.num.shape)
            return exact if Fraction in set(map(type, exact.flat)) else compact(exact)
        if self.den == 1:
            return compact(self.num)
        # Reduce every num/den at once (one vectorised gcd); Fractions only where den stays > 1.
        # A denominator past int64 (the product of two) needs Python ints even for int64 numerators.
        num = self.num if self.den < INT64_LIMIT else self.num.astype(object)
        common = np.gcd(num, self.den)
        return _rational(num // common, self.den // common).astype(object)


def is_exact(a: np.ndarray) -> bool:
    """True for integer arrays and object arrays of ints/Fractions."""
    if a.dtype.kind in "iub":
        return True
    # One isinstance per distinct type, not per element: map/set run in C.
    return a.dtype == object and all(issubclass(t, (int, Fraction)) for t in set(map(type, a.flat)))


_rational = np.frompyfunc(
    lambda top, bottom: int(top) if bottom == 1 else Fraction(int(top), int(bottom)), 2, 1
)
_fraction = np.frompyfunc(Fraction, 1, 1)
_ratio = np.frompyfunc(lambda v: Ratio(v.numerator, v.denominator) if v.denominator != 1 else int(v), 1, 1)
_numerators = np.frompyfunc(attrgetter("numerator"), 1, 1)
_denominators = np.frompyfunc(attrgetter("denominator"), 1, 1)


def scale(a: np.ndarray) -> Scaled:
    """Put an exact array over its least common denominator.

    Vectorised: numerators and denominators are read by NumPy's object loops
    (ints are their own numerator over 1) and scaled by one elementwise
    product, with no Fraction built per element.
    """
    if a.dtype.kind in "iub":
        return _measured(compact(a.astype(object)) if a.dtype.kind == "u" else a.astype(np.int64), 1)
    if a.size == 0:
        return Scaled(np.zeros(a.shape, np.int64), 1, peak=0)
    flat = a.reshape(-1)  # 1-d, so the object loops below return arrays, never bare scalars
    if flat.dtype.kind == "f":  # forced exact on floats: each float is an exact binary fraction
        flat = _objects(_fraction(flat.astype(np.float64)))
    elif not is_exact(flat):
        flat = _objects(_fraction(flat))
    dens = _objects(_denominators(flat))
    den = _common(set(dens.tolist()))
    if den is None:
        return Scaled(_objects(_ratio(flat)).reshape(a.shape), 1, fractions=True)
    nums = _objects(_numerators(flat))
    if den != 1:
        nums = nums * (den // dens)
    return _measured(compact(nums.reshape(a.shape)), den)


def _measured(num: np.ndarray, den: int) -> Scaled:
    return Scaled(num, den, peak=max_abs(num))


def _common(dens: set[int]) -> int | None:
    """The least common multiple of ``dens``, or None once it passes FRACTIONS_FROM_BITS."""
    den = 1
    for d in dens:
        den = lcm(den, d)
        if den.bit_length() > FRACTIONS_FROM_BITS:
            return None
    return den


def _objects(a: object) -> np.ndarray:
    """An object-loop result as an object array (what ``np.frompyfunc`` gives on 1-d input)."""
    return np.asarray(a, dtype=object)


def compact(a: np.ndarray) -> np.ndarray:
    """Python-int arrays as int64 when every value fits, else left as object."""
    if a.dtype != object:
        return a
    if a.size == 0 or (min(a.flat) >= -INT64_LIMIT and max(a.flat) < INT64_LIMIT):
        return a.astype(np.int64)
    return a


def max_abs(a: np.ndarray) -> int:
    """The largest |value| as a Python int (no int64 overflow at −2⁶³)."""
    if a.size == 0:
        return 0
    return max(abs(int(a.max())), abs(int(a.min())))


def product(op: Callable[[np.ndarray, np.ndarray], np.ndarray], a: Scaled, b: Scaled, terms: int) -> Scaled:
    """``op(a, b)`` for a bilinear ``op`` summing at most ``terms`` products per cell, exactly."""
    if a.fractions or b.fractions:
        return Scaled(op(a.num.astype(object), b.num.astype(object)), a.den * b.den, fractions=True)
    return Scaled(_run(op, a, b, max(terms, 1)), a.den * b.den)


def plan(a: Scaled, b: Scaled, terms: int) -> str:
    """Which dtype computes a bilinear op of ``terms`` products per cell exactly.

    'float64' (every partial sum below 2⁵³), 'int64' (below 2⁶³), 'limbs' (int64
    operands whose sums pass 2⁶³: float64 limbs), 'object' (Python integers) or
    'ratios' (per-cell :class:`Ratio`).
    """
    if a.fractions or b.fractions:
        return "ratios"
    peak_a, peak_b = a.magnitude(), b.magnitude()
    bound = peak_a * peak_b * max(terms, 1)
    objects = a.num.dtype == object or b.num.dtype == object
    if bound < FLOAT_EXACT and peak_a < FLOAT_EXACT and peak_b < FLOAT_EXACT:
        return "float64"
    if bound < INT64_LIMIT and not objects:
        return "int64"
    return "object" if objects else "limbs"


def _run(
    op: Callable[[np.ndarray, np.ndarray], np.ndarray], sa: Scaled, sb: Scaled, terms: int
) -> np.ndarray:
    dtype, a, b = plan(sa, sb, terms), sa.num, sb.num
    if dtype == "float64":
        # Every partial sum is an integer below 2⁵³, so BLAS float64 is exact here.
        result = op(a.astype(np.float64), b.astype(np.float64))
        return np.rint(result).astype(np.int64)
    if dtype == "int64":
        return op(a.astype(np.int64), b.astype(np.int64))
    if dtype == "limbs":
        return _in_limbs(op, sa, sb, terms)
    return compact(op(a.astype(object), b.astype(object)))


def _in_limbs(
    op: Callable[[np.ndarray, np.ndarray], np.ndarray], a: Scaled, b: Scaled, terms: int
) -> np.ndarray:
    """``op(a, b)`` exactly on float64 BLAS: a = Σ_i a_i·2^(L·i), b likewise, op(a, b) = Σ_ij op(a_i, b_j)·2^(L·(i+j)).

    Limbs of L bits keep every partial sum of op(a_i, b_j) below 2⁵³ (terms · 2^(2L) ≤ 2⁵³);
    only the few combined results are Python integers.
    """
    bits = max(1, (FLOAT_EXACT.bit_length() - 1 - terms.bit_length()) // 2)
    total: np.ndarray | None = None
    for i, x in enumerate(_limbs(a.num, a.magnitude(), bits)):
        for j, y in enumerate(_limbs(b.num, b.magnitude(), bits)):
            part = np.rint(op(x, y)).astype(np.int64).astype(object) << (bits * (i + j))
            total = part if total is None else total + part
    assert total is not None
    return compact(total)


def _limbs(a: np.ndarray, peak: int, bits: int) -> list[np.ndarray]:
    """int64 ``a`` (max |a| = ``peak``) as float64 limbs: a = Σ_i limb_i · 2^(bits·i), |limb_i| ≤ 2^bits."""
    limbs = []
    for _ in range(-(-max(peak.bit_length(), 1) // bits) - 1):
        high = a >> bits
        limbs.append((a - (high << bits)).astype(np.float64))
        a = high
    limbs.append(a.astype(np.float64))
    return limbs


def add(a: Scaled, b: Scaled) -> Scaled:
    """a + b (broadcasting) over the common denominator lcm(a.den, b.den)."""
    if a.fractions or b.fractions:
        return Scaled(a.values().astype(object) + b.values().astype(object), 1, fractions=True)
    den = lcm(a.den, b.den)
    fa, fb = den // a.den, den // b.den
    bound = max_abs(a.num) * fa + max_abs(b.num) * fb
    # The factors too: int64 zeros times a factor past int64 overflow though the bound is 0.
    if max(bound, fa, fb) < INT64_LIMIT and a.num.dtype != object and b.num.dtype != object:
        return Scaled(a.num * fa + b.num * fb, den)
    return Scaled(compact(a.num.astype(object) * fa + b.num.astype(object) * fb), den)


def total(a: Scaled, axis: tuple[int, ...]) -> Scaled:
    """Σ over ``axis``, exactly."""
    if a.fractions:
        return Scaled(a.num.sum(axis=axis), a.den, fractions=True)
    count = int(np.prod([a.num.shape[i] for i in axis])) if axis else 1
    if max_abs(a.num) * count < INT64_LIMIT and a.num.dtype != object:
        return Scaled(a.num.sum(axis=axis), a.den)
    return Scaled(compact(a.num.astype(object).sum(axis=axis)), a.den)


def pairwise_sum(parts: list[np.ndarray]) -> np.ndarray:
    """Σ parts, added in pairs (a tree): many distinct denominators grow once per level, not per term.

    Ratios are reduced to Fractions first: a Fraction addition's gcd of the two denominators
    (each half the sum's length) costs a quarter of one gcd of the whole, so the tree's gcds
    together cost half the single reduction of an unreduced sum.
    """
    if len(parts) > 2 and parts[0].dtype == object:
        parts = [_objects(_fractions(part.reshape(-1))).reshape(part.shape) for part in parts]
    while len(parts) > 1:
        parts = [a + b for a, b in zip(parts[::2], parts[1::2])] + parts[len(parts) - len(parts) % 2 :]
    return parts[0]
