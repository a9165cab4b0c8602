"""What ``convgrad verify`` prints: a Rich table of cases, Markdown feedback, JSON and a CSV gradebook.

Formatting only: every verdict comes from :mod:`convgrad_cli.grading.verify`.  The first
case that does not pass is shown in full through the views ``convgrad check`` uses — the
returned arrays against the right ones cell by cell, the diagnosis — and the derivation
views of the wrong cells.  Rich is imported inside the Rich views only.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any

from ..grading import SYMBOLS
from ..grading.verify.compare import INPUT_SYMBOLS
from ..grading.verify.report import CODE_MISTAKES, CaseResult, FileResult, VerifyReport
from . import check_report, json_doc, pipe_table

if TYPE_CHECKING:
    from rich.console import RenderableType

SCHEMA = json_doc.VERIFY_SCHEMA
CLASS_SCHEMA = json_doc.VERIFY_CLASS_SCHEMA


# ---------------------------------------------------------------- words shared by every format


def title(report: VerifyReport) -> str:
    return f"convgrad verify: {report.target} ({report.convention} convention)"


def summary_line(report: VerifyReport) -> str:
    mark = "✓" if report.passed else "✗"
    return f"{mark} {report.cases_passed} of {len(report.cases)} cases pass"


def tolerance_line(report: VerifyReport) -> str:
    return f"values compared within {report.tolerance:g} (relative; absolute below 1); small-integer cases are exact"


def skipped_line(report: VerifyReport) -> str:
    if not report.skipped:
        return ""
    return "not run (beyond what the function or its convention takes): " + ", ".join(report.skipped)


def shapes_text(case: CaseResult) -> str:
    """``X 1×1×3×3, W 1×1×2×2`` in the convention's layout."""
    shapes = case.config.shapes
    return ", ".join(
        f"{INPUT_SYMBOLS[n]} {'×'.join(map(str, shapes[n]))}" for n in ("input", "filter") if n in shapes
    )


def verdict_text(case: CaseResult) -> str:
    """``pass``; ``∂L/∂X unrotated-filter, ∂L/∂W 3 cells wrong``; ``error: …``; ``timeout: …``."""
    if case.status == "pass":
        return "pass"
    if case.status in ("error", "timeout"):
        return f"{case.status}: {case.error.short() if case.error else case.message}"
    return (
        ", ".join(_array_text(a.name, a.mistake, a.wrong_cells) for a in case.arrays if not a.right)
        or case.message
    )


def _array_text(name: str, mistake: str | None, wrong: int | None) -> str:
    symbol = SYMBOLS.get(name) or INPUT_SYMBOLS.get(name, name)
    return f"{symbol} {mistake or f'{wrong} cells wrong'}"


def first_failure_text(case: CaseResult) -> str:
    return f"First failure: case {case.name!r} ({case.config.describe() or 'loading the file'})"


# ---------------------------------------------------------------- JSON


def document(report: VerifyReport) -> dict[str, Any]:
    """``{"schema": "convgrad/verify/1", "target", "convention", "passed", "cases": [...]}`` (docs/json.md)."""
    return {
        "schema": SCHEMA,
        "target": report.target,
        "convention": report.convention,
        "passed": report.passed,
        "cases": [case_document(case) for case in report.cases],
    }


def case_document(case: CaseResult) -> dict[str, Any]:
    c = case.config
    config = {"stride": _plain(c.stride), "padding": _plain(c.padding), "dilation": _plain(c.dilation),
              "groups": c.groups, "dims": c.dims, "shapes": {n: list(s) for n, s in c.shapes.items()}}  # fmt: skip
    arrays = {a.name: {"status": "right" if a.right else "wrong", "mistake": a.mistake, "wrong_cells": a.wrong_cells}
              for a in case.arrays}  # fmt: skip
    return {
        "name": case.name,
        "config": config,
        "status": case.status,
        "message": case.message,
        "arrays": arrays,
    }


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def class_document(results: list[FileResult]) -> dict[str, Any]:
    """``{"schema": "convgrad/verify-class/1", "results": [{"file", "passed", "cases_passed", "cases", "first_failure"}]}``."""
    rows = []
    for entry in results:
        report, first = entry.report, entry.report.first_failure if entry.report else None
        row = {
            "file": entry.file, "passed": entry.passed, "cases_passed": report.cases_passed if report else 0,
            "cases": len(report.cases) if report else 0, "first_failure": case_document(first) if first else None,
        }  # fmt: skip
        rows.append(row | ({"error": entry.error} if entry.error else {}))
    return {"schema": CLASS_SCHEMA, "results": rows}


def dumps(doc: dict[str, Any]) -> str:
    """A case per block, its config and arrays on one line each."""
    return json_doc.dumps(doc, nested=_nested) + "\n"


def _nested(value: Any) -> bool:
    if isinstance(value, list):
        return any(isinstance(v, dict) for v in value)
    return isinstance(value, dict) and (("status" in value and "name" in value) or "file" in value)


# ---------------------------------------------------------------- CSV (a gradebook)


def gradebook(results: list[FileResult]) -> str:
    """One row per file: passed, cases passed, cases, the first failing case, its status and mistakes."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["file", "passed", "cases_passed", "cases", "first_failure", "status", "mistakes", "message"]
    )
    for entry in results:
        report = entry.report
        first = report.first_failure if report else None
        writer.writerow([
            entry.file, entry.passed, report.cases_passed if report else 0, len(report.cases) if report else 0,
            first.name if first else "", first.status if first else ("" if report else "error"),
            " ".join(first.mistakes) if first else "", first.message if first else entry.error or "",
        ])  # fmt: skip
    return out.getvalue()


def case_rows(report: VerifyReport) -> str:
    """``--format csv`` for one file: one row per case."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["case", "parameters", "status", "mistakes", "message"])
    for case in report.cases:
        writer.writerow(
            [case.name, case.config.describe(), case.status, " ".join(case.mistakes), case.message]
        )
    return out.getvalue()


# ---------------------------------------------------------------- Markdown


def markdown(report: VerifyReport) -> str:
    """Feedback to paste: the cases as a table, then the first failure in full."""
    lines = [f"## {title(report)}", "", f"**{summary_line(report)}**; {tolerance_line(report)}.", ""]
    lines += ["| | case | parameters | shapes | verdict |", "|---|---|---|---|---|"]
    for case in report.cases:
        cells = (
            "✓" if case.passed else "✗",
            case.name,
            case.config.describe(),
            shapes_text(case),
            verdict_text(case),
        )
        lines.append(pipe_table.row(cells))
    if report.skipped:
        lines += ["", skipped_line(report) + "."]
    first = report.first_failure
    if first is not None:
        lines += ["", f"### {first_failure_text(first)}", "", _markdown_failure(first)]
    return "\n".join(lines) + "\n"


def _error_lines(case: CaseResult) -> list[str]:
    """``error: Type: message``, then where in the user's file, and that line of code."""
    error = case.error
    if error is None:
        return [f"{case.status}: {case.message}"]
    lines = [
        f"{case.status}: {error.type}: {error.message}" if error.message else f"{case.status}: {error.type}"
    ]
    if error.file and error.line:
        lines.append(f"  at {error.file}, line {error.line}")
    return lines + ([f"    {error.code}"] if error.code else [])


def _markdown_failure(case: CaseResult) -> str:
    if case.detail is None:
        first, *rest = _error_lines(case)
        return f"**{first}**\n" + ("\n```text\n" + "\n".join(rest) + "\n```\n" if rest else "")
    text = "".join(f"**{mistake}**: {message}\n\n" for mistake, message in code_mistakes(case))
    text += check_report.markdown(case.detail.check, case.detail.setting)
    derivation = case.detail.derivation()
    if derivation is None:
        return text
    return text + check_report.derivation_markdown(derivation, level=3)


def code_mistakes(case: CaseResult) -> list[tuple[str, str]]:
    """(mistake, message) of what the check view cannot show: inputs changed, arrays None, swapped, misshapen."""
    shown = {v.name for v in case.detail.check.verdicts} if case.detail else set()
    return [
        (a.mistake or "wrong", a.message or "")
        for a in case.arrays
        if not a.right and (a.mistake in CODE_MISTAKES or a.name not in shown)
    ]


def markdown_class(results: list[FileResult]) -> str:
    lines = ["## convgrad verify: a class", "", "| file | cases passed | first failure |", "|---|---:|---|"]
    lines += [pipe_table.row((f"`{file}`", score, first)) for file, score, first in class_rows(results)]
    passed = sum(r.passed for r in results)
    return "\n".join([*lines, "", f"**{passed} of {len(results)} files pass every case.**"]) + "\n"


def class_rows(results: list[FileResult]) -> list[tuple[str, str, str]]:
    """(file, ``✓ 13/13``, the first failure and its verdict) per file."""
    rows = []
    for entry in results:
        if entry.report is None:
            rows.append((entry.file, "✗ not verified", entry.error or ""))
            continue
        report, first = entry.report, entry.report.first_failure
        score = f"{'✓' if report.passed else '✗'} {report.cases_passed}/{len(report.cases)}"
        rows.append((entry.file, score, f"{first.name}: {verdict_text(first)}" if first else "—"))
    return rows


# ---------------------------------------------------------------- Rich


def view(report: VerifyReport) -> RenderableType:
    """One line per case (✓/✗, parameters, shapes, verdict), the summary, then the first failure in full."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    table = Table(title=title(report), title_justify="left", title_style="bold")
    for name in ("", "case", "parameters", "shapes", "verdict"):
        table.add_column(name, overflow="fold")
    for case in report.cases:
        mark = Text("✓", style="green") if case.passed else Text("✗", style="bold red")
        table.add_row(mark, case.name, case.config.describe(), shapes_text(case), Text(verdict_text(case)))
    parts: list[RenderableType] = [
        table, Text(summary_line(report), style="bold " + ("green" if report.passed else "red")),
        Text(tolerance_line(report), style="dim"),
    ]  # fmt: skip
    if report.skipped:
        parts.append(Text(skipped_line(report), style="dim"))
    if report.first_failure is not None:
        parts += [Text(""), *_rich_failure(report.first_failure)]
    return Group(*parts)


def _rich_failure(case: CaseResult) -> list[RenderableType]:
    from rich.rule import Rule
    from rich.text import Text

    parts: list[RenderableType] = [Rule(first_failure_text(case), style="bold", align="left")]
    if case.detail is None:
        parts += [Text(line, style="" if i else "bold red") for i, line in enumerate(_error_lines(case))]
        return parts
    parts += [Text(f"{mistake}: {message}", style="yellow") for mistake, message in code_mistakes(case)]
    parts.append(check_report.view(case.detail.check, case.detail.setting))
    derivation = case.detail.derivation()
    if derivation is None:
        return parts
    return [*parts, *check_report.derivation_parts(derivation)]


def class_view(results: list[FileResult]) -> RenderableType:
    """One line per file, then how many pass every case."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    table = Table(title="convgrad verify: a class", title_justify="left", title_style="bold")
    for name, justify in (("file", "left"), ("cases passed", "right"), ("first failure", "left")):
        table.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for row in class_rows(results):
        table.add_row(*row)
    passed = sum(r.passed for r in results)
    return Group(table, Text(f"{passed} of {len(results)} files pass every case", style="bold"))
