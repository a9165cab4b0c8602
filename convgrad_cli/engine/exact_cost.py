"""What exact arithmetic will cost, estimated from the operands' sizes before it runs.

Each result is a bilinear product — X·W for Y, δ·W for ∂L/∂X, X·δ for ∂L/∂W — of
``cells`` sums of at most ``terms`` products.  Its price per term depends on how the
exact values are carried (:mod:`convgrad_cli.exact`):

- integers that fit float64 or int64: NumPy and BLAS loops, about a nanosecond;
- Python integers, over a common denominator: one big-integer product, whose length
  grows with that denominator (every numerator is as long), plus one gcd per result
  cell with the product of the two denominators;
- Ratios per cell (past ``FRACTIONS_FROM_BITS``): a product and an addition in Python
  per term, each addition multiplying the running sum (whose denominator grows with every
  distinct term) by the term's denominator, and per result cell one reduction (a gcd) of
  the whole sum's length; with few taps (:mod:`.exact_taps`) the terms run as whole
  arrays added in a tree, whose levels each multiply every term's length once.

The prices are nanoseconds measured on the reference machine (``docs/performance.md``,
"Exact rationals"); the estimate aims at the right order of magnitude, which is what the
choice between exact and float64 needs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from ..exact import Ratio, Scaled, plan
from . import exact_taps
from .wide import EXACT_BLOCK

EXACT_TIME_LIMIT = 30.0  # estimated seconds past which --exact is refused
DEFAULT_TIME_LIMIT = 5.0  # estimated seconds past which a run without --exact computes in float64
NS_NUMPY_TERM = 1  # a multiply-add in float64 or int64 (BLAS or NumPy's loops)
NS_INT_TERM = 60  # a multiply-add of small Python ints in an object loop
NS_MUL_PAIR = 3  # a big-integer product, per pair of 64-bit words
NS_GCD_PAIR = 10  # a big-integer gcd, per pair of 64-bit words
NS_RATIO_TERM = 600  # a Ratio product and its addition to the sum, on short numbers
NS_TAP_TERM = 150  # a term of a tap-by-tap sum (whole arrays, NumPy's object loops), on short numbers
NS_FORWARD_PASS = 250_000  # the engine's float64 forward pass on a small problem (plus ~1 ns a cell)
NS_ZERO_TERM = 120  # a product with a zero (padding, a dilated δ): a Python call that returns 0
NS_FRACTION_CELL = 2000  # a result cell's Fraction, built from its reduced parts
NS_RUN_WORD = 30  # an addition to a running sum, per word of the sum (products by the term's short parts)
NS_REDUCE_PAIR = 6  # a result cell's tree additions and gcd, per pair of words of its length


@dataclass(frozen=True, slots=True)
class Product:
    """One bilinear product of exact arrays: ``cells`` results, each a sum of at most ``terms`` products."""

    a: Scaled
    b: Scaled
    cells: int
    terms: int
    run: int = 0  # the longest sum added term by term (0: all ``terms``; ∂L/∂W's sums run in blocks)
    nonzero: int = 0  # products with no zero padding in all (0: ``cells``·``terms``)
    taps: bool = False  # Ratios run tap by tap (:mod:`.exact_taps`), not through the engine's loops


def estimate(x: np.ndarray, w: np.ndarray, g: np.ndarray, scaled: tuple[Scaled, Scaled, Scaled]) -> float:
    """Seconds the exact backward pass of full-form X, W, δ (scaled: X, W, δ as :class:`Scaled`) takes."""
    if not any(s.fractions or s.num.dtype == object for s in scaled):
        return 0.0  # int64 and float64 products: NumPy's speed, whatever the size
    # Tap by tap, finding where each tap reads costs one float64 forward pass per tap.
    passes = (
        w.size * (NS_FORWARD_PASS + x.size)
        if any(s.fractions for s in scaled) and exact_taps.fits(x, w, g)
        else 0
    )
    return seconds(products(x, w, g, scaled)) + passes / 1e9


def products(
    x: np.ndarray, w: np.ndarray, g: np.ndarray, scaled: tuple[Scaled, Scaled, Scaled]
) -> list[Product]:
    """Y, ∂L/∂X and ∂L/∂W as :class:`Product` s.

    Y sums C_in/groups·ΠK products per cell, ∂L/∂X at most C_out/groups·ΠK, ∂L/∂W N·ΠS_out.
    """
    xs, ws, gs = scaled
    per_group = w.shape[0] * w.shape[1] // x.shape[1]  # output channels per group
    kernel, taps = w[0, 0].size, exact_taps.fits(x, w, g)
    return [
        Product(xs, ws, g.size, w[0].size, taps=taps),
        # Every δ cell meets every tap once: as many real products as Y; the rest meet padding.
        Product(gs, ws, x.size, per_group * kernel, nonzero=g.size * w[0].size, taps=taps),
        Product(xs, gs, w.size, g.size // g.shape[1], EXACT_BLOCK, taps=taps),
    ]


def seconds(products: Iterable[Product]) -> float:
    """The estimated time of every product, in seconds."""
    lengths: dict[int, tuple[int, int]] = {}  # each operand's lengths, scanned once for all products
    return sum(_nanoseconds(p, lengths) for p in products) / 1e9


def _nanoseconds(p: Product, lengths: dict[int, tuple[int, int]]) -> float:
    a, b, work = p.a, p.b, p.cells * p.terms
    if a.fractions or b.fractions:
        (bits_a, value_a), (bits_b, value_b) = (_lengths(s, lengths) for s in (a, b))
        real = min(p.nonzero or work, work)
        mean = max(1, real // max(p.cells, 1))  # real terms in a cell's sum
        # A sum of `mean` Ratios with denominators `bits` long ends `mean`·`bits` long (unreduced).
        bits = bits_a + bits_b
        grown = _words(mean * bits)
        value = _words(value_a) + _words(value_b)
        # Term by term, each addition multiplies a running sum of half its final length by the
        # term's denominator, and the term's numerator by the sum's denominator.
        per_cell = NS_FRACTION_CELL + NS_REDUCE_PAIR * grown * (grown + value)
        if p.taps:  # a tree: each of its log₂(mean) levels multiplies every term's numbers (3 products)
            levels = 1 + mean.bit_length()
            return real * (NS_TAP_TERM + 3 * NS_MUL_PAIR * value * _words(bits) * levels) + p.cells * per_cell
        running = _words(min(mean, p.run or mean) * bits // 2)
        per_term = NS_RATIO_TERM + NS_RUN_WORD * running + NS_MUL_PAIR * value * running
        return real * per_term + (work - real) * NS_ZERO_TERM + p.cells * per_cell
    if plan(a, b, p.terms) != "object":
        return work * NS_NUMPY_TERM  # float64 BLAS, int64, or int64 operands in float64 limbs
    wa, wb = _words(a.magnitude().bit_length()), _words(b.magnitude().bit_length())
    if a.den * b.den == 1:
        return work * (NS_INT_TERM + NS_MUL_PAIR * wa * wb)
    reduce = (_words(a.den.bit_length()) + _words(b.den.bit_length())) * (wa + wb)
    return work * (NS_INT_TERM + NS_MUL_PAIR * wa * wb) + p.cells * (NS_FRACTION_CELL + NS_GCD_PAIR * reduce)


_denominator_bits = np.frompyfunc(lambda v: v.d.bit_length() if type(v) is Ratio else 0, 1, 1)
_numerator_bits = np.frompyfunc(lambda v: abs(v.n if type(v) is Ratio else v).bit_length(), 1, 1)


def _lengths(s: Scaled, known: dict[int, tuple[int, int]]) -> tuple[int, int]:
    """(the longest denominator a term carries itself, the longest numerator and denominator together).

    A common denominator is divided out at the end, so it counts in neither.
    """
    if id(s) not in known:
        if s.fractions:
            flat = s.num.reshape(-1)
            bits = int(max(_denominator_bits(flat), default=0))
            known[id(s)] = bits, int(max(_numerator_bits(flat), default=0)) + bits
        else:
            known[id(s)] = 0, s.magnitude().bit_length()
    return known[id(s)]


def _words(bits: int) -> int:
    return max(1, -(-bits // 64))


def described(estimate: float) -> str:
    """``about 3 s``, ``about 25 min``, ``about 2.5 h``: the estimate as a person reads it."""
    if estimate < 90:
        return f"about {estimate:.0f} s"
    if estimate < 90 * 60:
        return f"about {estimate / 60:.0f} min"
    return f"about {estimate / 3600:.1f} h"
