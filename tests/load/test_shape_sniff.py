"""Shapes read from brackets and commas agree with the parsed value's, and say None when unsure."""

from __future__ import annotations

import json

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from convgrad_cli.load.shape_sniff import document_shapes, list_shape


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 4), min_size=1, max_size=4), st.sampled_from([None, 1, 3]), st.booleans())
def test_rectangular_lists_give_their_shape(shape: list[int], indent: int | None, strings: bool) -> None:
    value = np.arange(int(np.prod(shape))).reshape(shape)
    cells = value.astype(str).tolist() if strings else value.tolist()
    text = json.dumps(cells, indent=indent).encode()
    found = list_shape(text, 0)
    if 0 in shape:  # empty lists hide the lengths below them: only require no wrong answer
        assert found is None or found[0] == np.shape(cells)
    else:
        assert found == (tuple(shape), len(text))


def test_ragged_or_odd_lists_are_not_guessed() -> None:
    for text in (b"[[1, 2], [3]]", b"[[1, 2], 3]", b'["1,2", "3"]', b"[[1, 2]", b"[1, [2]]"):
        found = list_shape(text, 0)
        assert found is None or found[0] != (2, 2), text


def test_a_document_s_arrays_and_nothing_else() -> None:
    text = json.dumps(
        {
            "student": "a [b]: c",
            "dX": [[1, 2, 3]] * 2,
            "db": 4,
            "grad_filter": [[1, 2], [3, 4]],
            "y": ["1/2", "3"],
        }
    ).encode()
    assert document_shapes(text) == {"dX": (2, 3), "grad_filter": (2, 2), "y": (2,)}
