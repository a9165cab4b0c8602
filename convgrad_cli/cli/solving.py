"""A command's problem: gathered from its file, sample or operands and flags, solved, with notes for stderr."""

from __future__ import annotations

import dataclasses
import math
import sys
from fractions import Fraction
from typing import BinaryIO

import numpy as np

from ..engine.backward import Gradients, backward
from ..engine.spec import ConvSpec
from ..errors import InputError
from ..load.problem import Request, gather
from .requests import Parameters, ProblemChoice


def gather_problem(problem: ProblemChoice, params: Parameters, stdin: BinaryIO | None) -> Request:
    """The problem the flags describe (problem file, sample, operands), the flags' parameters over its own."""
    request = gather(
        problem=problem.problem, sample=problem.sample, operands=problem.operands(),
        flags=params.numeric(), stdin=stdin,
    )  # fmt: skip
    if params.mode:
        request.params["mode"] = params.mode
    return request


def check_view_memory(request: Request, views: set[str]) -> None:
    """Refuse, before computing, a problem whose results and their views would not fit in memory.

    The engine guards its own computation; writing a result out holds every number again as
    objects and text (:mod:`convgrad_cli.render.footprint`), while the results stay in memory.
    """
    from ..engine import memory
    from ..render.footprint import view_bytes

    shapes = _shapes(request)
    if shapes is None:
        return  # backward says what is wrong with the problem
    x, w, out, spec = shapes
    n, c_out = x.shape[0], w.shape[0]
    outputs = n * c_out * math.prod(out)
    numbers = 2 * x.size + 3 * w.size + 2 * outputs + c_out  # operands, results, rot180(W), the bias
    itemsize = memory.itemsize_for(x, w)
    computing = memory.estimate_bytes(x.shape, w.shape, out, spec, itemsize)
    writing = numbers * itemsize + sum(
        view_bytes(numbers, view, itemsize == memory.OBJECT_CELL) for view in views
    )
    if writing <= max(computing, memory.ALWAYS_FITS):
        return  # the engine's guard, which names the padded input and output, covers it
    available = memory.available_bytes()
    if available is None or writing <= available or computing > available:
        return
    raise InputError(
        "memory", f"writing this problem's {' and '.join(sorted(views))} output needs about "
        f"{memory.size_text(writing)} ({numbers:,} numbers), but only {memory.size_text(available)} is available",
        "use smaller arrays, less padding or dilation, or a larger stride",
    )  # fmt: skip


def _shapes(request: Request) -> tuple[np.ndarray, np.ndarray, tuple[int, ...], ConvSpec] | None:
    """Full-form X and W, the output's spatial shape and the spec, as backward will find them (None: invalid)."""
    from ..engine import resolve_spec
    from ..engine.shapes import Layout

    params = dict(request.params)
    dims = params.pop("dims", 2)
    try:
        x, w = np.asarray(request.arrays["input"]), np.asarray(request.arrays["filter"])
        layout = Layout.of(x.ndim, w.ndim, dims)
        x, w = layout.full_input(x), layout.full_filter(w)
        spec = resolve_spec(dims=dims, kernel=w.shape[2:], spatial=x.shape[2:], **params)
        return x, w, spec.output_shape(x.shape[2:], w.shape[2:]), spec
    except (InputError, KeyError, TypeError, ValueError):
        return None


def solve(request: Request, exact: bool | None) -> Gradients:
    """Run :func:`backward`, naming the field's file in any error.

    Exact results too long to write as text (see :func:`too_long_to_write`) are refused
    under ``--exact``, else computed again in float64, with a note.
    """
    result = _backward(request, exact)
    limit = too_long_to_write(result)
    if limit is None:
        return result
    if exact:
        raise InputError("--exact", f"an exact result would need more than {limit:,} digits, more than can be "
                         "written out", "leave out --exact, and convgrad computes in float64")  # fmt: skip
    note = f"exact results would need more than {limit:,} digits: computed in float64 instead"
    fallback = _backward(request, False)
    return dataclasses.replace(fallback, notes=(*fallback.notes, note))


def _backward(request: Request, exact: bool | None) -> Gradients:
    arrays = request.arrays
    try:
        return backward(
            arrays["input"], arrays["filter"], arrays.get("grad_output"),
            bias=arrays.get("bias"), exact=exact, **request.params,
        )  # fmt: skip
    except InputError as error:
        if error.field == "exact":  # the API's exact=True is the --exact flag here
            error.field = "--exact"
        raise request.locate(error) from None


def too_long_to_write(result: Gradients) -> int | None:
    """Python's digit limit when an exact result has an integer (or a fraction's part) over it, else None.

    Python refuses to turn longer integers into text (a guard against quadratic-time
    conversion), and every view writes each number as text.
    """
    limit = getattr(sys, "get_int_max_str_digits", lambda: 0)()
    if not limit or result.arithmetic != "exact":
        return None
    bits = limit / math.log10(2)  # an integer of fewer bits than this has at most `limit` digits
    for array in (result.output, result.grad_input, result.grad_filter, result.grad_bias):
        if array is not None and array.dtype == object and any(_bits(v) >= bits for v in array.flat):
            return int(limit)
    return None


def _bits(value: object) -> int:
    if isinstance(value, Fraction):
        return max(value.numerator.bit_length(), value.denominator.bit_length())
    return value.bit_length() if isinstance(value, int) else 0


def notes_for(request: Request, result: Gradients) -> list[str]:
    """What the user should know but stdout must not carry."""
    notes = []
    if request.origin and request.origin.startswith("sample "):
        notes.append(f"using the built-in {request.origin} (give -x/-w or --problem for your own)")
    if not result.grad_output_given:
        notes.append("no -g/--grad-output given: using ∂L/∂Y = 1 everywhere (L = sum of Y)")
    notes.extend(result.notes)
    return notes


def operand_files(request: Request) -> list[str]:
    """The files the operands came from: an output must never replace one of them."""
    return [source for source in request.sources.values() if source]
