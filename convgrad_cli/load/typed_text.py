"""Matrices as people type them → the nested lists strict JSON would give.

MATLAB/Octave ``[1 2 3; 4 5 6]`` (commas optional), NumPy's printed forms
``[[1 2 3]\\n [4 5 6]]`` and ``array([[1, 2], [3, 4]], dtype=int64)``, and numbers as typed:
``.5``, ``1.``, ``−1`` (Unicode minus), ``1/3`` unquoted, a trailing comma.  Every number's
text goes through the same hook as JSON's numbers, so ``[1 2; 3 4]`` and ``[[1, 2], [3, 4]]``
become the same array.  A hand-written scanner: ``json`` cannot be told to accept these, and
evaluating the text (``ast.literal_eval``, ``eval``) is never done with user input.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..errors import InputError

_WRAPPER = re.compile(
    r"\s*(?:np\.|numpy\.)?array\((?P<body>.*?)(?:,\s*dtype\s*=\s*[\w.'\"]+\s*)?\)\s*", re.DOTALL
)
_WRAPPERS = ("array(", "np.array(", "numpy.array(")
_TOKEN = re.compile(r"(?P<space>\s+)|(?P<mark>[\[\],;])|(?P<number>[^\s\[\],;]+)")
_FIX = "write numbers separated by spaces or commas, and rows as [..] lists or separated by ';'"


class _List:
    """One open ``[``: its finished ``;`` rows, the row being read, and where it opened."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.rows: list[list[Any]] = []
        self.items: list[Any] = []
        self.after_comma = False  # a comma was read and no item after it yet

    def end_row(self, field: str, where: str) -> None:
        if self.after_comma and not self.items:
            raise InputError(field, f"an empty entry at {where}", "remove the extra comma")
        self.rows.append(self.items)
        self.items, self.after_comma = [], False

    def value(self) -> list[Any]:
        if not self.rows:
            return self.items
        if self.items:
            self.rows.append(self.items)
        # [[1 2]; [3 4]] is MATLAB for the rows [1 2] and [3 4], as [1 2; 3 4] is.
        return [row[0] if len(row) == 1 and isinstance(row[0], list) else row for row in self.rows]


def parse_typed(text: str, field: str, number: Callable[[str], Any]) -> Any:
    """``text`` (starting with ``[`` or ``array(``) → nested lists whose numbers ``number`` read.

    Raises :class:`InputError` naming the line and column of a bracket or comma out of place;
    a bad number is left to the array builder, which names its path.
    """
    wrapped = _WRAPPER.fullmatch(text)
    if wrapped is None and text.lstrip().startswith(_WRAPPERS):
        raise InputError(field, "the 'array(' is never closed", "add the missing ')'")
    body = wrapped.group("body") if wrapped else text
    offset = wrapped.start("body") if wrapped else 0
    stack: list[_List] = []
    result: list[Any] | None = None
    for token in _TOKEN.finditer(body):
        where = _position(text, offset + token.start())
        if token.lastgroup == "space":
            continue
        if result is not None:
            raise InputError(field, f"{token.group()!r} at {where} follows the closing ']'", _FIX)
        mark = token.group()
        if token.lastgroup == "number":
            if not stack:
                raise InputError(field, f"{mark!r} at {where} is outside any '['", _FIX)
            stack[-1].items.append(number(mark))
            stack[-1].after_comma = False
        elif mark == "[":
            stack.append(_List(where))
        elif not stack:
            raise InputError(
                field, f"{mark!r} at {where} is outside any '['", "remove it or add the '[' it belongs to"
            )
        elif mark == ",":
            if stack[-1].after_comma or not stack[-1].items:
                raise InputError(field, f"an empty entry at {where}", "remove the extra comma")
            stack[-1].after_comma = True
        elif mark == ";":
            stack[-1].end_row(field, where)
        else:  # "]": a trailing comma before it is allowed, as Python allows it
            value = stack.pop().value()
            if stack:
                stack[-1].items.append(value)
                stack[-1].after_comma = False
            else:
                result = value
    if stack:
        raise InputError(field, f"the '[' at {stack[-1].where} is never closed", "add the missing ']'")
    if result is None:
        raise InputError(field, "holds no '[' … ']' matrix", _FIX)
    return result


def _position(text: str, index: int) -> str:
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return f"line {line}, column {column}"
