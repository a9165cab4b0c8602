"""Gather one convolution problem from a problem file, a sample and flags.

The result, :class:`Request`, holds arrays, parameters and where each came
from, so errors raised later (by :func:`backward`) can name the right file.
Precedence: flags override the problem file or sample.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, BinaryIO

import numpy as np

from ..errors import InputError
from . import samples
from .json_text import parse_json
from .nested import to_array
from .operands import SINGLE_NUMBER, load_array
from .params import plain
from .source import Source, decode, read_bytes

ARRAYS = ("input", "filter", "grad_output", "bias")
PARAMS = ("stride", "padding", "dilation", "groups", "mode", "dims")
_ALIASES = {"weight": "filter", "weights": "filter", "kernel": "filter", "x": "input", "w": "filter"}
_INFO = ("title", "description", "answer", "schema")


@dataclass(slots=True)
class Request:
    """Arrays (exact or float), raw parameters, and each field's source name.

    Mutable on purpose: :func:`gather` fills it in step by step (file, then flags).
    """

    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    origin: str | None = None  # the problem file or "sample NAME"

    def locate(self, error: InputError) -> InputError:
        """Name where the offending field came from: its file, or the flag that set it."""
        root = error.field.split("[")[0].split(" ")[0]
        source = self.sources.get(root, self.origin if root in PARAMS else None)
        if source and source.startswith("--"):
            error.field = source
            return error
        return error.with_source(source)


def gather(
    *,
    problem: str | None,
    sample: str | None,
    operands: dict[str, str | None],
    flags: dict[str, Any],
    stdin: BinaryIO | None,
) -> Request:
    """Build a :class:`Request`; with nothing given, the built-in sample.

    ``flags``: parameters given on the command line, already parsed by
    :func:`~convgrad_cli.load.params.parse_param` (None: not given); they override the file's.
    """
    _one_stdin(problem, operands)
    request = Request()
    if problem is not None:
        source = Source(problem)
        _from_document(request, read_bytes(source, stdin), source.name)
    elif sample is not None or not any(operands.values()):
        name = sample or samples.DEFAULT
        _from_document(request, samples.text(name).encode(), f"sample {name}")
    for name, value in flags.items():
        if value is not None:
            request.params[name] = value
            request.sources[name] = f"--{name}"
    dims = _dims(request)
    for name, text in operands.items():
        if text is not None:
            source = Source(text)
            request.arrays[name] = load_array(source, name, stdin, dims)
            request.sources[name] = source.name
    _require(request)
    return request


def _one_stdin(problem: str | None, operands: dict[str, str | None]) -> None:
    readers = [name for name, text in [("--problem", problem), *operands.items()] if text == "-"]
    if len(readers) > 1:
        raise InputError(
            readers[1],
            "reads standard input too",
            f"only one of {', '.join(readers)} can be '-'; give the others as files",
        )


def _from_document(request: Request, data: bytes, origin: str) -> None:
    try:
        _read_document(request, data, origin)
    except InputError as error:
        raise error.with_source(origin) from None


def _read_document(request: Request, data: bytes, origin: str) -> None:
    document = parse_json(decode(data, "problem"), "problem")
    if not isinstance(document, dict):
        raise InputError("problem", "is not a JSON object", 'write {"input": [[…]], "filter": [[…]], …}')
    request.origin = origin
    keys: dict[str, str] = {}  # canonical name → the key the file used ("weight" for filter)
    for key, value in document.items():  # JSON object keys are always str
        name: str = _ALIASES.get(key) or key
        if name in keys:
            raise InputError(key, f"gives the {name} again (as does {keys[name]!r})", "keep only one of them")
        keys[name] = key
        if name in ARRAYS:
            request.arrays[name] = to_array(value, name, single=(1,) if name in SINGLE_NUMBER else None)
            request.sources[name] = origin
        elif name in PARAMS:
            request.params[name] = plain(name, value)
        elif name not in _INFO:
            raise InputError(key, "is not a field convgrad knows", "use " + ", ".join(ARRAYS + PARAMS))


def _dims(request: Request) -> int:
    dims = request.params.get("dims", 2)
    return dims if isinstance(dims, int) and not isinstance(dims, bool) else 2


def _require(request: Request) -> None:
    for name, flag in (("input", "-x/--input"), ("filter", "-w/--filter")):
        if name not in request.arrays:
            where = request.origin if request.origin and not request.origin.startswith("sample ") else None
            raise InputError(
                name, "is missing", f"give {flag}, or a --problem file with {name!r}", source=where
            )
