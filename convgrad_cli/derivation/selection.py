"""Which cells to derive: ``--cells x22,w12`` as a :class:`~.records.Selection`, and the size policy.

A problem of at most :data:`TRACE_LIMIT` window positions and :data:`GRID_LIMIT` grid cells
(:mod:`.size` counts what the views draw) is traced in full; a bigger one shows results only
unless the user forces the trace or names cells.  Whatever is traced stays under
:data:`TERM_LIMIT` multiplications and :data:`GRID_CAP` grid cells.  :func:`derive` applies
the policy and builds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..errors import InputError
from .build import build, frame_of
from .records import Derivation, Frame, Index, Selection
from .size import grid_cells, selected_terms, window_count

TRACE_LIMIT = 300  # window positions traced by default; above, results only and a note
TERM_LIMIT = 400_000  # multiplications a trace may list (each costs a few hundred bytes)
GRID_LIMIT = 50_000  # grid cells drawn by default (the page's 3×3 example draws 220)
GRID_CAP = 1_000_000  # grid cells any trace may draw (each costs a few hundred bytes)

# Compiled (and cached) by re on first use, not at import: only --cells pays for it.
_ITEM = r"(?i)(?P<name>[xw])(?:(?P<digits>\d+)|[\[(](?P<numbers>[\d,\s]*)[\])])?"


def derive(result: Any, cells: str | None = None, *, trace: bool | None = None) -> Derivation:
    """The derivation of a solved problem (:class:`~convgrad_cli.engine.backward.Gradients`).

    ``cells="x22,w12"`` selects cells; ``trace=True`` forces every cell on a big problem,
    ``False`` gives results only (no cells), None follows :func:`choose`'s size policy.
    """
    selection, _ = choose(frame_of(result), trace=trace, cells=cells)
    return build(result, selection or Selection((), ()))


def choose(frame: Frame, *, trace: bool | None, cells: str | None) -> tuple[Selection | None, str | None]:
    """What to derive: a selection (None for results only) and a note for the user, if any.

    ``cells`` wins; ``trace`` True forces the full trace, False turns it off, None traces
    problems of at most :data:`TRACE_LIMIT` window positions and :data:`GRID_LIMIT` grid
    cells.  Whatever is derived is capped at :data:`TERM_LIMIT` multiplications and
    :data:`GRID_CAP` grid cells.
    """
    if cells:
        selection = parse_cells(cells, frame)
        capped(frame, selection, "--cells", "the chosen cells' derivation", _fewer(frame))
        return selection, None
    if trace is False:
        return None, None
    reason = too_big(frame)
    if trace is None and reason:
        if traceable(frame):
            force = f"--trace shows every step, --cells {cells_example(frame)} chosen cells"
        else:
            force = f"too large to trace in full; --cells {cells_example(frame)} shows chosen cells"
        return None, f"{reason}: showing results only; {force}"
    capped(
        frame,
        Selection(),
        "--trace",
        "the full derivation",
        f"choose cells with --cells {cells_example(frame)}",
    )
    return Selection(), None


def too_big(frame: Frame) -> str | None:
    """Why the full trace is too big to show by default (None: it is not)."""
    windows = window_count(frame)
    if windows > TRACE_LIMIT:
        return f"the derivation has {windows:,} window positions (more than {TRACE_LIMIT})"
    grids = grid_cells(frame, Selection())
    if grids > GRID_LIMIT:
        return f"the derivation would draw {grids:,} grid cells (more than {GRID_LIMIT:,})"
    return None


def traceable(frame: Frame) -> bool:
    """Whether a forced --trace is within :data:`TERM_LIMIT` and :data:`GRID_CAP`."""
    return selected_terms(frame, Selection()) <= TERM_LIMIT and grid_cells(frame, Selection()) <= GRID_CAP


def capped(frame: Frame, selection: Selection, flag: str, what: str, advice: str) -> None:
    """Refuse a derivation that would list more than :data:`TERM_LIMIT` multiplications or draw
    more than :data:`GRID_CAP` grid cells."""
    terms = selected_terms(frame, selection)
    if terms > TERM_LIMIT:
        raise InputError(
            flag,
            f"{what} would list {terms:,} multiplications",
            f"at most {TERM_LIMIT:,} are traced; {advice}",
        )
    grids = grid_cells(frame, selection)
    if grids > GRID_CAP:
        raise InputError(
            flag, f"{what} would draw {grids:,} grid cells", f"at most {GRID_CAP:,} are drawn; {advice}"
        )


def cells_example(frame: Frame) -> str:
    """The --cells example the messages give: ``x11,w11``, weights only when one input cell is too big."""
    x = "1" * len(frame.user_shape("input"))
    w = "1" * len(frame.user_shape("filter"))
    return f"x{x},w{w}" if _one_input_fits(frame) else f"w{w}"


def _one_input_fits(frame: Frame) -> bool:
    """Whether one ∂L/∂x cell's grids fit :data:`GRID_CAP` (a huge padded δ makes every one too big)."""
    return grid_cells(frame, Selection((), ((0,) * len(frame.input_shape),))) <= GRID_CAP


def _fewer(frame: Frame) -> str:
    if _one_input_fits(frame):
        return "choose fewer cells"
    return (
        f"the padded δ alone is too large to draw: choose weights only, e.g. --cells {cells_example(frame)}"
    )


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
    return (
        f"write cells like {cells_example(frame)} (1-based, one digit per axis), x[1,10] for larger indices"
    )


def _full(frame: Frame, operand: str, users: set[Index] | None) -> tuple[Index, ...] | None:
    if users is None:
        return None
    lead = frame.dims + 2 - len(frame.user_shape(operand))
    return tuple(sorted((0,) * lead + u for u in users))
