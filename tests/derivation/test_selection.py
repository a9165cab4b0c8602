"""Which cells are derived: ``--cells`` parsing, the size policy and the sizes it counts."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from convgrad_cli import backward
from convgrad_cli.derivation import (
    GRID_CAP,
    GRID_LIMIT,
    TERM_LIMIT,
    TRACE_LIMIT,
    Selection,
    build,
    choose,
    derive,
    frame_of,
    grid_cells,
    parse_cells,
    selected_terms,
    term_count,
    window_count,
)
from convgrad_cli.errors import InputError

PAGE = ([[1, 2, 0], [3, -1, 2], [0, 1, 4]], [[2, -1], [0, 1]], [[1, 2], [-1, 3]])


def test_parse_cells() -> None:
    frame = frame_of(backward(*PAGE))
    assert parse_cells("x22,w12", frame) == Selection(((0, 0, 0, 1),), ((0, 0, 1, 1),), ("x22", "w12"))
    assert parse_cells("x[3,3]; X11", frame).input_cells == ((0, 0, 0, 0), (0, 0, 2, 2))
    assert parse_cells("w", frame) == Selection(None, (), ("w",))
    big = frame_of(backward(np.ones((12, 12), dtype=int), [[1]]))
    assert parse_cells("x[1,12]", big).input_cells == ((0, 0, 0, 11),)
    for bad, message in [
        ("x44", "'x44' is outside the 3×3 input"),
        ("x2", "'x2' gives 1 indices but the input has 2 axes"),
        ("y11", "'y11' is not a cell"),
        (",", "names no cells"),
    ]:
        with pytest.raises(InputError, match=message):
            parse_cells(bad, frame)


def test_size_policy() -> None:
    small = frame_of(backward(*PAGE))
    assert choose(small, trace=None, cells=None) == (Selection(), None)
    assert choose(small, trace=False, cells=None) == (None, None)
    assert choose(small, trace=False, cells="x11")[0] == parse_cells("x11", small)
    big = frame_of(backward(np.ones((20, 20), dtype=int), np.ones((3, 3), dtype=int)))
    assert window_count(big) == 400 > TRACE_LIMIT
    selection, note = choose(big, trace=None, cells=None)
    assert selection is None and note is not None and "--trace" in note and "--cells x11,w11" in note
    assert choose(big, trace=True, cells=None) == (Selection(), None)
    huge = frame_of(backward(np.ones((300, 300), dtype=int), np.ones((3, 3), dtype=int)))
    with pytest.raises(InputError, match="--cells"):
        choose(huge, trace=True, cells=None)


def test_term_count_is_the_number_of_terms() -> None:
    result = backward(
        np.ones((2, 3, 6, 5), dtype=int), np.ones((4, 3, 3, 2), dtype=int), stride=(2, 1), padding=1
    )
    d = build(result)
    assert (
        term_count(frame_of(result))
        == sum(len(c.terms) for c in d.grad_filter)
        == sum(len(c.terms) for c in d.grad_input)
    )
    assert window_count(frame_of(result)) == sum(len(c.parts) for c in d.grad_input)


def test_derive_follows_the_size_policy() -> None:
    small, big = backward(*PAGE), backward(np.ones((20, 20), dtype=int), np.ones((3, 3), dtype=int))
    assert len(derive(small).grad_input) == 9 and len(derive(small).grad_bias) == 0
    assert derive(big).grad_input == () and derive(big).grad_filter == ()  # results only
    assert len(derive(big, trace=True).grad_input) == 400
    assert [c.index for c in derive(big, "x11,w33").grad_filter] == [(2, 2)]
    assert derive(small, trace=False).selection == Selection((), ())


def _frame(x: tuple[int, ...], w: tuple[int, ...], **params: Any) -> Any:
    return frame_of(backward(np.ones(x, dtype=int), np.ones(w, dtype=int), **params))


def test_grid_cells_count_what_padding_and_dilation_make_the_views_draw() -> None:
    """Nine windows, but each δ block is padded to 4005×4005: the default trace falls back to results."""
    padded = _frame((3, 3), (2, 2), padding=2000)
    assert window_count(padded) == 9 <= TRACE_LIMIT
    assert grid_cells(padded, Selection()) > GRID_CAP
    selection, note = choose(padded, trace=None, cells=None)
    assert selection is None and note is not None
    assert note.startswith(
        "the derivation would draw 48,064,400 grid cells (more than 50,000): showing results only"
    )
    assert note.endswith("too large to trace in full; --cells w11 shows chosen cells")
    assert derive(backward(np.ones((3, 3), dtype=int), [[1, 0], [0, -1]], padding=2000)).grad_input == ()
    dilated = _frame((3, 3), (2, 2), padding=60, dilation=60)
    assert (
        grid_cells(dilated, Selection()) > GRID_LIMIT and choose(dilated, trace=None, cells=None)[0] is None
    )


def test_a_forced_trace_past_the_grid_cap_is_refused_with_the_term_cap_message() -> None:
    middle = _frame((3, 3), (2, 2), padding=200)  # over the default limit, under the cap: --trace works
    note = choose(middle, trace=None, cells=None)[1]
    assert note is not None and "--trace shows every step, --cells x11,w11 chosen cells" in note
    assert choose(middle, trace=True, cells=None) == (Selection(), None)
    with pytest.raises(InputError) as caught:
        choose(_frame((3, 3), (2, 2), padding=2000), trace=True, cells=None)
    assert str(caught.value) == (
        "--trace: the full derivation would draw 48,064,400 grid cells; at most 1,000,000 are drawn; "
        "choose cells with --cells w11"
    )


def test_the_caps_apply_to_chosen_cells() -> None:
    big = _frame((400, 400), (5, 5))
    assert choose(big, trace=None, cells="x11,w11")[0] is not None
    with pytest.raises(InputError) as caught:
        choose(big, trace=None, cells="x,w")
    assert str(caught.value) == (
        "--cells: the chosen cells' derivation would list 3,920,400 multiplications; "
        f"at most {TERM_LIMIT:,} are traced; choose fewer cells"
    )
    padded = _frame((3, 3), (2, 2), padding=2000)
    assert (
        len(derive(backward(np.ones((3, 3), dtype=int), [[1, 0], [0, -1]], padding=2000), "w11").grad_filter)
        == 1
    )
    with pytest.raises(
        InputError,
        match=r"--cells: the chosen cells' derivation would draw 48,064,080 grid cells.*choose weights only, e.g. --cells w11",
    ):
        choose(padded, trace=None, cells="x11")


def test_grid_cells_bound_the_cells_a_built_derivation_draws() -> None:
    """The count is at least the grids the build makes (views draw at most those, cut around windows)."""
    result = backward(
        np.ones((2, 5, 4), dtype=int), np.ones((3, 2, 2, 3), dtype=int), stride=2, padding=2, dilation=(1, 2)
    )
    d = build(result)
    built = sum(
        len(s.padded.entries) + len(s.delta.entries) + len(s.inserted.entries if s.inserted else ())
        for s in d.deltas
    )
    built += sum(len(s.sliding.entries) + sum(len(g.entries) for g in s.flips) for s in d.filters)
    assert built <= grid_cells(frame_of(result), Selection())
    assert selected_terms(frame_of(result), Selection()) == term_count(frame_of(result))
