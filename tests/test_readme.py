"""The README is part of the interface: its commands, set-up lines and Python examples must not drift."""

from __future__ import annotations

import re
from pathlib import Path

from convgrad_cli.cli.main import COMMANDS

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
INSTALL_AND_RUN = "pip install . && convgrad compute"
INSTALL_AND_TEST = "pip install '.[test]' && python -m pytest"


def readme() -> str:
    return README.read_text(encoding="utf-8")


def sh_blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", readme(), re.S)


def test_readme_fits_on_a_few_screens() -> None:
    assert len(readme().splitlines()) <= 250


def test_every_command_appears_in_the_readme() -> None:
    text = readme()
    for name in COMMANDS:
        assert f"convgrad {name}" in text, f"convgrad {name} is not in the README"


def test_the_two_set_up_commands_stand_alone() -> None:
    assert f"{INSTALL_AND_RUN}\n" in sh_blocks()
    assert f"{INSTALL_AND_TEST}\n" in sh_blocks()


def test_ci_runs_exactly_the_readme_test_command() -> None:
    commands = re.findall(r"```sh\n(pip install [^\n]*pytest[^\n]*)\n```", readme())
    assert commands == [INSTALL_AND_TEST]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").rstrip("\n").splitlines()
    assert ci[-1] == INSTALL_AND_TEST, "the README test command must be .ci/run's last line"


def test_python_examples_run() -> None:
    namespace: dict[str, object] = {}
    blocks = re.findall(r"```python\n(.*?)```", readme(), re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)
    report = namespace["report"]
    assert report.correct  # type: ignore[attr-defined]


def test_ci_installs_a_tex_engine_so_the_latex_tests_run() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "apt-get install" in ci and "texlive-latex-base" in ci and "texlive-latex-recommended" in ci
    assert 'CI="${CI:-true}"' in ci, "without CI=true a missing pdflatex would skip the LaTeX tests"
