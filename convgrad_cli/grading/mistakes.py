"""The catalog of classic mistakes: what each one does to an answer, and how to say so.

Each mistake recomputes the answer a student gets by doing one step of the derivation
wrong — the filter left unrotated, δ not dilated, the padding not cropped — with the
:class:`~convgrad_cli.grading.solved.Solved` problem's reruns.
:func:`convgrad_cli.grading.diagnosis.diagnose` then asks which of those arrays the
student's matches.

To add a mistake: write a function ``(p: Solved, name) -> list[Candidate]`` here that
returns the wrong array(s) (``[]`` when the mistake cannot happen in this problem), add a
:class:`Mistake` to :data:`CATALOG` with the sentence that completes "your ∂L/∂X is what
you get when …", and a test in ``tests/grading/test_mistakes.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from math import prod, trunc

import numpy as np

from ..engine import rot180
from ..engine.spec import padding_text
from ..exact import is_exact, normalize
from .limits import TRUNCATED_DECIMALS
from .solved import ARRAYS, SPATIAL, Candidate, Solved, as_fraction


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


def _rot90_filter(p: Solved, name: str) -> list[Candidate]:
    kernel = [(k - 1) * d + 1 for k, d in zip(p.w.shape[2:], p.spec.dilation)]
    if p.spec.dims < 2 or kernel[-1] != kernel[-2]:  # a turned non-square filter has another shape
        return []
    return [
        candidate
        for turns, direction in ((1, "counter-clockwise"), (-1, "clockwise"))
        for candidate in _maybe(_user(p, name, p.full_correlation(quarter_turns=turns)), direction)
    ]


def _truncated(p: Solved, name: str) -> list[Candidate]:
    expected = p.expected(name)
    return [(_cut(expected, places), f"{places} decimals") for places in TRUNCATED_DECIMALS]


def _cut(array: np.ndarray, places: int) -> np.ndarray:
    """Every value cut (towards zero) after ``places`` decimals; floats as the decimal they print as."""
    scale = 10**places

    def cut(value: object) -> int | Fraction:
        return normalize(Fraction(trunc(as_fraction(value) * scale), scale))

    return np.asarray(np.frompyfunc(cut, 1, 1)(array), dtype=object)


def _window_off_by_one(p: Solved, name: str) -> list[Candidate]:
    found: list[Candidate] = []
    for axis, label in enumerate(SPATIAL[p.spec.dims]):
        for step in (1, -1):
            detail = f"shifted {'+1' if step > 0 else '−1'} along {label}"
            if name == "grad_input":
                found += _maybe(_user(p, name, p.full_correlation(shift=(axis, step))), detail)
            else:
                found += _maybe(p.rerun(name, input=_shifted(p.x, 2 + axis, step)), detail)
    return found


def _shifted(x: np.ndarray, axis: int, step: int) -> np.ndarray:
    """``x`` read ``step`` cells further along ``axis``: out[i] = x[i + step], zeros past the edge."""
    out = np.zeros_like(x)
    n = x.shape[axis]
    source = np.take(x, range(max(step, 0), n + min(step, 0)), axis=axis)
    index = [slice(None)] * x.ndim
    index[axis] = slice(max(-step, 0), n - max(step, 0))
    out[tuple(index)] = source
    return out


def _stride_on_every_axis(p: Solved, name: str) -> list[Candidate]:
    stride = p.spec.stride
    if 1 not in stride or max(stride) == 1:
        return []
    return _maybe(_user(p, name, p.full_correlation(stride=(max(stride),) * len(stride))))


def _user(p: Solved, name: str, full: np.ndarray | None) -> np.ndarray | None:
    return None if full is None else p.user(name, full)


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
    Mistake(
        "rot90-filter", ("grad_input",),
        "the filter is rotated by 90° instead of 180° before the full correlation with δ",
        _rot90_filter,
        "the filter is rotated by 90° — in convolve mode ∂L/∂X is the full correlation of δ with W as given",
    ),
    Mistake(
        "truncated", ARRAYS,
        "every value is cut off after its last decimal instead of rounded: you truncated; round instead",
        _truncated,
    ),
    Mistake(
        "window-off-by-one", ("grad_input", "grad_filter"),
        "every window is shifted by one position along an axis (the first window starts at the first cell)",
        _window_off_by_one,
    ),
    Mistake(
        "stride-on-every-axis", ("grad_input",),
        "zeros are inserted into δ along an axis whose stride is 1 — only an axis with stride s > 1 "
        "gets s−1 zeros between neighbouring δ entries",
        _stride_on_every_axis,
    ),
)  # fmt: skip

BY_ID = {mistake.id: mistake for mistake in CATALOG}


def for_array(name: str) -> list[Mistake]:
    """The mistakes that can spoil ``name``, most classic first."""
    return [mistake for mistake in CATALOG if name in mistake.arrays]
