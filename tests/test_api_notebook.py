"""In Jupyter, results, derivations and check reports display as the CLI's own views."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from convgrad_cli import Gradients, backward, check

PAGE = ([[1, 2, 0], [3, -1, 2], [0, 1, 4]], [[2, -1], [0, 1]], [[1, 2], [-1, 3]])


def test_result_shows_the_markdown_derivation() -> None:
    result = backward(*PAGE)
    assert isinstance(result, Gradients)
    text = result._repr_markdown_()
    assert "rot180" in text
    assert "w_{12}" in text or "w₁₂" in text


def test_derivation_selects_cells_and_renders_latex() -> None:
    derivation = backward(*PAGE).derivation(cells="w12")
    assert [cell.index for cell in derivation.grad_filter] == [(0, 1)]
    assert derivation.grad_input == ()
    assert r"\partial L" in derivation._repr_latex_()


def test_big_problem_shows_results_only_unless_forced() -> None:
    result = backward([[1] * 40] * 40, [[1, 1], [1, 1]])
    assert result.derivation().grad_input == ()
    assert len(result.derivation(trace=True).grad_input) == 1600


def test_check_report_renders_markdown() -> None:
    report = check(backward(*PAGE), {"grad_filter": [[-1, 9], [4, 13]]})
    assert not report.correct
    assert "✗" in report._repr_markdown_()


def test_check_reads_answers_as_json_text_and_as_written_fractions() -> None:
    result = backward([[1, 2], [3, 4]], [[1]], [[1, 1], [1, 1]], stride=1)
    assert check(result, '{"grad_filter": [[10]]}').correct
    assert check(result, {"grad_input": [["1", "1"], ["1", "1/1"]]}).correct
    assert check(result, {"grad_filter": np.array([[10]]), "grad_bias": Fraction(4)}).correct
