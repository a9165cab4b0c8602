"""The catalog of classic mistakes, and the diagnosis that names the one a wrong answer made.

Each mistake recomputes the answer a student gets by doing one step of the derivation
wrong — the filter left unrotated, δ not dilated, the padding not cropped — by rerunning
:func:`convgrad_cli.engine.backward.backward` or the engine's ops (pad, crop, rot180, dilate) on the
same problem.  :func:`diagnose` then asks which of those arrays the student's matches.
No Click, no Rich: the CLI and the renderers only show what this returns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from math import prod
from typing import Any

import numpy as np

from ..engine import crop, dilate, grad_bias, rot180
from ..engine.backward import Gradients, backward
from ..engine.spec import padding_text
from ..errors import InputError
from ..exact import is_exact, normalize

ARRAYS = ("output", "grad_input", "grad_filter", "grad_bias")
SYMBOLS = {"output": "Y", "grad_input": "∂L/∂X", "grad_filter": "∂L/∂W", "grad_bias": "∂L/∂b"}
NEARLY = Fraction(2, 3)  # "most cells": a near match must agree with the mistake on at least this share

Candidate = tuple[np.ndarray, str]  # the array the mistake produces (user's form), and which variant


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
        self, *, rotate: bool = True, insert_zeros: bool = True, full: bool = True, crop_padding: bool = True
    ) -> np.ndarray | None:
        """∂L/∂X (N, C_in, *S) the page's way; each flag turns one step off, as a mistake does.

        δ dilated by the stride (s−1 zeros between entries), padded by extent−1 zeros, correlated
        with rot180 of the dilated filter summed over output channels; rows no window reached get
        zeros; the forward padding is cropped.  In convolve mode the forward pass already
        flipped W, so the right filter here is W unrotated.
        """
        spec = self.spec
        delta = dilate(self.g, spec.stride) if insert_zeros else self.g
        w = dilate(self.w, spec.dilation)
        if rotate != (spec.mode == "convolve"):
            w = rot180(w, spec.dims)
        pads = [(e - 1, e - 1) if full else (0, 0) for e in w.shape[2:]]
        dx = self.correlate(delta, _swap_channels(w, spec.groups), pads)
        if dx is None:
            return None
        if full and insert_zeros:
            frame = spec.padded_shape(self.x.shape[2:])
            # An object zero: np.pad's default int64 0 would overflow against Python ints.
            widths = [(0, 0), (0, 0), *((0, f - s) for f, s in zip(frame, dx.shape[2:]))]
            dx = np.pad(dx, widths, constant_values=np.zeros((), dx.dtype))
        if crop_padding:
            if any(s <= b + a for s, (b, a) in zip(dx.shape[2:], spec.padding)):
                return None
            dx = crop(dx, spec.padding)
        return dx

    def candidates(self, mistake: Mistake, name: str) -> list[Candidate]:
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


def _one(p: Solved, name: str, full: np.ndarray | None) -> list[Candidate]:
    return [] if full is None else [(p.user(name, full), "")]


def _maybe(array: np.ndarray | None, detail: str = "") -> list[Candidate]:
    return [] if array is None else [(array, detail)]


# ---------------------------------------------------------------- the mistakes


def _unrotated_filter(p: Solved, name: str) -> list[Candidate]:
    return _one(p, name, p.full_correlation(rotate=False))


def _rotated_grad_filter(p: Solved, name: str) -> list[Candidate]:
    return [(rot180(p.expected(name), p.spec.dims), "")]


def _valid_not_full(p: Solved, name: str) -> list[Candidate]:
    return _one(p, name, p.full_correlation(full=False, crop_padding=False))


def _missing_zero_insertion(p: Solved, name: str) -> list[Candidate]:
    if all(s == 1 for s in p.spec.stride):
        return []
    return _one(p, name, p.full_correlation(insert_zeros=False))


def _no_padding_crop(p: Solved, name: str) -> list[Candidate]:
    if not any(b or a for b, a in p.spec.padding):
        return []
    return _one(p, name, p.full_correlation(crop_padding=False))


def _transposed(p: Solved, name: str) -> list[Candidate]:
    expected = p.expected(name)
    return [(expected.swapaxes(-1, -2), "")] if p.spec.dims >= 2 else []


def _sign_flip(p: Solved, name: str) -> list[Candidate]:
    return [(-p.expected(name), "")]


def _forgot_batch_sum(p: Solved, name: str) -> list[Candidate]:
    images = p.x.shape[0]
    if images < 2:
        return []
    return [
        candidate
        for n in range(images)
        for candidate in _maybe(
            p.rerun(name, input=p.x[n : n + 1], grad_output=p.g[n : n + 1]),
            f"image {n + 1} of the batch only",
        )
    ]


def _forgot_channel_sum(p: Solved, name: str) -> list[Candidate]:
    groups = p.spec.groups
    per_group = p.w.shape[0] // groups
    if per_group < 2:
        return []
    found: list[Candidate] = []
    for j in range(per_group):
        chosen = [group * per_group + j for group in range(groups)]
        where = f"output channel {j + 1}" + (" of each group" if groups > 1 else "")
        array = p.rerun(name, filter=p.w[chosen], grad_output=p.g[:, chosen], bias=None)
        found += _maybe(array, f"{where} only")
    return found


def _bias_mean(p: Solved, name: str) -> list[Candidate]:
    count = p.g.shape[0] * prod(p.g.shape[2:])
    if count < 2:
        return []
    expected = p.expected(name)
    if is_exact(expected):
        divide = np.frompyfunc(lambda v: normalize(Fraction(v) / count), 1, 1)
        return [(np.asarray(divide(expected), dtype=object), "")]
    return [(expected / count, "")]


def _forgot_bias(p: Solved, name: str) -> list[Candidate]:
    if p.b is None or not any(p.b.flat):
        return []
    return _maybe(p.rerun(name, bias=None))


def _mode_swap(p: Solved, name: str) -> list[Candidate]:
    other = "correlate" if p.spec.mode == "convolve" else "convolve"
    return _maybe(p.rerun(name, mode=other))


def _padding_off_by_one(p: Solved, name: str) -> list[Candidate]:
    found: list[Candidate] = []
    for step in (-1, 1):
        pads = [(b + step, a + step) for b, a in p.spec.padding]
        if all(b >= 0 and a >= 0 for b, a in pads):
            found += _maybe(p.rerun(name, padding=pads), f"padding {padding_text(tuple(pads))}")
    return found


def _ignored_stride(p: Solved, name: str) -> list[Candidate]:
    return [] if all(s == 1 for s in p.spec.stride) else _maybe(p.rerun(name, stride=1))


def _ignored_dilation(p: Solved, name: str) -> list[Candidate]:
    return [] if all(d == 1 for d in p.spec.dilation) else _maybe(p.rerun(name, dilation=1))


def _ignored_upstream(p: Solved, name: str) -> list[Candidate]:
    if not p.result.grad_output_given:
        return []
    return _maybe(p.rerun(name, grad_output=None))


def _output_as_grad(p: Solved, name: str) -> list[Candidate]:
    y = p.result.layout.full_grad_output(p.result.output)
    return _maybe(p.rerun(name, grad_output=y))


def _rotated_delta(p: Solved, name: str) -> list[Candidate]:
    return _maybe(p.rerun(name, grad_output=rot180(p.g, p.spec.dims)))


@dataclass(frozen=True)
class Mistake:
    """One classic mistake: which answers it spoils, how, and what it does to them.

    ``because`` completes "your ∂L/∂X is what you get when …"; ``in_convolve`` replaces it
    in convolve mode, where the roles of the rotations swap.
    """

    id: str
    arrays: tuple[str, ...]
    because: str
    make: Callable[[Solved, str], list[Candidate]]
    in_convolve: str | None = None

    def reason(self, mode: str) -> str:
        return self.in_convolve if mode == "convolve" and self.in_convolve else self.because


CATALOG: tuple[Mistake, ...] = (
    Mistake(
        "unrotated-filter", ("grad_input",),
        "the filter is not rotated by 180° before the full correlation with δ",
        _unrotated_filter,
        "the filter is rotated by 180° — in convolve mode the forward pass already flipped it, "
        "so ∂L/∂X is the full correlation of δ with W as given",
    ),
    Mistake(
        "rotated-grad-filter", ("grad_filter",),
        "the result is rotated by 180° — ∂L/∂W is the valid correlation of X with δ, no rotation",
        _rotated_grad_filter,
        "the result is left unrotated — in convolve mode the filter was flipped in the forward pass, "
        "so the correlation of X with δ must be rotated by 180°",
    ),
    Mistake(
        "valid-not-full", ("grad_input",),
        "the correlation of δ with the rotated filter is valid instead of full "
        "(δ needs filter size − 1 zeros on every side first), so ∂L/∂X comes out too small",
        _valid_not_full,
    ),
    Mistake(
        "missing-zero-insertion", ("grad_input",),
        "δ is not dilated first: with stride s, put s−1 zeros between neighbouring δ entries "
        "before the full correlation",
        _missing_zero_insertion,
    ),
    Mistake(
        "no-padding-crop", ("grad_input",),
        "the forward padding is not cropped: the full correlation gives ∂L/∂X on the padded frame, "
        "and its border rows and columns belong to the padding zeros",
        _no_padding_crop,
    ),
    Mistake("transposed", ("output", "grad_input", "grad_filter"), "rows and columns are swapped", _transposed),
    Mistake(
        "sign-flip", ARRAYS,
        "every sign is flipped (the negative of the right answer; check the sign of δ and of each product)",
        _sign_flip,
    ),
    Mistake(
        "forgot-batch-sum", ("grad_filter", "grad_bias"),
        "only one image of the batch is counted — the filter and bias are shared, "
        "so their gradients sum over every image",
        _forgot_batch_sum,
    ),
    Mistake(
        "forgot-channel-sum", ("grad_input",),
        "only one output channel is counted — every filter reads X, so ∂L/∂X sums over all output channels",
        _forgot_channel_sum,
    ),
    Mistake(
        "bias-mean", ("grad_bias",),
        "∂L/∂b is a mean instead of a sum — ∂L/∂b = Σ δ over the batch and every output position",
        _bias_mean,
    ),
    Mistake("forgot-bias", ("output",), "the bias b is not added to every output", _forgot_bias),
    Mistake(
        "mode-swap", ("output",),
        "the filter is flipped (a true convolution) — deep-learning layers cross-correlate: "
        "W slides over X as it is",
        _mode_swap,
        "the filter is not flipped — in convolve mode Y = X ∗ W rotates W by 180° before sliding it",
    ),
    Mistake(
        "padding-off-by-one", ("output",), "the padding is off by one on every side", _padding_off_by_one
    ),
    Mistake(
        "ignored-stride", ("output",), "the stride is ignored: the window moves one cell at a time",
        _ignored_stride,
    ),
    Mistake(
        "ignored-dilation", ("output",),
        "the dilation is ignored: the filter taps are next to each other instead of d−1 cells apart",
        _ignored_dilation,
    ),
    Mistake(
        "ignored-upstream", ("grad_input", "grad_filter", "grad_bias"),
        "δ = ∂L/∂Y is taken as all ones — the chain rule multiplies every term by the given δ",
        _ignored_upstream,
    ),
    Mistake(
        "output-as-grad", ("grad_input", "grad_filter", "grad_bias"),
        "the forward output Y is back-propagated in place of δ = ∂L/∂Y",
        _output_as_grad,
    ),
    Mistake(
        "rotated-delta", ("grad_filter",),
        "δ is rotated by 180° (a convolution of X with δ instead of a correlation)",
        _rotated_delta,
    ),
)  # fmt: skip

BY_ID = {mistake.id: mistake for mistake in CATALOG}


def for_array(name: str) -> list[Mistake]:
    """The mistakes that can spoil ``name``, most classic first."""
    return [mistake for mistake in CATALOG if name in mistake.arrays]


@dataclass(frozen=True)
class Diagnosis:
    """The mistake a wrong answer matches: in every cell (exact) or in most (``matching`` of ``cells``)."""

    mistake: str
    explanation: str
    matching: int
    cells: int
    also: tuple[str, ...] = ()  # other mistakes that give exactly the same array

    @property
    def exact(self) -> bool:
        return self.matching == self.cells


Agreement = Callable[[np.ndarray], "np.ndarray | None"]


def diagnose(p: Solved, name: str, agrees: Agreement) -> Diagnosis | None:
    """The mistake whose ``name`` the student's answer matches, or None.

    ``agrees(array)`` gives the mask of the student's cells that agree with ``array``
    (under the rounding and tolerance rules), or None when the shapes differ.  A near
    match needs most cells (≥ 2/3) and most of the cells the mistake changes.
    """
    expected = p.expected(name)
    scored: list[tuple[tuple[Any, ...], Mistake, str, int, int]] = []
    for order, mistake in enumerate(for_array(name)):
        for array, detail in p.candidates(mistake, name):
            mask = agrees(array)
            changed = _changed(array, expected)
            if mask is None or not changed.any():
                continue
            matching, telltale = int(mask.sum()), int((mask & changed).sum())
            exact = matching == mask.size
            if exact or (matching >= NEARLY * mask.size and 2 * telltale > changed.sum()):
                key = (exact, Fraction(telltale, int(changed.sum())), Fraction(matching, mask.size), -order)
                scored.append((key, mistake, detail, matching, mask.size))
    if not scored:
        return None
    scored.sort(key=lambda entry: entry[0], reverse=True)
    _, mistake, detail, matching, cells = scored[0]
    also = tuple(dict.fromkeys(m.id for key, m, *_ in scored[1:] if key[0] and m.id != mistake.id))
    return Diagnosis(
        mistake.id, explanation(p, mistake, name, detail, matching, cells), matching, cells, also
    )


def _changed(array: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Cells where the mistake's answer differs from the right one (all of them if the shapes differ).

    Shapes that differ only by axes of length 1 (a row for a column) hold the same numbers, and the
    check accepts one for the other, so they are compared cell by cell.
    """
    if array.size != expected.size or _squeezed(array.shape) != _squeezed(expected.shape):
        return np.ones(array.shape, dtype=bool)
    same = [_same(a, e) for a, e in zip(array.flat, expected.flat)]
    return ~np.array(same, dtype=bool).reshape(array.shape)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (float, np.floating)) or isinstance(b, (float, np.floating)):
        return bool(np.isclose(float(a), float(b), rtol=1e-9, atol=1e-12))
    return bool(a == b)


def explanation(p: Solved, mistake: Mistake, name: str, detail: str, matching: int, cells: int) -> str:
    """A sentence for the student: "your ∂L/∂X is what you get when …"."""
    how = "is" if matching == cells else f"matches, in {matching} of {cells} cells,"
    variant = f" ({detail})" if detail else ""
    return f"your {SYMBOLS[name]} {how} what you get when {mistake.reason(p.spec.mode)}{variant}."


def shape_causes(p: Solved, name: str, shape: tuple[int, ...]) -> list[Mistake]:
    """Mistakes that give ``name`` this (wrong) shape: what usually causes a shape mismatch."""
    return [
        mistake
        for mistake in for_array(name)
        if any(_squeezed(array.shape) == _squeezed(shape) for array, _ in p.candidates(mistake, name))
    ]


def _squeezed(shape: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(n for n in shape if n != 1)
