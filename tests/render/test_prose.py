"""The formulas' text: a long sum spells only what it shows, and says the same as every term spelled."""

from __future__ import annotations

import numpy as np

from convgrad_cli import backward
from convgrad_cli.derivation import build
from convgrad_cli.notation import MAX_SHOWN_TERMS, UNICODE
from convgrad_cli.render import prose


def test_long_sums_read_as_every_term_spelled_then_elided() -> None:
    rng = np.random.default_rng(3)
    d = build(backward(rng.integers(-9, 10, (12, 12)), rng.integers(-9, 10, (3, 3))))
    long = [cell for cell in d.grad_filter if len(cell.terms) > MAX_SHOWN_TERMS]
    assert long, "the problem has sums long enough to elide"
    for cell in [*long, *d.grad_input[:5]]:
        kind = "filter" if cell in d.grad_filter else "input"
        if kind == "filter":
            names = [(prose.entry(d.frame, "grad_output", t.delta, UNICODE), prose.entry(d.frame, "input", t.source, UNICODE)) for t in cell.terms]  # fmt: skip
            values = [(t.delta_value, t.source_value) for t in cell.terms]
        else:
            names = [(prose.entry(d.frame, "filter", t.source, UNICODE), prose.entry(d.frame, "grad_output", t.delta, UNICODE)) for t in cell.terms]  # fmt: skip
            values = [(t.source_value, t.delta_value) for t in cell.terms]
        rows = prose.formula(d, cell, kind, UNICODE)
        assert rows[0].text == UNICODE.products(names)
        assert rows[1].text == UNICODE.numeric_products(values)
