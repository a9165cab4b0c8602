"""Exact gradients tap by tap: vectorised numerator/denominator arrays instead of a Ratio per term.

With per-cell denominators (:class:`~convgrad_cli.exact.Ratio`) the engine's object loops call
Python for every product and every addition.  A filter with few taps (weights) gives another
route: the forward pass reads, for tap t, one input cell per output cell (or padding), so

    Y[o] = Σ_t W[t] · X[src_t(o)],  ∂L/∂W[t] = Σ_o δ[o] · X[src_t(o)],  ∂L/∂X[src_t(o)] += W[t] · δ[o].

``src_t`` is read off the engine's own forward pass run on cell numbers with a one-hot filter, so
stride, padding, dilation, groups and convolve mode come from the engine, not from a copy of it.
Each sum is then added as a tree of whole arrays, ``(n₁·d₂ + n₂·d₁, d₁·d₂)``, by NumPy's object
loops calling the integer operations directly; every result cell is reduced once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ..exact import Ratio, Scaled, normalize

MAX_TAPS = 1024  # weights: one forward pass each to find where they read
MAX_TAP_CELLS = 1 << 22  # taps × cells of X or Y: where every tap reads (int64), held at once
SUM_CELLS = 1 << 18  # ∂L/∂W's products held at once (object arrays), a few taps at a time
FRACTIONS_FROM = 64  # a sum's last columns are added as Fractions: gcds of halves beat one of the whole

Pairs = tuple[np.ndarray, np.ndarray]  # numerators, denominators (object arrays of Python ints)


def fits(x: np.ndarray, w: np.ndarray, g: np.ndarray) -> bool:
    """True when the taps pay: few enough to hold, and no more than output cells.

    Finding where a tap reads costs a forward pass; with fewer output cells than taps
    (a filter as large as the input) those passes cost more than the sums they save.
    """
    return w.size <= min(MAX_TAPS, g.size) and w.size * max(x.size, g.size) <= MAX_TAP_CELLS


@dataclass(frozen=True, slots=True, eq=False)
class Taps:
    """Where each weight reads: ``src[t, n·R + r]`` is the flat input cell W[t] meets in output
    (n, co(t), r), −1 where it meets padding; ``channel[t]`` = co(t), the one output channel W[t] feeds.

    ``y`` is (N, C_out, R) and ``x`` (N, C_in, S), R and S the output's and input's spatial sizes.
    """

    src: np.ndarray
    channel: np.ndarray
    y: tuple[int, int, int]
    x: tuple[int, int, int]


def sources(
    forward: Callable[[np.ndarray, np.ndarray], np.ndarray],
    x_shape: tuple[int, ...],
    w_shape: tuple[int, ...],
) -> Taps:
    """The engine's forward pass, once per tap, on cell numbers with a one-hot filter."""
    cells = np.arange(1, int(np.prod(x_shape)) + 1, dtype=np.float64).reshape(x_shape)  # exact below 2⁵³
    one_hot = np.zeros(int(np.prod(w_shape)), dtype=np.float64)
    channel = np.arange(one_hot.size) // (one_hot.size // w_shape[0])  # W[co, ...] feeds output channel co
    rows = []
    for t, co in enumerate(channel):
        one_hot[t] = 1
        read = forward(cells, one_hot.reshape(w_shape))
        one_hot[t] = 0
        rows.append(np.rint(read[:, co]).astype(np.int64).reshape(-1) - 1)
    n, c_out = read.shape[:2]
    shape_y = (n, c_out, read[0, 0].size)
    return Taps(np.stack(rows), channel, shape_y, (x_shape[0], x_shape[1], int(np.prod(x_shape[2:]))))


def forward(taps: Taps, x: Scaled, w: Scaled) -> Scaled:
    """Y[:, co] = Σ_{t feeding co} W[t] · X[src_t], as (N, C_out, R)."""
    (xn, xd), (wn, wd) = pairs(x), pairs(w)
    n_y, d_y = _blank(taps.y)
    size = taps.y[0] * taps.y[2]
    for co in range(taps.y[1]):
        total = _Tree(size)
        for t in np.flatnonzero((taps.channel == co) & (wn != 0)):
            valid = taps.src[t] >= 0
            n, d = _blank(size)
            n[valid] = xn[taps.src[t, valid]] * wn[t]
            d[valid] = xd[taps.src[t, valid]] * wd[t]
            total.add((n, d))
        n, d = total.sum()
        n_y[:, co], d_y[:, co] = n.reshape(taps.y[0], -1), d.reshape(taps.y[0], -1)
    return _scaled((n_y, d_y), x.den * w.den)


def grad_input(taps: Taps, g: Scaled, w: Scaled) -> Scaled:
    """∂L/∂X[src_t(o)] += W[t] · δ[o], as (N, C_in, S): one tree per input channel (a tap reads a cell once)."""
    (gn, gd), (wn, wd) = (_by_channel(a, taps.y) for a in pairs(g)), pairs(w)
    batch, c_in, space = taps.x
    reads = np.where(taps.src >= 0, taps.src, 0)
    inputs = (reads.max(axis=1) // space) % c_in  # the one input channel each tap reads
    n_x, d_x = _blank(taps.x)
    for ci in range(c_in):
        total = _Tree(batch * space)
        for t in np.flatnonzero((inputs == ci) & (wn != 0) & (taps.src >= 0).any(axis=1)):
            valid = taps.src[t] >= 0
            at = (
                taps.src[t, valid] // (c_in * space) * space + taps.src[t, valid] % space
            )  # (n, s) in channel ci
            n, d = _blank(batch * space)
            n[at] = gn[taps.channel[t], valid] * wn[t]
            d[at] = gd[taps.channel[t], valid] * wd[t]
            total.add((n, d))
        n, d = total.sum()
        n_x[:, ci], d_x[:, ci] = n.reshape(batch, space), d.reshape(batch, space)
    return _scaled((n_x, d_x), g.den * w.den)


def grad_filter(taps: Taps, x: Scaled, g: Scaled) -> Scaled:
    """∂L/∂W[t] = Σ_o δ[o] · X[src_t(o)], flat over W's taps: the sums over o run as one tree per few taps."""
    (xn, xd), (gn, gd) = pairs(x), (_by_channel(a, taps.y) for a in pairs(g))
    count, step = taps.src.shape[0], max(1, SUM_CELLS // taps.src.shape[1])
    sums = [
        _sums(taps.src[t : t + step], taps.channel[t : t + step], (xn, xd), (gn, gd))
        for t in range(0, count, step)
    ]
    n, d = (np.concatenate(parts) for parts in zip(*sums))
    return _scaled((n, d), x.den * g.den)


def _sums(src: np.ndarray, channel: np.ndarray, x: Pairs, g: Pairs) -> Pairs:
    """Σ_o δ[channel[t], o] · X[src[t, o]] for each row t, as a tree over o (the last levels in Fractions)."""
    (xn, xd), (gn, gd) = x, g
    valid = src >= 0
    n, d = _blank(src.shape)
    n[valid] = gn[channel][valid] * xn[src[valid]]
    d[valid] = gd[channel][valid] * xd[src[valid]]
    reduced = False
    while n.shape[1] > 1:
        if n.shape[1] <= FRACTIONS_FROM and not reduced:
            n, d, reduced = np.asarray(_fraction(n, d), dtype=object), np.ones(d.shape, dtype=object), True
        if n.shape[1] % 2:
            pad_n, pad_d = _blank((n.shape[0], 1))
            n, d = np.concatenate([n, pad_n], axis=1), np.concatenate([d, pad_d], axis=1)
        n, d = _add((n[:, 0::2], d[:, 0::2]), (n[:, 1::2], d[:, 1::2]))
    return n[:, 0], d[:, 0]


def _by_channel(a: np.ndarray, y: tuple[int, int, int]) -> np.ndarray:
    """Flat (N·C_out·R) → (C_out, N·R): a channel's cells in the order ``Taps.src`` lists them."""
    return a.reshape(y).transpose(1, 0, 2).reshape(y[1], -1)


_numerator = np.frompyfunc(lambda v: v.n if isinstance(v, Ratio) else v, 1, 1)
_denominator = np.frompyfunc(lambda v: v.d if isinstance(v, Ratio) else 1, 1, 1)


def pairs(s: Scaled) -> Pairs:
    """Flat numerators and denominators of ``s`` (its common denominator ``s.den`` left out)."""
    flat = s.num.reshape(-1)
    if s.fractions:
        return np.asarray(_numerator(flat), dtype=object), np.asarray(_denominator(flat), dtype=object)
    return flat.astype(object), np.ones(flat.size, dtype=object)


def _blank(shape: int | tuple[int, ...]) -> Pairs:
    """Zeros over one: Python ints 0 and 1, so padding adds nothing to a sum's denominator."""
    return np.zeros(shape, dtype=object), np.ones(shape, dtype=object)


def _add(p: Pairs, q: Pairs) -> Pairs:
    """p + q cell by cell, unreduced: (n₁·d₂ + n₂·d₁, d₁·d₂), or (n₁ + n₂, d) where the denominators agree."""
    (n1, d1), (n2, d2) = p, q
    same = d1 == d2
    if not same.any():
        return n1 * d2 + n2 * d1, d1 * d2
    n, d = n1 + n2, d1.copy()
    other = ~same
    n[other] = n1[other] * d2[other] + n2[other] * d1[other]
    d[other] = d1[other] * d2[other]
    return n, d


class _Tree:
    """Σ terms added in pairs as they come (a binary counter): at most log₂(terms) partial sums held."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.stack: list[tuple[int, Pairs]] = []  # (how many terms, their sum), fewer towards the top

    def add(self, term: Pairs) -> None:
        count = 1
        while self.stack and self.stack[-1][0] == count:
            below = self.stack.pop()[1]
            term, count = _add(below, term), 2 * count
        self.stack.append((count, term))

    def sum(self) -> Pairs:
        if not self.stack:
            return _blank(self.size)
        total = self.stack.pop()[1]
        while self.stack:
            total = _add(self.stack.pop()[1], total)
        return total


def _lowest(n: int | Fraction, d: int) -> int | Fraction:
    if isinstance(n, Fraction):  # a tree's sum, already in lowest terms: no gcd of its whole length again
        return normalize(n / d) if d != 1 else normalize(n)
    return normalize(Fraction(n, d))


_fraction = np.frompyfunc(lambda n, d: n if d == 1 else Fraction(n, d), 2, 1)
_reduced = np.frompyfunc(_lowest, 2, 1)


def _scaled(p: Pairs, den: int) -> Scaled:
    """Exact values (ints and Fractions in lowest terms, one gcd per cell) as a Scaled over 1."""
    n, d = p
    if den != 1:
        d = d * den
    return Scaled(np.asarray(_reduced(n, d), dtype=object), 1, fractions=True)
