"""Answers in the forms students give them (issue 13 §3): key aliases, flat lists, channels-last."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from convgrad_cli.cli.main import main
from convgrad_cli.engine.backward import backward
from convgrad_cli.grading import Answer, Solved, check
from convgrad_cli.grading.answers import read_answer
from convgrad_cli.load.nested import to_array

PAGE = {
    "input": [[1, 2, 0], [3, -1, 2], [0, 1, 4]],
    "filter": [[2, -1], [0, 1]],
    "grad_output": [[1, 2], [-1, 3]],
}
RIGHT = backward(PAGE["input"], PAGE["filter"], PAGE["grad_output"])


def answer(**arrays: object) -> Answer:
    return Answer({k: to_array(v, k, keep_text=True, single=()) for k, v in arrays.items()}, "test")


@pytest.mark.parametrize(
    ("key", "name"),
    [
        *[(k, "grad_input") for k in ("dX", "dx", "dL_dX", "grad_x", "dA_prev")],
        *[(k, "grad_filter") for k in ("dW", "dw", "dL_dW", "grad_w")],
        *[(k, "grad_bias") for k in ("db", "dL_db", "grad_b")],
        *[(k, "output") for k in ("Y", "out", "Z")],
    ],
)
def test_key_aliases_are_read_and_said(key: str, name: str) -> None:
    value = getattr(RIGHT, name) if name != "grad_bias" else 5
    read = read_answer(json.dumps({key: np.asarray(value).tolist()}))
    assert list(read.arrays) == [name]
    assert read.notes == (f"read {key!r} as {name}",)


def test_canonical_keys_need_no_note_and_case_does_not_matter() -> None:
    assert read_answer('{"grad_input": [[1]]}').notes == ()
    assert list(read_answer('{"GRAD_FILTER": [[1]]}').arrays) == ["grad_filter"]


def test_an_alias_and_its_name_together_are_refused() -> None:
    with pytest.raises(Exception, match="gives grad_input again \\(as does 'dX'\\); keep only one of them"):
        read_answer('{"dX": [[1]], "grad_input": [[1]]}')


def test_the_report_says_which_key_it_read_as_which(runner: CliRunner) -> None:
    doc_answer = json.dumps({"dW": RIGHT.grad_filter.tolist()})
    result = runner.invoke(main, ["check", "--sample", "page", "--answer", doc_answer, "-f", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["notes"] == ["read 'dW' as grad_filter"]
    markdown = runner.invoke(main, ["check", "--sample", "page", "--answer", doc_answer, "-f", "markdown"])
    assert "Note: read 'dW' as grad_filter." in markdown.stdout


def test_a_flat_list_is_read_row_major_with_a_note() -> None:
    p = Solved(RIGHT)
    verdict = check(p, answer(grad_input=RIGHT.grad_input.flatten().tolist())).verdicts[0]
    assert verdict.correct
    assert verdict.notes == ("read the flat list of 9 row by row (C order) as 3×3",)


def test_a_flat_list_of_the_wrong_length_names_both_shapes() -> None:
    p = Solved(backward(np.arange(12).reshape(3, 4), [[1, 0], [0, 1]]))
    verdict = check(p, answer(output=[1, 2, 3, 4, 5, 6, 7])).verdicts[0]
    assert verdict.shape_note is not None
    assert verdict.shape_note.startswith("you gave a list of 7, the answer is 2×3")


def test_a_flat_list_of_six_for_a_2x3_answer() -> None:
    p = Solved(backward(np.arange(12).reshape(3, 4), [[1, 0], [0, 1]]))
    right = p.expected("output")
    assert check(p, answer(output=right.flatten().tolist())).verdicts[0].correct
    short = check(p, answer(output=[1, 2, 3, 4, 5, 6][:4])).verdicts[0]
    assert short.shape_note is not None and short.shape_note.startswith(
        "you gave a list of 4, the answer is 2×3"
    )


def two_channel_problem() -> Solved:
    x = np.arange(2 * 2 * 4 * 3).reshape(2, 2, 4, 3) % 5 - 2  # (N, C, H, W)
    w = np.arange(3 * 2 * 2 * 2).reshape(3, 2, 2, 2) % 3 - 1  # (C_out, C_in, kH, kW)
    return Solved(backward(x, w))


def test_channels_last_answers_are_named() -> None:
    p = two_channel_problem()
    nhwc = np.transpose(p.expected("grad_input"), (0, 2, 3, 1))
    verdict = check(p, answer(grad_input=nhwc.tolist())).verdicts[0]
    assert verdict.shape_note == (
        "you gave 2×4×3×2, the answer is 2×2×4×3: looks like channels-last (N, H, W, C); transpose to (N, C, H, W)"
    )
    hwio = np.transpose(p.expected("grad_filter"), (2, 3, 1, 0))
    verdict = check(p, answer(grad_filter=hwio.tolist())).verdicts[0]
    assert verdict.shape_note is not None and verdict.shape_note.endswith(
        "looks like channels-last (kH, kW, C_in, C_out); transpose to (C_out, C_in, kH, kW)"
    )


def test_channels_last_layout_grades_them_as_given() -> None:
    p = two_channel_problem()
    nhwc = np.transpose(p.expected("grad_input"), (0, 2, 3, 1))
    hwio = np.transpose(p.expected("grad_filter"), (2, 3, 1, 0))
    nhwc_y = np.transpose(p.expected("output"), (0, 2, 3, 1))
    report = check(p, answer(grad_input=nhwc.tolist(), grad_filter=hwio.tolist(), output=nhwc_y.tolist()),
                   layout="channels-last")  # fmt: skip
    assert report.correct
    assert [v.notes for v in report.verdicts] == [
        ("read as channels-last (N, H, W, C)",),
        ("read as channels-last (N, H, W, C)",),
        ("read as channels-last (kH, kW, C_in, C_out)",),
    ]


def test_channels_last_without_a_batch_axis() -> None:
    p = Solved(backward(np.arange(2 * 3 * 3).reshape(2, 3, 3), np.ones((2, 2, 2), dtype=int)))  # (C, H, W)
    hwc = np.transpose(p.expected("grad_input"), (1, 2, 0))
    verdict = check(p, answer(grad_input=hwc.tolist())).verdicts[0]
    assert verdict.shape_note is not None and verdict.shape_note.endswith(
        "looks like channels-last (H, W, C); transpose to (C, H, W)"
    )
    assert check(p, answer(grad_input=hwc.tolist()), layout="channels-last").correct


def test_the_layout_flag_grades_channels_last_answers(runner: CliRunner) -> None:
    x = (np.arange(2 * 3 * 3).reshape(1, 2, 3, 3) % 5 - 2).tolist()
    w = (np.arange(2 * 2 * 2 * 2).reshape(2, 2, 2, 2) % 3 - 1).tolist()
    right = backward(x, w)
    nhwc = json.dumps(np.transpose(right.grad_input, (0, 2, 3, 1)).tolist())
    args = ["check", "-x", json.dumps(x), "-w", json.dumps(w), "--grad-input", nhwc, "-f", "json"]
    named = runner.invoke(main, args)
    assert named.exit_code == 1
    note = json.loads(named.stdout)["results"]["grad_input"]["shape_note"]
    assert note.endswith("looks like channels-last (N, H, W, C); transpose to (N, C, H, W)")
    graded = runner.invoke(main, [*args, "--layout", "channels-last"])
    assert graded.exit_code == 0, graded.output
    assert json.loads(graded.stdout)["results"]["grad_input"]["notes"] == [
        "read as channels-last (N, H, W, C)"
    ]
