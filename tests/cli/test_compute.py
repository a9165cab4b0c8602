"""`convgrad compute` through Click's runner: exit codes, stdout JSON, exact stderr lines."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner, Result

from convgrad_cli.cli.main import main

ROOT = Path(__file__).resolve().parents[2]


def run(runner: CliRunner, *args: str, stdin: bytes | None = None) -> Result:
    return runner.invoke(main, list(args), input=stdin, catch_exceptions=False)


def as_json(result: Result) -> dict:
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_default_sample_runs_and_says_so(runner: CliRunner) -> None:
    result = run(runner, "compute", "--format", "json")
    doc = as_json(result)
    assert "built-in sample" in result.stderr
    # ∂L/∂w₁₂ = δ₁₁·x₁₂ + δ₁₂·x₁₃ + δ₂₁·x₂₂ + δ₂₂·x₂₃ = 1·2 + 2·0 + (−1)·(−1) + 3·2 = 9
    assert doc["grad_filter"][0][1] == 9
    assert doc["schema"] == "convgrad/1"
    assert doc["config"]["padding"] == [[0, 0], [0, 0]]


def test_inline_operands_and_implicit_ones(runner: CliRunner) -> None:
    result = run(runner, "compute", "-x", "[[1,2,3],[4,5,6],[7,8,9]]", "-w", "[[1,0],[0,-1]]", "-f", "json")
    doc = as_json(result)
    assert doc["output"] == [[-4, -4], [-4, -4]]
    assert doc["grad_filter"] == [[12, 16], [24, 28]]
    assert doc["grad_input"] == [[1, 1, 0], [1, 0, -1], [0, -1, -1]]
    assert "L = sum of Y" in result.stderr
    assert "grad_bias" not in doc


def test_fractions_are_exact_and_repeated_as_strings(runner: CliRunner) -> None:
    doc = as_json(run(runner, "compute", "-x", "[[1,2],[3,4]]", "-w", '[["1/3"]]', "-b", "0.5", "-f", "json"))
    assert doc["exact"]["output"] == [["5/6", "7/6"], ["3/2", "11/6"]]
    assert doc["output"][0][0] == pytest.approx(5 / 6)
    assert doc["grad_bias"] == 4
    assert doc["exact"]["grad_input"] == [["1/3", "1/3"], ["1/3", "1/3"]]


def test_csv_files_and_stdin_npy(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "x.csv").write_text("# input\n1, 2, 0\n3 ,-1, 2\n\n0,1,4\n")
    buffer = tmp_path / "w.npy"
    np.save(buffer, np.array([[2.0, -1.0], [0.0, 1.0]]))
    result = run(runner, "compute", "-x", str(tmp_path / "x.csv"), "-w", "-", "-g", "[[1,2],[-1,3]]", "-f", "json",
                 stdin=buffer.read_bytes())  # fmt: skip
    doc = as_json(result)
    assert doc["config"]["arithmetic"] == "float64"
    assert doc["grad_filter"] == [[-1.0, 9.0], [4.0, 14.0]]


def test_problem_file_with_flag_override(runner: CliRunner, tmp_path: Path) -> None:
    problem = {"input": [[1, 2, 3, 4]] * 4, "filter": [[1, 1], [1, 1]], "stride": 1, "padding": "valid"}
    (tmp_path / "p.json").write_text(json.dumps(problem))
    doc = as_json(
        run(runner, "compute", "--problem", str(tmp_path / "p.json"), "--stride", "2", "-f", "json")
    )
    assert doc["config"]["stride"] == [2, 2]
    assert doc["output"] == [[6, 14], [6, 14]]


def test_shipped_samples_run(runner: CliRunner) -> None:
    for path in sorted((ROOT / "samples").glob("*.json")):
        assert run(runner, "compute", "--problem", str(path), "-f", "json").exit_code == 0, path


def test_packaged_samples_match_top_level_copies() -> None:
    packaged = ROOT / "convgrad_cli" / "data" / "samples"
    for path in packaged.glob("*.json"):
        assert json.loads(path.read_text()) == json.loads((ROOT / "samples" / path.name).read_text())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["-x", "[[1,2,3],[4,5,6],[7,8,9]]", "-w", "[[1,0],[0,1]]", "-g", "[[1,2,3],[4,5,6],[7,8,9]]"],
            "convgrad: error: <inline>: grad_output: has shape (3, 3); a 3×3 input with a 2×2 filter, stride 1, "
            "padding 0 gives an output of shape (2, 2)",
        ),
        (
            ["-x", "[[1,2],[3]]", "-w", "[[1]]"],
            "convgrad: error: <inline>: input[1]: has 1 entries, but its neighbours have 2; make every row the same length",
        ),
        (
            ["-x", "[[1,2],[3,4]]", "-w", "[[1]]", "--stride", "0"],
            "convgrad: error: --stride: stride is 0; stride must be between 1 and 1000000",
        ),
        (
            ["-x", "[[1,2],[3,4]]", "-w", "[[1]]", "--padding", "-1"],
            "convgrad: error: --padding: padding is -1; padding must be between 0 and 1000000",
        ),
        (
            ["-x", "[[1,2],[3,4]]", "-w", "[[1,1],[1,1]]", "--padding", "same", "--stride", "2"],
            "convgrad: error: --padding: padding 'same' needs stride 1, as in PyTorch; "
            "for TensorFlow's SAME on this input, give --padding 0",
        ),
        (
            ["-x", "[[1,2],[3,4]]", "-w", "[[1,1,1],[1,1,1],[1,1,1]]"],
            "convgrad: error: <inline>: filter: a 3×3 filter (dilation 1) spans 3×3, larger than the 2×2 padded input; "
            "use a smaller filter or dilation, or more padding",
        ),
        (
            ["-x", "[[[1,2],[3,4]],[[1,2],[3,4]]]", "-w", "[[[[1]]],[[[1]]],[[[1]]]]", "--groups", "2"],
            "convgrad: error: --groups: groups 2 does not divide 2 input and 3 output channels; groups must divide both channel counts",
        ),
        (
            ["-x", "no-such-file.csv", "-w", "[[1]]"],
            "convgrad: error: no-such-file.csv: no such file; check the path",
        ),
    ],
)
def test_bad_input_exits_2_with_one_line(runner: CliRunner, args: list[str], message: str) -> None:
    result = run(runner, "compute", *args)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == message
    assert "Traceback" not in result.stderr


def test_unknown_mode_and_format_are_usage_errors(runner: CliRunner) -> None:
    assert run(runner, "compute", "--mode", "sideways").exit_code == 2
    assert run(runner, "compute", "--format", "yaml").exit_code == 2


def test_table_view_shows_every_array(runner: CliRunner) -> None:
    result = run(runner, "compute", "--no-color", "--width", "80")
    assert result.exit_code == 0
    for title in ("X (input)", "W (filter)", "∂L/∂X", "∂L/∂W"):
        assert title in result.stdout
    assert "\x1b[" not in result.stdout


def test_one_before_after_pair_applies_to_every_axis(runner: CliRunner) -> None:
    one_d = as_json(
        run(
            runner, "compute", "-x", "[1,2,3]", "-w", "[1,1]", "--dims", "1", "--padding", "1:2", "-f", "json"
        )
    )
    assert one_d["config"]["padding"] == [[1, 2]]
    assert one_d["output"] == [1, 3, 5, 3, 0]
    two_d = as_json(
        run(runner, "compute", "-x", "[[1,2],[3,4]]", "-w", "[[1]]", "--padding", "0:1", "-f", "json")
    )
    assert two_d["config"]["padding"] == [[0, 1], [0, 1]]
    assert two_d["output"] == [[1, 2, 0], [3, 4, 0], [0, 0, 0]]


# A 10×10 input of 1/p with distinct 300-digit p: ∂L/∂W sums them all, and its denominator
# (~30 000 digits) is longer than Python will write as text.
HUGE_DENOMINATORS = json.dumps(
    [[f"1/{10**299 + 2 * (i * 10 + j) + 1}" for j in range(10)] for i in range(10)]
)
TOO_LONG = "exact results would need more than 4,300 digits: computed in float64 instead"


@pytest.mark.parametrize("form", ["json", "table", "markdown", "latex"])
def test_exact_results_too_long_to_write_fall_back_to_float(runner: CliRunner, form: str) -> None:
    result = runner.invoke(main, ["compute", "-x", HUGE_DENOMINATORS, "-w", "[[1]]", "-f", form])
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[-1] == f"convgrad: {TOO_LONG}"
    if form == "json":
        doc = json.loads(result.stdout)
        assert doc["config"]["arithmetic"] == "float64"
        assert doc["grad_filter"] == [[pytest.approx(100e-299, rel=1e-9)]]


def test_exact_results_too_long_to_write_are_refused_under_exact(runner: CliRunner) -> None:
    result = runner.invoke(main, ["compute", "-x", HUGE_DENOMINATORS, "-w", "[[1]]", "--exact", "-f", "json"])
    assert (result.exit_code, result.stderr.splitlines()[-1]) == (2, (
        "convgrad: error: --exact: an exact result would need more than 4,300 digits, more than can be written "
        "out; leave out --exact, and convgrad computes in float64"
    ))  # fmt: skip


def test_check_against_results_too_long_to_write(runner: CliRunner) -> None:
    result = runner.invoke(main, ["check", "-x", HUGE_DENOMINATORS, "-w", "[[1]]", "--grad-filter", "[[1e-297]]",
                                  "-f", "json"])  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["correct"] is True


@pytest.mark.parametrize(
    ("command", "flags", "message"),
    [
        ("compute", ["-o", "same.out", "--export-svg", "same.out"], "--export-svg: same.out is also the file of --output"),
        ("compute", ["--export-svg", "p.svg", "--export-html", "./p.svg"],
         "--export-html: ./p.svg is also the file of --export-svg"),
        ("explain", ["-o", "same.out", "--export-html", "link.out"], "--export-html: link.out is also the file of --output"),
    ],
)  # fmt: skip
def test_two_outputs_naming_one_file_are_refused(
    runner: CliRunner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: str,
    flags: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "link.out").symlink_to("same.out")
    result = runner.invoke(main, [command, *flags])
    assert (result.exit_code, result.stderr.splitlines()[-1]) == (
        2, f"convgrad: error: {message}; give each output its own file"
    )  # fmt: skip
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.out"]  # nothing written


@pytest.mark.parametrize("trace", [[], ["--cells", "x11,w12"], ["--no-trace"]])
def test_json_with_an_export_is_the_json_alone(runner: CliRunner, tmp_path: Path, trace: list[str]) -> None:
    # With an export, one derivation (with grids) serves both; the JSON trace must not notice.
    alone = run(runner, "compute", "-f", "json", *trace)
    svg = tmp_path / "page.svg"
    both = run(runner, "compute", "-f", "json", *trace, "--export-svg", str(svg))
    assert as_json(both) == as_json(alone)
    assert both.stdout == alone.stdout
    assert svg.read_text(encoding="utf-8").startswith("<svg")
