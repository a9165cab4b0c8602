"""What the readers say about values they cannot take: attempted inline values, huge numbers, float128."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from convgrad_cli.cli.main import main
from convgrad_cli.errors import InputError
from convgrad_cli.load.npy_file import read_npy
from convgrad_cli.load.source import is_inline


def _error(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stderr.splitlines()[-1]


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["-b", "nan"], "<inline>: bias: 'nan' is not a finite number; give a finite number, e.g. 0.5 or 1/3"),
        (["-b", "-Infinity"], "<inline>: bias: '-Infinity' is not a finite number; give a finite number, e.g. 0.5 or 1/3"),
        (["-b", "1e400"], "<inline>: bias: '1e400' is out of range (|x| must be below 1e308); give a finite number, e.g. 0.5 or 1/3"),
        (["-b", "1/0"], "<inline>: bias: '1/0' divides by zero; give a finite number, e.g. 0.5 or 1/3"),
    ],
)  # fmt: skip
def test_an_attempted_inline_number_says_what_is_wrong(flags: list[str], message: str) -> None:
    assert _error("compute", "-x", "[[1]]", "-w", "[[1]]", *flags, "-f", "json") == (
        2,
        f"convgrad: error: {message}",
    )


def test_an_inline_object_is_an_object_not_a_missing_file() -> None:
    assert _error("compute", "-x", '{"a":1}', "-w", "[[1]]", "-f", "json") == (
        2,
        "convgrad: error: <inline>: input: is an object where an array belongs; write nested lists, e.g. [[1, 2], [3, 4]]",
    )


def test_an_answer_given_as_nan_says_so() -> None:
    code, line = _error("check", "--sample", "page", "--grad-bias", "nan")
    assert (code, line) == (2, "convgrad: error: <inline>: grad_bias: 'nan' is not a finite number; "
                               "give a finite number, e.g. 0.5 or 1/3")  # fmt: skip


def test_a_file_named_nan_is_still_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert is_inline("nan") and is_inline('{"a": 1}') and not is_inline("x.csv")
    Path("nan").write_text("1,2\n")
    assert not is_inline("nan")


def test_a_4000_digit_number_is_echoed_shortened() -> None:
    huge = "1" + "0" * 3999
    code, line = _error("compute", "-x", f"[[{huge}]]", "-w", "[[1]]", "-f", "json")
    assert (code, line) == (
        2,
        "convgrad: error: <inline>: input[0][0]: 1000…(4000 digits) is out of range (|x| must be below 1e308); "
        "give a finite number",
    )


@pytest.mark.skipif(
    np.finfo(np.longdouble).max <= np.finfo(np.float64).max, reason="long double is float64 here"
)
def test_a_float128_beyond_float64_is_too_large_and_warns_nothing(tmp_path: Path) -> None:
    array = np.ones((2, 2), dtype=np.longdouble)
    array[1, 0] = np.longdouble("1e400")
    np.save(tmp_path / "big.npy", array)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a NumPy RuntimeWarning (overflow in cast) would fail here
        with pytest.raises(InputError) as caught:
            read_npy((tmp_path / "big.npy").read_bytes(), "input")
    assert str(caught.value) == (
        "input: holds 1e+400 at index [1, 0], too large for float64; "
        "scale the values down, or save exact values as integers or JSON fractions"
    )
    fine = np.ones((1, 2), dtype=np.longdouble)
    assert read_npy(_saved(tmp_path, fine), "input").dtype == np.float64


def _saved(folder: Path, array: np.ndarray) -> bytes:
    np.save(folder / "a.npy", array)
    return (folder / "a.npy").read_bytes()
