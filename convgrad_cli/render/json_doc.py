"""``compute``'s JSON document, and the one ``SCHEMA``, ``config`` and pretty-printer every JSON document uses.

A versioned contract (``"schema": "convgrad/1"``, documented in docs/json.md); kept free of Rich so
the JSON path starts fast.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import numpy as np

from ..engine.backward import Gradients
from ..engine.spec import ConvSpec

SCHEMA = "convgrad/1"  # compute, explain, check (and check's class and catalog documents)
VERIFY_SCHEMA = "convgrad/verify/1"  # verify: one implementation's cases
VERIFY_CLASS_SCHEMA = "convgrad/verify-class/1"  # verify: a class of implementations
_ARRAYS = ("input", "filter", "grad_output", "bias", "output", "grad_input", "grad_filter", "grad_bias")


def document(result: Gradients, trace: dict[str, Any] | None = None) -> dict[str, Any]:
    """The result as plain JSON-able data: nested lists, 0-based, exact where possible.

    ``trace``: the derivation's ``trace`` object (render/trace_json.py), added last when given.
    """
    spec = result.spec
    doc: dict[str, Any] = {
        "schema": SCHEMA,
        "config": {
            **config(spec),
            "arithmetic": result.arithmetic,
            "grad_output": "given" if result.grad_output_given else "ones (L = sum of output)",
        },
    }
    exact: dict[str, Any] = {}
    for name in _ARRAYS:
        array = getattr(result, name)
        if array is None:
            continue
        doc[name] = numbers(array)
        if _has_fractions(array):
            exact[name] = fractions(array)
    if exact:
        doc["exact"] = exact
    if trace is not None:
        doc["trace"] = trace
    return doc


def config(spec: ConvSpec) -> dict[str, Any]:
    """The layer's parameters as the ``config`` object of every document: lists per axis, padding in pairs."""
    return {
        "dims": spec.dims, "stride": list(spec.stride), "dilation": list(spec.dilation), "groups": spec.groups,
        "mode": spec.mode, "padding": [list(pair) for pair in spec.padding],
    }  # fmt: skip


def numbers(array: np.ndarray) -> Any:
    """Nested lists of JSON numbers: ints stay ints (any size), rationals become floats."""
    if array.dtype != object:
        return array.tolist()
    return _map(array, _number)


def _number(value: Any) -> int | float:
    if not isinstance(value, Fraction):
        return int(value)
    try:
        return float(value)
    except OverflowError:
        # Beyond float64 a rational's fraction part is far below its last float digit anyway:
        # send the nearest integer (JSON integers have no size limit); `exact` has the value.
        return round(value)


def fractions(array: np.ndarray) -> Any:
    """Nested lists of exact strings: "3", "-1/3"."""
    return _map(array, str)


def _map(array: np.ndarray, convert: Any) -> Any:
    return _map_nested(array.tolist(), convert)


def _map_nested(value: Any, convert: Any) -> Any:
    if isinstance(value, list):
        return [_map_nested(item, convert) for item in value]
    return convert(value)


def _has_fractions(array: np.ndarray) -> bool:
    return array.dtype == object and any(isinstance(v, Fraction) for v in array.flat)


def dumps(doc: dict[str, Any], *, nested: Callable[[Any], bool] = lambda value: False) -> str:
    """Every ``--format json`` document's text: one key per line, each value compact (readable, diffable,
    jq-friendly); ``nested`` picks the objects and lists inside to lay out the same way, a level deeper.

    NaN is forbidden: a NaN here would be a bug, not data.
    """
    return _dump(doc, "", nested, top=True)


def _dump(value: Any, indent: str, nested: Callable[[Any], bool], *, top: bool = False) -> str:
    inner = indent + "  "
    if isinstance(value, dict) and (top or nested(value)):
        items = [f"{inner}{compact(key)}: {_dump(item, inner, nested)}" for key, item in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{indent}}}" if items else "{}"
    if isinstance(value, list) and nested(value):
        return "[\n" + ",\n".join(inner + _dump(item, inner, nested) for item in value) + f"\n{indent}]"
    return compact(value)


def compact(value: Any) -> str:
    """One JSON value on one line, ``", "`` and ``": "`` between items, text as it is (not \\u escapes)."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(", ", ": "))
