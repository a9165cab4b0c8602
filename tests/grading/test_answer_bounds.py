"""A huge answer is refused before it is parsed: its size is bounded by what the problem's
arrays could need, and its shape is read from its brackets, so a wrong shape says so at once."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from convgrad_cli import backward
from convgrad_cli.cli.main import main
from convgrad_cli.errors import InputError
from convgrad_cli.grading import answers
from convgrad_cli.grading.solved import Solved

PAGE = ([[1, 2, 0], [3, -1, 2], [0, 1, 4]], [[2, -1], [0, 1]], [[1, 2], [-1, 3]])
WRONG_SHAPE = "wrong shape: you gave 1000×1000, the answer is 3×3: ∂L/∂X always has the shape of X"


@pytest.fixture
def no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Parsing the text into Python values fails the test: the refusal must come first."""

    def parsed(*args: object, **kwargs: object) -> None:
        raise AssertionError("the answer was parsed")

    monkeypatch.setattr(answers, "parse_json", parsed)
    monkeypatch.setattr(answers, "load_array", parsed)


def _check(*args: str, stdin: bytes | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", "--sample", "page", *args], input=stdin, prog_name="convgrad")
    return result.exit_code, result.stderr.splitlines()[-1]


def test_a_5_mb_wrong_shape_answer_is_refused_unparsed(tmp_path: Path, no_parsing: None) -> None:
    big = tmp_path / "big.json"
    big.write_text(json.dumps({"name": "a [student]", "dX": np.ones((1000, 1000)).tolist()}))
    assert big.stat().st_size > 5 * 2**20 - 2**19
    code, line = _check("--answer", str(big))
    assert code == 2
    assert line == (
        f"convgrad: error: {big}: dX: {WRONG_SHAPE}; not read further "
        "(the file is 4.8 MiB; an answer here needs at most 69 KiB)"
    )


@pytest.mark.parametrize("suffix", [".json", ".csv", ".npy"])
def test_a_huge_array_given_by_flag_is_refused_unparsed(
    tmp_path: Path, no_parsing: None, suffix: str
) -> None:
    path = tmp_path / f"big{suffix}"
    ones = np.ones((1000, 1000))
    if suffix == ".npy":
        np.save(path, ones)
    elif suffix == ".csv":
        np.savetxt(path, ones, delimiter=",", fmt="%d")
    else:
        path.write_text(json.dumps(ones.tolist(), indent=1))
    code, line = _check("--grad-input", str(path))
    assert code == 2 and line.startswith(
        f"convgrad: error: {path}: grad_input: {WRONG_SHAPE}; not read further"
    )


def test_long_numbers_in_the_right_shape_are_refused_by_size(no_parsing: None) -> None:
    solved = Solved(backward(*PAGE))
    text = json.dumps({"grad_input": [["1" + "0" * 30_000] * 3] * 3})
    with pytest.raises(InputError) as caught:
        answers.read_answer(text, None, 2, solved)
    assert str(caught.value).startswith(
        "<inline>: answer: is larger than any answer to this problem (the file is"
    )


def test_answers_within_the_bound_are_read_as_before(tmp_path: Path) -> None:
    solved = Solved(backward(*PAGE))
    right = {"grad_input": solved.expected("grad_input").tolist(), "dW": [["5.000000", "3"], [3, 6]]}
    assert set(answers.read_answer(json.dumps(right), None, 2, solved).arrays) == {
        "grad_input",
        "grad_filter",
    }
    wrong = json.dumps({"grad_input": np.ones((7, 7), dtype=int).tolist()})
    assert answers.read_answer(wrong, None, 2, solved).arrays["grad_input"].shape == (
        7,
        7,
    )  # the report says so
    assert answers.answer_bytes(solved, ("grad_input",)) < answers.answer_bytes(solved, answers.ARRAYS)


def test_a_class_grades_the_rest_when_one_file_is_huge(tmp_path: Path) -> None:
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "big.json").write_text(json.dumps({"grad_input": np.ones((1000, 1000)).tolist()}))
    (folder / "good.json").write_text(json.dumps({"grad_filter": [[5, 3], [3, 6]]}))
    result = CliRunner().invoke(main, ["check", "--sample", "page", "--answer", str(folder), "-f", "json"])
    files = {Path(f["answer"]).name: f for f in json.loads(result.stdout)["files"]}
    assert result.exit_code == 2  # a file could not be graded
    assert WRONG_SHAPE in files["big.json"]["error"]
    assert files["good.json"]["mistakes"] == ["ignored-upstream"]  # graded all the same
