"""The table view's windows and formulas laid out as lines print what Rich's grids print, byte for byte."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from strategies import Problem, problems

from convgrad_cli import backward
from convgrad_cli.cli.requests import Parameters, ProblemChoice
from convgrad_cli.cli.solving import gather_problem, solve
from convgrad_cli.derivation import Derivation, build
from convgrad_cli.load import samples
from convgrad_cli.render import lines as laid
from convgrad_cli.render import prose, table
from convgrad_cli.render.console import printed as pieces

WIDTHS = (24, 40, 80, 120)


def printed(d: Derivation, width: int, color: bool) -> str:
    """The page as the CLI prints it: in batches, blocks laid out to fit printed without Rich's crop."""
    console = Console(
        file=io.StringIO(), width=width, force_terminal=color, no_color=not color,
        color_system="truecolor" if color else None, highlight=False, emoji=False, soft_wrap=False,
    )  # fmt: skip
    return "".join(pieces(console, table.sections(d)))


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


# Rows of one-cell characters (wrapped by lines' own rule), and rows with two-cell ones (Text.wrap).
NARROW = st.text(alphabet="wxδ₁₂₃₄₅₆₇₈₉,·()−0123456789/…", min_size=1, max_size=14)
WORDS = st.one_of(
    st.lists(NARROW, min_size=1, max_size=12),
    st.lists(NARROW, min_size=1, max_size=12),
    st.lists(st.one_of(NARROW, st.text(alphabet="w漢₁2", min_size=1, max_size=6)), min_size=1, max_size=8),
)
ROW = st.builds(
    prose.Row,
    st.builds(str.join, st.sampled_from([" + ", " ", "  "]), WORDS),
    st.one_of(st.none(), st.text(alphabet="−0123456789./", min_size=1, max_size=30)),
    st.sampled_from(["", "", "image 2", "filter 10"]),
)


@settings(max_examples=300, deadline=None)
@given(
    lhs=st.text(alphabet="∂L/wxδ₁₂₃,", min_size=1, max_size=16),
    rows=st.lists(ROW, min_size=1, max_size=4),
    width=st.integers(8, 140),
    color=st.booleans(),
)
def test_formula_lines_are_the_grid(lhs: str, rows: list[prose.Row], width: int, color: bool) -> None:
    """A formula laid out here (a long row wrapped by Text.wrap) prints what its grid prints."""
    formula = laid.Formula(lhs, rows)
    console = Console(
        file=io.StringIO(), width=width, force_terminal=color, no_color=not color,
        color_system="truecolor" if color else None, highlight=False, emoji=False, soft_wrap=False,
    )  # fmt: skip
    with console.capture() as grid:
        console.print(formula.grid())
    assert "".join(pieces(console, [formula])) == grid.get()
