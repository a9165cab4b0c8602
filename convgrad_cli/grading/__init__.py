"""Grading: answers compared with exact results, and a catalog of the classic mistakes."""

from .mistakes import Solved
from .verdicts import check, read_answer

__all__ = ["Solved", "check", "read_answer"]
