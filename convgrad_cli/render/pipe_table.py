"""Markdown pipe tables (GitHub's form): one row writer for every Markdown view."""

from __future__ import annotations

from collections.abc import Iterable


def row(cells: Iterable[str]) -> str:
    """``| a | b |``; a ``|`` inside a cell is escaped, else it would split the cell (also in code spans)."""
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"
