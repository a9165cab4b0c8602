"""``convgrad_cli.backward`` against independent oracles, on random problems.

(a) the brute-force oracle, exactly, with the dtype and shape contracts;
(b) the adjoint identity ⟨Y, δ⟩ = ⟨X, ∂L/∂X⟩ = ⟨W, ∂L/∂W⟩, exactly;
(c) central finite differences in float64;
(d) PyTorch autograd in float64 to 1e-12;
(e) float32 in → float32 out;
(f) integers near and beyond 2**63, exactly.
"""

from __future__ import annotations

from fractions import Fraction
from numbers import Integral, Rational
from typing import Any

import numpy as np
import oracle
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import Problem, problems, to_python
from torch_ref import assert_matches_torch

from convgrad_cli import backward, exact

EXACT = settings(max_examples=80, deadline=None)
FLOAT = settings(max_examples=50, deadline=None)


# ---------------------------------------------------------------- helpers


def is_exact_number(v: object, integer: bool) -> bool:
    """An int (Python or NumPy) or, unless ``integer``, a Fraction; never a float or bool."""
    return not isinstance(v, bool) and isinstance(v, Integral if integer else Rational)


def assert_exact(actual: Any, expected: Any, name: str, *, integer: bool) -> None:
    """``actual`` is an int64/object array equal (==) to the oracle's nested list."""
    a = np.asarray(actual)
    assert a.dtype in (np.dtype(np.int64), np.dtype(object)), f"{name}: dtype {a.dtype}"
    assert a.shape == np.shape(np.asarray(expected, dtype=object)), f"{name}: shape {a.shape}"
    values = a.ravel().tolist()
    bad = [v for v in values if not is_exact_number(v, integer)]
    assert not bad, f"{name}: inexact entries such as {bad[0]!r} ({type(bad[0]).__name__})"
    assert a.tolist() == expected, f"{name}: {a.tolist()} != oracle's {expected}"


def assert_shapes(r: Any, problem: Problem) -> None:
    """Gradients have the shape of what they differentiate; Y has the shape of δ."""
    assert np.shape(r.grad_input) == np.shape(problem.input)
    assert np.shape(r.grad_filter) == np.shape(problem.filter)
    if problem.grad_output is not None:
        assert np.shape(r.output) == np.shape(problem.grad_output)
    if problem.bias is None:
        assert r.grad_bias is None
    else:
        single = np.ndim(problem.filter) < problem.dims + 2
        expected = () if single else (np.shape(problem.filter)[0],)
        assert np.shape(r.grad_bias) == expected, "grad_bias: a scalar for one filter, else (C_out,)"


def inner(a: Any, b: Any) -> int:
    """Σ a·b exactly, in Python ints (NumPy int64 would wrap)."""
    fa, fb = (np.asarray(v, dtype=object).ravel().tolist() for v in (a, b))
    assert len(fa) == len(fb)
    return sum(int(p) * int(q) for p, q in zip(fa, fb, strict=True))


def check_exact(problem: Problem) -> None:
    r = problem.run(backward)
    want = problem.oracle()
    integer = problem.kind != "fraction"
    assert_shapes(r, problem)
    for name in ("output", "grad_input", "grad_filter"):
        assert_exact(getattr(r, name), getattr(want, name), name, integer=integer)
    if want.grad_bias is not None:
        assert_exact(r.grad_bias, want.grad_bias, "grad_bias", integer=integer)


# ---------------------------------------------------------------- (a) exact oracle


@EXACT
@given(problems(("int",)))
def test_integers_match_oracle_exactly(problem: Problem) -> None:
    check_exact(problem)


@EXACT
@given(problems(("fraction",)))
def test_fractions_match_oracle_exactly(problem: Problem) -> None:
    check_exact(problem)


@EXACT
@given(problems(("int", "fraction"), short_forms=False))
def test_full_forms_match_oracle_exactly(problem: Problem) -> None:
    # Full forms alone, so grouped and depthwise layers get a fair share of examples.
    check_exact(problem)


@settings(max_examples=40, deadline=None)
@given(problems(("fraction", "int")))
def test_fractions_carried_as_fractions_match_oracle_exactly(problem: Problem) -> None:
    # Every array with a denominator takes the many-denominators path (Fractions, no common denominator).
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(exact, "FRACTIONS_FROM_BITS", 0)
        check_exact(problem)


def test_many_distinct_denominators_stay_exact(monkeypatch: pytest.MonkeyPatch) -> None:
    # 1/p for 100 distinct primes: a common denominator of ~1 000 bits, past a switch lowered to 256.
    monkeypatch.setattr(exact, "FRACTIONS_FROM_BITS", 256)
    primes = [p for p in range(1000, 2000) if all(p % d for d in range(2, 45))][:100]
    x = np.array([Fraction(1, p) for p in primes], dtype=object).reshape(10, 10)
    w = np.array([[Fraction(1, 3), -2], [5, Fraction(7, 11)]], dtype=object)
    assert exact.scale(x).fractions and not exact.scale(w).fractions
    problem = Problem(x, w, None, Fraction(1, 7), {"dims": 2, "padding": 1, "stride": 2}, "fraction")
    check_exact(problem)


def test_package_docstring_example() -> None:
    r = backward([[1, 2, 3], [4, 5, 6], [7, 8, 9]], [[1, 0], [0, -1]])
    assert r.grad_filter.tolist() == [[12, 16], [24, 28]]
    assert r.grad_bias is None


def test_single_filter_bias_gradient_is_a_scalar() -> None:
    r = backward([[1, 2, 3], [4, 5, 6], [7, 8, 9]], [[1, 0], [0, -1]], [[1, -2], [3, 4]], bias=5)
    assert r.grad_bias is not None and r.grad_bias.shape == ()
    assert r.grad_bias == 1 - 2 + 3 + 4
    assert r.output.tolist() == [[1 - 5 + 5, 2 - 6 + 5], [4 - 8 + 5, 5 - 9 + 5]]


# ---------------------------------------------------------------- (b) adjoint identity


@EXACT
@given(problems(("int", "bigint"), bias=False))
def test_adjoint_identity_is_exact(problem: Problem) -> None:
    # Y is linear in X and in W, so L = ⟨Y, δ⟩ equals both ⟨X, ∂L/∂X⟩ and ⟨W, ∂L/∂W⟩.
    r = problem.run(backward)
    delta = np.ones(np.shape(r.output), int) if problem.grad_output is None else problem.grad_output
    loss = inner(r.output, delta)
    assert inner(problem.input, r.grad_input) == loss
    assert inner(problem.filter, r.grad_filter) == loss


# ---------------------------------------------------------------- (c) finite differences


def _loss(problem: Problem, x: np.ndarray, w: np.ndarray, b: Any, delta: np.ndarray) -> float:
    y = backward(x, w, problem.grad_output, bias=b, **problem.params).output
    return float(np.sum(np.asarray(y, dtype=np.float64) * delta))


def _tolerance(problem: Problem, x: np.ndarray, w: np.ndarray, delta: np.ndarray, h: float) -> float:
    """Rounding bound for a central difference: ε·Σ|δ|·(|X|⊛|W|), with room to spare.

    L is linear in each operand, so the difference quotient has no truncation error.
    """
    y_abs = backward(np.abs(x) + h, np.abs(w) + h, **problem.params).output
    return 1e-10 * (1.0 + float(np.sum(np.abs(delta) * y_abs))) / h


@FLOAT
@given(problems(("float64",)), st.data())
def test_central_differences(problem: Problem, data: st.DataObject) -> None:
    r = problem.run(backward)
    x, w = np.asarray(problem.input, np.float64), np.asarray(problem.filter, np.float64)
    b = None if problem.bias is None else np.asarray(problem.bias, np.float64)
    delta = np.ones(np.shape(r.output)) if problem.grad_output is None else np.asarray(problem.grad_output)
    h = data.draw(st.sampled_from((1.0, 0.5, 2.0**-10)), "h")
    tol = _tolerance(problem, x, w, delta, h)
    targets = [("x", x, r.grad_input), ("w", w, r.grad_filter)]
    if b is not None:
        targets.append(("b", b, r.grad_bias))
    for name, arr, grad in targets:
        for _ in range(3):
            i = data.draw(st.integers(0, arr.size - 1), f"{name} index")
            bumped = [arr.copy(), arr.copy()]
            bumped[0].flat[i] += h
            bumped[1].flat[i] -= h
            ops = [{"x": x, "w": w, "b": b} | {name: v} for v in bumped]
            fd = (_loss(problem, **ops[0], delta=delta) - _loss(problem, **ops[1], delta=delta)) / (2 * h)
            assert abs(fd - np.asarray(grad).flat[i]) <= tol, (name, i, fd, np.asarray(grad).flat[i])


# ---------------------------------------------------------------- (d) torch float64


@FLOAT
@given(problems(("float64", "int", "fraction")))
def test_matches_torch_float64(problem: Problem) -> None:
    r = problem.run(backward)
    assert_matches_torch(r, problem.input, problem.filter, problem.grad_output,
                         bias=problem.bias, **problem.params)  # fmt: skip
    if problem.kind == "float64":
        for a in (r.output, r.grad_input, r.grad_filter, r.grad_bias):
            assert a is None or np.asarray(a).dtype == np.float64


# ---------------------------------------------------------------- (e) float32


@FLOAT
@given(problems(("float32",)))
def test_float32_in_float32_out(problem: Problem) -> None:
    r = problem.run(backward)
    assert_shapes(r, problem)
    for name in ("output", "grad_input", "grad_filter", "grad_bias"):
        a = getattr(r, name)
        assert a is None or np.asarray(a).dtype == np.float32, f"{name}: {np.asarray(a).dtype}"
    # float32 sums of up to a few hundred terms: 1e-4 of the array's scale is ample.
    assert_matches_torch(r, problem.input, problem.filter, problem.grad_output,
                         bias=problem.bias, rtol=1e-4, **problem.params)  # fmt: skip


# ---------------------------------------------------------------- (f) big integers


@EXACT
@given(problems(("bigint", "int64edge")))
def test_big_integers_are_exact(problem: Problem) -> None:
    check_exact(problem)


@pytest.mark.parametrize("as_array", [False, True])
def test_int64_products_do_not_wrap(as_array: bool) -> None:
    top = 2**63 - 1
    x: Any = [top, top, -(2**63)]
    w: Any = [top, top]
    if as_array:
        x, w = np.array(x, np.int64), np.array(w, np.int64)
    r = backward(x, w, [top, 1], dims=1, bias=top)
    assert to_python(r.output) == [2 * top * top + top, top * top - 2**63 * top + top]
    assert to_python(r.grad_filter) == [top * top + top, top * top - 2**63]
    assert to_python(r.grad_input) == [top * top, top * top + top, top]
    assert to_python(r.grad_bias) == top + 1


def test_python_ints_just_past_int64_stay_exact() -> None:
    # NumPy reads [1, 2**63 + 1] as float64 (int64 and uint64 have no common integer type),
    # which silently rounds 2**63 + 1 to 2**63: the nested list must be read exactly.
    r = backward([1, 2**63 + 1], [1], [3, 2**63 + 1], dims=1)
    assert to_python(r.output) == [1, 2**63 + 1]
    assert to_python(r.grad_filter) == [3 + (2**63 + 1) ** 2]
    assert to_python(r.grad_input) == [3, 2**63 + 1]


@pytest.mark.parametrize("magnitude", [2**24, 2**40, 2**62])
def test_int64_sums_past_int64_run_in_limbs_exactly(magnitude: int) -> None:
    # ∂L/∂W sums 900 products of up to 2·magnitude²: past 2⁶³, computed on float64 limbs.
    rng = np.random.default_rng(magnitude % 1000)
    x = rng.integers(-magnitude, magnitude, (2, 2, 16, 16), dtype=np.int64)
    w = rng.integers(-magnitude, magnitude, (3, 2, 3, 3), dtype=np.int64)
    g = rng.integers(-magnitude, magnitude, (2, 3, 15, 15), dtype=np.int64)
    r = backward(x, w, g, padding=[[1, 0], [0, 1]], stride=1, exact=True)
    conv = oracle.make_conv((3, 3), padding=[[1, 0], [0, 1]])
    want = oracle.conv_backward(x.tolist(), w.tolist(), g.tolist(), None, conv)
    for name in ("output", "grad_input", "grad_filter"):
        assert to_python(getattr(r, name)) == getattr(want, name), name
