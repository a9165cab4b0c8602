"""The views of the derivation: golden renders, width, colour, LaTeX that compiles, JSON traces.

Golden files live in ``tests/render/golden/`` and were reviewed by eye.  After a deliberate change
to a view, regenerate them with ``CONVGRAD_REGEN_GOLDEN=1 python -m pytest tests/render``
and review the diff before committing.
"""

from __future__ import annotations

import json
import os
import subprocess
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from rich.cells import cell_len
from strategies import Problem, problems

from convgrad_cli import backward
from convgrad_cli.cli.main import main
from convgrad_cli.derivation import Frame, build, build_symbolic, parse_cells
from convgrad_cli.engine import resolve_spec
from convgrad_cli.load import samples
from convgrad_cli.render.latex import latex
from convgrad_cli.render.markdown import markdown
from convgrad_cli.render.table import derivation_view

GOLDEN = Path(__file__).resolve().parent / "golden"
REGENERATE = os.environ.get("CONVGRAD_REGEN_GOLDEN") == "1"
SECTIONS = (
    "1. The problem",
    "2. ∂L/∂W",
    "3. ∂L/∂X: the pattern",
    "4. The rotated filter",
    "5. The full ",  # convolution, or cross-correlation in convolve mode
)


def run(runner: CliRunner, *args: str) -> Result:
    result = runner.invoke(main, ["compute", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return result


def golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if REGENERATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"no golden file {name}: regenerate with CONVGRAD_REGEN_GOLDEN=1 and review it"
    assert text == path.read_text(encoding="utf-8"), (
        f"{name} changed: review, then regenerate (see module docstring)"
    )


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("page.table.txt", ["--no-color", "--width", "80"]),
        ("page.md", ["--format", "markdown"]),
        ("page.tex", ["--format", "latex"]),
        ("page.body.tex", ["--format", "latex", "--latex-body"]),
        ("page.json", ["--format", "json"]),
    ],
)
def test_built_in_sample_golden(runner: CliRunner, name: str, args: list[str]) -> None:
    golden(name, run(runner, *args).stdout)


def test_built_in_sample_svg_golden(runner: CliRunner, tmp_path: Path) -> None:
    svg, html = tmp_path / "page.svg", tmp_path / "page.html"
    run(runner, "--export-svg", str(svg), "--export-html", str(html), "--format", "json")
    text = svg.read_text(encoding="utf-8")
    assert text.startswith("<svg") and "∂L/∂x₂₂" in text
    assert "<html>" in html.read_text(encoding="utf-8")
    golden("page.svg", text)
    readme_picture = GOLDEN.parents[2] / "docs" / "derivation.svg"
    if REGENERATE:
        readme_picture.write_text(text, encoding="utf-8")
    assert readme_picture.read_text(encoding="utf-8") == text, "the README's picture is stale"


@pytest.mark.parametrize("sample", [s for s in samples.names() if s != samples.DEFAULT])
def test_samples_table_golden(runner: CliRunner, sample: str) -> None:
    golden(f"{sample}.table.txt", run(runner, "--sample", sample, "--no-color", "--width", "80").stdout)


@pytest.mark.parametrize("sample", samples.names())
def test_every_sample_fits_80_columns_in_page_order(runner: CliRunner, sample: str) -> None:
    out = run(runner, "--sample", sample, "--no-color", "--width", "80").stdout
    assert max(cell_len(line) for line in out.splitlines()) <= 80
    positions = [out.index(title) for title in SECTIONS if title in out]
    assert positions == sorted(positions) and len(positions) >= 4
    assert "\x1b[" not in out


def test_page_sample_shows_every_step_of_the_page(runner: CliRunner) -> None:
    out = run(runner, "--no-color", "--width", "80").stdout
    steps = [
        "∂L/∂w₁₂ = δ₁₁·x₁₂ + δ₁₂·x₁₃ + δ₂₁·x₂₂ + δ₂₂·x₂₃",  # part 1, the page's own example
        "= 1·2 + 2·0 + (−1)·(−1) + 3·2 = 9",
        "valid cross-correlation",
        "∂L/∂x₂₂   w₂₂   w₂₁   w₁₂   w₁₁",  # the contribution table's centre row
        "vertical flip",
        "horizontal flip = rot180(W)",
        "∂L/∂x₁₁: window at rows 1–2, columns 1–2",  # top left first …
        "∂L/∂x₂₂ = w₂₂·δ₁₁ + w₂₁·δ₁₂ + w₁₂·δ₂₁ + w₁₁·δ₂₂",
        "∂L/∂x₃₃: window at rows 3–4, columns 3–4",  # … to the bottom right
    ]
    positions = [out.index(step) for step in steps]
    assert positions == sorted(positions)


@pytest.mark.parametrize("sample", samples.names())
def test_the_table_view_printed_piece_by_piece_is_the_whole_page(sample: str) -> None:
    """A long trace is written as it is drawn; the pieces, colour codes included, make the same page."""
    from rich.console import Console

    from convgrad_cli.cli.requests import Parameters, ProblemChoice
    from convgrad_cli.cli.solving import gather_problem, solve
    from convgrad_cli.render.console import printed
    from convgrad_cli.render.table import sections

    d = build(solve(gather_problem(ProblemChoice(sample=sample), Parameters(), None), None))
    console = Console(width=80, file=open(os.devnull, "w"), color_system="truecolor", force_terminal=True)  # noqa: SIM115
    with console.capture() as capture:
        console.print(derivation_view(d))
    for batch in (1, 3, 64):
        assert "".join(printed(console, sections(d), batch)) == capture.get()


def test_the_table_view_written_to_a_file_is_what_stdout_shows(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "page.txt"
    run(runner, "--no-color", "--width", "80", "-o", str(out))
    assert out.read_text(encoding="utf-8") == (GOLDEN / "page.table.txt").read_text(encoding="utf-8")


def test_every_view_has_a_body_for_every_section_of_the_page() -> None:
    from convgrad_cli.render import latex as latex_view
    from convgrad_cli.render import markdown as markdown_view
    from convgrad_cli.render import page
    from convgrad_cli.render import table as table_view

    for view in (table_view, markdown_view, latex_view):
        assert sorted(view.PAGE.bodies) == sorted(page.KEYS), view.__name__


def test_colour_follows_flags_and_no_color(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    assert "\x1b[" in run(runner, "--color").stdout
    assert "\x1b[" not in run(runner, "--no-color").stdout
    assert "\x1b[" not in run(runner).stdout  # not a terminal
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\x1b[" in run(runner).stdout
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in run(runner).stdout


def test_width_is_honoured_and_wide_problems_degrade(runner: CliRunner) -> None:
    out = run(runner, "--width", "120", "--sample", "padding1").stdout
    assert max(cell_len(line) for line in out.splitlines()) <= 120
    big = json.dumps(np.arange(900).reshape(30, 30).tolist())
    out = run(runner, "-x", big, "-w", "[[1,0],[0,1]]", "--width", "60").stdout
    assert max(cell_len(line) for line in out.splitlines()) <= 60
    assert "top-left corner" in out and "showing results only" in out


def test_big_problems_get_results_and_a_note(runner: CliRunner) -> None:
    x = json.dumps(np.ones((20, 20), dtype=int).tolist())
    result = run(runner, "-x", x, "-w", "[[1,2,3],[4,5,6],[7,8,9]]", "-f", "json")
    assert "trace" not in json.loads(result.stdout)
    assert "400 window positions" in result.stderr and "--cells x11,w11" in result.stderr
    doc = json.loads(run(runner, "-x", x, "-w", "[[1,2,3],[4,5,6],[7,8,9]]", "-f", "json", "--trace").stdout)
    assert len(doc["trace"]["grad_input"]) == 400
    doc = json.loads(
        run(runner, "-x", x, "-w", "[[1,2,3],[4,5,6],[7,8,9]]", "-f", "json", "--cells", "x[10,10]").stdout
    )
    assert doc["trace"]["cells"] == ["x[10,10]"] and doc["trace"]["grad_filter"] == []
    assert [t["filter"] for t in doc["trace"]["grad_input"][0]["terms"]] == [9, 8, 7, 6, 5, 4, 3, 2, 1]
    out = run(runner, "-x", x, "-w", "[[1,2,3],[4,5,6],[7,8,9]]", "--cells", "w22", "--no-color").stdout
    assert "∂L/∂w₂₂ = δ₁₁·x₂₂ + " in out and "… (" in out  # 324 terms, elided in the middle


def test_no_trace_and_bad_cells(runner: CliRunner) -> None:
    assert "trace" not in json.loads(run(runner, "-f", "json", "--no-trace").stdout)
    out = run(runner, "--no-trace", "--no-color").stdout
    assert "∂L/∂w₁₂ =" not in out and "∂L/∂X" in out
    result = runner.invoke(main, ["compute", "--cells", "x44"])
    assert result.exit_code == 2
    assert (
        result.stderr.splitlines()[0]
        == "convgrad: error: --cells: 'x44' is outside the 3×3 input; indices start at 1"
    )


def exact(value: object) -> Fraction:
    return Fraction(value)  # type: ignore[arg-type]  # ints, floats and "p/q" strings


@settings(max_examples=25, deadline=None)
@given(problems(("int", "fraction")))
def test_json_traces_are_exact(problem: Problem) -> None:
    """Parsed back, every cell's terms sum exactly to its value, and both lists are complete."""
    from convgrad_cli.render.trace_json import trace

    result = problem.run(backward)
    doc = json.loads(json.dumps(trace(build(result, steps=False))))
    for key, source in (("grad_filter", "input"), ("grad_input", "filter")):
        cells = doc[key]
        assert len(cells) == np.asarray(getattr(result, key)).size
        for cell in cells:
            total = sum((exact(t[source]) * exact(t["grad_output"]) for t in cell["terms"]), Fraction(0))
            assert total == exact(cell["value"])
            assert exact(cell["value"]) == np.asarray(getattr(result, key))[tuple(cell["index"])]
    rotated = np.asarray(result.filter)
    rotated = np.flip(rotated, axis=tuple(range(rotated.ndim - problem.dims, rotated.ndim)))
    assert np.vectorize(exact)(np.asarray(doc["rotated_filter"], dtype=object)).tolist() == rotated.tolist()


@settings(max_examples=15, deadline=None)
@given(problems(("int", "fraction")))
def test_every_view_renders_any_problem(problem: Problem) -> None:
    from rich.console import Console

    d = build(problem.run(backward))
    console = Console(width=80, file=open(os.devnull, "w"), color_system=None)  # noqa: SIM115
    with console.capture() as capture:
        console.print(derivation_view(d))
    assert max((cell_len(line) for line in capture.get().splitlines()), default=0) <= 80
    assert "\\begin{document}" in latex(d) and markdown(d).startswith("# ")


def test_symbolic_views_print_only_symbols() -> None:
    """What `convgrad explain --input-shape 3x3 --filter-shape 2x2` will show: no numbers."""
    spec = resolve_spec(dims=2, kernel=(2, 2))
    d = build_symbolic(Frame.of(spec, (3, 3), (2, 2)))
    text = markdown(d)
    assert (
        r"$\frac{\partial L}{\partial w_{12}} = \delta_{11}\,x_{12} + \delta_{12}\,x_{13} + \delta_{21}\,x_{22} + \delta_{22}\,x_{23}$"
        in text
    )
    assert " = 9" not in text and r"\cdot" not in text
    from rich.console import Console

    console = Console(width=80, color_system=None)
    with console.capture() as capture:
        console.print(derivation_view(d))
    out = capture.get()
    assert "∂L/∂x₂₂ = w₂₂·δ₁₁ + w₂₁·δ₁₂ + w₁₂·δ₂₁ + w₁₁·δ₂₂" in out and "w₁₁·δ₂₂" in out


def test_selected_cells_render_alone() -> None:
    result = backward([[1, 2, 0], [3, -1, 2], [0, 1, 4]], [[2, -1], [0, 1]], [[1, 2], [-1, 3]])
    d = build(result, parse_cells("x22,w12", Frame.of(result.spec, (3, 3), (2, 2))))
    text = markdown(d)
    assert text.count(r"\frac{\partial L}{\partial w_{") == 1 + 0 and "w_{12}} = " in text


@pytest.mark.parametrize("sample", ["page", "padding1", "batch2-filters2", "stride2"])
def test_latex_compiles(runner: CliRunner, tmp_path: Path, sample: str, pdflatex: str) -> None:
    source = tmp_path / f"{sample}.tex"
    source.write_text(run(runner, "--sample", sample, "-f", "latex").stdout, encoding="utf-8")
    done = subprocess.run(
        [pdflatex, "-interaction=nonstopmode", "-halt-on-error", source.name],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:]
    assert (tmp_path / f"{sample}.pdf").exists()
