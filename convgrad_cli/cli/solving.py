"""A command's problem: gathered from its file, sample or operands and flags, solved, with notes for stderr."""

from __future__ import annotations

from typing import BinaryIO

from ..engine.backward import Gradients, backward
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


def solve(request: Request, exact: bool | None) -> Gradients:
    """Run :func:`backward`, naming the field's file in any error."""
    arrays = request.arrays
    try:
        return backward(
            arrays["input"], arrays["filter"], arrays.get("grad_output"),
            bias=arrays.get("bias"), exact=exact, **request.params,
        )  # fmt: skip
    except InputError as error:
        raise request.locate(error) from None


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
