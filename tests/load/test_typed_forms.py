"""Matrices typed the way people write them (issue 13 §2): each gives exactly what its strict JSON twin gives."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from convgrad_cli.cli.main import main
from convgrad_cli.errors import InputError
from convgrad_cli.load.cells import Written
from convgrad_cli.load.csv_text import read_csv
from convgrad_cli.load.operands import load_array
from convgrad_cli.load.source import Source

# (typed form, its strict-JSON twin)
TYPED = [
    ("[1 2 3; 4 5 6]", "[[1, 2, 3], [4, 5, 6]]"),
    ("[1, 2; 3, 4]", "[[1, 2], [3, 4]]"),
    ("[1 2; 3 4;]", "[[1, 2], [3, 4]]"),
    ("[[1 2]; [3 4]]", "[[1, 2], [3, 4]]"),
    ("[1; 2; 3]", "[[1], [2], [3]]"),
    ("[[1 2 3]\n [4 5 6]]", "[[1, 2, 3], [4, 5, 6]]"),
    ("[[[1 2]\n  [3 4]]\n\n [[5 6]\n  [7 8]]]", "[[[1, 2], [3, 4]], [[5, 6], [7, 8]]]"),
    ("array([[1, 2], [3, 4]])", "[[1, 2], [3, 4]]"),
    ("array([[1., 2.5],\n       [3., 4.]])", "[[1.0, 2.5], [3.0, 4.0]]"),
    ("array([[1, 2], [3, 4]], dtype=int64)", "[[1, 2], [3, 4]]"),
    ("array([[0.5, 1.25]], dtype=float32)", "[[0.5, 1.25]]"),
    ("np.array([[1, 2], [3, 4]])", "[[1, 2], [3, 4]]"),
    ("[[.5, 1.], [-0.25, −1]]", "[[0.5, 1.0], [-0.25, -1]]"),
    ("[[1/3, 2], [3, 4]]", '[["1/3", 2], [3, 4]]'),
    ("[[1, 2,], [3, 4,],]", "[[1, 2], [3, 4]]"),
]


def compute_json(*args: str) -> str:
    result = CliRunner().invoke(main, ["compute", *args, "-f", "json"])
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize(("typed", "strict"), TYPED, ids=[t for t, _ in TYPED])
def test_a_typed_matrix_is_its_strict_json_twin(typed: str, strict: str) -> None:
    assert load_array(Source(typed), "input").tolist() == load_array(Source(strict), "input").tolist()


@pytest.mark.parametrize(
    ("typed", "strict"),
    [
        ("[1 2 3; 4 5 6; 7 8 9]", "[[1,2,3],[4,5,6],[7,8,9]]"),
        ("array([[.5, 1.], [−1, 1/3]])", '[[0.5,1],[-1,"1/3"]]'),
    ],
)
def test_compute_json_is_byte_identical(typed: str, strict: str) -> None:
    filter_typed, filter_strict = "[1 0; 0 -1]", "[[1,0],[0,-1]]"
    assert compute_json("-x", typed, "-w", filter_typed) == compute_json("-x", strict, "-w", filter_strict)


def test_a_typed_bias_and_upstream_gradient() -> None:
    assert compute_json(
        "-x", "[1 2; 3 4]", "-w", "[[1]]", "-g", "[1 −1; .5 2]", "-b", "[1/2]"
    ) == compute_json("-x", "[[1,2],[3,4]]", "-w", "[[1]]", "-g", "[[1,-1],[0.5,2]]", "-b", '["1/2"]')


def test_typed_answers_keep_their_text() -> None:
    array = load_array(Source("[0.33 1/3; .5 −1]"), "grad_input", keep_text=True)
    assert array.tolist() == [
        [Written(Fraction(33, 100), "0.33", 2), Written(Fraction(1, 3), "1/3", None)],
        [Written(Fraction(1, 2), ".5", 1), Written(-1, "−1", 0)],
    ]


def test_check_grades_a_matlab_answer() -> None:
    result = CliRunner().invoke(
        main, ["check", "--sample", "page", "--grad-filter", "[-1 9; 4 14]", "-f", "json"]
    )
    assert result.exit_code == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1/2/3]", "<inline>: input[0]: '1/2/3' is not a number (more than one '/'); "
                    'write a number, a decimal or a fraction like "1/3"'),
        ("[1 2; 3 4", "<inline>: input: the '[' at line 1, column 1 is never closed; add the missing ']'"),
        ("[1 2]]", "<inline>: input: ']' at line 1, column 6 follows the closing ']'; write numbers separated "
                   "by spaces or commas, and rows as [..] lists or separated by ';'"),
        ("[1,,2]", "<inline>: input: an empty entry at line 1, column 4; remove the extra comma"),
        ("array([1, 2]", "<inline>: input: the 'array(' is never closed; add the missing ')'"),
        ("[1 2; 3]", "<inline>: input[1]: has 1 entries, but its neighbours have 2; make every row the same length"),
        ("[1 x; 3 4]", "<inline>: input[0][1]: 'x' is not a number; write a number, a decimal or a fraction like \"1/3\""),
    ],
)  # fmt: skip
def test_typed_mistakes_name_the_position_and_the_fix(text: str, message: str) -> None:
    result = CliRunner().invoke(main, ["compute", "-x", text, "-w", "[[1]]", "-f", "json"])
    assert result.exit_code == 2
    assert result.stderr == f"convgrad: error: {message}\n"


def test_a_json_file_stays_strict_json(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text("[1 2; 3 4]")
    with pytest.raises(InputError, match="invalid JSON at line 1, column 4"):
        load_array(Source(str(tmp_path / "x.json")), "input")


def test_a_typed_matrix_in_a_text_file_or_on_stdin(tmp_path: Path) -> None:
    import io

    (tmp_path / "x.txt").write_text("array([[1, 2],\n       [3, 4]])\n")
    assert load_array(Source(str(tmp_path / "x.txt")), "input").tolist() == [[1, 2], [3, 4]]
    assert load_array(Source("-"), "input", io.BytesIO(b"[1 2; 3 4]")).tolist() == [[1, 2], [3, 4]]


# ---------------------------------------------------------------- CSV: ';' rows and decimal commas


@pytest.mark.parametrize(
    ("text", "rows"),
    [
        ("1 2; 3 4\n", [[1, 2], [3, 4]]),
        ("1, 2; 3, 4;\n", [[1, 2], [3, 4]]),
        ("0,5;1,5\n2;3\n", [[Fraction(1, 2), Fraction(3, 2)], [2, 3]]),
        ("0,5\t−1,25\n2\t3\n", [[Fraction(1, 2), Fraction(-5, 4)], [2, 3]]),
        ("1\t2\n3\t4\n", [[1, 2], [3, 4]]),
        ("1,\t2\n3,\t4\n", [[1, 2], [3, 4]]),
        (".5 1.\n1/3 −2\n", [[Fraction(1, 2), 1], [Fraction(1, 3), -2]]),
    ],
)
def test_csv_rows_and_decimal_commas(text: str, rows: list[list[object]]) -> None:
    assert read_csv(text, "input", 2).tolist() == rows


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0,5;1,5\n", "input row 1: ',' between two digits may be a decimal comma or a cell separator; "
                      "write decimals with a point, and a space after each comma between cells (1, 2; 3, 4)"),
        ("0,5 1,5\n2 3\n", "input row 1, column 2: '5 1' is not a number (a decimal comma?); "
                           "write decimals with a point (0.5), or separate cells with ';' or tabs"),
        ("1 2; 3\n", "input row 2: has 1 cells, but row 1 has 2; make every row the same length"),
        ("1/2/3, 1\n", "input row 1, column 1: '1/2/3' is not a number (more than one '/'); "
                       "CSV cells must be numbers; remove headers and text"),
    ],
)  # fmt: skip
def test_csv_refusals_say_why(text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        read_csv(text, "input", 2)
    assert str(caught.value) == message


# ---------------------------------------------------------------- any matrix, in every typed form

NUMBERS = st.one_of(
    st.integers(-99, 99).map(lambda n: (str(n), str(n))),
    st.tuples(st.integers(-9, 9), st.integers(0, 99)).map(
        lambda t: (
            f"{'-' if t[0] < 0 else ''}{abs(t[0])}.{t[1]:02d}",
            f"{'−' if t[0] < 0 else ''}{abs(t[0]) or ''}.{t[1]:02d}",
        )
    ),
)  # (strict JSON text, the same number as typed: no leading zero, Unicode minus)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda w: st.lists(st.lists(NUMBERS, min_size=w, max_size=w), min_size=1, max_size=4)
    )
)
def test_every_typed_form_is_the_strict_twin(rows: list[list[tuple[str, str]]]) -> None:
    strict = "[" + ", ".join("[" + ", ".join(j for j, _ in row) + "]" for row in rows) + "]"
    typed = [
        # One MATLAB row is a 1-D list, as [1, 2, 3] is; a trailing ';' makes it a 1×N matrix.
        "[" + "; ".join(" ".join(t for _, t in row) for row in rows) + (";]" if len(rows) == 1 else "]"),
        "[" + "\n ".join("[" + " ".join(t for _, t in row) + "]" for row in rows) + "]",
        "array([" + ",\n       ".join("[" + ", ".join(t for _, t in row) + "]" for row in rows) + "])",
    ]
    want = load_array(Source(strict), "input").tolist()
    for text in typed:
        assert load_array(Source(text), "input").tolist() == want, text
