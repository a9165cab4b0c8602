"""``backward``: the Python API every command is a thin layer over.

It validates shapes, picks exact or float arithmetic, runs the engine on full
forms and hands results back in the user's own form.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from math import prod
from typing import Any

import numpy as np

from .. import engine
from ..errors import InputError
from ..exact import Scaled, add, compact, is_exact, product, scale, total
from . import exact_cost, exact_taps
from .memory import check_memory, float_range, itemsize_for, require_finite
from .shapes import Layout
from .spec import ConvSpec, IntOrSeq, PaddingArg, axes_text, check_dims, padding_text


@dataclass(frozen=True, slots=True, eq=False)
class Gradients:
    """Forward output and every gradient of one convolution layer.

    Arrays are in the user's forms: ``output`` and ``grad_output`` (δ = ∂L/∂Y)
    share a shape; ``grad_input`` has the shape of ``input``, ``grad_filter`` that of
    ``filter``; ``grad_bias`` is None without a bias, a scalar for a single filter,
    else (C_out,).  ``arithmetic`` is "exact", "float64" or "float32".  Compared by
    identity: equality of arrays has no single truth value.
    """

    input: np.ndarray
    filter: np.ndarray
    grad_output: np.ndarray
    bias: np.ndarray | None
    output: np.ndarray
    grad_input: np.ndarray
    grad_filter: np.ndarray
    grad_bias: np.ndarray | None
    spec: ConvSpec
    layout: Layout
    arithmetic: str
    grad_output_given: bool = True
    notes: tuple[str, ...] = ()


def backward(
    input: Any,
    filter: Any,
    grad_output: Any = None,
    *,
    bias: Any = None,
    stride: IntOrSeq = 1,
    padding: PaddingArg = 0,
    dilation: IntOrSeq = 1,
    groups: int = 1,
    mode: str = "correlate",
    dims: int = 2,
    exact: bool | None = None,
) -> Gradients:
    """Forward output and ∂L/∂X, ∂L/∂W, ∂L/∂b of ``Y = conv(X, W) + b``.

    Shapes (full forms): X (N, C_in, *S), W (C_out, C_in/groups, *K),
    ``grad_output`` δ (N, C_out, *S_out), ``bias`` (C_out,); short forms drop N,
    C_in or C_out (see :class:`Layout`).  ``grad_output=None`` means L = ΣY.
    Semantics match ``torch.nn.functional.conv{1,2,3}d`` and autograd;
    ``mode="convolve"`` flips the filter in the forward pass.

    Ints and Fractions give exact results; floats give floats of the same
    precision.  ``exact=None`` falls back to float64 when exact arithmetic
    would be slow (and says so in ``notes``); True forces exact, False float64.
    """
    x, w = _array("input", input), _array("filter", filter)
    layout = Layout.of(x.ndim, w.ndim, check_dims(dims))
    full_x, full_w = layout.full_input(x), layout.full_filter(w)
    spec = engine.resolve_spec(
        dims=dims, kernel=full_w.shape[2:], stride=stride, padding=padding,
        dilation=dilation, groups=groups, mode=mode, spatial=full_x.shape[2:],
    )  # fmt: skip
    out = check_shapes(full_x, full_w, spec, layout)
    check_memory(full_x.shape, full_w.shape, out, spec, itemsize_for(full_x, full_w))
    n, c_out = full_x.shape[0], full_w.shape[0]
    given = grad_output is not None
    g = _array("grad_output", grad_output) if given else np.ones(layout.output_shape(n, c_out, out), np.int64)
    _check_grad_output(g, layout.output_shape(n, c_out, out), x.shape, w.shape, spec)
    b = None if bias is None else _bias(_array("bias", bias), c_out, layout)
    operands = (full_x, full_w, layout.full_grad_output(g), b)
    arithmetic, notes, scaled = _arithmetic(operands, exact)
    with float_range():
        y, dx, dw, db = _compute(operands, spec, arithmetic, scaled)
    require_finite(arithmetic, {"output": y, "grad_input": dx, "grad_filter": dw, "grad_bias": db})
    return Gradients(
        input=x, filter=w, grad_output=g, bias=None if bias is None else np.asarray(bias),
        output=layout.user_output(y), grad_input=dx.reshape(x.shape), grad_filter=dw.reshape(w.shape),
        grad_bias=None if db is None else layout.user_bias(db), spec=spec, layout=layout,
        arithmetic=arithmetic, grad_output_given=given, notes=notes,
    )  # fmt: skip


def _array(name: str, value: Any) -> np.ndarray:
    try:
        a = _exact_if_ints(value, np.asarray(value))
    except ValueError as error:  # ragged nested lists
        raise InputError(
            name, f"is not a rectangular array ({error})", "every row needs the same length"
        ) from None
    if a.dtype.kind not in "iufO" or (a.dtype.kind == "O" and not _numeric_objects(a)):
        raise InputError(name, f"has dtype {a.dtype}", "give integers, fractions or real floats")
    if a.size == 0:
        raise InputError(name, f"is empty (shape {a.shape})", "every axis needs at least one entry")
    if a.dtype.kind == "f" and not np.isfinite(a).all():
        raise InputError(name, "contains NaN or infinity", "give finite numbers")
    return a


def _exact_if_ints(value: Any, a: np.ndarray) -> np.ndarray:
    # NumPy reads [0, 2**63] as float64 (no integer dtype holds both): keep Python ints exact.
    if a.dtype.kind != "f" or isinstance(value, np.ndarray):
        return a
    objects = np.asarray(value, dtype=object)
    ints = all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in objects.flat)
    return compact(np.vectorize(int, otypes=[object])(objects)) if ints else a


def _numeric_objects(a: np.ndarray) -> bool:
    # One check per distinct type, not per element (map/set run in C): rationals can be large.
    return all(issubclass(t, (int, float, np.integer, np.floating, Fraction)) for t in set(map(type, a.flat)))


def check_shapes(x: np.ndarray, w: np.ndarray, spec: ConvSpec, layout: Layout) -> tuple[int, ...]:
    """Validate channels, groups and that the dilated filter fits; return the output's spatial shape."""
    c_in, c_out, c_group, groups = x.shape[1], w.shape[0], w.shape[1], spec.groups
    if c_in % groups or c_out % groups:
        raise InputError(
            "groups", f"groups {groups} does not divide {c_in} input and {c_out} output channels",
            "groups must divide both channel counts",
        )  # fmt: skip
    if c_group * groups != c_in:
        raise InputError(
            "filter", f"expects {c_group * groups} input channels ({c_group} per group × {groups} groups), "
            f"but the input has {c_in}", f"give a filter of shape ({c_out}, {c_in // groups}, …)",
        )  # fmt: skip
    padded, extent = spec.padded_shape(x.shape[2:]), spec.dilated_kernel(w.shape[2:])
    if any(e > p for p, e in zip(padded, extent)):
        raise InputError(
            "filter", f"a {_dims_text(w.shape[2:])} filter (dilation {axes_text(spec.dilation)}) spans "
            f"{_dims_text(extent)}, larger than the {_dims_text(padded)} padded input",
            "use a smaller filter or dilation, or more padding",
        )  # fmt: skip
    return spec.output_shape(x.shape[2:], w.shape[2:])


def _check_grad_output(
    g: np.ndarray,
    expected: tuple[int, ...],
    x_shape: tuple[int, ...],
    w_shape: tuple[int, ...],
    spec: ConvSpec,
) -> None:
    if g.shape != expected:
        raise InputError(
            "grad_output", f"has shape {g.shape}",
            f"a {_dims_text(x_shape)} input with a {_dims_text(w_shape)} filter, stride "
            f"{axes_text(spec.stride)}, padding {padding_text(spec.padding)} gives an output of shape {expected}",
        )  # fmt: skip


def _bias(b: np.ndarray, c_out: int, layout: Layout) -> np.ndarray:
    # A bias written as a 1×1 CSV or a one-row matrix is still just a list of numbers.
    if b.size != c_out or sum(n > 1 for n in b.shape) > 1:
        expected = "a single number" if c_out == 1 else f"a list of {c_out} numbers (one per filter)"
        raise InputError("bias", f"has shape {b.shape}", f"give {expected}")
    return b.reshape(c_out)


def _dims_text(shape: tuple[int, ...]) -> str:
    return "×".join(map(str, shape))


Operands = tuple[np.ndarray, np.ndarray, np.ndarray, "np.ndarray | None"]


Scaleds = tuple[Scaled, Scaled, Scaled]


def _arithmetic(operands: Operands, exact: bool | None) -> tuple[str, tuple[str, ...], Scaleds | None]:
    """Which arithmetic runs, notes about it, and X, W, δ scaled to integers when it is exact."""
    present = [a for a in operands if a is not None]
    floats = [a for a in present if not is_exact(a)]
    if exact is False:
        return "float64", (), None
    if floats and not exact:
        kinds = {a.dtype for a in floats}
        return ("float32" if kinds == {np.dtype(np.float32)} else "float64"), (), None
    x, w, g, _ = operands
    scaled = (scale(x), scale(w), scale(g))  # once: the estimate and the exact run share it
    cost = exact_cost.estimate(x, w, g, scaled)  # counts the numbers' lengths, denominators included
    # Exactness is worth a wait when asked for; unasked, it must not turn a quick run into a long one.
    limit = exact_cost.EXACT_TIME_LIMIT if exact else exact_cost.DEFAULT_TIME_LIMIT
    if cost > limit:
        took = (
            f"exact arithmetic would take {exact_cost.described(cost)} here (estimated from the numbers' "
            f"lengths; at most {limit:.0f} s runs exactly{'' if exact else ' without --exact'})"
        )
        if exact:
            raise InputError("exact", took, "without it, convgrad computes in float64")
        force = " (force with --exact)" if cost <= exact_cost.EXACT_TIME_LIMIT else ""
        return "float64", (f"{took}: used float64 instead{force}",), None
    return "exact", (), scaled


def _compute(
    operands: Operands, spec: ConvSpec, arithmetic: str, scaled: Scaleds | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    x, w, g, b = operands
    if scaled is None:
        x, w, g = (_as_float(a, arithmetic) for a in (x, w, g))
        y, dx, dw = engine.gradients(x, w, g, spec)  # X and δ laid out once for all three
        if b is not None:
            y = y + _as_float(b, arithmetic).reshape((1, -1) + (1,) * spec.dims)
        db = None if b is None else engine.grad_bias(g)
        return y, dx, dw, db
    return _compute_exact(operands, scaled, spec)


def _as_float(a: np.ndarray, arithmetic: str) -> np.ndarray:
    if a.dtype == object:
        a = np.vectorize(float, otypes=[np.float64])(a)
    return a.astype(np.float32 if arithmetic == "float32" else np.float64, copy=False)


def _taps(operands: Operands, scaled: Scaleds, spec: ConvSpec) -> exact_taps.Taps | None:
    """Where each tap reads (:mod:`.exact_taps`) when an operand carries Ratios and the filter has few taps."""
    x, w, g, _ = operands
    if not any(s.fractions for s in scaled) or not exact_taps.fits(x, w, g):
        return None
    return exact_taps.sources(lambda a, c: engine.forward(a, c, spec), x.shape, w.shape)


def _reshaped(s: Scaled, shape: tuple[int, ...]) -> Scaled:
    return replace(s, num=s.num.reshape(shape))


def _compute_exact(
    operands: Operands, scaled: Scaleds, spec: ConvSpec
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    x, w, g, b = operands
    xs, ws, gs = scaled
    per_output = w[0].size  # C_in/groups · ΠK products in each y and each ∂L/∂x is no larger
    per_weight = g.shape[0] * prod(g.shape[2:])
    src = _taps(operands, scaled, spec)
    if src is not None and (xs.fractions or ws.fractions):
        y = _reshaped(exact_taps.forward(src, xs, ws), g.shape)
    else:
        y = product(lambda a, c: engine.forward(a, c, spec), xs, ws, per_output)
    if src is not None and (gs.fractions or ws.fractions):
        dx = _reshaped(exact_taps.grad_input(src, gs, ws), x.shape)
    else:
        dx = product(
            lambda a, c: engine.grad_input(a, c, spec, x.shape[2:]), gs, ws, g.shape[1] * prod(w.shape[2:])
        )
    if src is not None and (xs.fractions or gs.fractions):
        dw = _reshaped(exact_taps.grad_filter(src, xs, gs), w.shape)
    else:
        dw = product(lambda a, c: engine.grad_filter(a, c, spec, w.shape[2:]), xs, gs, per_weight)
    db = None
    if b is not None:
        bs = scale(b)
        y = add(y, replace(bs, num=bs.num.reshape((1, -1) + (1,) * spec.dims)))
        db = total(gs, (0, *range(2, g.ndim))).values()
    return y.values(), dx.values(), dw.values(), db
