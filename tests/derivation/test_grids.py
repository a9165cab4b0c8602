"""The grids the views draw: δ zero-inserted and padded, W spread by dilation and rotated."""

from __future__ import annotations

from convgrad_cli import backward
from convgrad_cli.derivation import GAP, PAD, build

PAGE = ([[1, 2, 0], [3, -1, 2], [0, 1, 4]], [[2, -1], [0, 1]], [[1, 2], [-1, 3]])


def test_stride_inserts_zeros_and_padding_is_cropped() -> None:
    d = build(backward([[1, 2, 3, 4, 5]] * 5, [[1, 0, 1]] * 3, stride=2, padding=1))
    steps = d.deltas[0]
    assert steps.inserted is not None and steps.inserted.shape == (5, 5)  # 3 outputs, a zero between
    assert steps.inserted.at((0, 1)) == GAP and steps.inserted.at((0, 2)) == (0, 1)
    # padded frame 7 wide, extent 3: grid 7 + 3 − 1; windows of real inputs start at padding 1
    assert steps.padded.shape == (9, 9) and d.grad_input[0].parts[0].corner == (1, 1)
    assert steps.padded.at((0, 0)) == PAD


def test_dilation_spreads_the_sliding_filter() -> None:
    d = build(backward([[1] * 5] * 5, [[1, 2], [3, 4]], dilation=2))
    sliding = d.filters[0].sliding
    assert sliding.shape == (3, 3)
    assert sliding.entries == ((1, 1), GAP, (1, 0), GAP, GAP, GAP, (0, 1), GAP, (0, 0))


def test_convolve_mode_slides_w_unrotated() -> None:
    d = build(backward(*PAGE, mode="convolve"))
    assert d.filters[0].sliding.entries == ((0, 0), (0, 1), (1, 0), (1, 1))
    assert [(t.source, t.delta) for t in d.grad_input[0].terms] == [((1, 1), (0, 0))]
