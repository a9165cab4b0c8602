"""Reading a student's answers: an answer document, one array per flag, or a problem's own key.

Every array goes through the one operand reader, :func:`convgrad_cli.load.operands.load_array`,
with each cell's written text kept (:class:`~convgrad_cli.load.cells.Written`): a number
is judged as it was written.

Given the solved problem, a file is first bounded by what its answer could need
(:func:`answer_bytes`): a larger one is not parsed, only its shapes are read from its
brackets, so a 60 MB answer to a 3×3 problem is told "wrong shape" at once.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from fractions import Fraction
from math import prod
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np

from ..errors import InputError
from ..load.json_text import NumberText, describe, parse_json
from ..load.nested import to_array
from ..load.npy_file import NPY_MAGIC, npy_shape
from ..load.operands import load_array
from ..load.shape_sniff import document_shapes, list_shape
from ..load.source import INLINE, Source, decode, read_bytes
from .limits import ANSWER_BYTES_PER_CELL, ANSWER_FILE_SLACK, ANSWER_GENEROSITY
from .shape_notes import shape_note
from .solved import ARRAYS

if TYPE_CHECKING:
    from .solved import Solved

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


def read_answer(
    text: str, stdin: BinaryIO | None = None, dims: int = 2, solved: Solved | None = None
) -> Answer:
    """An answer document: a JSON object with any of output, grad_input, grad_filter, grad_bias.

    ``text`` is a path, ``-`` or inline JSON starting with ``{``; with ``solved``, a file
    larger than any answer to it could be is refused before it is parsed.
    """
    inline = text.lstrip().startswith("{")
    if inline:
        name, data = INLINE, text.encode()
    else:
        source = Source(text)
        name, data = source.name, read_bytes(source, stdin)
    try:
        if solved is not None:
            bounded(data, solved, ARRAYS, lambda: document_shapes(data))
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


def read_array(
    text: str, name: str, stdin: BinaryIO | None = None, dims: int = 2, solved: Solved | None = None
) -> np.ndarray:
    """One answer array from a flag: a .json/.csv/.npy file, ``-`` or inline JSON (a number for ∂L/∂b).

    With ``solved``, a file larger than the array could need is refused before it is parsed.
    """
    source = Source(text)
    if solved is not None:
        data = read_bytes(source, stdin)
        try:
            bounded(data, solved, (name,), lambda: {name: _array_shape(data, source)})
        except InputError as error:
            raise error.with_source(source.name) from None
        if source.text == "-":  # already read: the reader reads the same bytes again
            return load_array(source, name, io.BytesIO(data), dims, keep_text=True)
    return load_array(source, name, stdin, dims, keep_text=True)


def answer_bytes(p: Solved, names: tuple[str, ...]) -> int:
    """The most bytes an answer giving ``names`` could need: each cell its longest number
    written out twice over, with room for separators, a few times over, and the keys."""
    cells = sum(p.expected(n).size * (ANSWER_BYTES_PER_CELL + 2 * _digits(p.expected(n))) for n in names)
    return ANSWER_GENEROSITY * cells + ANSWER_FILE_SLACK


def bounded(data: bytes, p: Solved, names: tuple[str, ...], shapes: Any) -> None:
    """Refuse ``data`` when it is larger than :func:`answer_bytes`: a wrong shape says so.

    ``shapes()`` gives each array's shape as read from the text (None where it cannot tell).
    """
    limit = answer_bytes(p, names)
    if len(data) <= limit:
        return
    size = f"the file is {_size(len(data))}; an answer here needs at most {_size(limit)}"
    for key, shape in shapes().items():
        name = ALIASES.get(key.lower(), key.lower())
        if name in names and shape is not None and prod(shape) != p.expected(name).size:
            note = shape_note(p, name, shape, p.expected(name).shape)
            raise InputError(key, f"wrong shape: {note}", f"not read further ({size})")
    raise InputError("answer", f"is larger than any answer to this problem ({size})",
                     "give the arrays the problem asks for, one number per cell")  # fmt: skip


def _array_shape(data: bytes, source: Source) -> tuple[int, ...] | None:
    """An answer array's shape from a .npy header, a CSV's lines and first row, or JSON brackets."""
    if source.suffix == ".npy" or data.startswith(NPY_MAGIC):
        return npy_shape(data, "answer")
    start, lead = data.find(b"["), data.lstrip(b" \t\r\n\xef\xbb\xbf")[:1]
    if lead == b"{":
        return None  # a document given as one array: the reader says what is wrong with it
    if start >= 0 and not data[:start].strip(b" \t\r\n\xef\xbb\xbf"):
        found = list_shape(data, start)
        return None if found is None else found[0]
    lines = [line for line in data.splitlines() if line.strip()]
    return (len(lines), lines[0].count(b",") + 1) if lines else None


def _digits(expected: np.ndarray) -> int:
    """Characters of the longest exact number in ``expected`` (floats: 24, as repr writes them)."""
    if expected.dtype.kind == "f" or expected.size == 0:
        return 24
    if expected.dtype != object:
        return len(str(int(np.abs(expected).max()))) + 1
    bits = max(
        (v.numerator.bit_length() + v.denominator.bit_length() if isinstance(v, Fraction)
         else int(v).bit_length() if isinstance(v, int) else 80 for v in expected.flat),
        default=1,
    )  # fmt: skip
    return bits * 3 // 10 + 3  # 0.30103 digits per bit, a sign and a slash


def _size(count: int) -> str:
    return f"{count / 2**20:.1f} MiB" if count >= 2**20 else f"{count / 2**10:.0f} KiB"


def _document(data: bytes, field: str) -> Any:
    return parse_json(decode(data, field), field, number=NumberText, holder=HOLDER)
