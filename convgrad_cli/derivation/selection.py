"""Which cells to derive: ``--cells x22,w12`` as a :class:`~.records.Selection`, and the size policy.

A problem of at most :data:`TRACE_LIMIT` window positions is traced in full; a bigger one
shows results only unless the user forces the trace (up to :data:`TERM_LIMIT`
multiplications) or names cells.  :func:`derive` applies the policy and builds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from math import prod
from typing import Any

from ..errors import InputError
from .build import build, frame_of
from .pairs import filter_pairs
from .records import Derivation, Frame, Index, Selection

TRACE_LIMIT = 300  # window positions traced by default; above, results only and a note
TERM_LIMIT = 400_000  # multiplications a forced --trace may list (each costs a few hundred bytes)

# Compiled (and cached) by re on first use, not at import: only --cells pays for it.
_ITEM = r"(?i)(?P<name>[xw])(?:(?P<digits>\d+)|[\[(](?P<numbers>[\d,\s]*)[\])])?"


def derive(result: Any, cells: str | None = None, *, trace: bool | None = None) -> Derivation:
    """The derivation of a solved problem (:class:`~convgrad_cli.engine.backward.Gradients`).

    ``cells="x22,w12"`` selects cells; ``trace=True`` forces every cell on a big problem,
    ``False`` gives results only (no cells), None follows :func:`choose`'s size policy.
    """
    selection, _ = choose(frame_of(result), trace=trace, cells=cells)
    return build(result, selection or Selection((), ()))


def window_count(frame: Frame) -> int:
    """Window positions of the full trace: one per input cell and output channel of its group."""
    return prod(frame.input_shape) * frame.per_group


def term_count(frame: Frame) -> int:
    """Multiplications in the definition that read real values (each appears once per gradient)."""
    per_position = prod(sum(len(rows) for rows in axis) for axis in filter_pairs(frame))
    return frame.input_shape[0] * frame.filter_shape[0] * frame.filter_shape[1] * per_position


def choose(frame: Frame, *, trace: bool | None, cells: str | None) -> tuple[Selection | None, str | None]:
    """What to derive: a selection (None for results only) and a note for the user, if any.

    ``cells`` wins; ``trace`` True forces the full trace (up to :data:`TERM_LIMIT`), False
    turns it off, None traces problems of at most :data:`TRACE_LIMIT` window positions.
    """
    if cells:
        return parse_cells(cells, frame), None
    if trace is False:
        return None, None
    windows = window_count(frame)
    example = _example(frame)
    if trace is None and windows > TRACE_LIMIT:
        return None, (
            f"the derivation has {windows:,} window positions (more than {TRACE_LIMIT}): showing results "
            f"only; --trace shows every step, --cells {example} chosen cells"
        )
    terms = term_count(frame)
    if terms > TERM_LIMIT:
        raise InputError(
            "--trace", f"the full derivation would list {terms:,} multiplications",
            f"at most {TERM_LIMIT:,} are traced; choose cells with --cells {example}",
        )  # fmt: skip
    return Selection(), None


def _example(frame: Frame) -> str:
    x = "1" * len(frame.user_shape("input"))
    w = "1" * len(frame.user_shape("filter"))
    return f"x{x},w{w}"


def parse_cells(text: str, frame: Frame) -> Selection:
    """``x22,w12`` (1-based, one digit per axis), ``x[1,10]``, or ``x``/``w`` for every cell."""
    chosen: dict[str, set[Index] | None] = {"x": set(), "w": set()}
    names = tuple(_split(text))
    if not names:
        raise InputError("--cells", "names no cells", _cells_advice(frame))
    for item in names:
        match = re.fullmatch(_ITEM, item)
        if not match:
            raise InputError("--cells", f"{item!r} is not a cell", _cells_advice(frame))
        name = match["name"].lower()
        if match["digits"] is None and match["numbers"] is None:
            chosen[name] = None
            continue
        user = _cell_index(item, name, match, frame)
        found = chosen[name]
        if found is not None:
            found.add(user)
    return Selection(_full(frame, "filter", chosen["w"]), _full(frame, "input", chosen["x"]), names)


def _split(text: str) -> Iterator[str]:
    """Items separated by commas, semicolons or spaces, except inside brackets."""
    depth, item = 0, ""
    for char in text:
        depth += char in "[("
        depth -= char in "])"
        if depth == 0 and (char in ",;" or char.isspace()):
            if item:
                yield item
            item = ""
        else:
            item += char
    if item:
        yield item


def _cell_index(item: str, name: str, match: re.Match[str], frame: Frame) -> Index:
    operand = "input" if name == "x" else "filter"
    shape = frame.user_shape(operand)
    if match["digits"] is not None:
        numbers = [int(ch) for ch in match["digits"]]
    else:
        numbers = [int(p) for p in re.split(r"[,\s]+", match["numbers"].strip()) if p]
    if len(numbers) != len(shape):
        raise InputError(
            "--cells", f"{item!r} gives {len(numbers)} indices but the {operand} has {len(shape)} axes",
            _cells_advice(frame),
        )  # fmt: skip
    if any(not 1 <= i <= n for i, n in zip(numbers, shape)):
        size = "×".join(map(str, shape))
        raise InputError("--cells", f"{item!r} is outside the {size} {operand}", "indices start at 1")
    return tuple(i - 1 for i in numbers)


def _cells_advice(frame: Frame) -> str:
    return f"write cells like {_example(frame)} (1-based, one digit per axis), x[1,10] for larger indices"


def _full(frame: Frame, operand: str, users: set[Index] | None) -> tuple[Index, ...] | None:
    if users is None:
        return None
    lead = frame.dims + 2 - len(frame.user_shape(operand))
    return tuple(sorted((0,) * lead + u for u in users))
