"""What exact arithmetic will cost, estimated from the operands' sizes before it runs.

Each result is a bilinear product — X·W for Y, δ·W for ∂L/∂X, X·δ for ∂L/∂W — of
``cells`` sums of at most ``terms`` products.  Its price per term depends on how the
exact values are carried (:mod:`convgrad_cli.exact`):

- integers that fit float64 or int64: NumPy and BLAS loops, about a nanosecond;
- Python integers, over a common denominator: one big-integer product, whose length
  grows with that denominator (every numerator is as long), plus one gcd per result
  cell with the product of the two denominators;
- Fractions per cell (past ``FRACTIONS_FROM_BITS``): a Fraction product and sum with
  their gcds, and a denominator that grows with every distinct term of the sum.

The prices are nanoseconds measured on the reference machine (``docs/performance.md``,
"Exact rationals"); the estimate aims at the right order of magnitude, which is what the
choice between exact and float64 needs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ..exact import Scaled, max_abs, plan
from .wide import EXACT_BLOCK

EXACT_TIME_LIMIT = 30.0  # estimated seconds past which exact arithmetic is refused (or float64 used)
NS_NUMPY_TERM = 1  # a multiply-add in float64 or int64 (BLAS or NumPy's loops)
NS_INT_TERM = 60  # a multiply-add of small Python ints in an object loop
NS_MUL_PAIR = 3  # a big-integer product, per pair of 64-bit words
NS_GCD_PAIR = 10  # a big-integer gcd, per pair of 64-bit words
NS_FRACTION_TERM = 4000  # a Fraction product and its addition to the sum, on short numbers
NS_GROWN_PAIR = 30  # adding Fractions (products and gcds) per pair of words of the sum's size
NS_BLOCK_PAIR = 3 * NS_MUL_PAIR + NS_GCD_PAIR  # one addition of Fractions: three products, one gcd


@dataclass(frozen=True, slots=True)
class Product:
    """One bilinear product of exact arrays: ``cells`` results, each a sum of at most ``terms`` products."""

    a: Scaled
    b: Scaled
    cells: int
    terms: int


def estimate(x: np.ndarray, w: np.ndarray, g: np.ndarray, scaled: tuple[Scaled, Scaled, Scaled]) -> float:
    """Seconds the exact backward pass of full-form X, W, δ (scaled: X, W, δ as :class:`Scaled`) takes.

    Y sums C_in/groups·ΠK products per cell, ∂L/∂X at most C_out/groups·ΠK, ∂L/∂W N·ΠS_out.
    """
    xs, ws, gs = scaled
    if not any(s.fractions or s.num.dtype == object for s in scaled):
        return 0.0  # int64 and float64 products: NumPy's speed, whatever the size
    per_group = w.shape[0] * w.shape[1] // x.shape[1]  # output channels per group
    kernel = w[0, 0].size
    return seconds([
        Product(xs, ws, g.size, w[0].size),
        Product(gs, ws, x.size, per_group * kernel),
        Product(xs, gs, w.size, g.size // g.shape[1]),
    ])  # fmt: skip


def seconds(products: Iterable[Product]) -> float:
    """The estimated time of every product, in seconds."""
    return sum(_nanoseconds(p) for p in products) / 1e9


def _nanoseconds(p: Product) -> float:
    a, b, work = p.a, p.b, p.cells * p.terms
    if a.fractions or b.fractions:
        # A sum of `terms` Fractions with denominators `bits` long ends with one `terms`·`bits`
        # long; added in a tree, the additions cost about one addition of the final size, squared.
        bits = _fraction_bits(a) + _fraction_bits(b)
        grown = _words(p.terms * bits)
        value = _words(_value_bits(a)) + _words(_value_bits(b))
        # Inside a block the sum runs term by term: each addition multiplies the numbers by a
        # denominator half the block's final length, and reduces them by a gcd.
        block = _words(min(p.terms, EXACT_BLOCK) * bits // 2)
        per_term = NS_FRACTION_TERM + NS_BLOCK_PAIR * value * block
        return work * per_term + p.cells * NS_GROWN_PAIR * grown * (grown + value)
    bound = max_abs(a.num) * max_abs(b.num) * max(p.terms, 1)
    if plan(a.num, b.num, bound) != "object" or (a.num.dtype != object and b.num.dtype != object):
        return work * NS_NUMPY_TERM  # float64 BLAS, int64, or int64 operands in float64 limbs
    wa, wb = _words(max_abs(a.num).bit_length()), _words(max_abs(b.num).bit_length())
    reduce = (_words(a.den.bit_length()) + _words(b.den.bit_length())) * (wa + wb) if a.den * b.den > 1 else 0
    return work * (NS_INT_TERM + NS_MUL_PAIR * wa * wb) + p.cells * NS_GCD_PAIR * reduce


_denominator_bits = np.frompyfunc(lambda v: v.denominator.bit_length() if type(v) is Fraction else 0, 1, 1)
_numerator_bits = np.frompyfunc(lambda v: abs(v.numerator).bit_length(), 1, 1)


def _fraction_bits(s: Scaled) -> int:
    """The longest denominator a term carries itself (a common denominator is divided out at the end)."""
    return int(max(_denominator_bits(s.num.reshape(-1)), default=0)) if s.fractions else 0


def _value_bits(s: Scaled) -> int:
    """The longest numerator and denominator together."""
    flat = s.num.reshape(-1)
    if not s.fractions:
        return max_abs(flat).bit_length()
    return int(max(_numerator_bits(flat), default=0)) + _fraction_bits(s)


def _words(bits: int) -> int:
    return max(1, -(-bits // 64))


def described(estimate: float) -> str:
    """``about 3 s``, ``about 25 min``, ``about 2.5 h``: the estimate as a person reads it."""
    if estimate < 90:
        return f"about {estimate:.0f} s"
    if estimate < 90 * 60:
        return f"about {estimate / 60:.0f} min"
    return f"about {estimate / 3600:.1f} h"
