"""Hypothesis strategies for random, valid convolution problems.

A :class:`Problem` is the argument list of one ``backward`` call: dims 1–3,
batch 1–2, grouped and depthwise channels, any kernel/stride/dilation, every
padding form, both modes and every short form.  Sizes stay small (spatial ≤ 7,
fewer axes allowed the more dims there are) so the pure-Python oracle is quick.
A :class:`Layer` is one problem in full forms for the engine's functions, drawn
to run through one of its paths (:data:`PATHS`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from math import prod
from types import ModuleType
from typing import Any

import numpy as np
import oracle
from hypothesis import strategies as st

from convgrad_cli.engine import grads, resolve_spec
from convgrad_cli.engine.spec import ConvSpec

KINDS = ("int", "fraction", "float64", "float32", "bigint", "int64edge")
MAX_SPATIAL = {1: 7, 2: 6, 3: 4}  # per axis
MAX_KERNEL = {1: 4, 2: 3, 3: 3}  # per axis
PADDING_FORMS = ("int", "axes", "pairs", "valid", "same", "full")
BIG = 2**63
PATHS = ("stride1", "strided", "grouped", "depthwise")  # the fast engine's paths (see layers)
LAYER_SPATIAL = {1: 9, 2: 6, 3: 4}


def values(kind: str) -> st.SearchStrategy[Any]:
    """Scalars of one kind (see KINDS): small ints, Fractions, floats, or ints near/beyond ±2**63."""
    if kind == "int":
        return st.integers(-5, 5)
    if kind == "fraction":
        small = st.builds(Fraction, st.integers(-7, 7), st.integers(1, 6))
        return st.one_of(small, st.integers(-3, 3))  # ints mixed in: Fraction·int must stay exact
    if kind == "float64":
        return st.floats(-4, 4, allow_nan=False, allow_infinity=False)
    if kind == "float32":
        return st.floats(-4, 4, allow_nan=False, allow_infinity=False, width=32)
    if kind == "int64edge":  # fits int64, but sums of products overflow it
        edge = st.integers(2**62, 2**63 - 1)
        return st.one_of(st.integers(-3, 3), edge, edge.map(lambda v: -v), st.just(-(2**63)))
    if kind == "bigint":
        huge = st.integers(BIG - 2**10, BIG + 2**10) | st.integers(2**64, 2**66)
        return st.one_of(st.integers(-3, 3), huge, huge.map(lambda v: -v))
    raise ValueError(kind)


def nest(flat: list[Any], shape: tuple[int, ...]) -> Any:
    """Row-major flat list → nested lists of ``shape`` (a bare value for shape ())."""
    if not shape:
        return flat[0]
    step = len(flat) // shape[0]
    return [nest(flat[i * step : (i + 1) * step], shape[1:]) for i in range(shape[0])]


def _container(kind: str, nested: Any, as_array: bool) -> Any:
    """The user's container: nested lists, or a NumPy array of the kind's natural dtype."""
    if kind == "float32":  # float32 only exists as NumPy data
        return np.asarray(nested, dtype=np.float32)
    if not as_array:
        return nested
    dtype = {"int": np.int64, "int64edge": np.int64, "float64": np.float64}.get(kind, object)
    return np.asarray(nested, dtype=dtype)


@st.composite
def arrays(draw: st.DrawFn, kind: str, shape: tuple[int, ...]) -> Any:
    """An array of ``shape`` and ``kind`` as nested lists or NumPy."""
    flat = draw(st.lists(values(kind), min_size=prod(shape), max_size=prod(shape)))
    return _container(kind, nest(flat, shape), draw(st.booleans()))


def to_python(a: Any) -> Any:
    """NumPy data → nested lists / scalars of Python numbers, for the oracle."""
    return a.tolist() if isinstance(a, (np.ndarray, np.generic)) else a


@dataclass
class Problem:
    """One ``backward`` call: positional operands and keyword parameters, in the user's forms."""

    input: Any
    filter: Any
    grad_output: Any
    bias: Any
    params: dict[str, Any]
    kind: str

    @property
    def dims(self) -> int:
        return int(self.params["dims"])

    def run(self, fn: Callable[..., Any]) -> Any:
        """``fn(input, filter, grad_output, bias=…, **params)`` — backward, the oracle or torch."""
        return fn(self.input, self.filter, self.grad_output, bias=self.bias, **self.params)

    def oracle(self) -> oracle.Result:
        """The brute-force result, in the user's forms."""
        args = (to_python(self.input), to_python(self.filter), to_python(self.grad_output))
        return oracle.backward(*args, bias=to_python(self.bias), **self.params)


@dataclass(frozen=True)
class Axis:
    """One spatial axis: input size, kernel size, stride, dilation, (before, after) padding."""

    size: int
    kernel: int
    stride: int
    dilation: int
    pad: tuple[int, int]


@st.composite
def axis(draw: st.DrawFn, dims: int, form: str, same_pad: int) -> Axis:
    """An axis whose padded input is at least as large as the dilated kernel.

    ``same_pad`` is the padding every axis shares when the user gives one int.
    """
    smax = MAX_SPATIAL[dims]
    k = draw(st.integers(1, MAX_KERNEL[dims]))
    # Dilation > 1 with k = 1 is legal and a good edge case; otherwise keep d·(k−1)+1 ≤ smax.
    d = draw(st.integers(1, 3 if k == 1 else max(1, (smax - 1) // (k - 1))))
    span = d * (k - 1)
    stride = 1 if form == "same" else draw(st.integers(1, 3))
    if form == "int":
        pad = (same_pad, same_pad)
    elif form == "axes":
        p = draw(st.integers(0, 2))
        pad = (p, p)
    elif form == "pairs":
        pad = (draw(st.integers(0, 3)), draw(st.integers(0, 3)))
    else:  # the word forms; the oracle's resolver is checked against torch in the self-check
        pad = oracle.resolve_padding(form, [k], [stride], [d])[0]
    size = draw(st.integers(max(1, span + 1 - sum(pad)), smax))
    return Axis(size, k, stride, d, pad)


def _user_ints(draw: st.DrawFn, values: list[int], as_list: bool) -> int | tuple[int, ...] | list[int]:
    """Per-axis ints as the user might write them: one int when all agree, else a sequence."""
    if len(set(values)) == 1 and draw(st.booleans()):
        return values[0]
    return list(values) if as_list else tuple(values)


def _user_padding(draw: st.DrawFn, form: str, axes: list[Axis], as_list: bool) -> Any:
    seq: Callable[[Any], Any] = list if as_list else tuple
    if form in ("valid", "same", "full"):
        return form
    if form == "int":
        return axes[0].pad[0]
    if form == "axes":
        return seq(a.pad[0] for a in axes)
    return seq(seq(a.pad) for a in axes)


@st.composite
def channels(draw: st.DrawFn, x_rank: int, w_rank: int, dims: int) -> tuple[int, int, int, int]:
    """(N, C_in, C_out, groups) compatible with the short forms of X and W."""
    n = draw(st.integers(1, 2)) if x_rank == dims + 2 else 1
    single_in = x_rank == dims or w_rank == dims  # C_in = 1
    single_out = w_rank < dims + 2  # C_out = 1
    if single_in or single_out:
        groups = 1
        c_in = 1 if single_in else draw(st.integers(1, 3))
        c_out = 1 if single_out else draw(st.integers(1, 3))
        return n, c_in, c_out, groups
    groups = draw(st.integers(1, 3))
    if draw(st.booleans()):  # depthwise: one input and one output channel per group
        return n, groups, groups, groups
    return n, groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2)), groups


@st.composite
def problems(
    draw: st.DrawFn,
    kinds: tuple[str, ...] = ("int",),
    *,
    short_forms: bool = True,
    bias: bool | None = None,
    grad_output: bool | None = None,
) -> Problem:
    """A random valid problem with values of one of ``kinds``.

    ``bias``/``grad_output``: True always gives one, False never, None either.
    """
    kind = draw(st.sampled_from(kinds))
    dims = draw(st.integers(1, 3))
    full_rank = st.just(dims + 2)
    ranks = st.sampled_from((dims, dims + 1, dims + 2)) if short_forms else full_rank
    x_rank, w_rank = draw(full_rank | ranks), draw(full_rank | ranks)  # full forms half the time
    n, c_in, c_out, groups = draw(channels(x_rank, w_rank, dims))
    form = draw(st.sampled_from(PADDING_FORMS))
    same_pad = draw(st.integers(0, 2))
    axes = [draw(axis(dims, form, same_pad)) for _ in range(dims)]
    as_list = draw(st.booleans())
    params = {
        "stride": _user_ints(draw, [a.stride for a in axes], as_list),
        "padding": _user_padding(draw, form, axes, as_list),
        "dilation": _user_ints(draw, [a.dilation for a in axes], as_list),
        "groups": groups,
        "mode": draw(st.sampled_from(("correlate", "convolve"))),
        "dims": dims,
    }
    full_x = (n, c_in, *(a.size for a in axes))
    full_w = (c_out, c_in // groups, *(a.kernel for a in axes))
    x = draw(arrays(kind, full_x[dims + 2 - x_rank :]))
    w = draw(arrays(kind, full_w[dims + 2 - w_rank :]))
    conv = oracle.Conv(
        tuple(a.stride for a in axes), tuple(a.dilation for a in axes), tuple(a.pad for a in axes)
    )
    out_spatial = conv.output_shape(full_x[2:], full_w[2:])
    out_shape = (n,) * (x_rank == dims + 2) + (c_out,) * (w_rank == dims + 2) + out_spatial
    g = draw(arrays(kind, out_shape)) if draw(_maybe(grad_output)) else None
    b = None
    if draw(_maybe(bias)):
        # A single filter's bias may be written as a bare number or a 1-element list.
        b_shape = (c_out,) if w_rank == dims + 2 or draw(st.booleans()) else ()
        b = draw(arrays(kind, b_shape))
    return Problem(x, w, g, b, params, kind)


def _maybe(flag: bool | None) -> st.SearchStrategy[bool]:
    # Plain booleans lean towards False (hypothesis's "simplest"); True first and thrice keeps δ and b common.
    return st.sampled_from((True, True, True, False)) if flag is None else st.just(flag)


# ---------------------------------------------------------------- full-form layers for the engine


@dataclass(frozen=True)
class Layer:
    """One problem in full forms, with its parameters as ``resolve_spec`` takes them."""

    x: np.ndarray  # (N, C_in, *S), int64
    w: np.ndarray  # (C_out, C_in/G, *K), int64
    delta: np.ndarray  # (N, C_out, *S_out), int64
    params: dict[str, Any]  # stride, padding pairs, dilation, groups, mode, dims

    @property
    def spec(self) -> ConvSpec:
        return resolve_spec(kernel=self.w.shape[2:], **self.params)

    def engine(
        self, dtype: Any, combined: bool = False, path: ModuleType = grads
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(Y, ∂L/∂X, ∂L/∂W) from ``path`` (the fast engine or the reference), operands cast to ``dtype``.

        ``combined``: from :func:`grads.gradients` (X and δ laid out once), else one function each.
        """
        x, w, d = (a.astype(dtype) for a in (self.x, self.w, self.delta))
        return self.run(x, w, d, combined, path)

    def run(
        self, x: np.ndarray, w: np.ndarray, d: np.ndarray, combined: bool = False, path: ModuleType = grads
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(Y, ∂L/∂X, ∂L/∂W) of this layer's parameters on the operands given."""
        spec = self.spec
        if combined:
            return grads.gradients(x, w, d, spec)
        return (
            path.forward(x, w, spec),
            path.grad_input(d, w, spec, x.shape[2:]),
            path.grad_filter(x, d, spec, w.shape[2:]),
        )

    def oracle(self, scale: int = 1) -> tuple[Any, Any, Any]:
        """The brute-force results (nested lists of Python ints), operands multiplied by ``scale``."""
        p = self.params
        conv = oracle.make_conv(
            self.w.shape[2:], stride=p["stride"], padding=p["padding"], dilation=p["dilation"],
            groups=p["groups"], mode=p["mode"],
        )  # fmt: skip
        x, w, d = ((a.astype(object) * scale).tolist() for a in (self.x, self.w, self.delta))
        r = oracle.conv_backward(x, w, d, None, conv)
        return r.output, r.grad_input, r.grad_filter


@st.composite
def layers(draw: st.DrawFn, path: str) -> Layer:
    """A small random layer that runs through ``path`` (see the module docstring)."""
    dims = draw(st.integers(1, 3))
    n = draw(st.integers(1, 2))
    if path == "grouped":
        groups, c_group, per_group = draw(st.integers(2, 3)), draw(st.integers(2, 3)), draw(st.integers(1, 2))
    elif path == "depthwise":
        groups, c_group, per_group = draw(st.integers(2, 4)), 1, draw(st.integers(1, 3))
    else:
        groups, c_group, per_group = 1, draw(st.integers(1, 3)), draw(st.integers(1, 3))
    stride_max = 1 if path == "stride1" else 4
    axes = [draw(_axis(dims, stride_max)) for _ in range(dims)]
    if path == "strided" and all(a[2] == 1 for a in axes):
        axes[0] = (axes[0][0], axes[0][1], 2, axes[0][3], axes[0][4])
    size, kernel, stride, dilation, pads = (tuple(v) for v in zip(*axes))
    params = {
        "dims": dims, "stride": list(stride), "dilation": list(dilation), "padding": [list(p) for p in pads],
        "groups": groups, "mode": draw(st.sampled_from(("correlate", "convolve"))),
    }  # fmt: skip
    spec = resolve_spec(kernel=kernel, **params)
    out = spec.output_shape(size, kernel)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    c_in, c_out = groups * c_group, groups * per_group
    return Layer(
        rng.integers(-5, 6, (n, c_in, *size)),
        rng.integers(-5, 6, (c_out, c_group, *kernel)),
        rng.integers(-5, 6, (n, c_out, *out)),
        params,
    )


@st.composite
def _axis(draw: st.DrawFn, dims: int, stride_max: int) -> tuple[int, int, int, int, tuple[int, int]]:
    """(size, kernel, stride, dilation, (before, after)) with the dilated kernel inside the padded input."""
    k = draw(st.integers(1, 3))
    d = draw(st.integers(1, 3))
    pad = (draw(st.integers(0, 4)), draw(st.integers(0, 4)))
    size = draw(st.integers(max(1, d * (k - 1) + 1 - sum(pad)), max(LAYER_SPATIAL[dims], d * (k - 1) + 1)))
    return size, k, draw(st.integers(1, stride_max)), d, pad
