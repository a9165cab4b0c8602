"""The ``trace`` object of the ``--format json`` document (documented in the README).

``{"cells": "all" | [names], "rotated_filter": …, "grad_filter": [cell…], "grad_input": [cell…]}``
where a cell is ``{"index": [...], "value": v, "terms": [...]}``; a ∂L/∂w term is
``{"input_index", "grad_output_index", "input", "grad_output"}``, a ∂L/∂x term
``{"filter_index", "grad_output_index", "filter", "grad_output"}``.  Indices are 0-based in
the arrays' own forms.  Integers stay JSON integers, floats are floats, and a non-integer
rational is the exact string ``"p/q"`` so every sum can be checked exactly.  A symbolic
derivation (``convgrad explain``) has indices only: no ``value``, no operand values, and its
``rotated_filter`` holds at each position the index of the weight that lands there.

Kept free of Rich and lean: one dict per term, no other per-term objects.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from ..derivation import Cell, Derivation, collector_paused


def trace(derivation: Derivation) -> dict[str, Any]:
    """The derivation as JSON-able data; indices only when it is symbolic (no values)."""
    values = derivation.values
    selection = derivation.selection
    rotated = _rotated_indices(derivation) if values is None else _nested(values.rotated_filter)
    with collector_paused():
        return {
            "cells": "all" if selection.everything else list(selection.names),
            "rotated_filter": rotated,
            "grad_filter": [_cell(c, "input_index", "input", values) for c in derivation.grad_filter],
            "grad_input": [_cell(c, "filter_index", "filter", values) for c in derivation.grad_input],
        }


def _cell(cell: Cell, index_key: str, value_key: str, values: object) -> dict[str, Any]:
    if values is None:
        terms = [{index_key: list(t.source), "grad_output_index": list(t.delta)} for t in cell.terms]
        return {"index": list(cell.index), "terms": terms}
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


def _rotated_indices(derivation: Derivation) -> Any:
    """rot180 of W's own indices: the entry at each position names the weight that lands there."""
    frame = derivation.frame
    shape = frame.user_shape("filter")
    indices = np.moveaxis(np.indices(shape), 0, -1)  # (*shape, rank): each entry its own index
    return np.flip(indices, axis=tuple(range(len(shape) - frame.dims, len(shape)))).tolist()


def _nested(array: np.ndarray) -> Any:
    def convert(item: Any) -> Any:
        return [convert(v) for v in item] if isinstance(item, list) else _plain(item)

    return convert(np.asarray(array).tolist())
