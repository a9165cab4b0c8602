"""Layouts and return values of the four conventions."""

from __future__ import annotations

import numpy as np
import pytest

from convgrad_cli.grading.verify import CONVENTIONS, unpack
from convgrad_cli.grading.verify.conventions import BadReturn


@pytest.mark.parametrize("name", list(CONVENTIONS))
@pytest.mark.parametrize("dims", [1, 2, 3])
def test_layouts_round_trip(name: str, dims: int) -> None:
    convention = CONVENTIONS[name]
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, *range(4, 4 + dims)))
    w = rng.standard_normal((5, 3, *range(2, 2 + dims)))
    b = rng.standard_normal(5)
    for array_name, a in (("grad_input", x), ("grad_filter", w), ("output", x), ("grad_bias", b)):
        there = convention.from_torch(array_name, a, dims)
        assert np.array_equal(convention.to_torch(array_name, there, dims), a)


def test_channels_last_layouts_are_the_ones_tensorflow_and_dls_use() -> None:
    x, w = np.zeros((2, 3, 5, 6)), np.zeros((7, 3, 2, 4))
    for name in ("channels-last", "dls"):
        convention = CONVENTIONS[name]
        assert convention.from_torch("input", x, 2).shape == (2, 5, 6, 3)
        assert convention.from_torch("filter", w, 2).shape == (2, 4, 3, 7)
    assert CONVENTIONS["dls"].from_torch("bias", np.zeros(7), 2).shape == (1, 1, 1, 7)
    assert CONVENTIONS["cs231n"].from_torch("bias", np.zeros(7), 2).shape == (7,)


def test_a_wrong_rank_cannot_be_laid_out_as_torch() -> None:
    with pytest.raises(ValueError, match="has 2 axes"):
        CONVENTIONS["channels-last"].to_torch("grad_input", np.zeros((3, 3)), 2)


def test_unpack_reads_tuples_and_says_what_came_back_otherwise() -> None:
    assert unpack((1, 2), ("a", "b"), ("c",)) == {"a": 1, "b": 2}
    assert unpack([1, 2, 3], ("a", "b"), ("c",)) == {"a": 1, "b": 2, "c": 3}
    with pytest.raises(
        BadReturn, match=r"returned one ndarray of shape \(2, 2\); expected a tuple of 2 or 3"
    ):
        unpack(np.zeros((2, 2)), ("a", "b"), ("c",))
    with pytest.raises(BadReturn, match="returned None"):
        unpack(None, ("a", "b"))
    with pytest.raises(BadReturn, match="returned 4 values"):
        unpack((1, 2, 3, 4), ("a", "b", "c"))
