"""Convolution parameters written as command-line text or JSON.

``--stride 2``, ``--stride 2,1``, ``--padding same``, ``--padding 1:2,0:1``
(before:after per axis) and JSON such as ``--padding [[1,2],[0,1]]`` or
``"stride": [2, 1]`` in a problem file all become the Python values
:func:`convgrad_cli.engine.resolve_spec` accepts.  Only the *form* is checked
here (whole numbers, words, nesting); ranges and lengths are the spec's job.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

from ..errors import InputError
from ..exact import parse_number
from .json_text import BadNumber, describe, parse_json
from .limits import MAX_PARAM_DIGITS
from .source import clip

WHAT = {
    "stride": "an integer ≥ 1, or one per axis, e.g. 2 or 2,1",
    "dilation": "an integer ≥ 1, or one per axis, e.g. 2 or 2,1",
    "padding": "an integer, one per axis (1,0), before:after pairs (1:2,0:1), or valid / same / full",
    "groups": "an integer ≥ 1 dividing both channel counts",
    "dims": "1, 2 or 3",
    "mode": "correlate or convolve",
}
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DEPTH = {"padding": 2, "stride": 1, "dilation": 1}  # [[before, after], …] is the deepest form


def parse_param(name: str, text: str) -> Any:
    """``--NAME TEXT`` → an int, a word, or a (nested) list of ints."""
    flag, stripped = f"--{name}", text.strip()
    if stripped.startswith(("[", "{")):
        return plain(name, parse_json(stripped, flag), field=flag)
    if name == "padding" and stripped.isalpha():
        return stripped.lower()
    parts = [_axis(part, name, text) for part in stripped.split(",")]
    # A lone before:after pair stays a list of one pair (it applies to every axis).
    return parts[0] if len(parts) == 1 and not isinstance(parts[0], list) else parts


def _axis(part: str, name: str, text: str) -> int | list[int]:
    if name == "padding" and ":" in part:
        pair = part.split(":")
        if len(pair) != 2:
            raise _bad(name, text, part, "is not a before:after pair")
        return [_whole(side, name, text) for side in pair]
    return _whole(part, name, text)


def _whole(part: str, name: str, text: str) -> int:
    digits = part.strip()
    if not text.strip():
        raise InputError(f"--{name}", "is empty", f"write {WHAT[name]}")
    if not digits:
        raise _bad(name, text, part, "has an empty entry")
    if not _INTEGER.fullmatch(digits):
        try:
            number = parse_number(digits)  # 2.0 and 1e3 are whole numbers too
        except ValueError:
            raise _bad(name, text, part, "is not a number") from None
        if isinstance(number, Fraction):
            raise _bad(name, text, part, "is not a whole number")
        return number
    if len(digits) > MAX_PARAM_DIGITS:
        raise _bad(name, text, part, f"has {len(digits)} digits, far too large")
    return int(digits)


def _bad(name: str, text: str, part: str, problem: str) -> InputError:
    """``'2,x'`` names the whole flag value, then the entry at fault when it is not all of it."""
    shown = repr(clip(text.strip()))
    if part.strip() and part.strip() != text.strip():
        shown += f": {clip(part.strip())!r}"
    return InputError(f"--{name}", f"{shown} {problem}", f"write {WHAT[name]}")


def plain(name: str, value: Any, *, field: str | None = None, depth: int = 0) -> Any:
    """A JSON parameter with non-numbers refused in JSON's words (null, true, an object).

    Whole numbers come back as ``int``, words as ``str``, lists as lists.
    """
    where = field or name
    if isinstance(value, list):
        if depth >= _DEPTH.get(name, 0):
            raise InputError(where, f"{name} has lists nested too deeply", f"write {WHAT[name]}")
        return [plain(name, item, field=field, depth=depth + 1) for item in value]
    if isinstance(value, BadNumber):
        raise InputError(where, value.reason, f"write {WHAT[name]}")
    if isinstance(value, Fraction):
        raise InputError(where, f"{name} is {_decimal(value)}, not a whole number", f"write {WHAT[name]}")
    if value is None or isinstance(value, (bool, dict)):
        raise InputError(where, f"{name} is {describe(value)}", f"write {WHAT[name]}")
    return value


def _decimal(value: Fraction) -> str:
    return f"{float(value):g}" if abs(value) < 10**15 else str(value)
