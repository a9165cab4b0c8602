"""Files, stdin and inline text → exact NumPy arrays.

Owns format sniffing (by suffix, else by content) and reports the first bad
cell by its JSON path or CSV row/column.  Nothing is ever evaluated: JSON and
CSV are parsed, ``.npy`` is read with pickling disabled.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from .errors import InputError
from .exact import compact, parse_number

STDIN = "<stdin>"
INLINE = "<inline>"
MAX_CELLS = 50_000_000  # a .npy header claiming more is refused before reading
_NPY_MAGIC = b"\x93NUMPY"


@dataclass(frozen=True)
class Source:
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
    return not Path(text).exists()


def read_bytes(source: Source, stdin: BinaryIO | None) -> bytes:
    """The raw bytes behind a source."""
    if source.text == "-":
        if stdin is None:
            raise InputError("-", "standard input is not available", "give a file path instead")
        return stdin.read()
    if is_inline(source.text):
        return source.text.encode()
    path = Path(source.text)
    try:
        return path.read_bytes()
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


def load_array(source: Source, field: str, stdin: BinaryIO | None = None, dims: int = 2) -> np.ndarray:
    """Read one operand as an exact (int/object) or float array."""
    data = read_bytes(source, stdin)
    try:
        return _parse(data, source, field, dims)
    except InputError as error:
        raise error.with_source(source.name) from None


def _parse(data: bytes, source: Source, field: str, dims: int) -> np.ndarray:
    suffix = Path(source.text).suffix.lower() if source.name not in (STDIN, INLINE) else ""
    if suffix == ".npy" or (not suffix and data.startswith(_NPY_MAGIC)):
        return read_npy(data, field)
    text = decode(data, field)
    if suffix == ".csv" or (suffix != ".json" and not text.lstrip().startswith(("[", "{"))):
        return read_csv(text, field, dims)
    value = parse_json(text, field)
    return to_array(value, field)


def decode(data: bytes, field: str) -> str:
    """UTF-8 (BOM allowed) or UTF-16 with a BOM, else a clear error."""
    if not data.strip():
        raise InputError(field, "the file is empty", "give a matrix as JSON, CSV or .npy")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(
            field, f"is not text (byte {error.start} is not UTF-8)", "give JSON or CSV text, or a .npy file"
        ) from None


class _Bad:
    """A JSON value that is not a usable number, reported with its path later."""

    def __init__(self, text: str, reason: str) -> None:
        self.text, self.reason = text, reason


def _json_number(text: str) -> int | Fraction | _Bad:
    try:
        return parse_number(text)
    except ValueError as error:
        return _Bad(text, str(error))


def parse_json(text: str, field: str) -> Any:
    """JSON with decimals kept exact and NaN/Infinity kept for a precise report."""
    try:
        return json.loads(
            text,
            parse_float=_json_number,
            parse_int=_json_number,
            parse_constant=lambda word: _Bad(word, f"{word} is not a finite number"),
        )
    except RecursionError:
        raise InputError(field, "arrays are nested too deeply", "an operand has at most 5 axes") from None
    except json.JSONDecodeError as error:
        raise InputError(
            field,
            f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}",
            "check brackets and commas",
        ) from None


def to_array(value: Any, field: str) -> np.ndarray:
    """Nested lists of numbers (or "p/q" strings) → an exact array, checked cell by cell."""
    shape = _shape(value, field)
    cells: list[Any] = []
    _collect(value, shape, field, cells)
    return _exact_array(cells, shape)


def _shape(value: Any, field: str) -> tuple[int, ...]:
    shape: list[int] = []
    while isinstance(value, list):
        if not value:
            raise InputError(
                f"{field}{'[0]' * len(shape)}", "is an empty array", "every axis needs at least one entry"
            )
        if len(shape) > 5:
            raise InputError(field, "has more than 5 axes", "an operand has at most 5 axes (N, C, D, H, W)")
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
            f"is {_kind(value)} where an array of {shape[0]} was expected",
            "make every row the same length",
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
    if isinstance(value, _Bad):
        raise InputError(path, value.reason, "give a finite number")
    if isinstance(value, str):
        try:
            return parse_number(value)
        except ValueError as error:
            raise InputError(path, str(error), 'write a number, a decimal or a fraction like "1/3"') from None
    if isinstance(value, bool) or not isinstance(value, (int, Fraction)):
        raise InputError(
            path, f"is {_kind(value)}, not a number", 'write a number, a decimal or a fraction like "1/3"'
        )
    return value


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "the boolean " + ("true" if value else "false")
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    return "a number" if isinstance(value, (int, Fraction)) else repr(value)


def _exact_array(cells: list[Any], shape: tuple[int, ...]) -> np.ndarray:
    flat = np.empty(len(cells), dtype=object)
    flat[:] = cells  # element-wise, so NumPy never guesses a dtype from the values
    array: np.ndarray = flat.reshape(shape)
    return compact(array) if all(type(c) is int for c in cells) else array


def read_csv(text: str, field: str, dims: int) -> np.ndarray:
    """One 2-D matrix: commas or whitespace between cells; ``#`` comments, blank lines skipped."""
    rows: list[list[int | Fraction]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        content = line.split("#", 1)[0].strip()
        if content:
            rows.append(_csv_row(content, number, field))
    if not rows:
        raise InputError(field, "the CSV has no rows of numbers", "write one matrix row per line")
    width = len(rows[0])
    for number, row in enumerate(rows, start=1):
        if len(row) != width:
            raise InputError(
                f"{field} row {number}",
                f"has {len(row)} cells, but row 1 has {width}",
                "make every row the same length",
            )
    array = to_array(rows, field)
    # A single CSV row is a 1-D signal when the convolution is 1-D.
    return array[0] if dims == 1 and len(rows) == 1 else array


def _csv_row(content: str, number: int, field: str) -> list[int | Fraction]:
    if ";" in content:
        raise InputError(
            f"{field} row {number}", "uses ';' between cells", "separate cells with commas or spaces"
        )
    cells = [c.strip() for c in content.split(",")] if "," in content else content.split()
    row = []
    for column, cell in enumerate(cells, start=1):
        where = f"{field} row {number}, column {column}"
        if not cell:
            raise InputError(
                where, "is empty (a stray or trailing comma?)", "remove the extra comma or fill the cell"
            )
        try:
            row.append(parse_number(cell))
        except ValueError as error:
            raise InputError(
                where, str(error), "CSV cells must be numbers; remove headers and text"
            ) from None
    return row


def read_npy(data: bytes, field: str) -> np.ndarray:
    """A ``.npy`` array: header checked before the data is read, never unpickled."""
    stream = io.BytesIO(data)
    try:
        version = np.lib.format.read_magic(stream)
        reader: Callable[[BinaryIO], tuple[tuple[int, ...], bool, np.dtype]] = (
            np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        )
        shape, _, dtype = reader(stream)
    except (ValueError, OSError) as error:
        raise InputError(field, f"is not a valid .npy file ({error})", "save it with numpy.save") from None
    if dtype.hasobject:
        raise InputError(
            field, "holds Python objects (pickled data)", "save a numeric array; convgrad never unpickles"
        )
    if dtype.kind not in "iuf":
        raise InputError(field, f"has dtype {dtype}", "give an integer or float array")
    cells = int(np.prod(shape, dtype=object))
    if cells > MAX_CELLS:
        raise InputError(
            field, f"claims shape {shape} ({cells} cells)", f"convgrad reads at most {MAX_CELLS} cells"
        )
    try:
        array = np.load(io.BytesIO(data), allow_pickle=False)
    except (ValueError, OSError, EOFError) as error:
        raise InputError(
            field, f"is truncated or corrupt ({error})", "save it again with numpy.save"
        ) from None
    if array.dtype.kind == "f":
        if not np.isfinite(array).all():
            raise InputError(field, "contains NaN or infinity", "give finite numbers")
        return array.astype(np.float64)
    return compact(array.astype(object)) if array.dtype.kind == "u" else array.astype(np.int64)
