"""Each implementation in impls/ gets the verdict it deserves: correct ones pass, each bug is named."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from convgrad_cli.grading.verify.report import VerifyReport

Verified = Callable[..., VerifyReport]

EXTRA = {"dilation", "dilation+stride+padding", "groups", "depthwise", "1-D", "3-D"}


def statuses(report: VerifyReport) -> dict[str, str]:
    return {case.name: case.status for case in report.cases}


@pytest.mark.parametrize(
    ("target", "convention"),
    [
        ("torch_basic.py", "torch"),
        ("channels_last.py", "channels-last"),
        ("cs231n_naive.py", "cs231n"),
        ("dls.py", "dls"),
    ],
)
def test_correct_implementations_pass_in_every_convention(
    target: str, convention: str, verified: Verified
) -> None:
    report = verified(target, convention)
    assert report.passed, [(c.name, c.message) for c in report.cases if not c.passed]
    assert {"page", "padding", "stride", "stride+padding", "batch", "random"} <= set(statuses(report))
    # They take stride and padding only: nothing they cannot express is run.
    assert set(report.skipped) >= EXTRA
    assert not EXTRA & set(statuses(report))


def test_an_implementation_that_takes_every_parameter_gets_and_passes_every_case(verified: Verified) -> None:
    report = verified("torch_full.py")
    assert report.passed, [(c.name, c.message) for c in report.cases if not c.passed]
    assert EXTRA | {"random, every parameter"} <= set(statuses(report))
    assert report.skipped == ("per-axis",)


def test_per_axis_passes_tuples_and_adds_cases_that_differ_by_axis(verified: Verified) -> None:
    report = verified("torch_full.py", per_axis=True)
    assert report.passed
    per_axis = next(case for case in report.cases if case.name == "per-axis")
    assert (per_axis.config.stride, per_axis.config.padding) == ((1, 2), (1, 0))


def test_cs231n_and_dls_check_the_forward_output_and_the_bias_too(verified: Verified) -> None:
    for target, convention in (("cs231n_naive.py", "cs231n"), ("dls.py", "dls")):
        case = verified(target, convention).cases[0]
        assert [a.name for a in case.arrays] == ["output", "grad_input", "grad_filter", "grad_bias"]
    assert verified("dls.py", "dls").cases[0].config.shapes["bias"] == (1, 1, 1, 1)


@pytest.mark.parametrize(
    ("target", "array", "mistake", "first"),
    [
        ("bug_unrotated.py", "grad_input", "unrotated-filter", "page"),
        ("bug_rotated_dw.py", "grad_filter", "rotated-grad-filter", "page"),
        ("bug_sign.py", "grad_input", "sign-flip", "page"),
        ("bug_batch.py", "grad_filter", "forgot-batch-sum", "batch"),
        ("bug_no_crop.py", "grad_input", "no-padding-crop", "padding"),
        ("bug_swapped.py", "grad_input", "swapped-outputs", "page"),
        ("bug_swapped.py", "grad_filter", "swapped-outputs", "page"),
    ],
)
def test_classic_mistakes_are_named(
    target: str, array: str, mistake: str, first: str, verified: Verified
) -> None:
    report = verified(target)
    assert not report.passed
    failure = report.first_failure
    assert failure is not None and failure.name == first and failure.status == "fail"
    named = {a.name: a.mistake for a in failure.arrays if not a.right}
    assert named[array] == mistake
    for case in report.cases:  # where the bug cannot show, the case passes
        assert case.status in ("pass", "fail")


def test_a_forgotten_batch_sum_spoils_the_bias_gradient_too_and_only_batched_cases(
    verified: Verified,
) -> None:
    report = verified("bug_batch.py")
    batch = next(case for case in report.cases if case.name == "batch")
    assert {a.name: a.mistake for a in batch.arrays if not a.right} == {
        "grad_filter": "forgot-batch-sum", "grad_bias": "forgot-batch-sum",
    }  # fmt: skip
    assert statuses(report)["page"] == "pass"


def test_an_uncropped_gradient_has_the_padded_shape_and_is_still_diagnosed(verified: Verified) -> None:
    failure = verified("bug_no_crop.py").first_failure
    assert failure is not None
    dx = next(a for a in failure.arrays if a.name == "grad_input")
    assert dx.wrong_cells is None  # not comparable cell by cell
    assert "has shape (1, 1, 5, 5); expected (1, 1, 3, 3)" in (dx.message or "")
    assert statuses(verified("bug_no_crop.py"))["stride"] == "pass"


def test_an_input_changed_in_place_is_named_even_when_the_gradients_are_right(verified: Verified) -> None:
    case = verified("bug_mutates.py").cases[0]
    assert case.status == "fail"
    wrong = {a.name: a.mistake for a in case.arrays if not a.right}
    assert wrong == {"input": "mutated-input", "grad_output": "mutated-input"}
    assert "changed its input X (input) in place" in case.message


def test_a_function_that_raises_for_stride_2_errors_there_and_passes_the_rest(verified: Verified) -> None:
    report = verified("bug_stride2.py:conv2d_backward")
    for case in report.cases:
        strided = case.config.stride != 1
        assert case.status == ("error" if strided else "pass"), case.name
    error = next(case for case in report.cases if case.status == "error")
    assert error.error is not None
    assert (error.error.type, error.error.file, error.error.line) == (
        "NotImplementedError",
        "bug_stride2.py",
        17,
    )
    assert error.message.startswith("NotImplementedError: stride 2 is not supported yet at bug_stride2.py:17")


def test_a_function_that_loops_forever_with_padding_times_out_and_the_rest_still_run(
    verified: Verified,
) -> None:
    report = verified("bug_loops.py", timeout=0.5)
    for case in report.cases:
        padded = case.config.padding != 0
        assert case.status == ("timeout" if padded else "pass"), case.name
    assert "no answer within 0.5 s" in report.first_failure.message  # type: ignore[union-attr]


def test_the_json_arrays_list_what_each_case_compared(verified: Verified) -> None:
    report = verified("torch_basic.py")
    assert [a.name for a in report.cases[0].arrays] == ["grad_input", "grad_filter"]  # it returns no ∂L/∂b
    assert [a.name for a in verified("channels_last.py", "channels-last").cases[0].arrays] == [
        "grad_input", "grad_filter", "grad_bias",
    ]  # fmt: skip


def test_a_torch_autograd_layer_returning_tensors_passes_every_case_it_takes(verified: Verified) -> None:
    pytest.importorskip("torch")
    report = verified("torch_autograd.py", per_axis=True)
    assert report.passed, [(c.name, c.message) for c in report.cases if not c.passed]
    assert {"dilation", "groups", "depthwise", "per-axis"} <= {case.name for case in report.cases}
    assert {"1-D", "3-D"} <= set(report.skipped)  # it takes no `dims`
