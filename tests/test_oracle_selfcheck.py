"""The brute-force oracle is only worth trusting once it agrees with PyTorch and with hand sums.

These tests exercise ``tests/oracle.py`` alone (never ``convgrad_cli``), so they
pass before the engine exists and localise blame when an engine test fails.
"""

from __future__ import annotations

from fractions import Fraction
from itertools import product
from typing import Any

import numpy as np
import oracle
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import Problem, problems, to_python
from torch_ref import assert_close, assert_matches_torch

# The classic homework example: a 3×3 input, a 2×2 filter, a 2×2 output.
X = [[3, -1, 4], [1, 5, -9], [2, 6, 5]]
W = [[2, -7], [1, 8]]
D = [[1, -2], [3, 4]]  # δ = ∂L/∂Y


def x(i: int, j: int) -> int:
    """x_ij with the 1-based indices of the textbook."""
    return X[i - 1][j - 1]


def w(i: int, j: int) -> int:
    return W[i - 1][j - 1]


def d(i: int, j: int) -> int:
    return D[i - 1][j - 1]


def test_hand_example_grad_filter() -> None:
    r = oracle.backward(X, W, D)
    assert r.grad_filter[0][1] == d(1, 1) * x(1, 2) + d(1, 2) * x(1, 3) + d(2, 1) * x(2, 2) + d(2, 2) * x(
        2, 3
    )
    assert r.grad_filter[1][0] == d(1, 1) * x(2, 1) + d(1, 2) * x(2, 2) + d(2, 1) * x(3, 1) + d(2, 2) * x(
        3, 2
    )


def test_hand_example_grad_input_and_output() -> None:
    r = oracle.backward(X, W, D)
    # The centre pixel is read by all four windows, each time under a different tap.
    assert r.grad_input[1][1] == d(1, 1) * w(2, 2) + d(1, 2) * w(2, 1) + d(2, 1) * w(1, 2) + d(2, 2) * w(1, 1)
    # A corner pixel is read once, by the top-left tap of the first window.
    assert r.grad_input[0][0] == d(1, 1) * w(1, 1)
    assert r.output[0][1] == x(1, 2) * w(1, 1) + x(1, 3) * w(1, 2) + x(2, 2) * w(2, 1) + x(2, 3) * w(2, 2)


def test_package_docstring_example() -> None:
    # δ = ones: each ∂L/∂w is the sum of the 2×2 window that tap sees.
    r = oracle.backward([[1, 2, 3], [4, 5, 6], [7, 8, 9]], [[1, 0], [0, -1]])
    assert r.grad_filter == [[12, 16], [24, 28]]


def test_bias_gradient_is_sum_of_delta() -> None:
    r = oracle.backward(X, W, D, bias=Fraction(1, 2))
    assert r.grad_bias == 1 - 2 + 3 + 4
    assert r.output[0][0] == x(1, 1) * w(1, 1) + x(1, 2) * w(1, 2) + x(2, 1) * w(2, 1) + x(2, 2) * w(
        2, 2
    ) + Fraction(1, 2)


def test_convolve_mode_is_numpy_convolve() -> None:
    # np.convolve flips its second argument: an independent definition of true convolution.
    xs, ws = [1, 2, 3, -4, 5], [1, 10, 100]
    r = oracle.backward(xs, ws, dims=1, mode="convolve")
    assert r.output == np.convolve(xs, ws, "valid").tolist()
    assert (
        oracle.backward(xs, ws, dims=1, mode="convolve", padding="full").output
        == np.convolve(xs, ws).tolist()
    )


def test_resolve_padding_forms() -> None:
    assert oracle.resolve_padding(2, [3, 3], [1, 1], [1, 1]) == [(2, 2), (2, 2)]
    assert oracle.resolve_padding((1, 0), [3, 3], [1, 1], [1, 1]) == [(1, 1), (0, 0)]
    assert oracle.resolve_padding([(0, 2), (1, 3)], [3, 3], [2, 2], [1, 1]) == [(0, 2), (1, 3)]
    assert oracle.resolve_padding("valid", [3], [2], [1]) == [(0, 0)]
    # "same" with an even span puts the extra zero after, as PyTorch does.
    assert oracle.resolve_padding("same", [4, 3], [1, 1], [1, 2]) == [(1, 2), (2, 2)]
    assert oracle.resolve_padding("full", [4, 3], [1, 1], [1, 2]) == [(3, 3), (4, 4)]


@pytest.mark.parametrize(("dims", "size"), [(1, 7), (2, 5), (3, 4)])
@pytest.mark.parametrize("kernel", [1, 2, 3, 4])
@pytest.mark.parametrize("dilation", [1, 2])
def test_same_padding_keeps_shape_like_torch(dims: int, size: int, kernel: int, dilation: int) -> None:
    xs = np.arange(size**dims, dtype=float).reshape((size,) * dims)
    ws = np.arange(kernel**dims, dtype=float).reshape((kernel,) * dims)
    r = oracle.backward(xs.tolist(), ws.tolist(), padding="same", dilation=dilation, dims=dims)
    assert np.shape(r.output) == xs.shape
    assert_matches_torch(r, xs, ws, padding="same", dilation=dilation, dims=dims)


def _inner(a: object, b: object) -> object:
    """Σ a·b over two nested lists of the same shape, exactly."""
    fa, fb = np.asarray(a, dtype=object).ravel(), np.asarray(b, dtype=object).ravel()
    return sum((p * q for p, q in zip(fa.tolist(), fb.tolist(), strict=True)), 0)


@settings(max_examples=150, deadline=None)
@given(problems(("int", "fraction", "float64")))
def test_oracle_matches_torch(problem: Problem) -> None:
    assert_matches_torch(problem.oracle(), problem.input, problem.filter, problem.grad_output,
                         bias=problem.bias, **problem.params)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(problems(("int", "bigint"), bias=False, grad_output=True))
def test_oracle_adjoint_identity(problem: Problem) -> None:
    # Y is linear in X and in W, so ⟨Y, δ⟩ = ⟨X, ∂L/∂X⟩ = ⟨W, ∂L/∂W⟩ exactly.
    r = problem.oracle()
    loss = _inner(r.output, problem.grad_output)
    assert _inner(problem.input, r.grad_input) == loss
    assert _inner(problem.filter, r.grad_filter) == loss


@settings(max_examples=40, deadline=None)
@given(problems(("int",), bias=True), st.integers(2, 5))
def test_oracle_scales_exactly_to_big_ints(problem: Problem, power: int) -> None:
    # Scaling X by 2**(31·power) scales Y − b, ∂L/∂W by it and leaves ∂L/∂X alone: exact past 2**63.
    k = 2 ** (31 * power)
    scaled = oracle.backward(
        (np.asarray(problem.input, dtype=object) * k).tolist(), to_python(problem.filter),
        to_python(problem.grad_output), bias=to_python(problem.bias), **problem.params,
    )  # fmt: skip
    plain = problem.oracle()
    assert scaled.grad_input == plain.grad_input
    assert scaled.grad_bias == plain.grad_bias
    assert np.array_equal(
        np.asarray(scaled.grad_filter, dtype=object), np.asarray(plain.grad_filter, dtype=object) * k
    )


def test_grouped_3d_asymmetric_convolve_against_torch() -> None:
    # One fixed hard case, so a regression shows up even if hypothesis draws gently.
    rng = np.random.default_rng(0)
    xs = rng.integers(-4, 5, (2, 4, 4, 3, 5)).astype(np.int64)
    ws = rng.integers(-4, 5, (6, 2, 2, 3, 2)).astype(np.int64)
    kw: dict[str, Any] = {
        "stride": (2, 1, 2),
        "padding": [(1, 0), (2, 1), (0, 3)],
        "dilation": (1, 2, 1),
        "groups": 2,
    }
    conv = oracle.make_conv([2, 3, 2], **kw)
    out = conv.output_shape(xs.shape[2:], ws.shape[2:])
    g = rng.integers(-4, 5, (2, 6, *out))
    b = [1, -2, 3, 0, 5, 7]
    r = oracle.backward(xs.tolist(), ws.tolist(), g.tolist(), bias=b, mode="convolve", dims=3, **kw)
    ref = assert_matches_torch(r, xs, ws, g, bias=b, mode="convolve", dims=3, **kw)
    assert_close(r.output, ref.output, "output")
    for n, o in product(range(2), range(6)):
        assert np.shape(r.output[n][o]) == out
