"""Short forms: homework writes a 3×3 matrix, not a (1, 1, 3, 3) tensor.

:class:`Layout` records which axes the user left out, so the engine can run on
full forms — X (N, C_in, *S), W (C_out, C_in/groups, *K), δ (N, C_out, *S_out) —
and every result goes back in the form the user wrote.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InputError

_SPATIAL = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}


@dataclass(frozen=True, slots=True)
class Layout:
    """Which optional axes the user's arrays carry.

    batched: X has a batch axis (rank dims+2), so Y and δ have one too.
    input_channels: X has a channel axis (rank ≥ dims+1).
    filter_rank: rank of W — dims (one single-channel filter), dims+1 (one filter
    over all input channels) or dims+2 (full); Y has a channel axis iff it is full.
    """

    dims: int
    batched: bool
    input_channels: bool
    filter_rank: int

    @classmethod
    def of(cls, input_ndim: int, filter_ndim: int, dims: int) -> Layout:
        """The layout of arrays of these ranks, or an InputError naming the bad one."""
        for field, ndim, axes in (
            ("input", input_ndim, ("N", "C_in")),
            ("filter", filter_ndim, ("C_out", "C_in/groups")),
        ):
            if not dims <= ndim <= dims + 2:
                raise InputError(field, f"has {ndim} axes", _rank_advice(axes, dims), hint=_dims_hint(ndim))
        return cls(dims, input_ndim == dims + 2, input_ndim >= dims + 1, filter_ndim)

    @property
    def output_channels(self) -> bool:
        return self.filter_rank == self.dims + 2

    def full_input(self, x: np.ndarray) -> np.ndarray:
        return x.reshape(_lead(x, self.dims + 2) + x.shape)

    def full_filter(self, w: np.ndarray) -> np.ndarray:
        return w.reshape(_lead(w, self.dims + 2) + w.shape)

    def full_grad_output(self, g: np.ndarray) -> np.ndarray:
        """δ in the user's form → (N, C_out, *S_out)."""
        if not self.batched:
            g = g[np.newaxis]
        return g if self.output_channels else g[:, np.newaxis]

    def user_output(self, y: np.ndarray) -> np.ndarray:
        """(N, C_out, *S_out) → the form Y and δ take for this user."""
        if not self.output_channels:
            y = y[:, 0]
        return y if self.batched else y[0]

    def output_shape(self, n: int, c_out: int, spatial: tuple[int, ...]) -> tuple[int, ...]:
        """The shape δ must have in the user's form."""
        return (n,) * self.batched + (c_out,) * self.output_channels + spatial

    def user_bias(self, b: np.ndarray) -> np.ndarray:
        """∂L/∂b: a scalar for a single filter, (C_out,) otherwise."""
        return b if self.output_channels else b.reshape(())


def _lead(a: np.ndarray, rank: int) -> tuple[int, ...]:
    return (1,) * (rank - a.ndim)


def _rank_advice(axes: tuple[str, str], dims: int) -> str:
    spatial = ", ".join(_SPATIAL[dims])
    forms = [
        f"{dims} ({spatial})",
        f"{dims + 1} ({axes[1]}, {spatial})",
        f"{dims + 2} ({axes[0]}, {axes[1]}, {spatial})",
    ]
    return f"with {dims} spatial axes it needs " + ", ".join(forms[:2]) + f" or {forms[2]}"


def _dims_hint(ndim: int) -> str | None:
    return f"set --dims if the array has {min(ndim, 3)} spatial axes" if ndim <= 3 else None
