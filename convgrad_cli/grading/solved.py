"""One solved problem, in full forms, that a mistake can rerun with one thing changed.

:class:`Solved` holds X, W, δ (and b) of a checked problem and reruns
:func:`convgrad_cli.engine.backward.backward` or the page's steps (padding, crop, rot180,
dilate) with one operand, parameter or step changed — the raw material of every mistake
in :mod:`convgrad_cli.grading.mistakes`.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any, Protocol

import numpy as np

from ..engine import crop, dilate, grad_bias, rot180
from ..engine.backward import Gradients, backward
from ..errors import InputError
from ..exact import is_exact

ARRAYS = ("output", "grad_input", "grad_filter", "grad_bias")
SYMBOLS = {"output": "Y", "grad_input": "∂L/∂X", "grad_filter": "∂L/∂W", "grad_bias": "∂L/∂b"}
SPATIAL = {1: ("W",), 2: ("H", "W"), 3: ("D", "H", "W")}  # the spatial axes' names, by dims

Candidate = tuple[np.ndarray, str]  # the array a mistake produces (user's form), and which variant


class Maker(Protocol):
    """What :meth:`Solved.candidates` needs of a mistake: its id and how it spoils an array."""

    @property
    def id(self) -> str: ...

    @property
    def make(self) -> Callable[[Solved, str], list[Candidate]]: ...


class Solved:
    """One solved problem in full forms — X (N, C_in, *S), W (C_out, C_in/g, *K), δ (N, C_out, *S_out) —
    that each mistake reruns with one thing changed.  Candidates are cached: a class of
    answers to one problem recomputes nothing."""

    def __init__(self, result: Gradients, exact: bool | None = None) -> None:
        layout = result.layout
        self.result, self.exact, self.spec = result, exact, result.spec
        self.x = layout.full_input(result.input)
        self.w = layout.full_filter(result.filter)
        self.g = layout.full_grad_output(result.grad_output)
        self.b = None if result.bias is None else np.asarray(result.bias).reshape(-1)
        self._candidates: dict[tuple[str, str], list[Candidate]] = {}

    def expected(self, name: str) -> np.ndarray:
        """The right answer for ``name`` in the user's form (∂L/∂b = Σδ even without a bias)."""
        value = getattr(self.result, name)
        return np.asarray(value) if value is not None else self.bias_gradient(self.g)

    def bias_gradient(self, g: np.ndarray) -> np.ndarray:
        """Σδ per output channel, over batch and positions; Python ints so it never wraps."""
        exact_g = g.astype(object) if is_exact(g) else g
        return self.result.layout.user_bias(grad_bias(exact_g))

    def user(self, name: str, full: np.ndarray) -> np.ndarray:
        """A full-form array back in the user's form (leading unit axes the user left out dropped)."""
        if name == "output":
            return self.result.layout.user_output(full)
        if name == "grad_bias":
            return self.result.layout.user_bias(full)
        rank = (self.result.input if name == "grad_input" else self.result.filter).ndim
        return full[(0,) * (full.ndim - rank)]

    def rerun(self, name: str, **changes: Any) -> np.ndarray | None:
        """``name`` of this problem with some operands or parameters changed; None if that is not a valid problem."""
        spec = self.spec
        args: dict[str, Any] = {
            "input": self.x, "filter": self.w, "grad_output": self.g, "bias": self.b,
            "stride": list(spec.stride), "padding": [list(pair) for pair in spec.padding],
            "dilation": list(spec.dilation), "groups": spec.groups, "mode": spec.mode, "dims": spec.dims,
        } | changes  # fmt: skip
        if name == "output":
            args["grad_output"] = None  # Y does not depend on δ, whose shape may no longer fit
        try:
            result = backward(args.pop("input"), args.pop("filter"), exact=self.exact, **args)
        except InputError:
            return None
        if name == "grad_bias":
            return self.bias_gradient(result.layout.full_grad_output(result.grad_output))
        return self.user(name, getattr(result, name))

    def correlate(self, a: np.ndarray, w: np.ndarray, padding: list[tuple[int, int]]) -> np.ndarray | None:
        """Valid correlation (stride 1) of ``a`` (N, C, *S) with ``w`` (C', C/g, *K) after zero padding."""
        try:
            return backward(
                a, w, padding=[list(p) for p in padding], groups=self.spec.groups, dims=self.spec.dims,
                exact=self.exact,
            ).output  # fmt: skip
        except InputError:
            return None

    def full_correlation(
        self,
        *,
        rotate: bool = True,
        insert_zeros: bool = True,
        full: bool = True,
        crop_padding: bool = True,
        quarter_turns: int = 0,
        stride: tuple[int, ...] | None = None,
        shift: tuple[int, int] | None = None,
    ) -> np.ndarray | None:
        """∂L/∂X (N, C_in, *S) the page's way; each argument turns one step wrong, as a mistake does.

        δ dilated by the stride (s−1 zeros between entries), padded by extent−1 zeros, correlated
        with rot180 of the dilated filter summed over output channels; rows no window reached get
        zeros; the forward padding is cropped.  In convolve mode the forward pass already
        flipped W, so the right filter here is W unrotated.  ``quarter_turns`` turns the filter
        further by 90° steps (last two axes); ``stride`` replaces the zeros inserted into δ;
        ``shift = (axis, step)`` moves every window ``step`` positions along spatial ``axis``.
        """
        spec = self.spec
        delta = dilate(self.g, spec.stride if stride is None else stride) if insert_zeros else self.g
        w = dilate(self.w, spec.dilation)
        if rotate != (spec.mode == "convolve"):
            w = rot180(w, spec.dims)
        if quarter_turns:
            w = np.rot90(w, quarter_turns, axes=(-2, -1))
        pads = [(e - 1, e - 1) if full else (0, 0) for e in w.shape[2:]]
        if shift is not None:  # one more zero on each side, then the window moved along that axis
            pads[shift[0]] = (pads[shift[0]][0] + 1, pads[shift[0]][1] + 1)
        dx = self.correlate(delta, _swap_channels(w, spec.groups), pads)
        if dx is None:
            return None
        if shift is not None:
            axis, step = shift
            dx = np.take(dx, range(1 + step, dx.shape[2 + axis] - 1 + step), axis=2 + axis)
        if full and insert_zeros:
            frame = spec.padded_shape(self.x.shape[2:])
            # An object zero: np.pad's default int64 0 would overflow against Python ints.
            widths = [(0, 0), (0, 0), *((0, max(f - s, 0)) for f, s in zip(frame, dx.shape[2:]))]
            dx = np.pad(dx, widths, constant_values=np.zeros((), dx.dtype))
        if crop_padding:
            if any(s <= b + a for s, (b, a) in zip(dx.shape[2:], spec.padding)):
                return None
            dx = crop(dx, spec.padding)
        return dx

    def candidates(self, mistake: Maker, name: str) -> list[Candidate]:
        """The arrays ``mistake`` makes of ``name``, computed once per problem."""
        key = (mistake.id, name)
        if key not in self._candidates:
            # np.asarray: arithmetic on a 0-d array (a single filter's ∂L/∂b) returns a bare scalar.
            self._candidates[key] = [
                (np.asarray(array), detail) for array, detail in mistake.make(self, name)
            ]
        return self._candidates[key]


def _swap_channels(w: np.ndarray, groups: int) -> np.ndarray:
    """(C_out, C_in/g, *K) → (C_in, C_out/g, *K): the filter bank that maps δ back onto X's channels."""
    c_out, c_group, kernel = w.shape[0], w.shape[1], w.shape[2:]
    blocks = w.reshape(groups, c_out // groups, c_group, *kernel).swapaxes(1, 2)
    return blocks.reshape(groups * c_group, c_out // groups, *kernel)


def as_fraction(value: Any) -> Fraction:
    """An exact value; a float as the shortest decimal that names it (0.1 + 0.2 is 0.30000000000000004)."""
    if isinstance(value, (float, np.floating)):
        return Fraction(repr(float(value)))
    # Fraction(np.int64) would keep an int64 numerator that can overflow.
    return Fraction(int(value)) if isinstance(value, np.integer) else Fraction(value)


def squeezed(shape: tuple[int, ...]) -> tuple[int, ...]:
    """``shape`` without its axes of length 1: a 3×3 written as 1×1×3×3 holds the same numbers."""
    return tuple(n for n in shape if n != 1)
