"""``.npy`` bytes → an array: the header checked before the data is read, never unpickled."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import BinaryIO

import numpy as np

from ..errors import InputError
from ..exact import compact
from .limits import MAX_CELLS

NPY_MAGIC = b"\x93NUMPY"
NpyHeader = tuple[tuple[int, ...], bool, np.dtype]


def npy_shape(data: bytes, field: str) -> tuple[int, ...]:
    """The shape a ``.npy`` header declares, the data not read."""
    return tuple(_npy_header(data, field)[0])


def read_npy(data: bytes, field: str) -> np.ndarray:
    """A ``.npy`` array: int64 (or Python ints for uint64) or float64; objects and NaN refused."""
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
        _fits_float64(array, field)
        return array.astype(np.float64)
    return compact(array.astype(object)) if array.dtype.kind == "u" else array.astype(np.int64)


def _fits_float64(array: np.ndarray, field: str) -> None:
    """A wider float (float128) beyond float64's range is refused by name, before a cast turns it into inf."""
    if array.dtype.itemsize <= 8:
        return
    beyond = np.abs(array) > np.finfo(np.float64).max
    if beyond.any():
        index = tuple(int(i) for i in np.argwhere(beyond)[0])
        value = np.format_float_scientific(array[index], precision=3, trim="-")
        raise InputError(
            field,
            f"holds {value} at index {list(index)}, too large for float64",
            "scale the values down, or save exact values as integers or JSON fractions",
        )


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
