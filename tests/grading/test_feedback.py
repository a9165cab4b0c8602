"""Feedback for teachers: only the submitted arrays, --hints, a class's reasons and gradebook, --decimals."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner, Result

from convgrad_cli.cli.main import main
from convgrad_cli.engine import rot180
from convgrad_cli.engine.backward import backward

PAGE = {
    "input": [[1, 2, 0], [3, -1, 2], [0, 1, 4]],
    "filter": [[2, -1], [0, 1]],
    "grad_output": [[1, 2], [-1, 3]],
}
RIGHT = backward(PAGE["input"], PAGE["filter"], PAGE["grad_output"])
UNROTATED = backward(
    PAGE["input"], rot180(np.array(PAGE["filter"]), 2), PAGE["grad_output"]
).grad_input.tolist()
WRONG_W = "[[-1, 9], [4, 15]]"  # the page's ∂L/∂W is [[-1, 9], [4, 14]]
ONE_THIRD = ["-x", "[[1,2],[3,4]]", "-w", '[["1/3"]]', "-g", "[[1,1],[1,1]]"]  # ∂L/∂X is 1/3 everywhere


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["check", *args, "--width", "120"], catch_exceptions=False)


@pytest.fixture
def page(tmp_path: Path) -> Path:
    path = tmp_path / "hw.json"
    path.write_text(json.dumps(PAGE))
    return path


# ---------------------------------------------------------------- only what the student submitted


@pytest.mark.parametrize("view", ["table", "markdown"])
def test_only_the_submitted_arrays_are_shown(page: Path, view: str) -> None:
    out = run("--problem", str(page), "--grad-filter", WRONG_W, "-f", view).stdout
    assert "expected 14" in out and "= 14" in out  # the wrong cell, and its derivation
    assert "∂L/∂X" not in out and r"\partial X" not in out  # never the correct ∂L/∂X, not even a heading
    assert "Y = conv" not in out


def test_only_the_submitted_arrays_are_in_json(page: Path) -> None:
    doc = json.loads(run("--problem", str(page), "--grad-filter", WRONG_W, "-f", "json").stdout)
    assert list(doc["results"]) == ["grad_filter"]
    assert doc["derivation"]["grad_input"] == []
    assert [cell["index"] for cell in doc["derivation"]["grad_filter"]] == [[1, 1]]


def test_a_submitted_array_is_shown_in_full(page: Path) -> None:
    answer = json.dumps({"grad_input": UNROTATED, "grad_filter": RIGHT.grad_filter.tolist()})
    out = run("--problem", str(page), "--answer", answer).stdout
    assert "3. ∂L/∂X: the pattern" in out and "2. ∂L/∂W" in out
    assert "Y = conv" not in out


# ---------------------------------------------------------------- --hints


def _bob(page: Path, *flags: str) -> str:
    return run("--problem", str(page), "--grad-input", json.dumps(UNROTATED), *flags).stdout


def test_hints_none_shows_only_marks(page: Path) -> None:
    out = _bob(page, "--hints", "none")
    assert "1 ✗" in out and "−2 ✓" in out
    assert "expected" not in out and "diagnosis" not in out and "derivation" not in out


def test_hints_mistake_names_the_mistake_without_right_values(page: Path) -> None:
    out = _bob(page, "--hints", "mistake")
    assert "diagnosis (unrotated-filter)" in out and "1 ✗" in out
    assert "expected" not in out and "The right derivation" not in out


def test_hints_cells_adds_the_right_values_of_wrong_cells(page: Path) -> None:
    out = _bob(page, "--hints", "cells")
    assert "1 ✗ expected 2" in out and "diagnosis (unrotated-filter)" in out
    assert "The right derivation" not in out
    assert _bob(page, "--no-derivation") == out  # --no-derivation stays what it was: all but the derivation


def test_hints_derivation_is_the_default(page: Path) -> None:
    out = _bob(page)
    assert "1 ✗ expected 2" in out and "The right derivation of the wrong cells" in out
    assert _bob(page, "--hints", "derivation") == out


def test_hints_in_json_and_markdown(page: Path) -> None:
    answer = ["--problem", str(page), "--grad-input", json.dumps(UNROTATED)]
    mistake = json.loads(run(*answer, "--hints", "mistake", "-f", "json").stdout)
    assert mistake["hints"] == "mistake" and "derivation" not in mistake
    cells = mistake["results"]["grad_input"]["cells"]
    assert all("expected" not in c and "expected_exact" not in c for c in cells)
    assert mistake["results"]["grad_input"]["diagnosis"]["mistake"] == "unrotated-filter"
    none = json.loads(run(*answer, "--hints", "none", "-f", "json").stdout)
    assert none["results"]["grad_input"]["diagnosis"] is None
    default = json.loads(run(*answer, "-f", "json").stdout)
    assert "hints" not in default and default["results"]["grad_input"]["cells"][0]["expected"] == 2
    markdown = run(*answer, "--hints", "mistake", "-f", "markdown").stdout
    assert "**1 ✗**" in markdown and "`unrotated-filter`" in markdown and "expected" not in markdown


# ---------------------------------------------------------------- a class


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    sub = tmp_path / "class"
    sub.mkdir()
    right = {"grad_input": RIGHT.grad_input.tolist(), "grad_filter": RIGHT.grad_filter.tolist()}
    (sub / "alice.json").write_text(json.dumps(right))
    (sub / "bob.json").write_text(json.dumps({"grad_input": UNROTATED}))
    (sub / "carol.json").write_text(json.dumps({"grad_filter": [[1, 2, 3], [4, 5, 6]]}))
    (sub / "dave.json").write_text('{"grad_input": [[1, 2,]]')
    (sub / "erin.json").write_text(json.dumps({"grad_filter": json.loads(WRONG_W)}))
    return sub


def test_each_file_says_why_it_failed(page: Path, folder: Path) -> None:
    result = run("--problem", str(page), "--answer", str(folder), "--no-progress", "-f", "markdown")
    row = {
        line.split("`")[1].rsplit("/", 1)[-1]: line for line in result.stdout.splitlines() if "json`" in line
    }
    assert row["alice.json"].endswith("| — |")
    assert row["bob.json"].endswith("| ∂L/∂X: unrotated-filter, 8 cells wrong |")
    assert row["carol.json"].endswith("| ∂L/∂W: wrong shape (2×3, not 2×2) |")
    assert row["dave.json"].endswith("| unreadable | invalid JSON at line 1, column 23: Expecting value |")
    assert row["erin.json"].endswith("| ∂L/∂W: 1 cell wrong |")


def test_a_gradebook_row_per_file(page: Path, folder: Path) -> None:
    result = run("--problem", str(page), "--answer", str(folder), "--no-progress", "-f", "csv")
    assert result.exit_code == 2  # dave.json is unreadable
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == [
        "file", "passed", "output", "grad_input", "grad_filter", "grad_bias", "mistakes", "wrong_cells", "why",
    ]  # fmt: skip
    book = {Path(r["file"]).name: r for r in rows}
    assert book["alice.json"] | {"file": ""} == {
        "file": "", "passed": "True", "output": "", "grad_input": "right", "grad_filter": "right",
        "grad_bias": "", "mistakes": "", "wrong_cells": "0", "why": "",
    }  # fmt: skip
    assert (book["bob.json"]["grad_input"], book["bob.json"]["mistakes"]) == ("wrong", "unrotated-filter")
    assert book["bob.json"]["wrong_cells"] == "8"
    assert (book["carol.json"]["grad_filter"], book["carol.json"]["wrong_cells"]) == ("wrong shape", "4")
    assert book["dave.json"]["passed"] == "False" and book["dave.json"]["why"].startswith(
        "unreadable: invalid JSON"
    )
    assert (book["erin.json"]["grad_filter"], book["erin.json"]["wrong_cells"]) == ("wrong", "1")


def test_one_answer_as_a_gradebook_row(page: Path) -> None:
    result = run("--problem", str(page), "--grad-filter", WRONG_W, "-f", "csv")
    assert result.stdout.splitlines()[1] == "--grad-filter (inline),False,,,wrong,,,1,∂L/∂W: 1 cell wrong"


def test_the_catalog_as_csv() -> None:
    rows = list(csv.reader(io.StringIO(run("--list-mistakes", "-f", "csv").stdout)))
    assert rows[0] == ["id", "spoils", "because"] and "unrotated-filter" in {r[0] for r in rows}


# ---------------------------------------------------------------- --decimals


def test_decimals_require_that_many_on_values_that_are_not_exact() -> None:
    answer = ["--grad-input", '[[0.3, 0.33], ["1/3", 0.333]]']
    assert run(*ONE_THIRD, *answer).exit_code == 0  # the default rule: 0.3 is 1/3 rounded to 1 decimal
    result = run(*ONE_THIRD, *answer, "--decimals", "2")
    assert result.exit_code == 1
    assert "note: 1 value is right but written with fewer than 2 decimals (--decimals 2)" in result.stdout
    assert "0.3 ✗ too few decimals, ≈ 1/3" in result.stdout
    assert "0.33 ✓ ≈ 1/3" in result.stdout and "1/3 ✓" in result.stdout
    assert "The right derivation" not in result.stdout  # the value is right: nothing to derive
    cell = json.loads(run(*ONE_THIRD, *answer, "--decimals", "2", "-f", "json").stdout)
    assert cell["results"]["grad_input"]["cells"][0]["verdict"] == "too-few-decimals"


def test_decimals_leave_exact_answers_alone() -> None:
    halves = ["-x", "[[1,2],[3,4]]", "-w", "[[0.5]]", "-g", "[[1,1],[1,1]]"]
    assert run(*halves, "--grad-input", "[[0.5, 0.5], [0.5, 0.5]]", "--decimals", "3").exit_code == 0
    assert (
        run(*ONE_THIRD, "--grad-input", "[[0.333, 0.333], [0.333, 0.33]]", "--decimals", "3").exit_code == 1
    )
