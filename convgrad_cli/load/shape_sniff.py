"""The shape of nested lists read from their brackets and commas, without building a value.

A 60 MB answer against a 3×3 problem is wrong whatever its numbers are: its shape, read
from the text at the speed of ``bytes.find`` and ``bytes.count``, says so before a single
Python number is made.  Only rectangular lists of numbers (or number strings without
brackets or commas) are sniffed; anything else gives None, and the caller decides.
"""

from __future__ import annotations

import re
from math import prod

_KEY = re.compile(rb'"((?:[^"\\]|\\.){1,64})"\s*:\s*(?=\[)')  # an object key whose value is a list
_OPENS = re.compile(rb"\[\s*")


def list_shape(data: bytes, start: int) -> tuple[tuple[int, ...], int] | None:
    """The shape of the nested list whose ``[`` is at ``start``, and the offset just past its end.

    The first list at each depth gives the lengths (its first row, its first matrix, …); the
    whole is checked against them: a rectangular array of n cells has n − 1 commas and a
    known count of brackets.
    """
    opens = _OPENS.match(data, start)
    depth, position = 0, start
    while opens and opens.end() > position:
        depth += data.count(b"[", opens.start(), opens.end())
        position = opens.end()
        opens = _OPENS.match(data, position)
    first_close = data.find(b"]", position)
    if depth == 0 or first_close < 0:
        return None
    inner = data[position:first_close]
    lengths = [0 if not inner.strip() else inner.count(b",") + 1]
    brackets = 1  # brackets in one list of the level below
    for level in range(depth - 2, -1, -1):  # the first list of each level, innermost first
        end = _close_run(data, start, depth - level)
        if end is None:
            return None
        inside = data.count(b"[", _skip_opens(data, start, level), end)
        children, left = divmod(inside - 1, brackets)
        if left or children < 0:
            return None
        lengths.insert(0, children)
        brackets = inside
    end = _close_run(data, start, depth)
    if end is None:
        return None
    shape = tuple(lengths)
    if 0 in shape and depth > 1:
        return None  # [[], []]: commas no longer count cells, and no answer is empty anyway
    if data.count(b"[", start, end) != brackets or data.count(b",", start, end) != max(prod(shape) - 1, 0):
        return None
    return shape, end


def _skip_opens(data: bytes, start: int, count: int) -> int:
    """The offset of the ``count``-th ``[`` of the run of brackets at ``start`` (0: ``start`` itself)."""
    position = start
    for _ in range(count):
        position = data.find(b"[", position + 1)
    return position


def _close_run(data: bytes, start: int, length: int) -> int | None:
    """The offset just past the first run of ``length`` closing brackets after ``start``."""
    found = re.compile(rb"\]" + rb"\s*\]" * (length - 1)).search(data, start)
    return None if found is None else found.end()


def document_shapes(data: bytes) -> dict[str, tuple[int, ...] | None]:
    """Each top-level key of a JSON object whose value is a list, with that list's shape (None: unreadable)."""
    shapes: dict[str, tuple[int, ...] | None] = {}
    position = data.find(b"{")
    while position >= 0:
        key = _KEY.search(data, position)
        if key is None:
            break
        name = key.group(1).decode("utf-8", "replace")
        sniffed = list_shape(data, key.end())
        if sniffed is None:
            shapes[name] = None
            break  # no end known: later keys cannot be told from text inside this value
        shapes[name], position = sniffed
    return shapes
