"""The readable recipe (``engine/reference.py``) as a second oracle.

On every path of the fast engine: reference == brute-force oracle == fast engine,
exactly on int64, Python ints beyond int64 and Fractions; within float64 rounding
of the engine and of PyTorch on random floats.  And on the page's own example,
the entries the page writes out by hand.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import PATHS, layers

from convgrad_cli.engine import reference, resolve_spec

NAMES = ("output", "grad_input", "grad_filter")


@pytest.mark.parametrize("path", PATHS)
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_reference_matches_oracle_and_engine_exactly(path: str, data: st.DataObject) -> None:
    layer = data.draw(layers(path))
    ref = layer.engine(np.int64, path=reference)
    fast = layer.engine(np.int64, combined=data.draw(st.booleans(), "combined"))
    for name, r, f, want in zip(NAMES, ref, fast, layer.oracle()):
        assert r.dtype == np.int64, f"{name}: {r.dtype}"
        assert r.tolist() == want, f"{name}: reference differs from the oracle"
        assert np.array_equal(r, f), f"{name}: reference differs from the engine"


@pytest.mark.parametrize("path", PATHS)
@settings(max_examples=10, deadline=None)
@given(data=st.data(), kind=st.sampled_from(("bigint", "fraction")))
def test_reference_stays_exact_on_objects(path: str, data: st.DataObject, kind: str) -> None:
    # Object arrays: its zeros (padding, dilation) must be Python 0, never an int64 that overflows.
    layer = data.draw(layers(path))
    factor: Any = 2**70 + 1 if kind == "bigint" else Fraction(1, 3)
    x, w, d = (a.astype(object) * factor for a in (layer.x, layer.w, layer.delta))
    scale = factor if kind == "bigint" else 1
    want = layer.oracle(scale)
    if kind == "fraction":  # every result is bilinear: a factor of 1/9
        want = tuple((np.asarray(v, dtype=object) * Fraction(1, 9)).tolist() for v in want)
    for name, got, expected in zip(NAMES, layer.run(x, w, d, path=reference), want):
        assert got.dtype == object, f"{name}: {got.dtype}"
        assert got.tolist() == expected, f"{name} differs from the oracle"


@pytest.mark.parametrize("path", PATHS)
@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_reference_matches_engine_and_torch_in_float64(path: str, data: st.DataObject) -> None:
    torch_ref = pytest.importorskip("torch_ref")
    layer = data.draw(layers(path))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    x, w, d = (rng.standard_normal(a.shape) for a in (layer.x, layer.w, layer.delta))
    ref = layer.run(x, w, d, path=reference)
    torch = torch_ref.torch_backward(x, w, d, **layer.params)
    for name, r, f in zip(NAMES, ref, layer.run(x, w, d, combined=True)):
        assert r.dtype == np.float64, f"{name}: {r.dtype}"
        np.testing.assert_allclose(r, f, rtol=1e-12, atol=1e-12, err_msg=name)
        torch_ref.assert_close(r, getattr(torch, name), name)


def test_the_page_example_by_hand() -> None:
    # x₁₁…x₃₃ = 1…9, w₁₁…w₂₂ = 1…4, δ₁₁…δ₂₂ = 1…4 (the page's shapes), entries written out as the page does.
    x, w, d = np.arange(1, 10).reshape(3, 3), np.arange(1, 5).reshape(2, 2), np.arange(1, 5).reshape(2, 2)
    spec = resolve_spec(dims=2, kernel=(2, 2))
    dw = reference.grad_filter(x[None, None], d[None, None], spec, (2, 2))[0, 0]
    dx = reference.grad_input(d[None, None], w[None, None], spec, (3, 3))[0, 0]
    # ∂L/∂w₁₂ = δ₁₁·x₁₂ + δ₁₂·x₁₃ + δ₂₁·x₂₂ + δ₂₂·x₂₃
    assert dw[0, 1] == d[0, 0] * x[0, 1] + d[0, 1] * x[0, 2] + d[1, 0] * x[1, 1] + d[1, 1] * x[1, 2]
    # ∂L/∂x₂₂ = w₂₂·δ₁₁ + w₂₁·δ₁₂ + w₁₂·δ₂₁ + w₁₁·δ₂₂; the corner ∂L/∂x₁₁ = w₁₁·δ₁₁ alone
    assert dx[1, 1] == w[1, 1] * d[0, 0] + w[1, 0] * d[0, 1] + w[0, 1] * d[1, 0] + w[0, 0] * d[1, 1]
    assert dx[0, 0] == w[0, 0] * d[0, 0]
    # and the whole of ∂L/∂X is δ padded by one zero, correlated with rot180(W)
    framed, flipped = np.pad(d, 1), w[::-1, ::-1]
    assert dx.tolist() == [[int((framed[i : i + 2, j : j + 2] * flipped).sum()) for j in range(3)]
                                 for i in range(3)]  # fmt: skip
