"""Many distinct denominators: the per-cell :class:`~convgrad_cli.exact.Ratio` path against the oracle.

Cells ``v/p`` for many primes p (some sharing small factors, some repeated) make a common
denominator grow with every new p; past ``FRACTIONS_FROM_BITS`` an operand is carried as
unreduced Ratios, reduced once per result cell.  Every result must equal the brute-force
Fraction oracle's, in lowest terms.
"""

from __future__ import annotations

import random
from dataclasses import replace
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import Problem, problems

from convgrad_cli import backward, exact
from convgrad_cli.engine import exact_taps
from convgrad_cli.exact import Ratio

PRIMES = [p for p in range(1000, 1400) if all(p % d for d in range(2, 38))]
# Denominators that share factors (6·p and 10·q have lcm 30·p·q, not their product 60·p·q).
POOL = PRIMES + [f * p for f in (2, 3, 6, 10) for p in PRIMES[:8]] + [1, 1, 7, 7]


def _spread(value: Any, rng: random.Random) -> Any:
    """``value`` (nested lists, an array or a number) with each number divided by a denominator from POOL."""
    if isinstance(value, np.ndarray):
        return np.array([_spread(v, rng) for v in value.ravel().tolist()], dtype=object).reshape(value.shape)
    if isinstance(value, list):
        return [_spread(v, rng) for v in value]
    if value is None or value == 0:
        return value
    return exact.normalize(Fraction(value) / rng.choice(POOL))


def check_exact(problem: Problem) -> None:
    """Every result equals the oracle's, cell for cell, whole numbers as ints and the rest as Fractions."""
    r, want = problem.run(backward), problem.oracle()
    for name in ("output", "grad_input", "grad_filter", "grad_bias"):
        expected = getattr(want, name)
        if expected is None:
            continue
        got = np.asarray(getattr(r, name), dtype=object)
        assert got.tolist() == expected, name
        assert all(type(v) is (int if Fraction(v).denominator == 1 else Fraction) for v in got.ravel()), name


@st.composite
def many_denominators(draw: st.DrawFn) -> Problem:
    problem = draw(problems(("fraction", "int")))
    rng = draw(st.randoms(use_true_random=False))
    fields = ("input", "filter", "grad_output", "bias")
    spread = {name: _spread(getattr(problem, name), rng) for name in fields}
    return replace(problem, kind="fraction", **spread)


@pytest.mark.parametrize("taps", [True, False], ids=["tap by tap", "Ratios in the engine"])
@settings(max_examples=50, deadline=None)
@given(
    problem=many_denominators(),
    switch=st.sampled_from([0, 40, 200, 1 << 12]),
    held=st.sampled_from([1, exact_taps.SUM_CELLS]),
)
def test_many_denominators_match_oracle_exactly(taps: bool, problem: Problem, switch: int, held: int) -> None:
    # The switch moves which operands take Ratios and which a common denominator (0: every one with a denominator);
    # held=1 sums ∂L/∂W one tap at a time.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(exact, "FRACTIONS_FROM_BITS", switch)
        patch.setattr(exact_taps, "SUM_CELLS", held)
        if not taps:
            patch.setattr(exact_taps, "MAX_TAPS", 0)
        check_exact(problem)


@settings(max_examples=15, deadline=None)
@given(
    st.integers(130, 300),
    st.integers(1, 4),
    st.integers(1, 2),
    st.integers(0, 2),
    st.randoms(use_true_random=False),
)
def test_long_sums_added_as_trees_match_oracle(
    size: int, kernel: int, stride: int, pad: int, rng: random.Random
) -> None:
    # More than two blocks of positions per ∂L/∂W cell, so its partial sums are added as a tree.
    x = [_spread(rng.randint(-3, 3), rng) for _ in range(size)]
    w = [_spread(rng.randint(-3, 3), rng) for _ in range(kernel)]
    out = (size + 2 * pad - kernel) // stride + 1
    g = [_spread(rng.randint(-2, 2), rng) if rng.random() < 0.5 else rng.randint(-2, 2) for _ in range(out)]
    params = {"dims": 1, "stride": stride, "padding": pad}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(exact, "FRACTIONS_FROM_BITS", 200)
        check_exact(Problem(x, w, g, None, params, "fraction"))  # tap by tap: ∂L/∂W's tree ends in Fractions
        patch.setattr(exact_taps, "MAX_TAPS", 0)
        check_exact(Problem(x, w, g, None, params, "fraction"))  # the engine's blocks, added by pairwise_sum


def test_the_benchmark_s_problem_takes_ratios_and_matches_the_oracle() -> None:
    # Cells 1/p, a filter of k/p, δ small integers (benchmarks/scaling.py), at the shipped switch.
    primes = [p for p in range(1000, 10_000) if all(p % d for d in range(2, 100))][:409]
    rng = np.random.default_rng(4)
    x = np.array([Fraction(1, p) for p in primes[:400]], dtype=object).reshape(20, 20)
    w = np.array(
        [Fraction(int(k) or 1, p) for k, p in zip(rng.integers(-9, 10, 9), primes[400:])], dtype=object
    )
    g = rng.integers(-9, 10, (18, 18))
    assert exact.scale(x).fractions and not exact.scale(w.reshape(3, 3)).fractions
    check_exact(Problem(x, w.reshape(3, 3), g, None, {"dims": 2}, "fraction"))


ratios = st.one_of(
    st.integers(-50, 50),
    st.builds(Fraction, st.integers(-50, 50), st.sampled_from(POOL)),
)


def _ratio(v: int | Fraction) -> Ratio | int:
    f = Fraction(v)
    return int(f) if f.denominator == 1 else Ratio(f.numerator, f.denominator)


def _reduced(v: Ratio | int) -> int | Fraction:
    return v.reduced() if isinstance(v, Ratio) else v


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(ratios, ratios), min_size=1, max_size=12))
def test_ratio_sums_of_products_equal_fractions(pairs: list[tuple[int | Fraction, int | Fraction]]) -> None:
    want = sum((Fraction(a) * Fraction(b) for a, b in pairs), Fraction(0))
    got: Any = 0
    for a, b in pairs:
        got = got + _ratio(a) * _ratio(b)  # int + Ratio, Ratio + int, int * Ratio: every operand order
    result = _reduced(got)
    assert result == want and (type(result) is int) == (want.denominator == 1)
    assert Fraction(result).denominator == want.denominator  # lowest terms


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 4), st.integers(1, 6), st.integers(1, 4), st.data())
def test_object_matmul_on_ratios_equals_fractions(m: int, k: int, n: int, data: st.DataObject) -> None:
    a = data.draw(st.lists(ratios, min_size=m * k, max_size=m * k))
    b = data.draw(st.lists(ratios, min_size=k * n, max_size=k * n))
    want = np.array([Fraction(v) for v in a], dtype=object).reshape(m, k) @ np.array(
        [Fraction(v) for v in b], dtype=object
    ).reshape(k, n)
    got = np.array([_ratio(v) for v in a], dtype=object).reshape(m, k) @ np.array(
        [_ratio(v) for v in b], dtype=object
    ).reshape(k, n)
    assert [_reduced(v) for v in got.ravel()] == want.ravel().tolist()


def test_zeros_add_no_denominator() -> None:
    # Padding and zero coefficients multiply a Ratio by 0: the sum's denominator stays that of the real terms.
    total = Ratio(1, 3) * 0 + Ratio(2, 5) + 0 * Ratio(1, 7)
    assert isinstance(total, Ratio) and total.d == 5
    assert backward([[Fraction(1, 1009), 0], [0, 0]], [[2]], exact=True).output.tolist() == [
        [Fraction(2, 1009), 0],
        [0, 0],
    ]


def test_a_denominator_past_int64_over_small_numerators() -> None:
    # 1/D · 1/E with D, E ≈ 2⁴⁰: int64 numerators over a denominator past 2⁶³ (once an OverflowError
    # reported as "too large for float64").
    d, e = 1009 * 1013 * 1019 * 1021, 1031 * 1033 * 1039 * 1049
    r = backward([Fraction(1, d), Fraction(2, d)], [1], [Fraction(1, e), Fraction(3, e)], dims=1)
    assert r.grad_filter.tolist() == [Fraction(7, d * e)]
    zeros = backward([Fraction(1, d), 0], [[0]], bias=Fraction(1, 2**64 + 1), dims=1)
    assert zeros.output.tolist() == [Fraction(1, 2**64 + 1)] * 2
