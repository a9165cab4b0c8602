"""The README is part of the interface: its help blocks, commands and CI command must not drift."""

from __future__ import annotations

import re

import click
from readme_help import README, stale_blocks

from convgrad_cli.cli.main import COMMANDS, main

ROOT = README.parent


def readme() -> str:
    return README.read_text(encoding="utf-8")


def test_help_blocks_match_the_real_help() -> None:
    assert stale_blocks(readme()) == [], "run: python scripts/readme_help.py --write"


def test_every_command_and_option_is_documented() -> None:
    text = readme()
    context = click.Context(main)
    for name in COMMANDS:
        assert f"convgrad {name}" in text, name
        command = main.get_command(context, name)
        assert command is not None and command.help, f"{name} has no help"
        for param in command.params:
            for option in param.opts + param.secondary_opts:
                if option.startswith("--") and option != "--help":
                    assert option in text, f"{name} {option} is not in the README"


def test_ci_runs_exactly_the_readme_test_command() -> None:
    commands = re.findall(r"```sh\n(pip install [^\n]*pytest[^\n]*)\n```", readme())
    assert len(commands) == 1, commands
    assert commands[0] in (ROOT / ".ci" / "run").read_text().splitlines()


def test_python_examples_run() -> None:
    namespace: dict[str, object] = {}
    for block in re.findall(r"```python\n(.*?)```", readme(), re.S):
        exec(compile(block, str(README), "exec"), namespace)
    report = namespace["report"]
    assert report.correct  # type: ignore[attr-defined]
