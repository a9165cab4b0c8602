"""Grading: answers compared with exact results, and a catalog of the classic mistakes.

``answers`` reads what a student wrote; ``verdicts`` judges it cell by cell; ``solved``
reruns the problem with one thing changed; ``mistakes`` is the catalog; ``diagnosis``
names the mistake a wrong answer matches.
"""

from .answers import Answer, read_answer
from .diagnosis import Diagnosis, diagnose
from .mistakes import BY_ID, CATALOG, Mistake
from .solved import ARRAYS, SYMBOLS, Solved
from .verdicts import Cell, Report, Verdict, check

__all__ = [
    "ARRAYS",
    "BY_ID",
    "CATALOG",
    "SYMBOLS",
    "Answer",
    "Cell",
    "Diagnosis",
    "Mistake",
    "Report",
    "Solved",
    "Verdict",
    "check",
    "diagnose",
    "read_answer",
]
