"""How big a derivation is before it is built: its multiplications, and the grid cells it draws.

The size policy (:mod:`.selection`) asks these for the cells a selection names.  Terms are
the multiplications of the chain-rule sums (counted exactly); grid cells are everything else
the derivation builds and the views draw: δ as given, zero-inserted and zero-padded once per
δ block, the filter's flips and its dilated spread once per filter block, the contribution
table, and the cut-out of the padded δ and the products under each window.  Padding and
dilation make those grids large while the input stays small.
"""

from __future__ import annotations

from math import prod

from .pairs import filter_pairs, input_pairs, tap
from .records import Frame, Index, Selection

# The views draw an axis longer than this around the window only, with "…" on either side
# (render.page.GRID_VIEW, which this layer may not import).
SHOWN_AXIS = 15


def window_count(frame: Frame) -> int:
    """Window positions of the full trace: one per input cell and output channel of its group."""
    return prod(frame.input_shape) * frame.per_group


def term_count(frame: Frame) -> int:
    """Multiplications in the definition that read real values (each appears once per gradient)."""
    per_position = prod(sum(len(rows) for rows in axis) for axis in filter_pairs(frame))
    return frame.input_shape[0] * frame.filter_shape[0] * frame.filter_shape[1] * per_position


def selected_terms(frame: Frame, selection: Selection) -> int:
    """Multiplications the selected cells' chain-rule sums list, in the larger of the two gradients.

    For the full trace this is :func:`term_count`: every multiplication appears once in
    ∂L/∂W and once in ∂L/∂X, and the limits count it once.
    """
    if selection.everything:
        return term_count(frame)
    if selection.filter_cells is None:
        weights = term_count(frame)
    else:
        pairs, n = filter_pairs(frame), frame.input_shape[0]
        weights = sum(n * _product(pairs, frame, full[2:], taps=True) for full in selection.filter_cells)
    if selection.input_cells is None:
        inputs = term_count(frame)
    else:
        pairs = input_pairs(frame)
        inputs = sum(frame.per_group * _product(pairs, frame, full[2:]) for full in selection.input_cells)
    return max(weights, inputs)


def _product(
    pairs: list[list[list[tuple[int, int]]]], frame: Frame, index: Index, *, taps: bool = False
) -> int:
    return prod(len(pairs[a][tap(frame, a, i) if taps else i]) for a, i in enumerate(index))


def grid_cells(frame: Frame, selection: Selection) -> int:
    """Grid cells built and drawn for the selected ∂L/∂x cells (∂L/∂w cells draw no grid)."""
    cells = selection.input_cells
    windows = window_count(frame) if cells is None else len(cells) * frame.per_group
    if not windows:
        return 0
    c_group = frame.filter_shape[1]
    if cells is None:
        images, channels = frame.input_shape[0], frame.input_shape[1]
        groups = frame.spec.groups
        per_channel = c_group if groups == 1 else 1
    else:
        chosen = {(full[0], full[1]) for full in cells}
        images, channels = len({n for n, _ in chosen}), len({ci for _, ci in chosen})
        groups = len({ci // c_group for _, ci in chosen})
        per_channel = len({ci % c_group for _, ci in chosen})
    delta_blocks = images * groups * frame.per_group
    filter_blocks = groups * frame.per_group * per_channel
    pattern_blocks = images * channels * frame.per_group
    out, extent, stride = frame.out, frame.extent, frame.spec.stride
    inserted = prod((o - 1) * s + 1 for o, s in zip(out, stride)) if any(s > 1 for s in stride) else 0
    per_delta = prod(out) + inserted + prod(frame.padded_delta)
    per_filter = (frame.dims + 1) * prod(frame.kernel) + prod(extent)
    shown = [_shown(n, e + 2) for n, e in zip(frame.padded_delta, extent)]
    if frame.dims == 3:
        shown[0] = extent[0]  # 3-D grids keep only the slices the window covers
    per_window = prod(shown)
    per_window += prod(_shown(e, SHOWN_AXIS) for e in extent)  # the products under it
    return (
        delta_blocks * per_delta
        + filter_blocks * per_filter
        + pattern_blocks * prod(out)
        + windows * per_window
    )


def _shown(length: int, around: int) -> int:
    """Entries drawn of an axis: all of a short one, else ``around`` entries and two "…"."""
    return length if length <= SHOWN_AXIS else min(length, around) + 2
