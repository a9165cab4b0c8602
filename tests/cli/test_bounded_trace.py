"""Small inputs cannot make the derivation unbounded: padding and dilation count in the size
rule as the grids they make the views draw, and the caps apply to --trace and --cells alike."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner, Result

from convgrad_cli.cli.main import main

PAGE = ["-x", "[[1,2,3],[4,5,6],[7,8,9]]", "-w", "[[1,0],[0,-1]]"]


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), prog_name="convgrad")


@pytest.mark.parametrize("view", ["table", "markdown", "latex", "json"])
def test_padding_falls_back_to_results_with_a_note(view: str) -> None:
    result = invoke("compute", *PAGE, "--padding", "200", "-f", view)
    assert result.exit_code == 0
    note = (
        "the derivation would draw 486,800 grid cells (more than 50,000): showing results only; "
        "--trace shows every step, --cells x11,w11 chosen cells"
    )
    if view == "table":  # the table view says it itself, on stdout
        assert note[1:] in result.stdout.replace("\n", " ") or note.capitalize() in result.stdout
    else:
        assert f"convgrad: {note}" in result.stderr
    assert "window at" not in result.stdout
    if view == "json":
        assert "trace" not in json.loads(result.stdout)


def test_a_forced_trace_draws_what_fits_and_refuses_what_does_not() -> None:
    assert "window at" in invoke("compute", *PAGE, "--padding", "200", "--trace", "-f", "markdown").stdout
    refused = invoke("compute", *PAGE, "--padding", "2000", "--trace", "-f", "json")
    assert refused.exit_code == 2
    assert refused.stderr.splitlines()[-1] == (
        "convgrad: error: --trace: the full derivation would draw 48,064,400 grid cells; "
        "at most 1,000,000 are drawn; choose cells with --cells w11"
    )


def test_cells_are_capped_like_the_trace() -> None:
    x = json.dumps([[1] * 400] * 400)
    refused = invoke("compute", "-x", x, "-w", json.dumps([[1] * 5] * 5), "--cells", "x,w", "-f", "json")
    assert refused.exit_code == 2
    assert refused.stderr.splitlines()[-1] == (
        "convgrad: error: --cells: the chosen cells' derivation would list 3,920,400 multiplications; "
        "at most 400,000 are traced; choose fewer cells"
    )


def test_explain_names_the_grids_too() -> None:
    result = invoke("explain", "--input-shape", "3x3", "--filter-shape", "2x2", "--padding", "100")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "convgrad: error: --input-shape: the derivation would draw 123,600 grid cells (more than 50,000); "
        "add --trace to show every step, or choose cells with --cells x11,w11"
    )
    assert (
        invoke(
            "explain", "--input-shape", "3x3", "--filter-shape", "2x2", "--padding", "100", "--cells", "x22"
        ).exit_code
        == 0
    )
