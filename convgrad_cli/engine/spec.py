"""The convolution's parameters, validated once and frozen.

Users may write stride, dilation and padding in several forms (an int, one
value per axis, ``[before, after]`` pairs, or the words ``valid``/``same``/
``full``); :func:`resolve_spec` turns them into one canonical :class:`ConvSpec`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Integral
from typing import Literal

from ..errors import InputError

Mode = Literal["correlate", "convolve"]
MODES: tuple[Mode, ...] = ("correlate", "convolve")
PADDING_WORDS = ("valid", "same", "full")
MAX_PARAMETER = 1_000_000  # larger values are typos, not convolutions

PaddingArg = int | str | Sequence[int | Sequence[int]]
IntOrSeq = int | Sequence[int]
Pairs = tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class ConvSpec:
    """Resolved parameters: one entry per spatial axis, padding as (before, after).

    Frozen and hashable: a spec keys the engine's plan cache.
    """

    dims: int
    stride: tuple[int, ...]
    dilation: tuple[int, ...]
    padding: Pairs
    groups: int = 1
    mode: Mode = "correlate"

    def padded_shape(self, spatial: Sequence[int]) -> tuple[int, ...]:
        """Spatial shape of the zero-padded input."""
        return tuple(s + b + a for s, (b, a) in zip(spatial, self.padding))

    def dilated_kernel(self, kernel: Sequence[int]) -> tuple[int, ...]:
        """Extent of the filter once spread by dilation: d·(k−1) + 1."""
        return tuple(d * (k - 1) + 1 for k, d in zip(kernel, self.dilation))

    def output_shape(self, spatial: Sequence[int], kernel: Sequence[int]) -> tuple[int, ...]:
        """Spatial output shape ⌊(S + p_b + p_a − d·(k−1) − 1) / s⌋ + 1 per axis."""
        padded = self.padded_shape(spatial)
        extent = self.dilated_kernel(kernel)
        return tuple((p - e) // s + 1 for p, e, s in zip(padded, extent, self.stride))

    def describe(self) -> str:
        """The configuration in one line, for people."""
        return (
            f"{self.dims}-D {self.mode}, stride {axes_text(self.stride)}, "
            f"padding {padding_text(self.padding)}, dilation {axes_text(self.dilation)}, "
            f"groups {self.groups}"
        )


def axes_text(values: Sequence[int]) -> str:
    """``2`` when every axis agrees, else ``2×1``."""
    return str(values[0]) if len(set(values)) == 1 else "×".join(map(str, values))


def padding_text(padding: Pairs) -> str:
    """``1``, ``1×0`` per axis, or ``[1, 2]×[0, 1]`` when before ≠ after."""
    if all(b == a for b, a in padding):
        return axes_text([b for b, _ in padding])
    return "×".join(f"[{b}, {a}]" for b, a in padding)


def resolve_spec(
    *,
    dims: int,
    kernel: Sequence[int],
    stride: IntOrSeq = 1,
    padding: PaddingArg = 0,
    dilation: IntOrSeq = 1,
    groups: int = 1,
    mode: str = "correlate",
    spatial: Sequence[int] | None = None,
) -> ConvSpec:
    """Validate user parameters against the filter's spatial ``kernel`` shape.

    ``spatial``, the input's spatial shape, lets a refused ``same`` name the padding to use instead.
    """
    dims = check_dims(dims)
    stride_t = per_axis("stride", stride, dims, minimum=1)
    dilation_t = per_axis("dilation", dilation, dims, minimum=1)
    if mode not in MODES:
        raise InputError("mode", f"unknown mode {mode!r}", "use 'correlate' or 'convolve'")
    pads = resolve_padding(padding, kernel, stride_t, dilation_t, spatial)
    return ConvSpec(dims, stride_t, dilation_t, pads, _positive("groups", groups), mode)  # type: ignore[arg-type]


def check_dims(dims: object) -> int:
    if not _is_int(dims) or not 1 <= dims <= 3:  # type: ignore[operator]
        raise InputError("dims", f"dims is {_show(dims)}", "dims must be 1, 2 or 3 (spatial axes)")
    return int(dims)  # type: ignore[call-overload]


def _show(value: object) -> str:
    """A parameter as the user wrote it (3/2, not Fraction(3, 2))."""
    return repr(value) if isinstance(value, str) else str(value)


def _is_int(value: object) -> bool:
    # numbers.Integral admits NumPy integers too; bool is excluded on purpose (True is no stride).
    return isinstance(value, Integral) and not isinstance(value, bool)


def _positive(name: str, value: object, minimum: int = 1) -> int:
    if not _is_int(value):
        raise InputError(name, f"{name} is {_show(value)}", f"{name} must be a whole number ≥ {minimum}")
    if not minimum <= value <= MAX_PARAMETER:  # type: ignore[operator]
        raise InputError(name, f"{name} is {value}", f"{name} must be between {minimum} and {MAX_PARAMETER}")
    return int(value)  # type: ignore[call-overload]


def per_axis(name: str, value: object, dims: int, *, minimum: int) -> tuple[int, ...]:
    """An int, or one int per spatial axis, as a tuple of ``dims`` ints."""
    if isinstance(value, (list, tuple)):
        if len(value) != dims:
            raise InputError(
                name,
                f"{name} has {len(value)} values",
                f"give one {name} or {dims} (one per spatial axis)",
            )
        return tuple(_positive(name, v, minimum) for v in value)
    return (_positive(name, value, minimum),) * dims


def resolve_padding(
    padding: object,
    kernel: Sequence[int],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    spatial: Sequence[int] | None = None,
) -> Pairs:
    """Padding as (before, after) per axis, from any of the accepted forms."""
    dims = len(stride)
    if isinstance(padding, str):
        return _padding_word(padding.strip().lower(), kernel, stride, dilation, spatial)
    if isinstance(padding, (list, tuple)):
        if len(padding) == 1 and isinstance(padding[0], (list, tuple)):
            padding = list(padding) * dims  # one [before, after] pair for every axis
        if len(padding) != dims:
            raise InputError(
                "padding",
                f"padding has {len(padding)} entries",
                f"give one padding, {dims} (one per axis) or {dims} [before, after] pairs",
            )
        return tuple(_pair(p) for p in padding)
    amount = _positive("padding", padding, minimum=0)
    return ((amount, amount),) * dims


def padding_flag(padding: Pairs) -> str:
    """``0:1,0:1``: padding as ``--padding`` takes it, before:after per axis."""
    return ",".join(f"{b}:{a}" for b, a in padding)


def tf_same(
    spatial: Sequence[int], kernel: Sequence[int], stride: Sequence[int], dilation: Sequence[int]
) -> Pairs:
    """TensorFlow's "SAME": ⌈S/s⌉ outputs per axis, the odd extra zero after.

    total = max((⌈S/s⌉ − 1)·s + d·(k−1) + 1 − S, 0) per axis, split ⌊total/2⌋ before.
    """
    pairs = []
    for n, k, s, d in zip(spatial, kernel, stride, dilation):
        total = max((-(-n // s) - 1) * s + d * (k - 1) + 1 - n, 0)
        pairs.append((total // 2, total - total // 2))
    return tuple(pairs)


def _pair(entry: object) -> tuple[int, int]:
    if isinstance(entry, (list, tuple)):
        if len(entry) != 2:
            raise InputError(
                "padding", f"padding pair {list(entry)} has {len(entry)} values", "write [before, after]"
            )
        return (_positive("padding", entry[0], 0), _positive("padding", entry[1], 0))
    amount = _positive("padding", entry, minimum=0)
    return (amount, amount)


def _padding_word(
    word: str,
    kernel: Sequence[int],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    spatial: Sequence[int] | None,
) -> Pairs:
    totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
    if word == "valid":
        return ((0, 0),) * len(stride)
    if word == "full":
        return tuple((t, t) for t in totals)
    if word == "same":
        if any(s != 1 for s in stride):
            # As PyTorch does; TensorFlow's SAME depends on the input size, so it is named, not guessed.
            fix = "use a number or [before, after] pairs with --stride > 1"
            if spatial is not None:
                same = tf_same(spatial, kernel, stride, dilation)
                text = str(same[0][0]) if len(set(same)) == 1 and same[0][0] == same[0][1] else None
                fix = f"for TensorFlow's SAME on this input, give --padding {text or padding_flag(same)}"
            raise InputError("padding", "padding 'same' needs stride 1, as in PyTorch", fix)
        # PyTorch puts the odd extra zero after, not before.
        return tuple((t // 2, t - t // 2) for t in totals)
    raise InputError(
        "padding",
        f"unknown padding {word!r}",
        "use a number, one per axis, [before, after] pairs, or valid / same / full",
    )
