"""Keep the README's ``--help`` blocks identical to the real help text.

    python scripts/readme_help.py          # exit 1 and list the stale blocks
    python scripts/readme_help.py --write  # rewrite them in place

A block is the fenced text between ``<!-- help: ARGS -->`` and ``<!-- /help -->``,
where ARGS is the command line after ``convgrad`` (e.g. ``compute --help``).
"""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path

from click.testing import CliRunner

from convgrad_cli.cli.main import main

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCK = re.compile(r"(<!-- help: (?P<args>.*?) -->\n)(?P<body>.*?)(<!-- /help -->)", re.S)
WIDTH = 88


def help_text(args: str) -> str:
    """What ``convgrad ARGS`` prints, at a fixed width so the README never depends on a terminal."""
    result = CliRunner().invoke(main, shlex.split(args), terminal_width=WIDTH, prog_name="convgrad")
    return result.output


def refreshed(readme: str) -> str:
    def block(match: re.Match[str]) -> str:
        body = help_text(match["args"]).rstrip("\n")
        return f"{match.group(1)}```text\n{body}\n```\n{match.group(4)}"

    return BLOCK.sub(block, readme)


def stale_blocks(readme: str) -> list[str]:
    fresh = {m["args"]: m["body"] for m in BLOCK.finditer(refreshed(readme))}
    return [m["args"] for m in BLOCK.finditer(readme) if fresh[m["args"]] != m["body"]]


if __name__ == "__main__":
    text = README.read_text(encoding="utf-8")
    if "--write" in sys.argv:
        README.write_text(refreshed(text), encoding="utf-8")
    elif stale := stale_blocks(text):
        print(
            "stale README help blocks: " + ", ".join(stale) + " (run python scripts/readme_help.py --write)"
        )
        sys.exit(1)
