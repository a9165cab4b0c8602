"""``convgrad_cli.verify``: callables and modules run in-process; paths and adapters in a child."""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

import convgrad_cli
from convgrad_cli.errors import InputError
from convgrad_cli.grading.verify import Convention, VerifyReport

Load = Callable[[str], ModuleType]
IMPLS = Path(__file__).parent / "impls"


def test_a_callable_is_verified_in_process(impl: Load) -> None:
    report = convgrad_cli.verify(impl("bug_sign").conv2d_backward)
    assert isinstance(report, VerifyReport) and report.target == "conv2d_backward"
    assert report.first_failure is not None and report.first_failure.mistakes == ["sign-flip"]


def test_a_module_gives_the_conventions_functions_by_name(impl: Load) -> None:
    module = impl("cs231n_naive")
    assert convgrad_cli.verify(module, "cs231n").passed
    assert convgrad_cli.verify(module.conv_backward_naive, "cs231n", forward=module.conv_forward_naive).passed


def test_a_two_function_convention_needs_the_forward_function(impl: Load) -> None:
    with pytest.raises(InputError, match="calls a forward function too"):
        convgrad_cli.verify(impl("cs231n_naive").conv_backward_naive, "cs231n")


def test_an_in_process_error_names_the_line_of_the_users_file(impl: Load) -> None:
    report = convgrad_cli.verify(impl("bug_stride2").conv2d_backward)
    error = next(case.error for case in report.cases if case.error)
    assert (error.type, error.file, error.line) == ("NotImplementedError", "bug_stride2.py", 17)


def test_in_process_calls_get_copies_and_mutation_is_still_caught(impl: Load) -> None:
    case = convgrad_cli.verify(impl("bug_mutates").conv2d_backward).cases[0]
    assert case.mistakes == ["mutated-input"]


def test_a_path_runs_in_a_child_process() -> None:
    report = convgrad_cli.verify(f"{IMPLS / 'dls.py'}", convention="dls")
    assert report.passed and report.convention == "dls"


def test_an_autograder_script_needs_no_main_guard(tmp_path: Path) -> None:
    script = tmp_path / "grade.py"
    script.write_text(
        "import convgrad_cli\n"
        f"report = convgrad_cli.verify({str(IMPLS / 'bug_sign.py')!r})\n"
        "print(report.passed, report.first_failure.mistakes)\n"
    )
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout) == (0, "False ['sign-flip']\n"), done.stderr


def test_an_adapter_in_a_few_lines_verifies_any_calling_convention(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(IMPLS))  # the child imports the adapter by its module name
    adapter = importlib.import_module("my_adapter")
    report = convgrad_cli.verify(str(IMPLS / "odd_signature.py"), convention=adapter.MINE)
    assert report.passed and report.convention == "mine"
    assert all(
        not any(case.config.padding or ()) for case in report.cases if isinstance(case.config.padding, int)
    )
    assert "padding" in report.skipped  # the adapter passes no padding, so no padded case runs


def test_an_adapter_defined_in_place_works_in_process(impl: Load) -> None:
    def call(functions: dict[str, Callable[..., object]], arrays: dict[str, np.ndarray], params: dict[str, int]
             ) -> dict[str, object]:  # fmt: skip
        dw, dx = functions["function"](
            arrays["grad_output"], arrays["input"], arrays["filter"], params["stride"]
        )
        return {"grad_input": dx, "grad_filter": dw}

    report = convgrad_cli.verify(
        impl("odd_signature").conv_grad, Convention("inline", call, params=frozenset({"stride"}))
    )
    assert report.passed


def test_an_adapter_the_child_cannot_import_is_a_usage_error(impl: Load) -> None:
    with pytest.raises(InputError, match="'mine' cannot be sent to the child process"):
        convgrad_cli.verify(str(IMPLS / "odd_signature.py"), convention=impl("my_adapter").MINE)


def test_an_unknown_convention_is_a_usage_error() -> None:
    with pytest.raises(
        InputError, match="'pytorch' is not a convention convgrad knows; use torch, channels-last"
    ):
        convgrad_cli.verify(str(IMPLS / "torch_basic.py"), convention="pytorch")


def _returns(*values: object) -> Callable[..., object]:
    """A 'backward' that returns these values, built per call from the inputs' shapes."""

    def backward(x: np.ndarray, w: np.ndarray, grad_output: np.ndarray) -> object:
        made = {"dx": np.zeros(x.shape), "dw": np.zeros(w.shape)}
        return tuple(made.get(v, v) if isinstance(v, str) else v(x, w) if callable(v) else v for v in values)

    return backward


@pytest.mark.parametrize(
    ("function", "array", "mistake", "message"),
    [
        (_returns(None, "dw"), "grad_input", "returned-none", "∂L/∂X is None; expected an array of shape (1, 1, 3, 3)"),
        (_returns("dx", lambda x, w: np.zeros(w.shape, np.float32)), "grad_filter", None, "∂L/∂W: 4 of 4 cells wrong"),
        (_returns("dx", lambda x, w: np.full(w.shape, np.nan)), "grad_filter", "not-finite",
         "∂L/∂W holds 4 NaN or infinite values"),
        (_returns("dx", "a string"), "grad_filter", "wrong-dtype", "∂L/∂W is an array of dtype <U8; expected a float64 array"),
        (_returns(lambda x, w: np.zeros((3, 3)), "dw"), "grad_input", "wrong-shape", "∂L/∂X has shape (3, 3); expected (1, 1, 3, 3)"),
    ],
    ids=["None", "float32", "NaN", "str", "shape"],
)  # fmt: skip
def test_code_mistakes_name_the_array_and_say_expected_and_got(
    function: Callable[..., object], array: str, mistake: str | None, message: str
) -> None:
    case = convgrad_cli.verify(function).cases[0]
    result = next(a for a in case.arrays if a.name == array)
    assert (case.status, result.right, result.mistake, result.message) == ("fail", False, mistake, message)


def test_right_values_in_the_wrong_dtype_are_named(impl: Load) -> None:
    reference = impl("reference").backward

    def float32(x: np.ndarray, w: np.ndarray, grad_output: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        dx, dw, _ = reference(x, w, grad_output)
        return dx.astype(np.float32), dw

    result = convgrad_cli.verify(float32).cases[0].arrays[0]
    assert (result.mistake, result.message) == (
        "wrong-dtype",
        "∂L/∂X has dtype float32; expected float64, the dtype of the inputs",
    )


def test_a_return_the_convention_cannot_read_fails_with_what_came_back() -> None:
    case = convgrad_cli.verify(_returns("dx")).cases[0]
    assert (case.status, case.message) == (
        "fail",
        "returned 1 value; expected a tuple of 2 or 3: (grad_input, grad_filter, [grad_bias])",
    )
