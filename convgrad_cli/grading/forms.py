"""The other forms an answer arrives in: a flat list, or channels-last (NHWC / HWIO) arrays.

A flat list of the right length is read row by row (C order), with a note.  A channels-last
array is recognised from its shape and named; with ``layout="channels-last"`` it is moved
to convgrad's channels-first order and graded as given.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .solved import SPATIAL, Solved

LAYOUTS = ("channels-first", "channels-last")


@dataclass(frozen=True)
class ChannelsLast:
    """How one array of a problem looks channels-last: the axis order and both forms' names."""

    order: tuple[int, ...]  # channels-first axes in channels-last order: np.transpose(first, order)
    last: str  # "(N, H, W, C)"
    first: str  # "(N, C, H, W)"

    def shape(self, first: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(first[axis] for axis in self.order)

    def to_first(self, array: np.ndarray) -> np.ndarray:
        return np.transpose(array, np.argsort(self.order))

    def note(self) -> str:
        return f"looks like channels-last {self.last}; transpose to {self.first}"


def channels_last(p: Solved, name: str) -> ChannelsLast | None:
    """The channels-last form of ``name`` in this problem's user form; None when it has no channel axis."""
    layout, dims = p.result.layout, p.spec.dims
    spatial = SPATIAL[dims]
    if name == "grad_filter":
        kernel = tuple(f"k{axis}" for axis in spatial)
        if layout.filter_rank == dims + 2:  # (C_out, C_in, *K) ↔ HWIO (*K, C_in, C_out)
            return _form((*range(2, dims + 2), 1, 0), ("C_out", "C_in", *kernel))
        if layout.filter_rank == dims + 1:
            return _form((*range(1, dims + 1), 0), ("C_in", *kernel))
        return None
    if name == "grad_input":
        channels, batched = layout.input_channels, layout.batched
    elif name == "output":
        channels, batched = layout.output_channels, layout.batched
    else:
        return None
    if not channels:
        return None
    lead = ("N",) if batched else ()
    c = len(lead)  # the channel axis
    return _form((*range(c), *range(c + 1, c + 1 + dims), c), (*lead, "C", *spatial))


def _form(order: tuple[int, ...], names: tuple[str, ...]) -> ChannelsLast:
    def text(parts: tuple[str, ...]) -> str:
        return "(" + ", ".join(parts) + ")"

    return ChannelsLast(order, text(tuple(names[axis] for axis in order)), text(names))


def flat_note(given: np.ndarray, expected: tuple[int, ...]) -> str | None:
    """A note when a flat list was read as a matrix (row-major); None when the answer was not flat."""
    if given.ndim != 1 or sum(n > 1 for n in expected) < 2 or given.size != int(np.prod(expected)):
        return None
    shape = "×".join(map(str, expected))
    return f"read the flat list of {given.size} row by row (C order) as {shape}"
