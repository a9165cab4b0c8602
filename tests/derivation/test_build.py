"""The derivation's terms are exactly the definition's multiplications, in page order.

The expected terms come from one loop over the definition, written here from scratch:
for every image n, output channel o, output position i, input channel c and tap k of
y[n, o, i] = Σ x[n, g·C + c, i·s + k·d − p] · w[o, c, k], a term that reads a real input
belongs to ∂L/∂w[o, c, k] (as δ·x) and to ∂L/∂x at that input (as w·δ).  Looping n, o, i
in row-major order lists each weight's terms by image then position, and each input's by
filter then δ position, which is the order the page takes them in.
"""

from __future__ import annotations

from fractions import Fraction
from itertools import product
from math import prod
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from strategies import Problem, problems

from convgrad_cli import backward
from convgrad_cli.derivation import (
    GAP,
    PAD,
    Derivation,
    Frame,
    build,
    build_symbolic,
    frame_of,
    parse_cells,
)

PAGE = ([[1, 2, 0], [3, -1, 2], [0, 1, 4]], [[2, -1], [0, 1]], [[1, 2], [-1, 3]])
Expected = dict[tuple[int, ...], list[tuple[tuple[int, ...], tuple[int, ...]]]]


def definition_terms(result: Any) -> tuple[Expected, Expected]:
    """Per full-form cell of ∂L/∂W and ∂L/∂X: (other operand's index, δ index), user forms."""
    spec, layout = result.spec, result.layout
    x = layout.full_input(np.asarray(result.input))
    w = layout.full_filter(np.asarray(result.filter))
    n_batch, spatial = x.shape[0], x.shape[2:]
    (c_out, c_group), kernel = w.shape[:2], w.shape[2:]
    out = spec.output_shape(spatial, kernel)
    per_group = c_out // spec.groups
    x_drop, w_drop = spec.dims + 2 - np.ndim(result.input), spec.dims + 2 - np.ndim(result.filter)
    keep_n, keep_o = x_drop == 0, w_drop == 0  # the README's short-form rule for δ

    def user_delta(n: int, o: int, i: tuple[int, ...]) -> tuple[int, ...]:
        return (n,) * keep_n + (o,) * keep_o + i

    dw: Expected = {idx: [] for idx in np.ndindex(*w.shape)}
    dx: Expected = {idx: [] for idx in np.ndindex(*x.shape)}
    for n, o, i in product(range(n_batch), range(c_out), np.ndindex(*out)):
        for c, k in product(range(c_group), np.ndindex(*kernel)):
            pos = tuple(
                i[a] * spec.stride[a] + k[a] * spec.dilation[a] - spec.padding[a][0] for a in range(spec.dims)
            )
            if not all(0 <= p < s for p, s in zip(pos, spatial)):
                continue  # reads a padding zero: no term
            ci = o // per_group * c_group + c
            # convolve mode: the forward pass reads W rotated, so tap k multiplies w[K − 1 − k]
            weight = k if spec.mode == "correlate" else tuple(kn - 1 - ka for kn, ka in zip(kernel, k))
            x_index, w_index = (n, ci, *pos), (o, c, *weight)
            dw[w_index].append((x_index[x_drop:], user_delta(n, o, i)))
            dx[x_index].append((w_index[w_drop:], user_delta(n, o, i)))
    return dw, dx


def check_terms(result: Any, derivation: Derivation, exact: bool) -> None:
    dw, dx = definition_terms(result)
    assert [c.full for c in derivation.grad_filter] == list(dw)
    assert [c.full for c in derivation.grad_input] == list(dx)
    for cells, expected, source in (
        (derivation.grad_filter, dw, "input"),
        (derivation.grad_input, dx, "filter"),
    ):
        operand = np.asarray(getattr(result, source))
        delta = np.asarray(result.grad_output)
        for cell in cells:
            assert [(t.source, t.delta) for t in cell.terms] == expected[cell.full]
            for t in cell.terms:
                assert t.source_value == operand[t.source] and t.delta_value == delta[t.delta]
            total = sum((Fraction(t.product) if exact else t.product for t in cell.terms), Fraction(0))
            if exact:
                assert total == cell.value, cell
            else:
                assert float(total) == pytest.approx(float(cell.value), rel=1e-9, abs=1e-9)


@settings(max_examples=150, deadline=None)
@given(problems(("int", "fraction", "bigint")))
def test_terms_are_the_definition_and_sum_exactly(problem: Problem) -> None:
    result = problem.run(backward)
    check_terms(result, build(result), exact=result.arithmetic == "exact")


@settings(max_examples=15, deadline=None)
@given(problems(("float64",)))
def test_float_terms_sum_to_the_engine(problem: Problem) -> None:
    result = problem.run(backward)
    check_terms(result, build(result, steps=False), exact=False)


@settings(max_examples=40, deadline=None)
@given(problems(("int",)))
def test_windows_on_the_padded_grid_show_exactly_the_terms(problem: Problem) -> None:
    """Where the window (rot180(W), or W in convolve mode) meets real δ, the terms are, in order."""
    d = build(problem.run(backward))
    grids = {s.block: s.padded for s in d.deltas}
    sliding = {s.block: s.sliding for s in d.filters}
    c_group = d.frame.filter_shape[1]
    for cell in d.grad_input:
        for part in cell.parts:
            grid, filt = grids[part.block], sliding[(part.block[1], cell.full[1] % c_group)]
            met = []
            for a in np.ndindex(*filt.shape):
                delta = grid.at(tuple(c + ai for c, ai in zip(part.corner, a)))
                weight = filt.at(a)
                if delta not in (PAD, GAP) and weight not in (PAD, GAP):
                    met.append((weight, delta))
            assert met == [(t.source, t.delta) for t in part.terms]


@settings(max_examples=30, deadline=None)
@given(problems(("int",)))
def test_symbolic_derivation_lists_the_same_terms_without_values(problem: Problem) -> None:
    result = problem.run(backward)
    numeric = build(result)
    frame = frame_of(result)
    symbolic = build_symbolic(
        Frame.of(result.spec, np.shape(result.input), np.shape(result.filter), frame.bias)
    )
    assert symbolic.values is None
    for a, b in ((numeric.grad_filter, symbolic.grad_filter), (numeric.grad_input, symbolic.grad_input)):
        assert [(c.index, [(t.source, t.delta) for t in c.terms]) for c in a] == [
            (c.index, [(t.source, t.delta) for t in c.terms]) for c in b
        ]
        assert all(c.value is None and all(t.product is None for t in c.terms) for c in b)
    assert symbolic.deltas == numeric.deltas and symbolic.filters == numeric.filters


@settings(max_examples=30, deadline=None)
@given(problems(("int",), bias=True))
def test_bias_cells_sum_delta(problem: Problem) -> None:
    result = problem.run(backward)
    d = build(result)
    grad_bias = np.atleast_1d(np.asarray(result.grad_bias))
    assert len(d.grad_bias) == grad_bias.size
    for o, cell in enumerate(d.grad_bias):
        assert cell.value == grad_bias[o] == sum(cell.delta_values or ())
        assert all(
            np.asarray(result.grad_output)[i] == v for i, v in zip(cell.deltas, cell.delta_values or ())
        )


def test_page_example_reads_like_the_page() -> None:
    """DERIVATION.md: ∂L/∂w₁₂ = δ₁₁·x₁₂ + δ₁₂·x₁₃ + δ₂₁·x₂₂ + δ₂₂·x₂₃; ∂L/∂x₂₂ = w₂₂·δ₁₁ + w₂₁·δ₁₂ + w₁₂·δ₂₁ + w₁₁·δ₂₂."""
    d = build(backward(*PAGE))
    w12 = d.grad_filter[1]
    assert [(t.delta, t.source) for t in w12.terms] == [
        ((0, 0), (0, 1)),
        ((0, 1), (0, 2)),
        ((1, 0), (1, 1)),
        ((1, 1), (1, 2)),
    ]
    assert [(t.delta_value, t.source_value) for t in w12.terms] == [
        (1, 2),
        (2, 0),
        (-1, -1),
        (3, 2),
    ] and w12.value == 9
    x22 = d.grad_input[4]
    assert [(t.source, t.delta) for t in x22.terms] == [
        ((1, 1), (0, 0)),
        ((1, 0), (0, 1)),
        ((0, 1), (1, 0)),
        ((0, 0), (1, 1)),
    ]
    assert [(t.source, t.delta) for t in d.grad_input[0].terms] == [
        ((0, 0), (0, 0))
    ]  # a corner: w₁₁·δ₁₁ alone
    assert d.filters[0].flips[-1].entries == ((1, 1), (1, 0), (0, 1), (0, 0))  # rot180(W)
    assert d.deltas[0].padded.shape == (4, 4) and d.deltas[0].inserted is None


def test_selected_cells_on_a_big_problem_cost_only_their_terms() -> None:
    result = backward(np.ones((300, 300), dtype=int), np.ones((3, 3), dtype=int))
    d = build(result, parse_cells("x[150,150],w11", frame_of(result)))
    assert [len(c.terms) for c in d.grad_input] == [9] and d.grad_input[0].value == 9
    assert len(d.grad_filter[0].terms) == prod((298, 298))


def test_each_index_is_one_tuple() -> None:
    """Terms share one tuple per position (a big trace names each position in many terms)."""
    rng = np.random.default_rng(4)
    d = build(backward(rng.integers(-9, 10, (2, 2, 7, 7)), rng.integers(-9, 10, (3, 2, 3, 3))))
    for cells in (d.grad_filter, d.grad_input):
        indices = [index for cell in cells for t in cell.terms for index in (t.source, t.delta)]
        assert len({id(i) for i in indices}) == len(set(indices))
