"""`convgrad explain`: the symbolic derivation is the numeric one's terms, in symbols, in every format.

The oracle for the formulas is the numeric derivation of a random problem with the same
shapes and parameters (itself checked against the definition in test_derivation.py): explain
must list exactly its terms, cell by cell, in the same order.  Errors are compared with the
lines compute prints for arrays of the same shapes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from rich.cells import cell_len
from strategies import Problem, problems

from convgrad_cli import backward
from convgrad_cli.cli.main import main
from convgrad_cli.derivation import Cell, build
from convgrad_cli.engine import rot180
from convgrad_cli.notation import MAX_SHOWN_TERMS

PAGE = ("--input-shape", "3x3", "--filter-shape", "2x2")
# The hand-written page's formulas (DERIVATION.md), in each format's spelling.
PAGE_FORMULAS = {
    "table": [
        "∂L/∂w₁₂ = δ₁₁·x₁₂ + δ₁₂·x₁₃ + δ₂₁·x₂₂ + δ₂₂·x₂₃",
        "∂L/∂x₂₂ = w₂₂·δ₁₁ + w₂₁·δ₁₂ + w₁₂·δ₂₁ + w₁₁·δ₂₂",
        "∂L/∂x₁₁ = w₁₁·δ₁₁",
    ],
    "markdown": [
        r"$\frac{\partial L}{\partial w_{12}} = \delta_{11}\,x_{12} + \delta_{12}\,x_{13} + \delta_{21}\,x_{22} + \delta_{22}\,x_{23}$",
        r"$\frac{\partial L}{\partial x_{22}} = w_{22}\,\delta_{11} + w_{21}\,\delta_{12} + w_{12}\,\delta_{21} + w_{11}\,\delta_{22}$",
        r"$\frac{\partial L}{\partial x_{11}} = w_{11}\,\delta_{11}$",
    ],
    "latex": [
        r"\frac{\partial L}{\partial w_{12}} &= \delta_{11}\,x_{12} + \delta_{12}\,x_{13} + \delta_{21}\,x_{22} + \delta_{22}\,x_{23}",
        r"\frac{\partial L}{\partial x_{22}} &= w_{22}\,\delta_{11} + w_{21}\,\delta_{12} + w_{12}\,\delta_{21} + w_{11}\,\delta_{22}",
        r"\frac{\partial L}{\partial x_{11}} &= w_{11}\,\delta_{11}",
    ],
}


def run(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(main, ["explain", *args], catch_exceptions=False)


def explain_json(runner: CliRunner, *args: str) -> dict[str, Any]:
    result = run(runner, *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


# ---------------------------------------------------------------- the page


@pytest.mark.parametrize("form", ["table", "markdown", "latex"])
def test_the_page_formulas_in_every_view(runner: CliRunner, form: str) -> None:
    result = run(runner, *PAGE, "--format", form, "--width", "100")
    assert result.exit_code == 0, result.stderr
    for formula in PAGE_FORMULAS[form]:
        assert formula in result.stdout


def test_the_page_formulas_in_json(runner: CliRunner) -> None:
    doc = explain_json(runner, *PAGE)
    formulas = {c["name"]: c["formula"] for key in ("grad_filter", "grad_input") for c in doc["trace"][key]}
    for line in PAGE_FORMULAS["table"]:
        name, formula = line.split(" = ")
        assert formulas[name] == formula
    assert doc["shapes"] == {"input": [3, 3], "filter": [2, 2], "grad_output": [2, 2]}
    # rot180(W) = [[w₂₂, w₂₁], [w₁₂, w₁₁]], as 0-based indices of W.
    assert doc["trace"]["rotated_filter"] == [[[1, 1], [1, 0]], [[0, 1], [0, 0]]]


def test_the_page_contribution_table_rotation_and_windows(runner: CliRunner) -> None:
    out = run(runner, *PAGE, "--width", "100").stdout
    rows = {
        line.split()[0]: line.split()[1:]
        for line in out.splitlines()
        if line.startswith("∂L/∂x") and "=" not in line
    }
    assert rows["∂L/∂x₂₂"] == ["w₂₂", "w₂₁", "w₁₂", "w₁₁"]  # the page's centre row: rot180(W) read in order
    assert rows["∂L/∂x₁₁"] == ["w₁₁", "0", "0", "0"]
    section = out.split("4. The rotated filter")[1].split("5. The full")[0]
    grid_rows = [line.split() for line in section.splitlines() if line.startswith(" w")]
    assert [row[-2:] for row in grid_rows] == [["w₂₂", "w₂₁"], ["w₁₂", "w₁₁"]]  # the last grid: rot180(W)
    assert out.count(": window at ") == 9 and "products under it" in out


def test_no_shapes_means_the_page(runner: CliRunner) -> None:
    default = run(runner, "--format", "markdown")
    assert default.exit_code == 0 and "hand-written page's shapes" in default.stderr
    assert default.stdout == run(runner, *PAGE, "--format", "markdown").stdout


# ---------------------------------------------------------------- random problems against the numeric trace


def flags(problem: Problem) -> list[str]:
    """The explain command line for a problem's shapes and parameters."""
    p = problem.params

    def axes(value: Any) -> str:
        if isinstance(value, (list, tuple)):
            # Pairs as JSON: `--padding 1:2` alone (1-D) is read as two axes by params.parse_param.
            nested = any(isinstance(v, (list, tuple)) for v in value)
            return json.dumps([list(v) for v in value]) if nested else ",".join(map(str, value))
        return str(value)

    given = {
        "--input-shape": "x".join(map(str, np.shape(problem.input))),
        "--filter-shape": "x".join(map(str, np.shape(problem.filter))),
        "--stride": axes(p["stride"]), "--padding": axes(p["padding"]), "--dilation": axes(p["dilation"]),
        "--groups": str(p["groups"]), "--mode": p["mode"], "--dims": str(p["dims"]),
    }  # fmt: skip
    args = [text for flag, value in given.items() for text in (flag, value)]
    return [*args, "--trace", *["--bias"] * (problem.bias is not None)]


SUBSCRIPTS = dict(zip("0123456789,", "₀₁₂₃₄₅₆₇₈₉,"))


def written(letter: str, index: list[int], axes: int, dims: int) -> str:
    """The page's symbol, spelled here from scratch: 1-based, commas once there are channel axes or 10+."""
    digits = [str(i + 1) for i in index]
    text = ",".join(digits) if axes > dims or any(len(d) > 1 for d in digits) else "".join(digits)
    return letter + "".join(SUBSCRIPTS[c] for c in text)


def expected_formula(cell: dict[str, Any], kind: str, shapes: dict[str, list[int]], dims: int) -> str:
    delta = [written("δ", t["grad_output_index"], len(shapes["grad_output"]), dims) for t in cell["terms"]]
    if kind == "filter":
        other = [written("x", t["input_index"], len(shapes["input"]), dims) for t in cell["terms"]]
        return " + ".join(f"{d}·{x}" for d, x in zip(delta, other)) or "0"
    other = [written("w", t["filter_index"], len(shapes["filter"]), dims) for t in cell["terms"]]
    return " + ".join(f"{w}·{d}" for w, d in zip(other, delta)) or "0"


def pairs(cells: tuple[Cell, ...]) -> list[tuple[list[int], list[tuple[list[int], list[int]]]]]:
    return [(list(c.index), [(list(t.source), list(t.delta)) for t in c.terms]) for c in cells]


def json_pairs(
    cells: list[dict[str, Any]], key: str
) -> list[tuple[list[int], list[tuple[list[int], list[int]]]]]:
    return [(c["index"], [(t[key], t["grad_output_index"]) for t in c["terms"]]) for c in cells]


@settings(max_examples=100, deadline=None)
@given(problems(("int",)))
def test_explain_lists_the_numeric_derivations_terms(problem: Problem) -> None:
    result = problem.run(backward)
    numeric = build(result)
    doc = explain_json(CliRunner(), *flags(problem))
    trace = doc["trace"]
    assert json_pairs(trace["grad_filter"], "input_index") == pairs(numeric.grad_filter)
    assert json_pairs(trace["grad_input"], "filter_index") == pairs(numeric.grad_input)
    # Each formula writes exactly those terms, in the page's symbols.
    for kind, key in (("filter", "grad_filter"), ("input", "grad_input")):
        for cell in trace[key]:
            assert cell["formula"] == expected_formula(cell, kind, doc["shapes"], problem.dims)
    # rot180 in indices: the weight each position names is the value rot180(W) has there.
    w = np.arange(np.size(result.filter)).reshape(np.shape(result.filter))
    rotated = rot180(w, problem.dims)
    for position in np.ndindex(*w.shape):
        index = trace["rotated_filter"]
        for p in position:
            index = index[p]
        assert w[tuple(index)] == rotated[position]
    assert doc["shapes"]["grad_output"] == list(np.shape(result.grad_output))
    if problem.bias is not None:
        assert [c["grad_output_indices"] for c in trace["grad_bias"]] == [
            [list(i) for i in c.deltas] for c in numeric.grad_bias
        ]


def leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in leaves(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in leaves(v)]
    return [value]


@settings(max_examples=12, deadline=None)
@given(problems(("int",)))
def test_every_format_runs_and_json_has_no_values(problem: Problem) -> None:
    runner = CliRunner()
    args = flags(problem)
    doc = explain_json(runner, *args)
    for cell in doc["trace"]["grad_filter"] + doc["trace"]["grad_input"]:
        assert "value" not in cell
        assert all(set(t) in ({"input_index", "grad_output_index"}, {"filter_index", "grad_output_index"})
                   for t in cell["terms"])  # fmt: skip
    # Only indices (ints), symbols, names and the grids' "pad"/"gap": never a number that is a value.
    assert all(type(leaf) in (int, str) or leaf is None for leaf in leaves(doc))
    table = run(runner, *args, "--width", "80")
    assert table.exit_code == 0, table.stderr
    assert max(cell_len(line) for line in table.stdout.splitlines()) <= 80
    # The table view writes the same sums (those it writes on one line: one part, not elided).
    wide = run(runner, *args, "--width", "1000").stdout
    numeric = build(problem.run(backward))
    for key in ("grad_filter", "grad_input"):
        for cell, ours in zip(doc["trace"][key], getattr(numeric, key)):
            if len(ours.parts) == 1 and len(ours.terms) <= MAX_SHOWN_TERMS:
                assert f"{cell['name']} = {cell['formula']}" in wide
    assert run(runner, *args, "-f", "markdown").stdout.startswith("# Backprop through convolution")
    assert run(runner, *args, "-f", "latex").stdout.rstrip().endswith(r"\end{document}")


def test_cells_bias_and_files(runner: CliRunner, tmp_path: Path) -> None:
    doc = explain_json(runner, *PAGE, "--cells", "x22,w12", "--bias")
    trace = doc["trace"]
    assert trace["cells"] == ["x22", "w12"]
    assert [c["name"] for c in trace["grad_filter"] + trace["grad_input"]] == ["∂L/∂w₁₂", "∂L/∂x₂₂"]
    assert "grad_bias" not in trace  # chosen cells only
    whole = explain_json(runner, *PAGE, "--bias")["trace"]
    assert whole["grad_bias"][0]["formula"] == "δ₁₁ + δ₁₂ + δ₂₁ + δ₂₂"
    out, svg = tmp_path / "page.tex", tmp_path / "page.svg"
    result = run(runner, *PAGE, "-f", "latex", "--latex-body", "-o", str(out), "--export-svg", str(svg))
    assert result.exit_code == 0 and result.stdout == ""
    assert PAGE_FORMULAS["latex"][1] in out.read_text(encoding="utf-8")
    assert "\\begin{document}" not in out.read_text(encoding="utf-8") and "<svg" in svg.read_text()


def test_steps_in_json_for_stride_and_padding(runner: CliRunner) -> None:
    doc = explain_json(
        runner, "--input-shape", "4x4", "--filter-shape", "2x2", "--stride", "2", "--padding", "1"
    )
    (steps,) = doc["trace"]["steps"]["grad_output"]
    assert steps["inserted"][0] == [[0, 0], "gap", [0, 1], "gap", [0, 2]]
    assert steps["padded"][0] == ["pad"] * 7 and len(steps["padded"]) == 7
    assert doc["trace"]["steps"]["filters"][0]["sliding"] == [[[1, 1], [1, 0]], [[0, 1], [0, 0]]]
    # x₁₁ sits in the padding's frame at (1, 1): its window starts there.
    assert doc["trace"]["grad_input"][0]["window"] == [1, 1]


def test_the_json_path_never_imports_rich() -> None:
    code = (
        "import sys; from click.testing import CliRunner; from convgrad_cli.cli.main import main; "
        "r = CliRunner().invoke(main, ['explain', '--input-shape', '3x3', '--filter-shape', '2x2', '-f', 'json']); "
        "assert r.exit_code == 0, r.output; assert 'rich' not in sys.modules, 'rich was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ---------------------------------------------------------------- errors


def error_line(result: Result) -> str:
    assert result.exit_code == 2, result.output
    return result.stderr.splitlines()[0]


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["--input-shape", "3y3", "--filter-shape", "2x2"],
         "--input-shape: '3y3' is not a whole number ≥ 1; write the sizes separated by x, × or commas, e.g. 3x3, 2,3,3 or 2x3x5x5"),
        (["--input-shape", "3x-3", "--filter-shape", "2x2"],
         "--input-shape: '3x-3': '-3' is not a whole number ≥ 1; write the sizes separated by x, × or commas, e.g. 3x3, 2,3,3 or 2x3x5x5"),
        (["--input-shape", "3x", "--filter-shape", "2x2"],
         "--input-shape: '3x' has an empty size; write the sizes separated by x, × or commas, e.g. 3x3, 2,3,3 or 2x3x5x5"),
        (["--input-shape", "", "--filter-shape", "2x2"],
         "--input-shape: is empty; write the sizes separated by x, × or commas, e.g. 3x3, 2,3,3 or 2x3x5x5"),
        (["--input-shape", "3x0", "--filter-shape", "2x2"],
         "--input-shape: '3x0' has a size 0; every axis needs at least one entry"),
        (["--input-shape", "3x3"], "--filter-shape: is missing; give both shapes, e.g. --filter-shape 2x2"),
        (["--filter-shape", "2x2"], "--input-shape: is missing; give both shapes, e.g. --input-shape 3x3"),
        (["--input-shape", "3x3", "--filter-shape", "2x2", "--no-trace"],
         "--no-trace: leaves explain nothing to show; leave it out, or choose cells with --cells x11,w11"),
        (["--input-shape", "30x30", "--filter-shape", "2x2"],
         "--input-shape: the derivation has 900 window positions (more than 300); add --trace to show every "
         "step, or choose cells with --cells x11,w11"),
        (["--input-shape", "2000x2000", "--filter-shape", "2x2"],
         "--input-shape: the input would have 4,000,000 entries (1×1×2000×2000); explain writes out every entry: "
         "at most 1,000,000 per array; use smaller shapes, padding or dilation"),
        (["--input-shape", "3x3", "--filter-shape", "2x2", "--padding", "1000"],
         "size: δ = ∂L/∂Y would have 4,008,004 entries (1×1×2002×2002); explain writes out every entry: "
         "at most 1,000,000 per array; use smaller shapes, padding or dilation"),
        (["--input-shape", "3x3", "--filter-shape", "2x2", "--cells", "x44"],
         "--cells: 'x44' is outside the 3×3 input; indices start at 1"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_exit_2(runner: CliRunner, args: list[str], line: str) -> None:
    assert error_line(run(runner, *args)) == f"convgrad: error: {line}"


def zeros(shape: tuple[int, ...]) -> str:
    return json.dumps(np.zeros(shape, dtype=int).tolist())


@pytest.mark.parametrize(
    ("x", "w", "params", "field"),
    [
        ((2, 2), (3, 3), [], "--filter-shape"),  # filter larger than the padded input
        ((3, 3), (2, 2), ["--padding", "same", "--stride", "2"], "--padding"),
        ((2, 3, 3), (2, 2, 2), ["--groups", "2"], "--groups"),
        ((3, 3, 3), (2, 2, 2), [], "--filter-shape"),  # channels disagree
        ((3, 3), (2, 2), ["--dilation", "3"], "--filter-shape"),
        ((3, 3), (2, 2), ["--stride", "0"], "--stride"),
        ((3, 3), (2, 2), ["--dims", "4"], "--dims"),
        ((1, 2, 3, 3, 3), (2, 2), [], "--input-shape"),  # too many axes
    ],
)
def test_shape_errors_say_what_compute_says(
    runner: CliRunner, x: tuple[int, ...], w: tuple[int, ...], params: list[str], field: str
) -> None:
    """The same rule and words as compute, with the flag at fault in place of the array's source."""
    shapes = ["--input-shape", "x".join(map(str, x)), "--filter-shape", "x".join(map(str, w))]
    explained = error_line(run(runner, *shapes, *params))
    computed = error_line(runner.invoke(main, ["compute", "-x", zeros(x), "-w", zeros(w), *params]))
    assert explained.startswith(f"convgrad: error: {field}: ")
    assert explained.split(": ", 3)[-1] == computed.split(": ")[-1]


def test_symbolic_latex_compiles(runner: CliRunner, tmp_path: Path, pdflatex: str) -> None:
    args = ["--input-shape", "4x4", "--filter-shape", "2x2", "--stride", "2", "--padding", "1", "--bias"]
    (tmp_path / "explain.tex").write_text(run(runner, *args, "-f", "latex").stdout, encoding="utf-8")
    done = subprocess.run(
        [pdflatex, "-interaction=nonstopmode", "-halt-on-error", "explain.tex"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:]
