"""`convgrad check`: the rounding and tolerance rules, answers in every form, exit codes, a class folder."""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st

from convgrad_cli.cli.main import main
from convgrad_cli.engine import rot180
from convgrad_cli.engine.backward import backward
from convgrad_cli.grading import CATALOG
from convgrad_cli.grading.verdicts import conform, judge
from convgrad_cli.load.cells import decimals_of, written

TOL = Fraction(1e-6)
PAGE = {
    "input": [[1, 2, 0], [3, -1, 2], [0, 1, 4]],
    "filter": [[2, -1], [0, 1]],
    "grad_output": [[1, 2], [-1, 3]],
}


def run(runner: CliRunner, *args: str, stdin: str | None = None) -> Result:
    return runner.invoke(main, ["check", *args], input=stdin, catch_exceptions=False)


def error_line(result: Result) -> str:
    return next(line for line in result.stderr.splitlines() if line.startswith("convgrad: error"))


def page_result() -> dict[str, list[list[int]]]:
    r = backward(PAGE["input"], PAGE["filter"], PAGE["grad_output"])
    return {
        "output": r.output.tolist(),
        "grad_input": r.grad_input.tolist(),
        "grad_filter": r.grad_filter.tolist(),
    }


def unrotated_grad_input() -> list[list[int]]:
    """The classic mistake, computed independently: the gradient for the filter rotated by 180°."""
    flipped = rot180(np.array(PAGE["filter"]), 2)
    return backward(PAGE["input"], flipped, PAGE["grad_output"]).grad_input.tolist()


@pytest.fixture
def page(tmp_path: Path) -> Path:
    path = tmp_path / "hw.json"
    path.write_text(json.dumps(PAGE))
    return path


# ---------------------------------------------------------------- numbers as written


@pytest.mark.parametrize(
    ("text", "places"),
    [
        ("3", 0),
        ("0.33", 2),
        ("-1.250", 3),
        ("3.3e-1", 2),
        ("1e-3", 3),
        ("2.5e1", 0),
        ("1/3", None),
        ("−0.5", 1),
    ],
)
def test_decimal_places_as_written(text: str, places: int | None) -> None:
    assert decimals_of(text) == places


@pytest.mark.parametrize(
    ("text", "expected", "verdict"),
    [
        ("0.33", Fraction(1, 3), "rounded"),
        ("0.3333", Fraction(1, 3), "rounded"),
        ("0.34", Fraction(1, 3), "wrong"),
        ("0.3334", Fraction(1, 3), "wrong"),
        ("-0.67", Fraction(-2, 3), "rounded"),
        ("-0.66", Fraction(-2, 3), "wrong"),
        ("0.12", Fraction(1, 8), "rounded"),  # a tie: both roundings count
        ("0.13", Fraction(1, 8), "rounded"),
        ("0", Fraction(1, 3), "wrong"),  # an integer claims to be exact
        ("1/3", Fraction(1, 3), "exact"),
        ("0.5", Fraction(1, 2), "exact"),
        ("4", 4, "exact"),
        ("2.0000001", 2, "close"),
        ("2.00001", 2, "wrong"),
        ("0.0000001", 0, "close"),
        ("0.12", 0.125000000001, "rounded"),  # against a float result the tolerance absorbs its error
    ],
)
def test_rounding_and_tolerance_rules(text: str, expected: object, verdict: str) -> None:
    assert judge(written(text), expected, TOL) == verdict


def test_tolerance_is_adjustable() -> None:
    assert judge(written("2.00001"), 2, Fraction(1e-5)) == "close"
    assert judge(written("2.0000001"), 2, Fraction(0)) == "wrong"


def _fixed(units: int, places: int) -> str:
    """units / 10**places written with exactly ``places`` decimals."""
    sign = "-" if units < 0 else ""
    whole, part = divmod(abs(units), 10**places)
    return f"{sign}{whole}.{str(part).zfill(places)}"


@settings(max_examples=200, deadline=None)
@given(st.integers(-200, 200), st.integers(1, 30), st.integers(1, 3), st.integers(-1, 2))
def test_a_written_decimal_counts_exactly_when_it_is_within_half_a_unit(
    numerator: int, denominator: int, places: int, step: int
) -> None:
    truth = Fraction(numerator, denominator)
    units = (truth * 10**places).__floor__() + step
    half = Fraction(1, 2 * 10**places)  # ≥ 5e-4, beyond any 1e-6 tolerance here
    accepted = judge(written(_fixed(units, places)), truth, TOL) != "wrong"
    assert accepted == (abs(Fraction(units, 10**places) - truth) <= half)


def test_shapes_that_differ_only_by_unit_axes_conform() -> None:
    answer = np.empty((1, 1, 2, 2), dtype=object)
    assert conform(answer, (2, 2)) is not None
    assert conform(np.empty((3, 2), dtype=object), (2, 3)) is None


def test_a_flat_list_conforms_row_major() -> None:
    flat = np.array([1, 2, 3, 4, 5, 6], dtype=object)
    assert conform(flat, (2, 3)).tolist() == [[1, 2, 3], [4, 5, 6]]  # type: ignore[union-attr]
    assert conform(flat, (2, 2)) is None


# ---------------------------------------------------------------- the command


def test_right_answers_exit_0(runner: CliRunner, page: Path, tmp_path: Path) -> None:
    (tmp_path / "mine.json").write_text(json.dumps({**page_result(), "grad_bias": 5}))
    result = run(runner, "--problem", str(page), "--answer", str(tmp_path / "mine.json"), "--width", "100")
    assert result.exit_code == 0, result.output
    assert "✓ right: 4 of 4 arrays" in result.stdout


def test_rounded_answers_exit_0_and_say_rounded(runner: CliRunner) -> None:
    result = run(runner, "-x", "[[1,2],[3,4]]", "-w", '[["1/3"]]', "--grad-input", "[[0.33, 0.3333], [0.3, 0.33]]",
                 "--output", '[["1/3", 0.67], [1, 1.333]]', "-f", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["correct"] is True
    assert doc["results"]["grad_input"]["rounded"] is True
    cells = doc["results"]["grad_input"]["cells"]
    assert {c["verdict"] for c in cells} == {"rounded"}
    assert cells[0] == {"index": [0, 0], "correct": True, "verdict": "rounded", "given": "0.33",
                        "expected": pytest.approx(1 / 3), "expected_exact": "1/3"}  # fmt: skip
    assert [c["verdict"] for c in doc["results"]["output"]["cells"]] == [
        "exact",
        "rounded",
        "exact",
        "rounded",
    ]


def test_a_classic_mistake_exits_1_and_is_named(runner: CliRunner, page: Path) -> None:
    answer = json.dumps({"grad_input": unrotated_grad_input(), "grad_filter": page_result()["grad_filter"]})
    result = run(runner, "--problem", str(page), "--answer", answer, "-f", "json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["schema"] == "convgrad/1" and doc["correct"] is False
    dx = doc["results"]["grad_input"]
    assert (dx["correct"], dx["shape_ok"]) == (False, True)
    assert dx["diagnosis"]["mistake"] == "unrotated-filter"
    assert dx["diagnosis"]["explanation"].startswith(
        "your ∂L/∂X is what you get when the filter is not rotated"
    )
    assert doc["results"]["grad_filter"] == {
        **doc["results"]["grad_filter"],
        "correct": True,
        "diagnosis": None,
    }
    wrong = [c for c in dx["cells"] if not c["correct"]]
    assert all(c["given"] != str(c["expected"]) for c in wrong) and len(wrong) == 8


def test_table_and_markdown_views_show_verdicts_and_diagnosis(runner: CliRunner, page: Path) -> None:
    answer = json.dumps({"grad_input": unrotated_grad_input()})
    table = run(runner, "--problem", str(page), "--answer", answer, "--width", "120", "--no-color")
    assert table.exit_code == 1
    assert "∂L/∂X ✗ 8 of 9 cells wrong" in table.stdout
    assert "1 ✗ expected 2" in table.stdout and "diagnosis (unrotated-filter)" in table.stdout
    markdown = run(runner, "--problem", str(page), "--answer", answer, "-f", "markdown")
    assert "### ∂L/∂X ✗ 8 of 9 cells wrong" in markdown.stdout
    assert "**Diagnosis** (`unrotated-filter`): Your ∂L/∂X is what you get" in markdown.stdout
    assert "| **1** | **1 ✗ expected 2** |" in markdown.stdout


def test_csv_flags_with_stride_and_a_shape_mismatch(runner: CliRunner, tmp_path: Path) -> None:
    x = np.arange(25).reshape(5, 5) % 7 - 3
    w = np.array([[1, -2, 0], [0, 1, 3], [2, 0, -1]])
    g = np.array([[1, -1], [2, 3]])
    for name, array in (("X", x), ("W", w), ("dY", g)):
        np.savetxt(tmp_path / f"{name}.csv", array, fmt="%d", delimiter=",")
    right = backward(x, w, g, stride=2).grad_input
    np.savetxt(tmp_path / "dx.csv", right, fmt="%d", delimiter=",")
    args = [
        "-x",
        str(tmp_path / "X.csv"),
        "-w",
        str(tmp_path / "W.csv"),
        "-g",
        str(tmp_path / "dY.csv"),
        "--stride",
        "2",
    ]
    assert run(runner, *args, "--grad-input", str(tmp_path / "dx.csv")).exit_code == 0
    # The full convolution of δ itself (not dilated): a 4×4 answer for a 5×5 input.
    undilated = backward(g, rot180(w, 2), padding=2).output
    np.savetxt(tmp_path / "mine.csv", undilated, fmt="%d", delimiter=",")
    result = run(runner, *args, "--grad-input", str(tmp_path / "mine.csv"), "-f", "json")
    assert result.exit_code == 1
    dx = json.loads(result.stdout)["results"]["grad_input"]
    assert dx["shape_ok"] is False and dx["cells"] == []
    assert dx["shape_note"].startswith(
        "you gave 4×4, the answer is 5×5: a 4×4 ∂L/∂X usually means δ is not dilated"
    )
    assert dx["diagnosis"]["mistake"] == "missing-zero-insertion"


def test_padded_frame_is_named_as_no_padding_crop(runner: CliRunner) -> None:
    r = backward(
        PAGE["input"], PAGE["filter"], [[1, 0, 2, 1], [0, 1, 1, -1], [2, 0, 1, 0], [1, 1, 0, 3]], padding=1
    )
    padded = backward(np.pad(PAGE["input"], 1), PAGE["filter"], r.grad_output).grad_input
    result = run(runner, "-x", json.dumps(PAGE["input"]), "-w", json.dumps(PAGE["filter"]),
                 "-g", json.dumps(r.grad_output.tolist()), "--padding", "1",
                 "--grad-input", json.dumps(padded.tolist()), "-f", "json")  # fmt: skip
    dx = json.loads(result.stdout)["results"]["grad_input"]
    assert "you gave 5×5, the answer is 3×3" in dx["shape_note"]
    assert dx["diagnosis"]["mistake"] == "no-padding-crop"


def test_answer_flag_output_is_y_and_the_report_goes_to_report(
    runner: CliRunner, page: Path, tmp_path: Path
) -> None:
    report = tmp_path / "report.md"
    y = json.dumps(page_result()["output"])
    result = run(runner, "--problem", str(page), "--output", y, "-f", "markdown", "--report", str(report))
    assert result.exit_code == 0 and result.stdout == ""
    assert "### Y ✓ all 4 cells right" in report.read_text()
    assert run(runner, "--problem", str(page), "--output", y, "-o", "x.md").exit_code == 2  # no -o here


def test_report_never_replaces_an_answer_file(runner: CliRunner, page: Path, tmp_path: Path) -> None:
    mine = tmp_path / "mine.json"
    mine.write_text(json.dumps({"grad_filter": page_result()["grad_filter"]}))
    before = mine.read_bytes()
    result = run(runner, "--problem", str(page), "--answer", str(mine), "--report", str(mine))
    assert result.exit_code == 2
    assert (
        error_line(result)
        == f"convgrad: error: --report: {mine} is one of this command's inputs; write to a different file"
    )
    assert mine.read_bytes() == before


def test_a_problem_file_may_carry_its_answer(runner: CliRunner, tmp_path: Path) -> None:
    homework = tmp_path / "hw.json"
    homework.write_text(json.dumps({**PAGE, "answer": {"grad_filter": [[-1, 9], [4, 15]]}}))
    result = run(runner, "--problem", str(homework), "-f", "json")
    assert result.exit_code == 1
    cells = json.loads(result.stdout)["results"]["grad_filter"]["cells"]
    assert [c["correct"] for c in cells] == [True, True, True, False]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sample", "page"],
         "convgrad: error: --answer: no answer to check; give --answer FILE, or arrays with --output, "
         "--grad-input, --grad-filter, --grad-bias"),
        (["--grad-input", "[[1]]"],
         "convgrad: error: problem: there is no problem to check against; give --problem FILE, --sample NAME, "
         "or the operands -x/-w (and -g)"),
        (["--sample", "page", "--answer", '{"grad_input": [[1, 2]], "grad_bias": true}'],
         "convgrad: error: <inline>: grad_bias: is the boolean true, not a number; write a number, a decimal or a fraction like \"1/3\""),
        (["--sample", "page", "--answer", '{"dx": [[1]], "extra": 1}'],
         "convgrad: error: <inline>: extra: is not an answer convgrad knows; use output, grad_input, grad_filter, grad_bias"),
        (["--sample", "page", "--answer", '{"grad_input": [[1]], "grad_input": [[2]]}'],
         "convgrad: error: <inline>: grad_input: appears twice in the same object; keep one of them"),
        (["--sample", "page", "--grad-filter", "[[1, 2], [3]]"],
         "convgrad: error: <inline>: grad_filter[1]: has 1 entries, but its neighbours have 2; make every row the same length"),
        (["--sample", "page", "--grad-filter", "missing.csv"], "convgrad: error: missing.csv: no such file; check the path"),
    ],
)  # fmt: skip
def test_bad_input_exits_2_with_one_line(runner: CliRunner, args: list[str], message: str) -> None:
    result = run(runner, *args)
    assert result.exit_code == 2
    assert error_line(result) == message
    assert "Traceback" not in result.stderr


def test_list_mistakes_prints_the_catalog(runner: CliRunner) -> None:
    table = run(runner, "--list-mistakes", "--width", "200")
    assert table.exit_code == 0
    ids = [m.id for m in CATALOG]
    assert all(i in table.stdout for i in ids)
    doc = json.loads(run(runner, "--list-mistakes", "-f", "json").stdout)
    assert [m["id"] for m in doc["mistakes"]] == ids
    assert {"unrotated-filter", "rotated-grad-filter", "valid-not-full", "missing-zero-insertion", "no-padding-crop",
            "transposed", "sign-flip", "forgot-batch-sum", "forgot-channel-sum", "bias-mean"} <= set(ids)  # fmt: skip


def test_the_json_path_never_imports_rich(page: Path) -> None:
    answer = json.dumps({"grad_input": unrotated_grad_input()})
    code = (
        "import sys; from click.testing import CliRunner; from convgrad_cli.cli.main import main; "
        f"r = CliRunner().invoke(main, ['check', '--problem', {str(page)!r}, '--answer', {answer!r}, '-f', 'json']); "
        "assert r.exit_code == 1, r.output; assert 'rich' not in sys.modules, 'rich was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ---------------------------------------------------------------- a class


@pytest.fixture
def submissions(tmp_path: Path) -> Path:
    folder = tmp_path / "class"
    folder.mkdir()
    right = page_result()
    (folder / "alice.json").write_text(
        json.dumps({"grad_input": right["grad_input"], "grad_filter": right["grad_filter"]})
    )
    (folder / "bob.json").write_text(
        json.dumps({"grad_input": unrotated_grad_input(), "grad_filter": right["grad_filter"]})
    )
    flipped = [[-v for v in row] for row in right["grad_filter"]]
    (folder / "carol.json").write_text(json.dumps({"grad_filter": flipped}))
    (folder / "notes.txt").write_text("not an answer")
    return folder


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()}


def test_a_folder_is_graded_one_line_per_file(runner: CliRunner, page: Path, submissions: Path) -> None:
    before = _snapshot(submissions)
    result = run(
        runner, "--problem", str(page), "--answer", str(submissions), "--no-progress", "--width", "160"
    )
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    row = {name: next(line for line in lines if name in line) for name in ("alice", "bob", "carol")}
    assert "✓ 2/2 arrays, 13/13 cells" in row["alice"]
    assert "✗ 1/2 arrays, 5/13 cells" in row["bob"] and "∂L/∂X: unrotated-filter, 8 cells wrong" in row["bob"]
    assert "∂L/∂W: sign-flip, 4 cells wrong" in row["carol"]
    assert "notes.txt" not in result.stdout
    assert "1 of 3 answers fully right" in result.stdout
    assert _snapshot(submissions) == before  # answer files are only read


def test_a_class_as_json_and_an_unreadable_file(runner: CliRunner, page: Path, submissions: Path) -> None:
    (submissions / "dave.json").write_text('{"grad_input": [[1, 2,]]}')
    result = run(runner, "--problem", str(page), "--answer", str(submissions), "-f", "json", "--no-progress")
    assert result.exit_code == 2  # an unreadable answer is bad input, after every other file is graded
    assert f"convgrad: error: {submissions / 'dave.json'}: answer: invalid JSON" in result.stderr
    doc = json.loads(result.stdout)
    assert [Path(f["answer"]).name for f in doc["files"]] == [
        "alice.json",
        "bob.json",
        "carol.json",
        "dave.json",
    ]
    assert doc["files"][1]["mistakes"] == ["unrotated-filter"]
    assert doc["files"][1]["score"] == {"arrays": [1, 2], "cells": [5, 13]}
    assert doc["summary"] == {"answers": 4, "all_right": 1, "unreadable": 1,
                              "mistakes": {"unrotated-filter": 1, "sign-flip": 1},
                              "arrays": {"grad_input": [1, 2], "grad_filter": [2, 3]}}  # fmt: skip


def test_repeated_answers_and_markdown_for_the_class(
    runner: CliRunner, page: Path, submissions: Path
) -> None:
    args = [
        "--problem",
        str(page),
        "--answer",
        str(submissions / "alice.json"),
        "--answer",
        str(submissions / "bob.json"),
    ]
    result = run(runner, *args, "-f", "markdown", "--no-progress")
    assert result.exit_code == 1
    assert "| answer | score | why |" in result.stdout
    assert "| `unrotated-filter` | 1 |" in result.stdout
    assert run(runner, *args, "--grad-bias", "5").exit_code == 2  # per-array flags are for one answer


def test_forcing_the_progress_bar_does_not_change_the_result(
    runner: CliRunner, page: Path, submissions: Path
) -> None:
    quiet = run(runner, "--problem", str(page), "--answer", str(submissions), "-f", "json", "--no-progress")
    loud = run(runner, "--problem", str(page), "--answer", str(submissions), "-f", "json", "--progress")
    assert (loud.exit_code, loud.stdout) == (quiet.exit_code, quiet.stdout)


# ---------------------------------------------------------------- the right derivation of the wrong cells


def test_wrong_cells_are_derived_and_only_they(runner: CliRunner, page: Path) -> None:
    answer = json.dumps(
        {"grad_filter": [[-1, 9], [4, 15]], "grad_input": [[2, 3, -2], [-2, 8, -1], [0, 0, 3]]}
    )
    doc = json.loads(run(runner, "--problem", str(page), "--answer", answer, "-f", "json").stdout)
    trace = doc["derivation"]
    assert trace["cells"] == ["w22", "x32"]
    assert [c["index"] for c in trace["grad_filter"]] == [[1, 1]]
    assert [c["index"] for c in trace["grad_input"]] == [[2, 1]]
    assert trace["grad_filter"][0]["value"] == 14
    table = run(runner, "--problem", str(page), "--answer", answer, "--width", "100").stdout
    assert "The right derivation of the wrong cells" in table
    assert "∂L/∂w₂₂ = δ₁₁·x₂₂ + δ₁₂·x₂₃ + δ₂₁·x₃₂ + δ₂₂·x₃₃" in table
    assert "∂L/∂w₁₁ =" not in table
    markdown = run(runner, "--problem", str(page), "--answer", answer, "-f", "markdown").stdout
    assert "## The right derivation of the wrong cells" in markdown
    quiet = json.loads(
        run(runner, "--problem", str(page), "--answer", answer, "-f", "json", "--no-derivation").stdout
    )
    assert "derivation" not in quiet


def test_right_answers_have_nothing_to_derive(runner: CliRunner, page: Path) -> None:
    answer = json.dumps({"grad_filter": page_result()["grad_filter"]})
    doc = json.loads(run(runner, "--problem", str(page), "--answer", answer, "-f", "json").stdout)
    assert "derivation" not in doc


def test_short_forms_select_full_form_cells(runner: CliRunner) -> None:
    """Two input channels (C_in, H, W): the wrong cell x₂,₃,₁ is full-form (0, 1, 2, 0)."""
    from convgrad_cli.load import samples

    sample = samples.load("two-channels")
    right = backward(sample["input"], sample["filter"], sample["grad_output"]).grad_input.tolist()
    right[1][2][0] += 1
    doc = json.loads(
        run(runner, "--sample", "two-channels", "--grad-input", json.dumps(right), "-f", "json").stdout
    )
    assert doc["derivation"]["cells"] == ["x231"]
    assert [c["index"] for c in doc["derivation"]["grad_input"]] == [[1, 2, 0]]


def test_a_float_result_is_met_by_the_decimal_it_prints_as() -> None:
    assert judge(written("1.7"), 1.5 + 0.2, TOL) == "exact"  # 1.5 + 0.2 is the float printed 1.7
    assert judge(written("0.30000000000000004"), 0.1 + 0.2, TOL) == "exact"
    assert judge(written("0.3"), 0.1 + 0.2, TOL) == "rounded"
    assert judge(written("0.3"), np.float32(0.3), TOL) == "rounded"
    assert judge(written("0.31"), np.float32(0.3), TOL) == "wrong"


# ---------------------------------------------------------------- the session in docs/checking.md is real


CHECKING = Path(__file__).resolve().parents[2] / "docs" / "checking.md"


def test_the_docs_list_every_mistake() -> None:
    text = CHECKING.read_text(encoding="utf-8")
    for mistake in CATALOG:
        assert f"| `{mistake.id}` |" in text, mistake.id


def test_the_docs_check_session_is_what_check_prints(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = CHECKING.read_text(encoding="utf-8")
    command = "$ convgrad check --problem hw/page.json --answer mine.json --no-derivation\n"
    shown = text.split(command, 1)[1].split("$ echo $?", 1)[0]
    mine = text.split("$ cat mine.json\n", 1)[1].split("\n", 1)[0]
    monkeypatch.chdir(tmp_path)  # the session's relative paths, hw/page.json and mine.json
    assert runner.invoke(main, ["samples", "export", "page", "-o", "hw"]).exit_code == 0
    Path("mine.json").write_text(mine)
    result = run(
        runner, "--problem", "hw/page.json", "--answer", "mine.json", "--no-derivation", "--width", "80"
    )
    assert result.exit_code == 1
    assert [line.rstrip() for line in result.stdout.splitlines()] == shown.splitlines()


def test_only_one_input_reads_stdin(runner: CliRunner) -> None:
    result = run(
        runner,
        "-x",
        "-",
        "-w",
        "[[2, -1], [0, 1]]",
        "--answer",
        "-",
        stdin="[[1, 2, 0], [3, -1, 2], [0, 1, 4]]",
    )
    assert result.exit_code == 2
    assert error_line(result) == (
        "convgrad: error: --answer: reads standard input too; only one input can be '-'; give the others as files"
    )
    answer = json.dumps({"grad_filter": page_result()["grad_filter"]})
    assert run(runner, "--sample", "page", "--answer", "-", stdin=answer).exit_code == 0
