"""Install-level behaviour: version, help, python -m, shell completion."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import version

import pytest
from click.testing import CliRunner

from convgrad_cli.cli.main import COMMANDS, main


def test_version_comes_from_package_metadata(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--version"])
    assert result.output == f"convgrad {version('convgrad')}\n"


def test_bare_command_prints_help_and_succeeds(runner: CliRunner) -> None:
    result = runner.invoke(main, [])
    assert result.exit_code == 0
    assert "Usage: " in result.output
    for name in COMMANDS:
        assert name in result.output


def test_python_dash_m_runs_the_same_cli() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "convgrad_cli", "--version"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert done.stdout == f"convgrad {version('convgrad')}\n"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_groups_its_help(runner: CliRunner, name: str) -> None:
    result = runner.invoke(main, [name, "--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.output or "Example" in result.output


def _complete(words: str, shell: str = "bash") -> list[str]:
    env = {**os.environ, "_CONVGRAD_COMPLETE": f"{shell}_complete", "COMP_WORDS": words}
    env["COMP_CWORD"] = str(len(words.split()) - (0 if words.endswith(" ") else 1))
    done = subprocess.run(
        [sys.executable, "-m", "convgrad_cli"], env=env, capture_output=True, text=True, check=False
    )
    return [line.split(",", 1)[1] for line in done.stdout.splitlines() if "," in line]


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("convgrad comp", {"compute"}),
        ("convgrad compute --sample str", {"stride2"}),
        ("convgrad compute --padding s", {"same"}),
        ("convgrad compute --mode c", {"correlate", "convolve"}),
        ("convgrad compute --format j", {"json"}),
    ],
)
def test_completion_offers_names_and_words(words: str, expected: set[str]) -> None:
    assert set(_complete(words)) >= expected


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts_exist_for_each_shell(shell: str) -> None:
    env = {**os.environ, "_CONVGRAD_COMPLETE": f"{shell}_source"}
    done = subprocess.run(
        [sys.executable, "-m", "convgrad_cli"], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert "_CONVGRAD_COMPLETE" in done.stdout


def test_ctrl_c_while_parsing_exits_130_quietly(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    import click

    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(click.Command, "parse_args", interrupted)
    result = runner.invoke(main, ["compute"])
    assert result.exit_code == 130
    assert "Aborted" not in result.output + result.stderr
