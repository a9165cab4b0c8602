"""Markdown pipe tables: a `|` in a cell (a file name, an error) must not split it."""

from __future__ import annotations

from convgrad_cli.grading.verify.report import FileResult
from convgrad_cli.render import pipe_table
from convgrad_cli.render.verify_report import markdown_class


def cells(line: str) -> list[str]:
    """A row's cells as a GitHub renderer splits them: at every `|` not escaped."""
    parts, cell, escaped = [], "", False
    for char in line.strip()[1:-1]:
        if char == "|" and not escaped:
            parts.append(cell.strip())
            cell = ""
        else:
            cell += char
        escaped = char == "\\" and not escaped
    return [*parts, cell.strip()]


def test_a_pipe_in_a_cell_is_escaped_and_stays_one_cell() -> None:
    line = pipe_table.row(["`a|b.py`", "x | y", "3"])
    assert line == "| `a\\|b.py` | x \\| y | 3 |"
    assert len(cells(line)) == 3


def test_verify_class_view_keeps_a_file_named_with_a_pipe_in_its_row() -> None:
    text = markdown_class([FileResult("odd|name.py", None, "cannot be imported | as Python")])
    row = next(line for line in text.splitlines() if "odd" in line)
    assert cells(row) == ["`odd\\|name.py`", "✗ not verified", "cannot be imported \\| as Python"]
