"""``convgrad check --format csv``: a gradebook row per answer file, and the catalog as CSV.

Spreadsheets read it; the words of each row (why a file failed) are :mod:`.check_report`'s.
"""

from __future__ import annotations

import csv
import io

from ..grading.solved import ARRAYS
from ..grading.verdicts import Graded
from .check_report import catalog_lines, why


def gradebook(graded: list[Graded]) -> str:
    """One row per answer file: passed, each array's status, the mistakes, the wrong cells and why.

    An array's status is ``right``, ``wrong``, ``wrong shape``, or empty when not answered;
    ``wrong_cells`` counts the expected cells not right (all of them for a wrong shape).
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["file", "passed", *ARRAYS, "mistakes", "wrong_cells", "why"])
    for entry in graded:
        report = entry.report
        if report is None:
            writer.writerow([entry.name, False, *[""] * len(ARRAYS), "", "", why(entry)])
            continue
        status = {
            v.name: "right" if v.correct else "wrong" if v.shape_ok else "wrong shape"
            for v in report.verdicts
        }
        _, _, right, cells = report.score()
        writer.writerow([
            entry.name, report.correct, *(status.get(name, "") for name in ARRAYS),
            " ".join(report.mistakes), cells - right, why(entry),
        ])  # fmt: skip
    return out.getvalue()


def catalog_csv() -> str:
    """``check --list-mistakes --format csv``: id, the arrays it spoils, what it does."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "spoils", "because"])
    writer.writerows(catalog_lines())
    return out.getvalue()
