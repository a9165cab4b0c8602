"""Which cells are derived: ``--cells`` parsing, the size policy and the sizes it counts."""

from __future__ import annotations

import numpy as np
import pytest

from convgrad_cli import backward
from convgrad_cli.derivation import (
    TRACE_LIMIT,
    Selection,
    build,
    choose,
    derive,
    frame_of,
    parse_cells,
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
