"""Convolution parameters written as command-line text.

``--stride 2``, ``--stride 2,1``, ``--padding same``, ``--padding 1:2,0:1``
(before:after per axis) and JSON such as ``--padding [[1,2],[0,1]]`` all become
the Python values :func:`convgrad_cli.engine.resolve_spec` accepts.
"""

from __future__ import annotations

import json
from typing import Any

from .errors import InputError

_WHAT = {
    "stride": "an integer ≥ 1 or one per axis, e.g. 2 or 2,1",
    "dilation": "an integer ≥ 1 or one per axis, e.g. 2 or 2,1",
    "padding": "an integer, one per axis (1,0), before:after pairs (1:2,0:1), or valid / same / full",
    "groups": "an integer ≥ 1 dividing both channel counts",
    "dims": "1, 2 or 3",
}


def parse_param(name: str, text: str) -> Any:
    """Turn ``text`` into an int, a word, or a (nested) list of ints."""
    stripped = text.strip()
    try:
        if stripped.startswith("["):
            return json.loads(stripped)
        if name == "padding" and stripped.isalpha():
            return stripped.lower()
        parts = [_axis(part, name) for part in stripped.split(",")]
    except (ValueError, json.JSONDecodeError):
        raise InputError(
            name, f"{text!r} is not a valid {name}", f"write {_WHAT.get(name, 'an integer')}"
        ) from None
    return parts[0] if len(parts) == 1 else parts


def _axis(part: str, name: str) -> int | list[int]:
    if ":" in part and name == "padding":
        before, after = part.split(":")
        return [int(before), int(after)]
    return int(part)
