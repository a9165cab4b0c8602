"""The table view's windows and formulas printed as lines of Text are the grids' own output, byte for byte."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from rich.console import Console
from strategies import Problem, problems

from convgrad_cli import backward
from convgrad_cli.cli.requests import Parameters, ProblemChoice
from convgrad_cli.cli.solving import gather_problem, solve
from convgrad_cli.derivation import Derivation, build
from convgrad_cli.load import samples
from convgrad_cli.render import lines as laid
from convgrad_cli.render import table

WIDTHS = (24, 40, 80, 120)


def printed(d: Derivation, width: int, color: bool) -> str:
    out = io.StringIO()
    console = Console(
        file=out, width=width, force_terminal=color, no_color=not color,
        color_system="truecolor" if color else None, highlight=False, emoji=False, soft_wrap=False,
    )  # fmt: skip
    for renderable in table.sections(d):
        console.print(renderable)
    return out.getvalue()


def same_as_grids(d: Derivation, monkeypatch: pytest.MonkeyPatch) -> None:
    for width in WIDTHS:
        for color in (False, True):
            lines = printed(d, width, color)
            with monkeypatch.context() as patch:
                patch.setattr(laid, "laid_out_here", lambda *_: False)
                grids = printed(d, width, color)
            assert lines == grids, f"width {width}, colour {color}"


@pytest.mark.parametrize("sample", samples.names())
def test_samples_print_as_the_grids_do(sample: str, monkeypatch: pytest.MonkeyPatch) -> None:
    problem = gather_problem(ProblemChoice(sample=sample), Parameters(), None)
    same_as_grids(build(solve(problem, None)), monkeypatch)


@settings(max_examples=10, deadline=None)
@given(problems(("int", "fraction")))
def test_any_problem_prints_as_the_grids_do(problem: Problem) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        same_as_grids(build(problem.run(backward)), monkeypatch)
