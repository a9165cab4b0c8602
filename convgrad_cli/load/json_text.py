"""JSON text → Python values, with every number kept exact and NaN/Infinity kept for a precise report."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from ..errors import InputError
from .cells import number_value
from .limits import MAX_AXES
from .source import clip

FINITE_HINT = "give a finite number"
NUMBER_HINT = 'write a number, a decimal or a fraction like "1/3"'
_JSON_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")


class BadNumber:
    """A number that is not usable (NaN, 1e400, 1/2/3), reported with its path once the path is known."""

    def __init__(self, text: str, reason: str, hint: str = FINITE_HINT) -> None:
        self.text, self.reason, self.hint = text, reason, hint

    def __repr__(self) -> str:
        return self.text


class NumberText(str):
    """A number's text as written, read when the text itself matters (``check`` counts its decimals)."""


def exact_number(text: str) -> int | Fraction | BadNumber:
    """``"3"`` → 3, ``"0.25"`` → 1/4; a :class:`BadNumber` saying why when ``text`` is not a usable number."""
    try:
        return number_value(text)
    except ValueError as error:
        return BadNumber(text, str(error), number_hint(text))


def number_hint(text: str) -> str:
    """The fix for a number that cannot be read: a JSON number is out of range, anything else mistyped."""
    return FINITE_HINT if _JSON_NUMBER.fullmatch(text) else NUMBER_HINT


def not_finite(word: str) -> BadNumber:
    return BadNumber(word, f"{word} is not a finite number")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for key, value in pairs:
        if key in document:
            raise InputError(key, "appears twice in the same object", "keep one of them")
        document[key] = value
    return document


def parse_json(
    text: str,
    field: str,
    *,
    number: Callable[[str], Any] = exact_number,
    holder: str = "an operand",
) -> Any:
    """JSON with each number read by ``number`` (exact by default, or :class:`NumberText` to keep
    its text); NaN/Infinity become :class:`BadNumber`; duplicate keys are refused."""
    try:
        return json.loads(
            text,
            parse_float=number,
            parse_int=number,
            parse_constant=not_finite,
            object_pairs_hook=_unique_keys,
        )
    except RecursionError:
        raise InputError(
            field, "arrays are nested too deeply", f"{holder} has at most {MAX_AXES} axes"
        ) from None
    except json.JSONDecodeError as error:
        raise InputError(
            field,
            f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}",
            "check brackets and commas",
        ) from None


def describe(value: Any) -> str:
    """A JSON value as a person would name it: "null", "an object", "the string 'x'"."""
    if isinstance(value, bool):
        return "the boolean " + ("true" if value else "false")
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, NumberText):
        return "a single number"
    if isinstance(value, str):
        return f"the string {clip(value)!r}"
    if isinstance(value, BadNumber):
        return value.text
    return "a single number" if isinstance(value, (int, Fraction)) else repr(value)
