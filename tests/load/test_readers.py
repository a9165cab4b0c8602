"""The one operand reader: JSON, CSV and .npy into exact arrays, and answers with their written text."""

from __future__ import annotations

import io
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from convgrad_cli.errors import InputError
from convgrad_cli.load.cells import Written, decimals_of, written
from convgrad_cli.load.csv_text import read_csv
from convgrad_cli.load.json_text import BadNumber, NumberText, parse_json
from convgrad_cli.load.nested import to_array
from convgrad_cli.load.npy_file import read_npy
from convgrad_cli.load.operands import load_array
from convgrad_cli.load.source import Source


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def error_of(call: object, *args: object, **kwargs: object) -> str:
    with pytest.raises(InputError) as caught:
        call(*args, **kwargs)  # type: ignore[operator]
    return str(caught.value)


# ---------------------------------------------------------------- JSON


def test_json_numbers_stay_exact() -> None:
    array = to_array(parse_json('[[1, 0.5], ["1/3", -2e-1]]', "input"), "input")
    assert array.tolist() == [[1, Fraction(1, 2)], [Fraction(1, 3), Fraction(-1, 5)]]


def test_integers_come_back_as_int64() -> None:
    assert to_array(parse_json("[[1, 2], [3, 4]]", "input"), "input").dtype == np.int64


def test_nan_is_kept_for_a_report_with_its_path() -> None:
    value = parse_json("[[1, NaN]]", "input")
    assert isinstance(value[0][1], BadNumber)
    assert (
        error_of(to_array, value, "input") == "input[0][1]: NaN is not a finite number; give a finite number"
    )


@pytest.mark.parametrize(
    ("value", "single", "shape"),
    [(4, (1,), (1,)), (4, (), ())],
)
def test_a_bare_number_takes_the_shape_asked_for(
    value: int, single: tuple[int, ...], shape: tuple[int, ...]
) -> None:
    assert to_array(value, "bias", single=single).shape == shape


def test_a_bare_number_is_refused_where_an_array_belongs() -> None:
    assert error_of(to_array, 4, "input") == (
        "input: is a single number where an array belongs; write nested lists, e.g. [[1, 2], [3, 4]]"
    )


def test_an_answer_names_itself_in_the_axes_message() -> None:
    deep = [[[[[[1]]]]]]
    assert error_of(to_array, deep, "grad_input", holder="an answer") == (
        "grad_input: has more than 5 axes; an answer has at most 5 axes (N, C, D, H, W)"
    )


# ---------------------------------------------------------------- CSV


def test_csv_commas_spaces_comments_and_blank_lines() -> None:
    text = "# X\n1, 2, 3\n\n4 5 6  # second row\n"
    assert read_csv(text, "input", 2).tolist() == [[1, 2, 3], [4, 5, 6]]


def test_csv_row_errors_name_the_file_line() -> None:
    assert error_of(read_csv, "# header\n1,2\n\n3\n", "input", 2) == (
        "input row 4: has 1 cells, but row 2 has 2; make every row the same length"
    )


def test_one_csv_row_is_a_signal_in_1d_only() -> None:
    assert read_csv("1,2,3\n", "input", 1).shape == (3,)
    assert read_csv("1,2,3\n", "input", 2).shape == (1, 3)


# ---------------------------------------------------------------- .npy


def test_npy_integers_and_floats() -> None:
    assert read_npy(_npy(np.arange(4, dtype=np.int32).reshape(2, 2)), "input").dtype == np.int64
    assert read_npy(_npy(np.ones((2, 2), dtype=np.float32)), "input").dtype == np.float64
    big = read_npy(_npy(np.array([2**64 - 1], dtype=np.uint64)), "input")
    assert big.tolist() == [2**64 - 1]


# ---------------------------------------------------------------- one reader, two uses


@pytest.mark.parametrize(
    ("name", "data"),
    [("x.json", b"[[1, 2.5], [3, 4]]"), ("x.csv", b"1,2.5\n3,4\n"), ("x.txt", b"1 2.5\n3 4\n")],
)
def test_every_format_gives_the_same_array(tmp_path: Path, name: str, data: bytes) -> None:
    (tmp_path / name).write_bytes(data)
    array = load_array(Source(str(tmp_path / name)), "input")
    assert array.tolist() == [[1, Fraction(5, 2)], [3, 4]]


def test_answers_keep_the_text_of_every_cell() -> None:
    array = load_array(Source('[[0.33, "1/3"]]'), "grad_input", keep_text=True)
    assert array.tolist() == [[Written(Fraction(33, 100), "0.33", 2), Written(Fraction(1, 3), "1/3", None)]]


def test_csv_answers_keep_their_text_too(tmp_path: Path) -> None:
    (tmp_path / "dx.csv").write_text("0.50, 1\n")
    array = load_array(Source(str(tmp_path / "dx.csv")), "grad_input", keep_text=True)
    assert [cell.text for cell in array.flat] == ["0.50", "1"]
    assert [cell.decimals for cell in array.flat] == [2, 0]


def test_an_answer_may_be_one_bare_number() -> None:
    array = load_array(Source("4"), "grad_bias", keep_text=True)
    assert array.shape == () and array[()] == Written(4, "4", 0)


def test_npy_answers_claim_no_decimals(tmp_path: Path) -> None:
    np.save(tmp_path / "dw.npy", np.array([[0.5, 2.0]]))
    array = load_array(Source(str(tmp_path / "dw.npy")), "grad_filter", keep_text=True)
    assert array.tolist() == [[Written(0.5, "0.5", None), Written(2.0, "2.0", None)]]


def test_json_number_text_is_kept_as_written() -> None:
    assert parse_json("[1.50]", "x", number=NumberText) == ["1.50"]


@pytest.mark.parametrize(("text", "places"), [("3", 0), ("0.250", 3), ("2.5e-2", 3), ("1/8", None)])
def test_written_decimals(text: str, places: int | None) -> None:
    assert decimals_of(text) == places
    assert written(text).decimals == places
