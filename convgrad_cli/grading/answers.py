"""Reading a student's answers: an answer document, one array per flag, or a problem's own key.

Every array goes through the one operand reader, :func:`convgrad_cli.load.operands.load_array`,
with each cell's written text kept (:class:`~convgrad_cli.load.cells.Written`): a number
is judged as it was written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, BinaryIO

import numpy as np

from ..errors import InputError
from ..load.json_text import NumberText, describe, parse_json
from ..load.nested import to_array
from ..load.operands import load_array
from ..load.source import INLINE, Source, decode, read_bytes
from .solved import ARRAYS

# The names students give their answers (case-insensitive): course notation, Keras, Andrew Ng's dA_prev.
ALIASES = {
    **dict.fromkeys(("dx", "dl_dx", "grad_x", "da_prev"), "grad_input"),
    **dict.fromkeys(("dw", "dl_dw", "grad_w", "grad_weight"), "grad_filter"),
    **dict.fromkeys(("db", "dl_db", "grad_b"), "grad_bias"),
    **dict.fromkeys(("y", "out", "z"), "output"),
}
INFO = ("name", "student", "title", "comment", "notes", "schema")  # keys an answer may carry besides arrays
HOLDER = "an answer"


@dataclass(frozen=True)
class Answer:
    """A student's arrays (object arrays of :class:`Written`) by name, and where they came from."""

    arrays: dict[str, np.ndarray]
    source: str
    notes: tuple[str, ...] = ()  # how keys were read, e.g. "read 'dX' as grad_input"


def read_answer(text: str, stdin: BinaryIO | None = None, dims: int = 2) -> Answer:
    """An answer document: a JSON object with any of output, grad_input, grad_filter, grad_bias.

    ``text`` is a path, ``-`` or inline JSON starting with ``{``.
    """
    inline = text.lstrip().startswith("{")
    name = INLINE if inline else Source(text).name
    data = text.encode() if inline else read_bytes(Source(text), stdin)
    try:
        arrays, notes = read_keys(_document(data, "answer"))
        return Answer(arrays, name, notes)
    except InputError as error:
        raise error.with_source(name) from None


def read_keys(document: Any) -> tuple[dict[str, np.ndarray], tuple[str, ...]]:
    """The arrays of a parsed answer document by canonical name, and a note for each alias read."""
    if not isinstance(document, dict):
        raise InputError(
            "answer", f"is {describe(document)}, not a JSON object",
            'write {"grad_input": [[…]], …}, or give one array with --grad-input FILE',
        )  # fmt: skip
    arrays: dict[str, np.ndarray] = {}
    keys: dict[str, str] = {}  # canonical name → the key the file used
    for key, value in document.items():
        name = ALIASES.get(key.lower(), key.lower())
        if name in ARRAYS:
            if name in keys:
                raise InputError(key, f"gives {name} again (as does {keys[name]!r})", "keep only one of them")
            keys[name] = key
            arrays[name] = to_array(value, name, keep_text=True, single=(), holder=HOLDER)
        elif name not in INFO:
            raise InputError(key, "is not an answer convgrad knows", "use " + ", ".join(ARRAYS))
    if not arrays:
        raise InputError("answer", "holds no answers", "give any of " + ", ".join(ARRAYS))
    notes = tuple(f"read {key!r} as {name}" for name, key in keys.items() if key != name)
    return arrays, notes


def answer_in_problem(path: str) -> Answer | None:
    """The ``answer`` object a problem file may carry (a homework with its key), or None."""
    if path == "-":
        return None
    document = _document(read_bytes(Source(path), None), "problem")
    if not isinstance(document, dict) or "answer" not in document:
        return None
    try:
        arrays, notes = read_keys(document["answer"])
        return Answer(arrays, path, notes)
    except InputError as error:
        raise error.with_source(path) from None


def read_array(text: str, name: str, stdin: BinaryIO | None = None, dims: int = 2) -> np.ndarray:
    """One answer array from a flag: a .json/.csv/.npy file, ``-`` or inline JSON (a number for ∂L/∂b)."""
    return load_array(Source(text), name, stdin, dims, keep_text=True)


def _document(data: bytes, field: str) -> Any:
    return parse_json(decode(data, field), field, number=NumberText, holder=HOLDER)
