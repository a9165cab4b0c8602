"""The derivation as frozen data, in the hand-written page's order: built from results or symbols.

:mod:`.records` the frozen records; :mod:`.build` the builder (with :mod:`.pairs`, the index
arithmetic, and :mod:`.grids`, the rotated filter and padded δ the views draw);
:mod:`.selection` the ``--cells`` parser and the size policy; :mod:`.symbolic` problems given
by their shapes alone.  Nothing here imports a renderer, Click or Rich.
"""

from .build import build, build_symbolic, collector_paused, frame_of
from .records import GAP, PAD, BiasCell, Cell, Derivation, Entry, Frame, Grid, Part, Selection, Term, Values
from .selection import (
    GRID_CAP,
    GRID_LIMIT,
    TERM_LIMIT,
    TRACE_LIMIT,
    cells_example,
    choose,
    derive,
    parse_cells,
    too_big,
    traceable,
)
from .size import grid_cells, selected_terms, term_count, window_count

__all__ = [
    "GAP",
    "GRID_CAP",
    "GRID_LIMIT",
    "PAD",
    "TERM_LIMIT",
    "TRACE_LIMIT",
    "BiasCell",
    "Cell",
    "Derivation",
    "Entry",
    "Frame",
    "Grid",
    "Part",
    "Selection",
    "Term",
    "Values",
    "build",
    "build_symbolic",
    "cells_example",
    "choose",
    "collector_paused",
    "derive",
    "frame_of",
    "grid_cells",
    "parse_cells",
    "selected_terms",
    "term_count",
    "too_big",
    "traceable",
    "window_count",
]
