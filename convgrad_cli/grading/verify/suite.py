"""The ladder of cases ``convgrad verify`` runs, from the page's 3×3 example up to random float64 ones.

Each rung adds one thing — padding, stride, a non-square filter, channels, a batch,
several filters, then dilation, groups, 1-D/3-D and per-axis parameters when the function
accepts them — and is small enough to read.  Rungs are made of small non-zero integers
(passed as float64, which holds them exactly), so every expected value from
:func:`~convgrad_cli.engine.backward.backward` is exact and the mistake catalog can tell
one mistake from another; a few random float64 cases of moderate size follow.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...engine.backward import Gradients, backward
from .conventions import PARAMETERS, Convention
from .report import Config

DIGITS = np.array([-3, -2, -1, 1, 2, 3])  # no zeros: a zero hides which product a cell is missing


@dataclass(frozen=True)
class Case:
    """One case in PyTorch's terms: X (N, C_in, *S), W (C_out, C_in/groups, *K), one value per axis."""

    name: str
    input: tuple[int, ...]
    filter: tuple[int, ...]
    stride: tuple[int, ...] = (1, 1)
    padding: tuple[int, ...] = (0, 0)
    dilation: tuple[int, ...] = (1, 1)
    groups: int = 1
    random: bool = False  # random float64 values instead of small integers
    uneven: bool = False  # the last rows of X meet no window (some homework asserts they all do)

    @property
    def dims(self) -> int:
        return len(self.input) - 2

    def needs(self) -> set[str]:
        """The parameters this case must pass with a value other than the default; ``per-axis`` if they differ by axis."""
        needed = {name for name, values, default in self._axes() if any(v != default for v in values)}
        needed |= {"groups"} if self.groups != 1 else set()
        needed |= {"dims"} if self.dims != 2 else set()
        needed |= {"per-axis"} if any(len(set(values)) > 1 for _, values, _ in self._axes()) else set()
        return needed

    def _axes(self) -> list[tuple[str, tuple[int, ...], int]]:
        return [("stride", self.stride, 1), ("padding", self.padding, 0), ("dilation", self.dilation, 1)]

    def params(self, accepts: frozenset[str], per_axis: bool) -> dict[str, Any]:
        """Keyword arguments for the function: only those it accepts, ints unless ``per_axis``."""
        values: dict[str, Any] = {name: v if per_axis else v[0] for name, v, _ in self._axes()}
        values |= {"groups": self.groups, "dims": self.dims}
        return {name: value for name, value in values.items() if name in accepts}

    def operands(self) -> dict[str, np.ndarray]:
        """X, W, δ, b in PyTorch's layout: int64 for the exact rungs, float64 for random cases."""
        rng = np.random.default_rng(zlib.crc32(self.name.encode()))
        if self.random:
            return {name: rng.standard_normal(shape) for name, shape in self.torch_shapes().items()}
        return {name: rng.choice(DIGITS, shape) for name, shape in self.torch_shapes().items()}

    def torch_shapes(self) -> dict[str, tuple[int, ...]]:
        """X, W, δ and b's shapes; δ's spatial axes are ⌊(S + 2p − d·(K−1) − 1) / s⌋ + 1."""
        axes = zip(self.input[2:], self.filter[2:], self.stride, self.padding, self.dilation)
        out = tuple((s + 2 * p - d * (k - 1) - 1) // st + 1 for s, k, st, p, d in axes)
        return {"input": self.input, "filter": self.filter, "grad_output": (self.input[0], self.filter[0], *out),
                "bias": (self.filter[0],)}  # fmt: skip

    def solve(self, operands: dict[str, np.ndarray]) -> Gradients:
        """The exact (or, for random cases, float64) forward output and gradients.

        Solved in the short forms the page writes — a 3×3 X, not (1, 1, 3, 3) — where axes of
        length 1 allow it, so the derivation of a wrong cell reads x₂₂ rather than x₁,₁,₂,₂.
        """
        x, w, g = short_forms(operands["input"], operands["filter"], operands["grad_output"], self.groups)
        return backward(
            x, w, g, bias=operands["bias"],
            stride=list(self.stride), padding=list(self.padding), dilation=list(self.dilation),
            groups=self.groups, dims=self.dims, exact=not self.random,
        )  # fmt: skip

    def config(self, convention: Convention, per_axis: bool) -> Config:
        """The parameters as passed (ints unless ``per_axis``) and the operands' shapes in the convention's layout."""
        passed = self.params(frozenset(PARAMETERS), per_axis)
        shapes = {name: tuple(convention.from_torch(name, np.empty(shape), self.dims).shape)
                  for name, shape in self.torch_shapes().items() if name != "bias" or convention.bias != "none"}  # fmt: skip
        return Config(
            passed["stride"], passed["padding"], passed["dilation"], passed["groups"], self.dims, shapes
        )


def short_forms(x: np.ndarray, w: np.ndarray, g: np.ndarray, groups: int) -> tuple[np.ndarray, ...]:
    """X, W, δ without the leading axes of length 1 the engine's short forms leave out."""
    if w.shape[0] == 1:  # one filter: no output-channel axis on W and δ
        w, g = w[0], g[:, 0]
        if w.shape[0] == 1 and groups == 1:  # over one input channel
            w = w[0]
    if x.shape[0] == 1:  # one image: no batch axis on X and δ
        x, g = x[0], g[0]
        if x.shape[0] == 1 and groups == 1:  # one input channel
            x = x[0]
    return x, w, g


def _c(name: str, x: tuple[int, ...], w: tuple[int, ...], **params: Any) -> Case:
    """A 2-D case; ints become one value per axis."""
    dims = len(x) - 2
    spread = {k: (v,) * dims if isinstance(v, int) and k in ("stride", "padding", "dilation") else v
              for k, v in params.items()}  # fmt: skip
    defaults = {"stride": (1,) * dims, "padding": (0,) * dims, "dilation": (1,) * dims}
    return Case(name, x, w, **(defaults | spread))


LADDER: tuple[Case, ...] = (
    _c("page", (1, 1, 3, 3), (1, 1, 2, 2)),
    _c("padding", (1, 1, 3, 3), (1, 1, 3, 3), padding=1),
    _c("stride", (1, 1, 5, 5), (1, 1, 3, 3), stride=2),
    _c("stride+padding", (1, 1, 5, 5), (1, 1, 3, 3), stride=2, padding=1),
    _c("uneven stride", (1, 1, 6, 6), (1, 1, 3, 3), stride=2, uneven=True),
    _c("non-square", (1, 1, 4, 6), (1, 1, 2, 3)),
    _c("channels", (1, 3, 4, 4), (1, 3, 2, 2)),
    _c("batch", (3, 1, 3, 3), (1, 1, 2, 2)),
    _c("filters", (1, 2, 4, 4), (3, 2, 2, 2)),
    _c("everything", (2, 3, 5, 5), (2, 3, 3, 3), stride=2, padding=1),
    _c("dilation", (1, 1, 5, 5), (1, 1, 2, 2), dilation=2),
    _c("dilation+stride+padding", (2, 2, 6, 6), (2, 2, 2, 2), dilation=2, stride=2, padding=1),
    _c("groups", (1, 4, 4, 4), (4, 2, 2, 2), groups=2),
    _c("depthwise", (2, 3, 4, 4), (3, 1, 3, 3), groups=3, padding=1),
    _c("1-D", (2, 2, 7), (3, 2, 3), stride=2, padding=1),
    _c("3-D", (1, 2, 3, 4, 4), (2, 2, 2, 2, 2), padding=1),
    _c("per-axis", (1, 2, 5, 6), (2, 2, 3, 2), stride=(1, 2), padding=(1, 0)),
    _c("random", (2, 3, 6, 6), (4, 3, 3, 3), padding=1, random=True),
    _c("random stride", (2, 2, 7, 5), (3, 2, 3, 3), stride=2, padding=1, random=True),
    _c("random batch", (3, 2, 5, 5), (2, 2, 3, 3), random=True),
    _c("random, every parameter", (2, 4, 7, 7), (4, 2, 3, 3), stride=2, padding=2, dilation=2, groups=2,
       random=True),
)  # fmt: skip


def ladder(convention: Convention, accepts: frozenset[str], per_axis: bool) -> tuple[list[Case], list[str]]:
    """The cases this function can express, and the names of those it cannot (not run).

    A convention with ``square_filters`` gets square versions of non-square filters; one
    with fixed parameters (CS231n, DLS) no case whose stride leaves rows uncovered.
    """
    can = set(accepts) | ({"per-axis"} if per_axis and convention.params is None else set())
    run, skipped = [], []
    for case in LADDER:
        if convention.square_filters and len(set(case.filter[2:])) > 1:
            k = min(case.filter[2:])
            case = Case(case.name, case.input, (*case.filter[:2], k, k), case.stride, case.padding,
                        case.dilation, case.groups, case.random, case.uneven)  # fmt: skip
        if case.needs() <= can and not (case.uneven and convention.params is not None):
            run.append(case)
        else:
            skipped.append(case.name)
    return run, skipped
