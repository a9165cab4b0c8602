"""What ``compute`` does once flags are parsed: files → arrays → engine → text.

Shared by every command that solves a problem first (compute, check), and kept
free of Click so it can be tested and reused directly.
"""

from __future__ import annotations

import sys
from typing import Any, BinaryIO

from .api import Gradients, backward
from .errors import InputError
from .output import write_atomic
from .problem import PARAMS, Request, gather

OPERANDS = {"input": "input_", "filter": "filter_", "grad_output": "grad_output", "bias": "bias"}


def request_from(options: dict[str, Any], stdin: BinaryIO | None) -> Request:
    """The problem the flags describe (problem file, sample, operands, parameters)."""
    flags = {name: _text(options.get(name)) for name in PARAMS if name != "mode"}
    request = gather(
        problem=options.get("problem"),
        sample=options.get("sample"),
        operands={field: options.get(key) for field, key in OPERANDS.items()},
        flags=flags,
        stdin=stdin,
    )
    if options.get("mode"):
        request.params["mode"] = options["mode"]
    return request


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


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


def run_compute(options: dict[str, Any], stdin: BinaryIO | None) -> None:
    request = request_from(options, stdin)
    result = solve(request, options.get("exact"))
    for note in notes_for(request, result):
        print(f"convgrad: {note}", file=sys.stderr)
    emit(render(result, options), options, request)


def render(result: Gradients, options: dict[str, Any]) -> str:
    """The result in the chosen format, as text."""
    if options.get("format_") == "json":
        from .render.json_doc import document, dumps

        return dumps(document(result)) + "\n"
    return _rich_text(result, options)


def _rich_text(result: Gradients, options: dict[str, Any]) -> str:
    import io

    from .render.console import make_console
    from .render.table import results_view

    to_file = options.get("output_file") is not None
    buffer = io.StringIO()
    console = make_console(
        color=False if to_file else options.get("color"),
        width=options.get("width"),
        file=buffer if to_file else None,
    )
    with console.capture() as capture:
        console.print(results_view(result))
    return capture.get()


def emit(text: str, options: dict[str, Any], request: Request) -> None:
    """stdout, or ``-o FILE`` written atomically (never over an input)."""
    path = options.get("output_file")
    if path:
        write_atomic(path, text, inputs=[s for s in request.sources.values() if s])
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
