"""The ladder: which cases a function gets, and expected values checked against PyTorch and a second oracle."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import numpy as np
import pytest
from torch_ref import assert_matches_torch

from convgrad_cli.grading.verify import CONVENTIONS
from convgrad_cli.grading.verify.suite import LADDER, Case, ladder, short_forms

STRIDE_PAD = frozenset({"stride", "padding"})


def names(cases: list[Case]) -> set[str]:
    return {case.name for case in cases}


def test_a_function_without_dilation_or_groups_gets_only_cases_it_can_express() -> None:
    run, skipped = ladder(CONVENTIONS["torch"], STRIDE_PAD, per_axis=False)
    assert all(case.dilation == (1,) * case.dims and case.groups == 1 and case.dims == 2 for case in run)
    assert {"dilation", "groups", "depthwise", "1-D", "3-D", "per-axis"} <= set(skipped)


def test_groups_bring_grouped_and_depthwise_cases_and_dims_bring_1d_and_3d() -> None:
    run, _ = ladder(CONVENTIONS["torch"], STRIDE_PAD | {"groups", "dims"}, per_axis=False)
    assert {"groups", "depthwise", "1-D", "3-D"} <= names(run)
    assert "dilation" not in names(run)


def test_a_function_without_padding_gets_no_padded_case() -> None:
    run, _ = ladder(CONVENTIONS["torch"], frozenset({"stride"}), per_axis=False)
    assert run and all(not any(case.padding) for case in run)


def test_per_axis_cases_only_with_the_flag_and_only_for_conventions_that_read_the_signature() -> None:
    assert "per-axis" in names(ladder(CONVENTIONS["torch"], STRIDE_PAD, per_axis=True)[0])
    assert "per-axis" not in names(ladder(CONVENTIONS["cs231n"], STRIDE_PAD, per_axis=True)[0])


def test_dls_gets_square_filters_and_no_case_that_leaves_rows_uncovered() -> None:
    run, skipped = ladder(CONVENTIONS["dls"], STRIDE_PAD, per_axis=False)
    assert all(case.filter[2] == case.filter[3] for case in run)
    assert "uneven stride" in skipped


def test_params_are_passed_by_name_only_when_accepted_ints_unless_per_axis() -> None:
    case = next(c for c in LADDER if c.name == "per-axis")
    assert case.params(STRIDE_PAD, per_axis=True) == {"stride": (1, 2), "padding": (1, 0)}
    plain = next(c for c in LADDER if c.name == "stride+padding")
    assert plain.params(frozenset({"stride", "groups"}), per_axis=False) == {"stride": 2, "groups": 1}


def test_rungs_are_small_nonzero_integers_and_every_case_is_reproducible() -> None:
    for case in LADDER:
        first, again = case.operands(), case.operands()
        for name, array in first.items():
            assert np.array_equal(array, again[name])
            if not case.random:
                assert array.dtype.kind == "i" and np.abs(array).min() > 0 and np.abs(array).max() <= 3


@pytest.mark.parametrize("case", LADDER, ids=[case.name for case in LADDER])
def test_expected_values_match_torch(case: Case) -> None:
    operands = case.operands()
    x, w, g = short_forms(operands["input"], operands["filter"], operands["grad_output"], case.groups)
    result = case.solve(operands)
    assert result.arithmetic == ("float64" if case.random else "exact")
    assert_matches_torch(
        result, x, w, g, bias=operands["bias"], stride=list(case.stride), padding=list(case.padding),
        dilation=list(case.dilation), groups=case.groups, dims=case.dims,
    )  # fmt: skip


def test_expected_values_match_the_test_implementations_reference(impl: Callable[[str], ModuleType]) -> None:
    backward = impl("reference").backward

    for case in LADDER:
        operands = case.operands()
        result = case.solve(operands)
        full = (operands["input"].astype(float), operands["filter"].astype(float), operands["grad_output"])
        dx, dw, db = backward(*full, case.stride, case.padding, case.dilation, case.groups)
        layout = result.layout
        np.testing.assert_allclose(
            layout.full_input(result.grad_input).astype(float), dx, rtol=1e-12, atol=1e-12
        )
        np.testing.assert_allclose(
            layout.full_filter(result.grad_filter).astype(float), dw, rtol=1e-12, atol=1e-12
        )
        np.testing.assert_allclose(np.asarray(result.grad_bias, dtype=float).reshape(-1), db, rtol=1e-12)
