"""`convgrad samples`: list, show, export — and an export solves exactly like the built-in sample."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner, Result

from convgrad_cli.cli.main import main
from convgrad_cli.load import samples
from convgrad_cli.load.operands import Source, load_array

ROOT = Path(__file__).resolve().parents[2]


def run(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(main, ["samples", *args], catch_exceptions=False)


def compute_json(runner: CliRunner, *args: str) -> dict:
    result = runner.invoke(main, ["compute", *args, "-f", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    doc.pop("trace", None)
    return doc


def test_list_has_one_line_per_sample(runner: CliRunner) -> None:
    result = run(runner)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == samples.names()
    for name, line in zip(samples.names(), lines):
        assert line.endswith(samples.load(name)["title"])


def test_the_issue_asks_for_these_samples() -> None:
    assert {"page", "stride2", "padding1", "same-even", "dilation2", "two-channels", "batch2-filters2", "convolve",
            "conv1d"} <= set(samples.names())  # fmt: skip


def test_show_prints_the_operands_not_the_answers(runner: CliRunner) -> None:
    result = run(runner, "show", "stride2", "--width", "100", "--no-color")
    assert result.exit_code == 0
    assert samples.load("stride2")["title"] in result.stdout
    assert "stride 2" in result.stdout
    assert "X (input)" in result.stdout and "W (filter)" in result.stdout
    assert "∂L/∂X" not in result.stdout.replace("δ = ∂L/∂Y", "")
    assert "convgrad compute --sample stride2" in result.stdout


def test_show_json_is_the_problem_file(runner: CliRunner) -> None:
    result = run(runner, "show", "padding1", "-f", "json")
    assert json.loads(result.stdout) == samples.load("padding1")


def test_unknown_sample_exits_2(runner: CliRunner) -> None:
    result = run(runner, "show", "nope")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0].startswith(
        "convgrad: error: --sample: no sample named 'nope'; choose one of page"
    )


@pytest.mark.parametrize("name", samples.names())
def test_export_solves_like_the_sample(runner: CliRunner, tmp_path: Path, name: str) -> None:
    result = run(runner, "export", name, "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    written = [Path(line) for line in result.stdout.splitlines()]
    assert all(p.exists() for p in written)
    assert written[0] == tmp_path / f"{name}.json"
    expected = compute_json(runner, "--sample", name)
    assert compute_json(runner, "--problem", str(tmp_path / f"{name}.json")) == expected
    document = samples.load(name)
    dims = document.get("dims", 2)
    for csv in written[1:]:
        operand = csv.stem
        loaded = load_array(Source(str(csv)), operand, dims=dims)
        assert np.array_equal(loaded.reshape(-1), np.asarray(document[operand], dtype=object).reshape(-1))
    if all(document.get(op) is None or np.ndim(document[op]) <= 2 for op in ("input", "filter")):
        flags = [f"--{op.replace('_', '-')}" for op in ("input", "filter", "grad_output")]
        args = [
            a
            for op, flag in zip(("input", "filter", "grad_output"), flags)
            for a in (flag, str(tmp_path / name / f"{op}.csv"))
        ]
        params = [a for key in ("stride", "padding", "dilation", "mode", "dims") if key in document
                  for a in (f"--{key}", str(document[key]))]  # fmt: skip
        if (tmp_path / name / "bias.csv").exists():
            params += ["--bias", str(tmp_path / name / "bias.csv")]
        from_csv = compute_json(runner, *args, *params)
        assert {k: from_csv[k] for k in ("output", "grad_input", "grad_filter")} == {
            k: expected[k] for k in ("output", "grad_input", "grad_filter")
        }


def test_export_matches_the_shipped_copies(runner: CliRunner, tmp_path: Path) -> None:
    for name in samples.names():
        assert run(runner, "export", name, "-o", str(tmp_path)).exit_code == 0
        shipped = ROOT / "samples" / name
        for csv in shipped.glob("*.csv") if shipped.is_dir() else []:
            assert (tmp_path / name / csv.name).read_text() == csv.read_text(), csv
        assert json.loads((tmp_path / f"{name}.json").read_text()) == json.loads(
            (ROOT / "samples" / f"{name}.json").read_text()
        )


def test_export_refuses_to_overwrite_unless_forced(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "page" / "input.csv"
    target.parent.mkdir()
    target.write_text("mine\n")
    result = run(runner, "export", "page", "-o", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        f"convgrad: error: --output: {target} already exists; use --force to overwrite it, or another folder"
    )
    assert target.read_text() == "mine\n"
    assert not (tmp_path / "page.json").exists()  # nothing written when anything would be overwritten
    assert run(runner, "export", "page", "-o", str(tmp_path), "--force").exit_code == 0
    assert target.read_text() == "1,2,0\n3,-1,2\n0,1,4\n"


def test_export_creates_the_folder(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "hw" / "week3"
    assert run(runner, "export", "conv1d", "-o", str(folder)).exit_code == 0
    assert (folder / "conv1d" / "input.csv").read_text() == "0,2,2,3,3,-2\n"


@pytest.mark.parametrize("where", ["afile", "hw/page"])
def test_export_into_a_file_is_refused_before_anything_is_written(
    runner: CliRunner, tmp_path: Path, where: str
) -> None:
    # `-o afile` names an existing file as the folder; `hw/page` is a file where the CSV folder must go.
    (tmp_path / where).parent.mkdir(exist_ok=True)
    (tmp_path / where).write_text("mine\n")
    folder = tmp_path / ("afile" if where == "afile" else "hw")
    result = run(runner, "export", "page", "-o", str(folder))
    assert (result.exit_code, result.stderr) == (
        2,
        f"convgrad: error: --output: {tmp_path / where} is a file, not a folder; "
        "give a folder (it is created if missing)\n",
    )
    assert (tmp_path / where).read_text() == "mine\n" and not (tmp_path / "hw" / "page.json").exists()
