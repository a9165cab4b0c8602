"""The docs describe what convgrad does: generated parts are fresh, links resolve, JSON keys are documented."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from generate_docs import REFERENCE, ROOT, command_paths, stale

from convgrad_cli.cli.main import main

PAGES = [
    ROOT / "README.md",
    ROOT / "CONTRIBUTING.md",
    ROOT / "CHANGELOG.md",
    *sorted((ROOT / "docs").glob("*.md")),
]
LINK = re.compile(r"\]\((?!https?://|mailto:)(?P<path>[^)#\s]*)(?:#(?P<anchor>[^)\s]+))?\)")


def test_generated_docs_match_what_convgrad_prints() -> None:
    assert stale() == [], "run: python scripts/generate_docs.py --write"


def test_every_command_and_option_is_in_the_command_reference() -> None:
    text = REFERENCE.read_text(encoding="utf-8")
    for path in command_paths():
        command: click.Command = main
        for name in path:
            assert isinstance(command, click.Group)
            found = command.get_command(click.Context(command), name)
            assert found is not None and found.help, f"convgrad {' '.join(path)} has no help"
            command = found
        assert f"## convgrad {' '.join(path)}".rstrip() in text
        for param in command.params:
            for option in param.opts + param.secondary_opts:
                if option.startswith("--"):
                    assert option in text, f"convgrad {' '.join(path)} {option} is not in docs/cli.md"


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
    return {slug(m[1]) for m in re.finditer(r"^#+ (.*)$", text, re.M)}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_links_between_pages_resolve(page: Path) -> None:
    if not page.exists():
        pytest.skip(f"{page.name} is not written yet")
    for link in LINK.finditer(page.read_text(encoding="utf-8")):
        target = (page.parent / link["path"]).resolve() if link["path"] else page
        assert target.exists(), f"{page.name}: {link[0]} points at a missing file"
        if link["anchor"] and target.suffix == ".md":
            assert link["anchor"] in anchors(target), f"{page.name}: {link[0]} points at a missing heading"


def keys(document: Any, skip: frozenset[str] = frozenset({"mistakes", "exact"})) -> Iterator[str]:
    """Every object key in a JSON document; under ``skip`` the keys are data (mistake ids, array names)."""
    if isinstance(document, dict):
        for key, value in document.items():
            yield key
            if key not in skip or not isinstance(value, dict):
                yield from keys(value, skip)
    elif isinstance(document, list):
        for item in document:
            yield from keys(item, skip)


def json_output(runner: CliRunner, *args: str) -> Any:
    result = runner.invoke(main, [*args, "--format", "json"])
    assert result.exit_code in (0, 1, 2), result.output
    return json.loads(result.stdout)


def test_every_json_key_is_in_the_json_contracts(runner: CliRunner, tmp_path: Path) -> None:
    wrong = '{"grad_input": [[1, 2, 0], [-2, 3, 4], [1, -5, 6]], "grad_bias": "5"}'
    (tmp_path / "wrong.json").write_text(wrong, encoding="utf-8")
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    fraction = ["-x", "[[1, 2], [3, 4]]", "-w", "[[1]]", "-g", '[["1/3", 1], [1, 1]]', "-b", "1"]
    documents = [
        json_output(runner, "compute", *fraction, "--trace"),
        json_output(runner, "compute", "--sample", "stride2", "--cells", "x11,w11"),
        json_output(runner, "explain", "--stride", "2", "--padding", "1", "--bias"),
        json_output(runner, "check", "--sample", "page", "--answer", wrong),
        json_output(runner, "check", "--sample", "page", "--answer", str(tmp_path)),
        json_output(
            runner, "check", "--sample", "page", "--grad-input", '[["0.33", 3, -2], [-2, 8, -1], [0, -1, 3]]'
        ),
    ]
    prose = re.sub(r"```.*?```", "", (ROOT / "docs" / "json.md").read_text(encoding="utf-8"), flags=re.S)
    documented = {word for span in re.findall(r"`([^`\n]+)`", prose) for word in re.findall(r"[a-z_]+", span)}
    missing = {key for document in documents for key in keys(document)} - documented
    assert not missing, f"keys missing from docs/json.md: {sorted(missing)}"
