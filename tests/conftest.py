"""Shared fixtures: a CLI runner with colour variables scrubbed, so output is stable."""

from __future__ import annotations

import os
import shutil

import pytest
from click.testing import CliRunner


@pytest.fixture(autouse=True)
def _plain_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NO_COLOR", "FORCE_COLOR", "COLUMNS", "LINES", "CONVGRAD_DEBUG", "TERM"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def pdflatex() -> str:
    """The TeX engine that compiles the LaTeX views: a skip without one, but a failure on CI (CI=true)."""
    found = shutil.which("pdflatex")
    if found is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(
                "CI=true but pdflatex is missing: .ci/run installs texlive-latex-base and -recommended"
            )
        pytest.skip("no TeX engine installed (apt-get install texlive-latex-base texlive-latex-recommended)")
    return found
