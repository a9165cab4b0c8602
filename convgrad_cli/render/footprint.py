"""What rendering costs in memory: the bytes each view holds per number it writes.

Every view turns each number into Python objects and text before the first byte is written —
the JSON document's nested lists and their text, the table view's cell texts (it measures
every column, though it shows a corner), the Markdown and LaTeX tables — and a large result
needs more memory for its text than the engine needed to compute it.  Bytes per number are
measured peaks (tracemalloc, float64 results with all 17 digits), rounded up;
``tests/cli/test_robustness.py`` keeps them honest.
"""

from __future__ import annotations

BYTES_PER_NUMBER = {
    "json": 96,  # a Python number and its list slot, then the text, joined twice
    "table": 80,  # a cell's text and its slot in the table's rows
    "markdown": 56,
    "latex": 48,
}
EXACT_FACTOR = 2  # exact rationals: longer texts, and JSON writes each twice (a float and "p/q")


def view_bytes(numbers: int, view: str, exact_objects: bool = False) -> int:
    """Bytes a view of ``numbers`` numbers holds at its peak (the arrays themselves not counted)."""
    per_number = BYTES_PER_NUMBER.get(view, max(BYTES_PER_NUMBER.values()))
    return numbers * per_number * (EXACT_FACTOR if exact_objects else 1)
