"""The table view's own layouts draw exactly what Rich's containers would, segment for segment.

The view lays out matrices, formulas and side-by-side blocks itself (Rich's Table and
Columns cost most of its cold start).  Colour codes and ``--export-svg`` depend on the
segments and their styles, not only on the characters, so each layout is compared with
the Rich container it stands for, segment by segment, on a colour console.
"""

from __future__ import annotations

import io
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console, Group, RenderableType
from rich.segment import Segment
from rich.text import Text

from convgrad_cli.render import table as view

numbers = st.one_of(st.integers(-(10**4), 10**4), st.fractions(max_denominator=7).map(Fraction))
styles = st.sampled_from(["", "bold"])


@st.composite
def matrices(draw: Any, max_side: int = 12) -> view._Matrix:
    shape = draw(st.lists(st.integers(1, max_side), min_size=0, max_size=2))
    cells = draw(st.lists(numbers, min_size=int(np.prod(shape)), max_size=int(np.prod(shape))))
    array = np.array(cells, dtype=object).reshape(shape)
    title = draw(st.sampled_from(["W (filter)", "δ = ∂L/∂Y (upstream)", "b", "∂L/∂X [1, 2, :, :]"]))
    return view._Matrix(array, title, draw(styles))


def console(width: int, encoding: str = "utf-8") -> Console:
    return Console(
        file=io.TextIOWrapper(io.BytesIO(), encoding=encoding),  # Rich draws ASCII boxes for ASCII files
        width=width,
        color_system="truecolor",
        force_terminal=True,
        highlight=False,
        emoji=False,
    )


def segments(con: Console, renderable: RenderableType) -> list[Segment]:
    return list(con.render(renderable, con.options))


def rich_table(m: view._Matrix, width: int) -> RenderableType:
    """The matrix as Rich's Table draws it (what the laid-out form stands for)."""
    return m._table(m._columns(width))


@settings(max_examples=60, deadline=None)
@given(matrices(), st.integers(20, 140))
def test_a_matrix_draws_as_richs_table(m: view._Matrix, width: int) -> None:
    con = console(width)
    assert segments(con, m) == segments(con, rich_table(m, width))


@settings(max_examples=40, deadline=None)
@given(st.lists(matrices(max_side=4), min_size=1, max_size=4), st.integers(20, 140))
def test_matrices_side_by_side_draw_as_richs_columns(tables: list[view._Matrix], width: int) -> None:
    con = console(width)
    columns = view._columns([rich_table(m, width) for m in tables], 3)
    assert segments(con, view._Beside(tables, 3)) == segments(con, columns)  # drawn here if it fits


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.lists(st.text("ab0−·", min_size=1, max_size=6), min_size=1, max_size=5), min_size=1, max_size=4
    ),
    st.lists(st.sampled_from(["", "italic", "dim", "bold reverse"]), min_size=4, max_size=4),
    st.integers(1, 4),
)
def test_blocks_of_any_height_side_by_side_draw_as_richs_columns(
    blocks: list[list[str]], looks: list[str], gap: int
) -> None:
    lines = [[Text(text, style=looks[i % len(looks)]) for i, text in enumerate(b)] for b in blocks]
    con = console(200)
    assert segments(con, view._beside(lines, gap)) == segments(
        con, view._columns([Group(*b) for b in lines], gap)
    )


@pytest.mark.parametrize("encoding", ["utf-8", "ascii"])
def test_boxes_follow_the_console_encoding(encoding: str) -> None:
    m = view._Matrix(np.array([[1, -2], [3, 4]]), "W", "bold")
    con = console(80, encoding)
    drawn = segments(con, m)
    assert drawn == segments(con, rich_table(m, 80))
    assert ("┌" in "".join(s.text for s in drawn)) == (encoding == "utf-8")


symbols = st.text("wxδ₁₂₃,0", min_size=1, max_size=5)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 5), st.integers(1, 6), st.data())
def test_a_contribution_table_draws_as_richs_table(n_rows: int, n_columns: int, data: st.DataObject) -> None:
    header = ["", *data.draw(st.lists(symbols, min_size=n_columns, max_size=n_columns))]
    looks = st.sampled_from(["", "dim", "bold"])
    rows = [[Text(data.draw(symbols), style=data.draw(looks)) for _ in header] for _ in range(n_rows)]
    laid = view._contributions(header, rows)
    con = console(200)
    assert segments(con, laid) == segments(con, laid.fallback())
