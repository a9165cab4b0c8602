"""Files, stdin and inline text → exact NumPy arrays.

Owns format sniffing (by suffix, else by content) and reports the first bad
cell by its JSON path or CSV row/column.  Nothing is ever evaluated: JSON and
CSV are parsed, ``.npy`` is read with pickling disabled.  Every read is
bounded, so ``-x /dev/zero`` or a 10 GB file is refused instead of hanging.
"""

from __future__ import annotations

import io
import json
import os
import re
from collections.abc import Callable
from fractions import Fraction
from typing import Any, BinaryIO, NamedTuple

import numpy as np

from ..errors import InputError
from ..exact import compact, parse_number

STDIN = "<stdin>"
INLINE = "<inline>"
MAX_CELLS = 50_000_000  # a .npy header claiming more is refused before reading
MAX_AXES = 5  # N, C, D, H, W
MAX_FILE_BYTES = MAX_CELLS * 8 + 65_536  # the largest .npy convgrad accepts, plus its header
MAX_TEXT_BYTES = 64 * 2**20  # JSON/CSV: ~10 million cells, already minutes of exact parsing
_NPY_MAGIC = b"\x93NUMPY"
_PLAIN_INT = re.compile(r"[+-]?[0-9]{1,18}")  # fits int64; skips the slower general parser
_UTF8_BOM = b"\xef\xbb\xbf"
_BOMS = (  # longest first: the UTF-32 LE mark starts with the UTF-16 LE one
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_ARRAY_EXAMPLE = "write nested lists, e.g. [[1, 2], [3, 4]]"


class Source(NamedTuple):  # not a frozen dataclass: cheaper to define on every CLI start
    """Where an operand comes from: a path, ``-`` (stdin) or inline text."""

    text: str

    @property
    def name(self) -> str:
        if self.text == "-":
            return STDIN
        return INLINE if is_inline(self.text) else self.text


def is_inline(text: str) -> bool:
    """Inline JSON starts with ``[``; a lone number (a bias) is inline too."""
    stripped = text.strip()
    if stripped.startswith("["):
        return True
    try:
        parse_number(stripped)
    except ValueError:
        return False
    return not os.path.exists(text)  # also False for a name no file can have (too long, a NUL byte)


def read_bytes(source: Source, stdin: BinaryIO | None) -> bytes:
    """The raw bytes behind a source, at most :data:`MAX_FILE_BYTES` of them."""
    if source.text == "-":
        if stdin is None:
            raise InputError("-", "standard input is not available", "give a file path instead")
        return _bounded(stdin, STDIN)
    if is_inline(source.text):
        return source.text.encode()
    try:
        with open(source.text, "rb") as stream:
            return _bounded(stream, source.text)
    except InputError:  # a ValueError too, so it must pass before the clause below
        raise
    except FileNotFoundError:
        raise InputError("", "no such file", "check the path", source=source.text) from None
    except IsADirectoryError:
        raise InputError(
            "", "is a folder, not a file", "give a .json, .csv or .npy file", source=source.text
        ) from None
    except OSError as error:
        raise InputError(
            "", f"cannot be read ({error.strerror})", "check the path and permissions", source=source.text
        ) from None
    except ValueError:  # Python refuses the name itself, e.g. one holding a NUL byte
        raise InputError(
            "", "is not a usable file name", "check the path", source=repr(source.text)
        ) from None


def _bounded(stream: BinaryIO, name: str) -> bytes:
    # read(limit + 1), not read(): a device such as /dev/zero never ends.
    data = stream.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise InputError(
            "",
            f"is larger than {MAX_FILE_BYTES // 2**20} MiB",
            f"convgrad reads arrays of at most {MAX_CELLS} cells",
            source=name,
        )
    return data


def load_array(source: Source, field: str, stdin: BinaryIO | None = None, dims: int = 2) -> np.ndarray:
    """Read one operand as an exact (int/object) or float array."""
    data = read_bytes(source, stdin)
    try:
        return _parse(data, source, field, dims)
    except InputError as error:
        raise error.with_source(source.name) from None


def _parse(data: bytes, source: Source, field: str, dims: int) -> np.ndarray:
    suffix = os.path.splitext(source.text)[1].lower() if source.name not in (STDIN, INLINE) else ""
    if suffix == ".npy" or data.startswith(_NPY_MAGIC):
        return read_npy(data, field)
    text = decode(data, field)
    if suffix == ".csv" or (suffix != ".json" and not text.lstrip().startswith(("[", "{"))):
        return read_csv(text, field, dims)
    return to_array(parse_json(text, field), field)


def decode(data: bytes, field: str) -> str:
    """UTF-8 (BOM allowed) or UTF-16/32 with a BOM, else a clear error."""
    if len(data) > MAX_TEXT_BYTES:
        raise InputError(
            field,
            f"is {len(data) // 2**20} MiB of text; convgrad parses at most {MAX_TEXT_BYTES // 2**20} MiB",
            "save large arrays with numpy.save and give the .npy file",
        )
    codec = next((codec for bom, codec in _BOMS if data.startswith(bom)), "utf-8")
    if codec == "utf-8":
        # The BOM stripped here, as the utf-8-sig codec would (offsets count from after it),
        # without that codec's import on every start.
        data = data.removeprefix(_UTF8_BOM)
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as error:
        raise InputError(
            field,
            f"is not {codec.upper()} text (byte {error.start} cannot be decoded)",
            "give JSON or CSV text (UTF-8), or a .npy file",
        ) from None
    if not text.strip():
        raise InputError(field, "the file is empty", "give a matrix as JSON, CSV or .npy")
    if "\x00" in text:
        raise InputError(
            field,
            f"contains a NUL character at offset {text.index(chr(0))} (UTF-16 without a byte-order mark?)",
            "save the file as UTF-8 text",
        )
    return text


class BadNumber:
    """A JSON value that is not a usable number, reported with its path later."""

    def __init__(self, text: str, reason: str) -> None:
        self.text, self.reason = text, reason

    def __repr__(self) -> str:
        return self.text


def _json_number(text: str) -> int | Fraction | BadNumber:
    if _PLAIN_INT.fullmatch(text):
        return int(text)
    try:
        return parse_number(text)
    except ValueError as error:
        return BadNumber(text, str(error))


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for key, value in pairs:
        if key in document:
            raise InputError(key, "appears twice in the same object", "keep one of them")
        document[key] = value
    return document


def parse_json(
    text: str,
    field: str,
    *,
    number: Callable[[str], Any] = _json_number,
    constant: Callable[[str], Any] | None = None,
    holder: str = "an operand",
) -> Any:
    """JSON with decimals kept exact and NaN/Infinity kept for a precise report.

    ``number`` reads each number's text (``check`` keeps the text itself, to count its
    decimals); ``constant`` handles NaN/Infinity; duplicate keys are refused.
    """
    try:
        return json.loads(
            text,
            parse_float=number,
            parse_int=number,
            parse_constant=constant or (lambda word: BadNumber(word, f"{word} is not a finite number")),
            object_pairs_hook=_unique_keys,
        )
    except RecursionError:
        raise InputError(
            field, "arrays are nested too deeply", f"{holder} has at most {MAX_AXES} axes"
        ) from None
    except json.JSONDecodeError as error:
        raise InputError(
            field,
            f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}",
            "check brackets and commas",
        ) from None


def to_array(value: Any, field: str) -> np.ndarray:
    """Nested lists of numbers (or "p/q" strings) → an exact array, checked cell by cell.

    Only a bias may be a bare number (shape (1,)); every other operand is an array.
    """
    if not isinstance(value, list):
        if field != "bias" or isinstance(value, dict):
            raise InputError(field, f"is {describe(value)} where an array belongs", _ARRAY_EXAMPLE)
        return _exact_array([_cell(value, field)], (1,))
    shape = _shape(value, field)
    cells: list[Any] = []
    _collect(value, shape, field, cells)
    return _exact_array(cells, shape)


def _shape(value: Any, field: str) -> tuple[int, ...]:
    # A loop, not recursion: 100 000 nested brackets must not overflow the stack.
    shape: list[int] = []
    while isinstance(value, list):
        if not value:
            raise InputError(
                f"{field}{'[0]' * len(shape)}", "is an empty array", "every axis needs at least one entry"
            )
        if len(shape) == MAX_AXES:
            raise InputError(
                field,
                f"has more than {MAX_AXES} axes",
                f"an operand has at most {MAX_AXES} axes (N, C, D, H, W)",
            )
        shape.append(len(value))
        value = value[0]
    return tuple(shape)


def _collect(value: Any, shape: tuple[int, ...], path: str, cells: list[Any]) -> None:
    if not shape:
        cells.append(_cell(value, path))
        return
    if not isinstance(value, list):
        raise InputError(
            path,
            f"is {describe(value)}, but its neighbours are arrays of {shape[0]}",
            "nest every row to the same depth",
        )
    if len(value) != shape[0]:
        raise InputError(
            path,
            f"has {len(value)} entries, but its neighbours have {shape[0]}",
            "make every row the same length",
        )
    for i, item in enumerate(value):
        _collect(item, shape[1:], f"{path}[{i}]", cells)


def _cell(value: Any, path: str) -> int | Fraction:
    if isinstance(value, BadNumber):
        raise InputError(path, value.reason, "give a finite number")
    if isinstance(value, list):
        raise InputError(
            path, "is an array, but its neighbours are numbers", "nest every row to the same depth"
        )
    if isinstance(value, str):
        try:
            return parse_number(value)
        except ValueError as error:
            raise InputError(path, str(error), 'write a number, a decimal or a fraction like "1/3"') from None
    if isinstance(value, bool) or not isinstance(value, (int, Fraction)):
        raise InputError(
            path, f"is {describe(value)}, not a number", 'write a number, a decimal or a fraction like "1/3"'
        )
    return value


def describe(value: Any) -> str:
    """A JSON value as a person would name it: "null", "an object", "the string 'x'"."""
    if isinstance(value, bool):
        return "the boolean " + ("true" if value else "false")
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return f"the string {_clip(value)!r}"
    if isinstance(value, BadNumber):
        return value.text
    return "a single number" if isinstance(value, (int, Fraction)) else repr(value)


def _clip(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _exact_array(cells: list[Any], shape: tuple[int, ...]) -> np.ndarray:
    flat = np.empty(len(cells), dtype=object)
    flat[:] = cells  # element-wise, so NumPy never guesses a dtype from the values
    array: np.ndarray = flat.reshape(shape)
    return compact(array) if all(type(c) is int for c in cells) else array


def read_csv(text: str, field: str, dims: int) -> np.ndarray:
    """One 2-D matrix: commas or whitespace between cells; ``#`` comments, blank lines skipped."""
    rows: list[list[int | Fraction]] = []
    numbers: list[int] = []  # file line of each row, so errors point at the line the user sees
    for number, line in enumerate(text.splitlines(), start=1):
        content = line.split("#", 1)[0].strip()
        if content:
            rows.append(_csv_row(content, number, field))
            numbers.append(number)
    if not rows:
        raise InputError(field, "the CSV has no rows of numbers", "write one matrix row per line")
    width = len(rows[0])
    for number, row in zip(numbers, rows):
        if len(row) != width:
            raise InputError(
                f"{field} row {number}",
                f"has {len(row)} cells, but row {numbers[0]} has {width}",
                "make every row the same length",
            )
    array = _exact_array([cell for row in rows for cell in row], (len(rows), width))
    # A single CSV row is a 1-D signal when the convolution is 1-D.
    return array[0] if dims == 1 and len(rows) == 1 else array


def _csv_row(content: str, number: int, field: str) -> list[int | Fraction]:
    if ";" in content:
        raise InputError(
            f"{field} row {number}", "uses ';' between cells", "separate cells with commas or spaces"
        )
    cells = [c.strip() for c in content.split(",")] if "," in content else content.split()
    row: list[int | Fraction] = []
    for column, cell in enumerate(cells, start=1):
        where = f"{field} row {number}, column {column}"
        if not cell:
            raise InputError(
                where, "is empty (a stray or trailing comma?)", "remove the extra comma or fill the cell"
            )
        if _PLAIN_INT.fullmatch(cell):
            row.append(int(cell))
            continue
        try:
            row.append(parse_number(cell))
        except ValueError as error:
            raise InputError(
                where, str(error), "CSV cells must be numbers; remove headers and text"
            ) from None
    return row


NpyHeader = tuple[tuple[int, ...], bool, np.dtype]


def read_npy(data: bytes, field: str) -> np.ndarray:
    """A ``.npy`` array: header checked before the data is read, never unpickled."""
    shape, _, dtype = _npy_header(data, field)
    if dtype.hasobject:
        raise InputError(
            field, "holds Python objects (pickled data)", "save a numeric array; convgrad never unpickles"
        )
    if dtype.kind not in "iuf":
        raise InputError(field, f"has dtype {dtype}", "give an integer or float array")
    if any(n < 0 for n in shape):
        raise InputError(field, f"claims the impossible shape {shape}", "save it again with numpy.save")
    cells = int(np.prod(shape, dtype=object))
    if cells > MAX_CELLS or any(n > MAX_CELLS for n in shape):  # (0, 2⁶⁴) has no cells but breaks NumPy
        raise InputError(
            field,
            f"claims shape {shape} ({cells} cells)",
            f"convgrad reads at most {MAX_CELLS} cells, on any axis too",
        )
    try:
        array = np.load(io.BytesIO(data), allow_pickle=False)
    except (ValueError, OSError, EOFError, OverflowError) as error:
        raise InputError(
            field, f"is truncated or corrupt ({error})", "save it again with numpy.save"
        ) from None
    if array.ndim == 0 and field != "bias":
        raise InputError(field, "is a single number (shape ()) where an array belongs", "save an array")
    if array.dtype.kind == "f":
        if not np.isfinite(array).all():
            raise InputError(field, "contains NaN or infinity", "give finite numbers")
        return array.astype(np.float64)
    return compact(array.astype(object)) if array.dtype.kind == "u" else array.astype(np.int64)


def _npy_header(data: bytes, field: str) -> NpyHeader:
    stream = io.BytesIO(data)
    try:
        version = np.lib.format.read_magic(stream)
        reader: Callable[[BinaryIO], NpyHeader] = (
            np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        )
        return reader(stream)
    except (ValueError, OSError, EOFError, SyntaxError) as error:
        raise InputError(field, f"is not a valid .npy file ({error})", "save it with numpy.save") from None
