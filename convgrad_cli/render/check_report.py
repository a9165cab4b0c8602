"""What ``convgrad check`` prints: a Rich view, a Markdown report a TA can paste, and JSON.

Formatting only: every verdict and diagnosis comes from :mod:`convgrad_cli.grading.verdicts`.  Rich is
imported inside the Rich views only, so ``--format json`` never loads it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np

from ..grading.mistakes import CATALOG
from ..grading.solved import ARRAYS, SYMBOLS
from ..grading.verdicts import Cell, Graded, Report, Verdict, reveals
from ..notation import MINUS, approximate, number
from . import json_doc, pipe_table

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.table import Table

    from ..derivation import Derivation

SCHEMA = json_doc.SCHEMA


# ---------------------------------------------------------------- words shared by every format


def cell_text(cell: Cell, hints: str = "derivation") -> str:
    """``3 ✓``, ``0.33 ✓ ≈ 1/3`` (rounded), ``5 ✗ expected 3``, ``0.3 ✗ expected 1/3 ≈ 0.3333``.

    Below ``--hints cells`` no right value is shown: ``5 ✗``.
    """
    given = cell.given.text.replace("-", MINUS)  # as written, with the minus every other number shows
    values = reveals(hints, "cells")
    if cell.verdict == "exact" or (cell.correct and not values):
        return f"{given} ✓"
    if cell.verdict == "too-few-decimals":
        return f"{given} ✗ too few decimals" + (f", ≈ {number(cell.expected)}" if values else "")
    if not cell.correct:
        return f"{given} ✗ expected {approximate(cell.expected)}" if values else f"{given} ✗"
    sign = "≈" if cell.verdict == "rounded" else "~"
    return f"{given} ✓ {sign} {number(cell.expected)}"


def headline(verdict: Verdict) -> str:
    """``∂L/∂X ✗ 2 of 9 cells wrong`` and the like."""
    name = SYMBOLS[verdict.name]
    if not verdict.shape_ok:
        return f"{name} ✗ wrong shape"
    wrong = len(verdict.wrong_cells)
    if wrong:
        return f"{name} ✗ {wrong} of {len(verdict.cells)} cells wrong"
    notes = [
        f"{count} {'rounded' if kind == 'rounded' else 'within tolerance'}"
        for kind in ("rounded", "close")
        if (count := sum(c.verdict == kind for c in verdict.cells))
    ]
    cells = f"all {len(verdict.cells)} cells right" if len(verdict.cells) > 1 else "right"
    return f"{name} ✓ {cells}" + (f" ({', '.join(notes)})" if notes else "")


def summary_line(report: Report) -> str:
    arrays_right, arrays, cells_right, cells = report.score()
    mark = "✓ right" if report.correct else "✗ wrong"
    return f"{mark}: {arrays_right} of {arrays} arrays, {cells_right} of {cells} cells"


def catalog_lines() -> list[tuple[str, str, str]]:
    """(id, the answers it spoils, what it does) for every mistake."""
    return [(m.id, ", ".join(SYMBOLS[a] for a in m.arrays), m.because) for m in CATALOG]


def catalog_text(kind: str) -> str:
    """``check --list-mistakes`` as JSON or as a Markdown table."""
    rows = catalog_lines()
    if kind == "json":
        return dumps({"mistakes": [{"id": i, "arrays": a, "because": b} for i, a, b in rows]})
    header = "| mistake | spoils | your answer is what you get when … |\n|---|---|---|\n"
    return header + "".join(f"| `{i}` | {a} | {b} |\n" for i, a, b in rows)


def _grids(array: np.ndarray) -> Iterator[tuple[str, np.ndarray]]:
    """≤2-D arrays as they are; higher ones as 2-D slices labelled by their leading 1-based index."""
    if array.ndim <= 2:
        yield "", np.atleast_2d(array)  # a number is a 1×1 grid, a list one row
        return
    for lead in np.ndindex(*array.shape[:-2]):
        yield "[" + ", ".join(str(i + 1) for i in lead) + ", :, :]", array[lead]


def _cell_grid(verdict: Verdict) -> np.ndarray:
    grid = np.empty(len(verdict.cells), dtype=object)
    grid[:] = verdict.cells
    return grid.reshape(verdict.expected_shape)


# ---------------------------------------------------------------- JSON


def document(report: Report, hints: str = "derivation") -> dict[str, Any]:
    """``{"schema", "correct", "answer", "results": {ARRAY: {...}}}`` (see the README).

    Below ``--hints cells`` cells have no ``expected``; with ``none``, no diagnosis or shape note.
    """
    doc: dict[str, Any] = {"schema": SCHEMA, "correct": report.correct, "answer": report.source}
    if hints != "derivation":  # only when asked, so that default reports keep their bytes
        doc["hints"] = hints
    if report.notes:  # only when an alias was read, so that plain answers keep their bytes
        doc["notes"] = list(report.notes)
    doc["results"] = {v.name: _verdict_json(v, hints) for v in report.verdicts}
    return doc


def class_document(graded: list[Graded], hints: str = "derivation") -> dict[str, Any]:
    """Every file of a class, and the counts a teacher wants."""
    files: list[dict[str, Any]] = []
    for entry in graded:
        if entry.report is None:
            files.append({"answer": entry.name, "error": entry.error})
            continue
        arrays_right, arrays, cells_right, cells = entry.report.score()
        doc = {key: value for key, value in document(entry.report, hints).items() if key != "schema"}
        doc["score"] = {"arrays": [arrays_right, arrays], "cells": [cells_right, cells]}
        doc["mistakes"] = entry.report.mistakes
        files.append(doc)
    return {"schema": SCHEMA, "correct": all(f.get("correct", False) for f in files), "files": files,
            "summary": _class_summary(graded)}  # fmt: skip


def _class_summary(graded: list[Graded]) -> dict[str, Any]:
    reports = [g.report for g in graded if g.report is not None]
    arrays: dict[str, list[int]] = {}
    for report in reports:
        for v in report.verdicts:
            arrays.setdefault(v.name, [0, 0])
            arrays[v.name][0] += v.correct
            arrays[v.name][1] += 1
    return {
        "answers": len(graded), "all_right": sum(r.correct for r in reports),
        "unreadable": len(graded) - len(reports),
        "mistakes": dict(Counter(m for r in reports for m in r.mistakes).most_common()),
        "arrays": {name: arrays[name] for name in ARRAYS if name in arrays},
    }  # fmt: skip


def _verdict_json(v: Verdict, hints: str) -> dict[str, Any]:
    diagnosis = None
    if v.diagnosis is not None and reveals(hints, "mistake"):
        d = v.diagnosis
        diagnosis = {
            "mistake": d.mistake, "explanation": d.explanation, "match": "exact" if d.exact else "most cells",
            "cells_matching": [d.matching, d.cells], "also": list(d.also),
        }  # fmt: skip
    doc = {
        "correct": v.correct, "shape_ok": v.shape_ok, "shape": list(v.given_shape),
        "expected_shape": list(v.expected_shape),
        "shape_note": v.shape_note if reveals(hints, "mistake") else None, "rounded": v.rounded,
        "cells": [_cell_json(c, reveals(hints, "cells")) for c in v.cells], "diagnosis": diagnosis,
    }  # fmt: skip
    return doc | ({"notes": list(v.notes)} if v.notes else {})


def _cell_json(cell: Cell, values: bool) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "index": list(cell.index), "correct": cell.correct, "verdict": cell.verdict, "given": cell.given.text,
    }  # fmt: skip
    if not values:
        return doc
    doc["expected"] = _json_number(cell.expected)
    if isinstance(cell.expected, Fraction) and cell.expected.denominator != 1:
        doc["expected_exact"] = str(cell.expected)
    return doc


def _json_number(value: Any) -> int | float:
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, Fraction) and value.denominator == 1:
        return int(value)
    return float(value)


def dumps(doc: Any) -> str:
    """Indented objects, but each cell and each list of numbers on one line: readable and jq-friendly."""
    return json_doc.dumps(doc, nested=_nested) + "\n"


def _nested(value: Any) -> bool:
    """Objects but cells, and lists of objects, get a line per item."""
    if isinstance(value, dict):
        return not ("index" in value and "verdict" in value)
    return isinstance(value, list) and any(isinstance(v, dict) for v in value)


# ---------------------------------------------------------------- Markdown


def markdown(report: Report, setting: str, hints: str = "derivation") -> str:
    """A report to paste into feedback: per array a verdict, the grid, and the diagnosis (as ``hints`` allow)."""
    lines = [f"## convgrad check: `{report.source}`", "", f"**{summary_line(report)}** ({setting})", ""]
    lines += [f"Note: {note}." for note in report.notes] + ([""] if report.notes else [])
    for v in report.verdicts:
        lines += [f"### {headline(v)}", ""]
        lines += [f"Note: {note}." for note in v.notes] + ([""] if v.notes else [])
        if v.shape_note and reveals(hints, "mistake"):
            lines += [f"Shape: {v.shape_note}.", ""]
        for label, grid in _grids(_cell_grid(v)) if v.cells else ():
            lines += ([f"{label}", ""] if label else []) + _markdown_grid(grid, hints) + [""]
        if v.diagnosis is not None and reveals(hints, "mistake"):
            lines += [f"**Diagnosis** (`{v.diagnosis.mistake}`): {_capital(v.diagnosis.explanation)}", ""]
    return "\n".join(lines)


def _markdown_grid(grid: np.ndarray, hints: str) -> list[str]:
    header = "| | " + " | ".join(str(j + 1) for j in range(grid.shape[1])) + " |"
    rule = "|---|" + "---:|" * grid.shape[1]
    rows = [
        pipe_table.row([f"**{i + 1}**", *(_markdown_cell(c, hints) for c in row)])
        for i, row in enumerate(grid)
    ]
    return [header, rule, *rows]


def _markdown_cell(cell: Cell, hints: str) -> str:
    text = cell_text(cell, hints)
    return f"**{text}**" if not cell.correct else text


def markdown_class(graded: list[Graded]) -> str:
    lines = ["## convgrad check: a class", "", "| answer | score | why |", "|---|---:|---|"]
    lines += [pipe_table.row((f"`{name}`", score, why)) for name, score, why in class_rows(graded)]
    summary = _class_summary(graded)
    lines += ["", f"**{summary['all_right']} of {summary['answers']} answers fully right.**", ""]
    if summary["mistakes"]:
        lines += ["| mistake | answers |", "|---|---:|"]
        lines += [pipe_table.row((f"`{m}`", str(n))) for m, n in summary["mistakes"].items()]
    return "\n".join(lines) + "\n"


def class_rows(graded: list[Graded]) -> list[tuple[str, str, str]]:
    """(file, score, why) for one line per answer file."""
    rows = []
    for entry in graded:
        if entry.report is None:
            rows.append((entry.name, "unreadable", _reason(entry)))
            continue
        arrays_right, arrays, cells_right, cells = entry.report.score()
        mark = "✓" if entry.report.correct else "✗"
        score = f"{mark} {arrays_right}/{arrays} arrays, {cells_right}/{cells} cells"
        rows.append((entry.name, score, why(entry) or "—"))
    return rows


WHY_LENGTH = 60  # an unreadable file's reason is cut here in a class's line (stderr has it whole)


def why(entry: Graded) -> str:
    """Why a file failed, in a few words per array: ``∂L/∂X: unrotated-filter, 8 cells wrong``; "" if right."""
    if entry.report is None:
        return "unreadable: " + _reason(entry)
    return "; ".join(f"{SYMBOLS[v.name]}: {array_why(v)}" for v in entry.report.verdicts if not v.correct)


def _reason(entry: Graded) -> str:
    reason = entry.problem or "see the error on stderr"
    return reason if len(reason) <= WHY_LENGTH else reason[: WHY_LENGTH - 1] + "…"


def array_why(v: Verdict) -> str:
    """``wrong shape (2×2, not 3×3)``, or the mistake and the count of wrong cells."""
    if not v.shape_ok:
        return f"wrong shape ({_shape(v.given_shape)}, not {_shape(v.expected_shape)})"
    wrong = sum(c.verdict == "wrong" for c in v.cells)
    few = sum(c.verdict == "too-few-decimals" for c in v.cells)
    parts = [v.diagnosis.mistake] if v.diagnosis else []
    parts += [f"{wrong} {'cell' if wrong == 1 else 'cells'} wrong"] if wrong else []
    parts += [f"{few} with too few decimals"] if few else []
    return ", ".join(parts)


def _shape(shape: tuple[int, ...]) -> str:
    return "×".join(map(str, shape)) if shape else "a number"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


# ---------------------------------------------------------------- Rich


def view(report: Report, setting: str, hints: str = "derivation") -> RenderableType:
    """The Rich view of one answer: a grid per array, ✓/✗ per cell, then the diagnosis (as ``hints`` allow)."""
    from rich.console import Group
    from rich.text import Text

    parts: list[RenderableType] = [
        Text(f"convgrad check: {report.source}", style="bold"),
        Text(setting, style="dim"),
        Text(summary_line(report), style="bold green" if report.correct else "bold red"),
        *(Text(f"note: {note}", style="dim") for note in report.notes),
    ]
    for v in report.verdicts:
        parts.append(Text(""))
        parts.append(Text(headline(v), style="bold " + ("green" if v.correct else "red")))
        parts.extend(Text(f"note: {note}", style="dim") for note in v.notes)
        if v.shape_note and reveals(hints, "mistake"):
            parts.append(Text(f"shape: {v.shape_note}"))
        grids = _grids(_cell_grid(v)) if v.cells else ()
        parts.extend(_rich_grid(grid, label, hints) for label, grid in grids)
        if v.diagnosis is not None and reveals(hints, "mistake"):
            parts.append(
                Text(f"diagnosis ({v.diagnosis.mistake}): {v.diagnosis.explanation}", style="yellow")
            )
    return Group(*parts)


def _rich_grid(grid: np.ndarray, label: str, hints: str) -> Table:
    from rich.table import Table
    from rich.text import Text

    table = Table(title=label or None, title_justify="left", pad_edge=False, header_style="dim")
    table.add_column("", style="dim", justify="right")
    for j in range(grid.shape[1]):
        table.add_column(str(j + 1), justify="right")
    for i, row in enumerate(grid):
        table.add_row(
            str(i + 1), *(Text(cell_text(c, hints), style="green" if c.correct else "bold red") for c in row)
        )
    return table


def catalog_view() -> Table:
    from rich.table import Table

    table = Table(title="Classic mistakes convgrad check recognises", title_justify="left")
    for name in ("id", "spoils", "your answer is what you get when …"):
        table.add_column(name, overflow="fold")
    for row in catalog_lines():
        table.add_row(*row)
    return table


def class_view(graded: list[Graded]) -> RenderableType:
    """One line per answer file, then the summary: who is right, which mistakes were made how often."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    files = Table(title="Answers", title_justify="left")
    for name, justify in (("answer", "left"), ("score", "right"), ("why", "left")):
        files.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for row in class_rows(graded):
        files.add_row(*row)
    summary = _class_summary(graded)
    counts = Table(title="Summary", title_justify="left")
    counts.add_column("")
    counts.add_column("answers", justify="right")
    for name, (right, given) in summary["arrays"].items():
        counts.add_row(f"{SYMBOLS[name]} right", f"{right} of {given}")
    counts.add_section()
    for mistake, n in summary["mistakes"].items():
        counts.add_row(mistake, str(n))
    if summary["unreadable"]:
        counts.add_row("unreadable files", str(summary["unreadable"]))
    verdict = Text(f"{summary['all_right']} of {summary['answers']} answers fully right", style="bold")
    return Group(files, counts, verdict)


# ---------------------------------------------------------------- the right derivation of the wrong cells

WRONG_CELLS = "The right derivation of the wrong cells"


def derivation_markdown(derivation: Derivation, level: int = 2) -> str:
    """The wrong cells' right derivation in Markdown, under its heading (``level``: its ``#`` count)."""
    from .markdown import markdown

    return f"\n{'#' * level} {WRONG_CELLS}\n\n" + markdown(derivation)


def derivation_parts(derivation: Derivation) -> list[RenderableType]:
    """The wrong cells' right derivation as the table view draws it, under a rule."""
    from rich.rule import Rule

    from .table import derivation_view

    return [Rule(WRONG_CELLS, style="bold", align="left"), derivation_view(derivation)]
