"""A brute-force convolution oracle in pure Python, written from the definition.

Everything here works on nested lists of Python numbers (int, Fraction or
float), so integer and rational results are exact by construction.  The core
loop visits every term ``x[n][ci][pos] * w[o][c][k]`` of every output cell
once and accumulates it into the output and, by the chain rule, into ∂L/∂X
and ∂L/∂W.  It shares no code with ``convgrad_cli``: it must stay small
enough to be checked by eye, and is itself checked against PyTorch in
``test_oracle_selfcheck.py``.

Full forms: X (N, C_in, *S), W (C_out, C_in/groups, *K), δ (N, C_out, *S_out),
b (C_out,).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from itertools import product
from typing import Any

Number = int | Fraction | float
Nested = Any  # a nested list of Numbers; its depth depends on dims
Pair = tuple[int, int]
PaddingArg = int | str | Sequence[int | Sequence[int]]


# ---------------------------------------------------------------- nested lists


def shape_of(t: Nested) -> tuple[int, ...]:
    """Shape of a rectangular nested list (a bare number has shape ())."""
    shape: list[int] = []
    while isinstance(t, list):
        shape.append(len(t))
        t = t[0]
    return tuple(shape)


def zeros(shape: Sequence[int]) -> Nested:
    """A nested list of int 0 of ``shape``."""
    if not shape:
        return 0
    return [zeros(shape[1:]) for _ in range(shape[0])]


def get(t: Nested, index: Sequence[int]) -> Number:
    for i in index:
        t = t[i]
    return t


def add_at(t: Nested, index: Sequence[int], value: Number) -> None:
    """t[index] += value, for a nested list ``t`` and a full index."""
    for i in index[:-1]:
        t = t[i]
    t[index[-1]] += value


def flip_spatial(w: Nested, dims: int) -> Nested:
    """W with every spatial axis reversed (the leading two axes untouched)."""

    def flip(t: Nested, depth: int) -> Nested:
        if depth == 0:
            return t
        return [flip(s, depth - 1) for s in reversed(t)]

    return [[flip(wc, dims) for wc in wo] for wo in w]


def grid(shape: Sequence[int]) -> Iterator[tuple[int, ...]]:
    """Every index of an array of ``shape``, in row-major order."""
    return product(*(range(n) for n in shape))


# ---------------------------------------------------------------- parameters


def per_axis(value: int | Sequence[int], dims: int) -> tuple[int, ...]:
    """An int (same on every axis) or one int per axis → tuple of ``dims`` ints."""
    if isinstance(value, int):
        return (value,) * dims
    assert len(value) == dims, (value, dims)
    return tuple(value)


def resolve_padding(
    padding: PaddingArg, kernel: Sequence[int], stride: Sequence[int], dilation: Sequence[int]
) -> list[Pair]:
    """Any user padding form → one (before, after) pair per spatial axis.

    Forms: int; per-axis ints; per-axis (before, after) pairs; "valid"; "same"
    (stride 1 only; total d·(k−1), before = total//2, as PyTorch); "full"
    (d·(k−1) on both sides).  ``kernel`` is the spatial filter shape.
    """
    dims = len(kernel)
    spans = [d * (k - 1) for k, d in zip(kernel, per_axis(dilation, dims), strict=True)]
    if padding == "valid":
        return [(0, 0)] * dims
    if padding == "full":
        return [(t, t) for t in spans]
    if padding == "same":
        assert all(s == 1 for s in per_axis(stride, dims)), "'same' needs stride 1"
        return [(t // 2, t - t // 2) for t in spans]
    if isinstance(padding, int):
        return [(padding, padding)] * dims
    assert not isinstance(padding, str) and len(padding) == dims, padding
    pairs: list[Pair] = []
    for p in padding:
        before, after = (p, p) if isinstance(p, int) else p
        pairs.append((before, after))
    return pairs


@dataclass(frozen=True)
class Conv:
    """Resolved parameters, one entry per spatial axis."""

    stride: tuple[int, ...]
    dilation: tuple[int, ...]
    padding: tuple[Pair, ...]
    groups: int = 1
    mode: str = "correlate"

    @property
    def dims(self) -> int:
        return len(self.stride)

    def output_shape(self, spatial: Sequence[int], kernel: Sequence[int]) -> tuple[int, ...]:
        """⌊(S + before + after − d·(k−1) − 1) / s⌋ + 1 per axis."""
        return tuple(
            (n + b + a - d * (k - 1) - 1) // s + 1
            for n, k, s, d, (b, a) in zip(
                spatial, kernel, self.stride, self.dilation, self.padding, strict=True
            )
        )


def make_conv(
    kernel: Sequence[int],
    *,
    stride: int | Sequence[int] = 1,
    padding: PaddingArg = 0,
    dilation: int | Sequence[int] = 1,
    groups: int = 1,
    mode: str = "correlate",
) -> Conv:
    """Conv from the user's parameter forms; ``kernel`` is the spatial filter shape."""
    dims = len(kernel)
    s, d = per_axis(stride, dims), per_axis(dilation, dims)
    return Conv(s, d, tuple(resolve_padding(padding, kernel, s, d)), groups, mode)


# ---------------------------------------------------------------- the oracle


@dataclass
class Result:
    """Oracle results as nested lists (grad_bias None without bias).

    :func:`conv_backward` gives full forms; :func:`backward` gives the user's forms,
    where grad_bias is a bare number for a single filter.
    """

    output: Nested
    grad_input: Nested
    grad_filter: Nested
    grad_bias: Any


def conv_backward(
    x: Nested, w: Nested, delta: Nested | None, bias: list[Number] | None, conv: Conv
) -> Result:
    """Forward output and all gradients of L = ⟨Y, δ⟩, on full forms.

    x (N, C_in, *S), w (C_out, C_in/groups, *K), delta (N, C_out, *S_out) or
    None for all ones (L = ΣY), bias (C_out,) or None.
    """
    dims = conv.dims
    if conv.mode == "convolve":
        # Y = corr(X, flip(W)); since flip is its own inverse, ∂L/∂W = flip(∂L/∂flip(W)).
        flipped = conv_backward(x, flip_spatial(w, dims), delta, bias, replace(conv, mode="correlate"))
        flipped.grad_filter = flip_spatial(flipped.grad_filter, dims)
        return flipped
    xs, ws = shape_of(x), shape_of(w)
    n_batch, c_in, spatial = xs[0], xs[1], xs[2:]
    c_out, c_group, kernel = ws[0], ws[1], ws[2:]
    assert c_in == c_group * conv.groups and c_out % conv.groups == 0, (xs, ws, conv.groups)
    out_spatial = conv.output_shape(spatial, kernel)
    out_per_group = c_out // conv.groups
    if delta is None:
        delta = _fill((n_batch, c_out, *out_spatial), 1)
    assert shape_of(delta) == (n_batch, c_out, *out_spatial), (shape_of(delta), out_spatial)

    y = zeros((n_batch, c_out, *out_spatial))
    dx, dw = zeros(xs), zeros(ws)
    for n, o, i in product(range(n_batch), range(c_out), grid(out_spatial)):
        g = o // out_per_group  # the group output channel o belongs to
        dy = get(delta, (n, o, *i))
        if bias is not None:
            add_at(y, (n, o, *i), bias[o])
        for c, k in product(range(c_group), grid(kernel)):
            pos = tuple(
                i[a] * conv.stride[a] + k[a] * conv.dilation[a] - conv.padding[a][0] for a in range(dims)
            )
            if not all(0 <= p < size for p, size in zip(pos, spatial, strict=True)):
                continue  # the tap reads zero padding: the term is 0 and has no gradient
            ci = g * c_group + c
            xv, wv = get(x, (n, ci, *pos)), get(w, (o, c, *k))
            add_at(y, (n, o, *i), xv * wv)
            add_at(dx, (n, ci, *pos), dy * wv)  # ∂(xv·wv)/∂xv = wv
            add_at(dw, (o, c, *k), dy * xv)  # ∂(xv·wv)/∂wv = xv
    db = None
    if bias is not None:
        db = [
            sum((get(delta, (n, o, *i)) for n in range(n_batch) for i in grid(out_spatial)), 0)
            for o in range(c_out)
        ]
    return Result(y, dx, dw, db)


def _fill(shape: Sequence[int], value: Number) -> Nested:
    if not shape:
        return value
    return [_fill(shape[1:], value) for _ in range(shape[0])]


# ---------------------------------------------------------------- short forms


@dataclass(frozen=True)
class Forms:
    """Which optional axes the user's arrays have (see the package's short forms).

    batched: X has rank dims+2, so Y and δ have a batch axis.
    multi: W has rank dims+2, so Y and δ have a channel axis and ∂L/∂b is (C_out,).
    """

    dims: int
    x_rank: int
    w_rank: int

    @property
    def batched(self) -> bool:
        return self.x_rank == self.dims + 2

    @property
    def multi(self) -> bool:
        return self.w_rank == self.dims + 2

    def full_input(self, x: Nested) -> Nested:
        for _ in range(self.dims + 2 - self.x_rank):
            x = [x]
        return x

    def full_filter(self, w: Nested) -> Nested:
        for _ in range(self.dims + 2 - self.w_rank):
            w = [w]
        return w

    def full_delta(self, d: Nested) -> Nested:
        """δ in the user's form → (N, C_out, *S_out)."""
        if not self.batched:
            d = [d]
        return d if self.multi else [[dn] for dn in d]

    def full_bias(self, b: Any) -> list[Number]:
        """A scalar (single filter) or a length-C_out list → (C_out,)."""
        return list(b) if isinstance(b, (list, tuple)) else [b]

    def user_output(self, y: Nested) -> Nested:
        """(N, C_out, *S_out) → the user's form of Y (and of δ)."""
        if not self.multi:
            y = [yn[0] for yn in y]
        return y if self.batched else y[0]

    def user_input(self, dx: Nested) -> Nested:
        for _ in range(self.dims + 2 - self.x_rank):
            dx = dx[0]
        return dx

    def user_filter(self, dw: Nested) -> Nested:
        for _ in range(self.dims + 2 - self.w_rank):
            dw = dw[0]
        return dw

    def user_bias(self, db: list[Number]) -> Number | list[Number]:
        return db if self.multi else db[0]


def backward(
    input: Nested,
    filter: Nested,
    grad_output: Nested | None = None,
    *,
    bias: Any = None,
    stride: int | Sequence[int] = 1,
    padding: PaddingArg = 0,
    dilation: int | Sequence[int] = 1,
    groups: int = 1,
    mode: str = "correlate",
    dims: int = 2,
) -> Result:
    """The oracle with ``convgrad_cli.backward``'s signature, on nested lists.

    Accepts full or short forms and returns nested lists in the same forms
    (grad_bias a bare number for a single filter).
    """
    forms = Forms(dims, len(shape_of(input)), len(shape_of(filter)))
    x, w = forms.full_input(input), forms.full_filter(filter)
    conv = make_conv(
        shape_of(w)[2:], stride=stride, padding=padding, dilation=dilation, groups=groups, mode=mode
    )
    delta = None if grad_output is None else forms.full_delta(grad_output)
    b = None if bias is None else forms.full_bias(bias)
    r = conv_backward(x, w, delta, b, conv)
    return Result(
        forms.user_output(r.output),
        forms.user_input(r.grad_input),
        forms.user_filter(r.grad_filter),
        None if r.grad_bias is None else forms.user_bias(r.grad_bias),
    )
