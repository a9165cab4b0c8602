"""The ``trace`` object of the ``--format json`` document (documented in the README).

``{"cells": "all" | [names], "rotated_filter": …, "grad_filter": [cell…], "grad_input": [cell…]}``
where a cell is ``{"index": [...], "value": v, "terms": [...]}``; a ∂L/∂w term is
``{"input_index", "grad_output_index", "input", "grad_output"}``, a ∂L/∂x term
``{"filter_index", "grad_output_index", "filter", "grad_output"}``.  Indices are 0-based in
the arrays' own forms.  Integers stay JSON integers, floats are floats, and a non-integer
rational is the exact string ``"p/q"`` so every sum can be checked exactly.

Kept free of Rich and lean: one dict per term, no other per-term objects.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from ..derivation import Cell, Derivation, collector_paused


def trace(derivation: Derivation) -> dict[str, Any]:
    """The derivation as JSON-able data (needs values: a symbolic trace has nothing to list)."""
    values = derivation.values
    if values is None:
        raise ValueError("a JSON trace needs values; symbolic derivations are for the views")
    selection = derivation.selection
    with collector_paused():
        return {
            "cells": "all" if selection.everything else list(selection.names),
            "rotated_filter": _nested(values.rotated_filter),
            "grad_filter": [_cell(c, "input_index", "input") for c in derivation.grad_filter],
            "grad_input": [_cell(c, "filter_index", "filter") for c in derivation.grad_input],
        }


def _cell(cell: Cell, index_key: str, value_key: str) -> dict[str, Any]:
    plain = _plain
    return {
        "index": list(cell.index),
        "value": plain(cell.value),
        "terms": [
            {
                index_key: list(t.source),
                "grad_output_index": list(t.delta),
                value_key: plain(t.source_value),
                "grad_output": plain(t.delta_value),
            }
            for t in cell.terms
        ],
    }


def _plain(value: Any) -> Any:
    """A JSON value that keeps exactness: ints, floats, or "p/q" for a non-integer rational."""
    if type(value) is int or type(value) is float:  # the common case, first and fast
        return value
    if isinstance(value, Fraction):
        return str(value) if value.denominator != 1 else value.numerator
    if isinstance(value, np.generic):
        return value.item()
    return value


def _nested(array: np.ndarray) -> Any:
    def convert(item: Any) -> Any:
        return [convert(v) for v in item] if isinstance(item, list) else _plain(item)

    return convert(np.asarray(array).tolist())
