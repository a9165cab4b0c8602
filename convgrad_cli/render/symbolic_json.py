"""The ``convgrad explain --format json`` document: shapes, and the symbolic trace in indices and symbols."""

from __future__ import annotations

from typing import Any

from ..derivation import GAP, PAD, Cell, Derivation, Frame, Grid
from ..notation import UNICODE
from . import prose
from .json_doc import SCHEMA, config
from .trace_json import trace


def document(derivation: Derivation) -> dict[str, Any]:
    """``--format json``: the configuration, the shapes, and the trace in indices and symbols.

    The trace is :func:`~convgrad_cli.render.trace_json.trace`'s (0-based indices, no values),
    each cell also named and written out as the page writes it (``"formula"``, 1-based
    symbols, every term), each ∂L/∂x cell with its window's top-left corner on the padded δ,
    and ``steps``: what slides over δ, and δ zero-inserted and padded (``"pad"``/``"gap"``
    for zeros that are not data).
    """
    frame = derivation.frame
    shapes = {name: list(frame.user_shape(name)) for name in ("input", "filter", "grad_output")}
    if frame.bias:
        shapes["bias"] = [frame.filter_shape[0]] if frame.layout.output_channels else []
    body = trace(derivation)
    for kind, key in (("filter", "grad_filter"), ("input", "grad_input")):
        cells = zip(getattr(derivation, key), body[key])
        body[key] = [
            {"index": entry["index"], **_named(frame, cell, kind), "terms": entry["terms"]}
            for cell, entry in cells
        ]
    if derivation.grad_bias:
        body["grad_bias"] = [_bias_cell(frame, cell) for cell in derivation.grad_bias]
    body["steps"] = _steps(derivation)
    return {"schema": SCHEMA, "config": config(frame.spec), "shapes": shapes, "trace": body}


def _named(frame: Frame, cell: Cell, kind: str) -> dict[str, Any]:
    """``∂L/∂w₁₂`` and ``δ₁₁·x₁₂ + …`` (every term, summed over images or filters)."""
    if kind == "filter":
        pairs = [
            (_symbol(frame, "grad_output", t.delta), _symbol(frame, "input", t.source)) for t in cell.terms
        ]
        named: dict[str, Any] = {"name": prose.lhs(frame, "filter", cell.index, UNICODE)}
    else:
        pairs = [
            (_symbol(frame, "filter", t.source), _symbol(frame, "grad_output", t.delta)) for t in cell.terms
        ]
        named = {"name": prose.lhs(frame, "input", cell.index, UNICODE), "window": list(cell.parts[0].corner)}
    named["formula"] = " + ".join(f"{a}{UNICODE.times}{b}" for a, b in pairs) or "0"
    return named


def _bias_cell(frame: Frame, cell: Any) -> dict[str, Any]:
    name = UNICODE.partial(UNICODE.symbol("b", cell.index, False)) if cell.index else UNICODE.words["db"]
    return {
        "index": list(cell.index),
        "name": name,
        "formula": " + ".join(_symbol(frame, "grad_output", i) for i in cell.deltas),
        "grad_output_indices": [list(i) for i in cell.deltas],
    }


def _symbol(frame: Frame, operand: str, index: tuple[int, ...]) -> str:
    return prose.entry(frame, operand, index, UNICODE)


def _steps(derivation: Derivation) -> dict[str, Any]:
    filters = [
        {"filter": o, "channel": c, "sliding": _nested(steps.sliding)}
        for steps in derivation.filters
        for o, c in [steps.block]
    ]
    deltas = [
        {
            "image": n,
            "filter": o,
            "inserted": None if steps.inserted is None else _nested(steps.inserted),
            "padded": _nested(steps.padded),
            "before": list(steps.before),
            "after": list(steps.after),
        }
        for steps in derivation.deltas
        for n, o in [steps.block]
    ]
    return {"filters": filters, "grad_output": deltas}


def _nested(grid: Grid) -> Any:
    """A grid as nested lists, row-major: each entry an index list, or "pad"/"gap"."""
    flat: list[Any] = [e if e in (PAD, GAP) else list(e) for e in grid.entries]
    for size in reversed(grid.shape[1:]):
        flat = [flat[i : i + size] for i in range(0, len(flat), size)]
    return flat
