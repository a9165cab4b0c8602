"""Blocks of the table view as lines of styled pieces: printed as Rich Segments where they fit.

A traced page has a window beside its products and a formula for every cell, thousands of
short grid rows.  Where a block fits the console, its lines are laid out here as Rich's
grid lays them out (the same characters and styles: ``tests/render/test_table_lines.py``
prints both and compares bytes) and printed as one Segment per styled piece.  Where it does
not fit, or a recording console (--export-svg/--export-html) wants the grid's own segments,
the lines become Rich Text in Rich's Table or Columns, which wrap them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from rich.cells import cell_len
from rich.columns import Columns
from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text

from . import prose
from .arrays import Corner

RESULT = "bold"  # a formula's value
Piece = tuple[str, str]  # text and style ("" for none)


class Line:
    """One line as pieces; ``base`` is a whole-line style (a heading's italic), which padding takes too.

    Without a base style, padding is unstyled, as Rich pads a Text's spans.
    """

    __slots__ = ("base", "pieces", "width")

    def __init__(self, pieces: list[Piece], base: str = "", width: int | None = None) -> None:
        self.pieces, self.base = pieces, base
        self.width = sum(cell_len(text) for text, _ in pieces) if width is None else width

    @classmethod
    def styled(cls, text: str, style: str) -> Line:
        """A line in one style, as ``Text(text, style=style)``."""
        return cls([(text, style)], style)

    def padded(self, width: int) -> list[Piece]:
        """The pieces, then spaces up to ``width`` (in the base style, as Text.pad_right gives them)."""
        if width <= self.width:
            return self.pieces
        spaces = " " * (width - self.width)
        if self.base:
            return [(self.pieces[0][0] + spaces, self.base)]
        return [*self.pieces, (spaces, "")]

    def text(self) -> Text:
        """The same line as Rich Text, for Rich's Table and Columns."""
        if self.base:
            return Text(self.pieces[0][0], style=self.base)
        return Text.assemble(*self.pieces, no_wrap=True)


def pieces_of(text: Text) -> list[Piece] | None:
    """A Text of plain text and spans that do not overlap as pieces; None for anything else."""
    if text.style:
        return None
    plain, pieces, at = text.plain, [], 0
    for span in sorted(text.spans):
        if span.start < at or not isinstance(span.style, str):
            return None
        if span.start > at:
            pieces.append((plain[at : span.start], ""))
        if span.end > span.start:
            pieces.append((plain[span.start : span.end], span.style))
        at = max(at, span.end)
    if at < len(plain):
        pieces.append((plain[at:], ""))
    return pieces


def laid_out_here(console: Console) -> bool:
    """Whether blocks are laid out here: not for a recording console.

    A recording console writes an element per segment in its pictures, so it gets Rich's
    grid, and the pictures stay the ones the grid draws.
    """
    return not console.record


def as_segments(console: Console, options: ConsoleOptions, width: int) -> bool:
    """Whether a block ``width`` wide prints as Segments: where it fits, unless the console records."""
    return width <= options.max_width and laid_out_here(console)


def segments(console: Console, lines: Sequence[Line | list[Piece]]) -> Iterator[Segment]:
    """The lines as Segments: unstyled text together, a segment per styled piece, a newline after each line.

    Rich's Text would split, wrap, justify and join each line again and sort its spans
    (most of a traced page's time); these lines are laid out already and fit.  Without a
    colour system Rich writes a segment's text alone (``Style.render``), so the block is one
    segment.
    """
    rows = (line.pieces if isinstance(line, Line) else line for line in lines)
    if console.color_system is None:
        yield Segment(_plain(rows))
        return
    styles: dict[str, Style] = {}
    newline = Segment.line()
    for pieces in rows:
        plain = ""
        for text, name in pieces:
            if not name:
                plain += text
                continue
            if plain:
                yield Segment(plain)
                plain = ""
            style = styles.get(name)
            if style is None:
                style = styles[name] = console.get_style(name)
            yield Segment(text, style)
        if plain:
            yield Segment(plain)
        yield newline


def _plain(rows: Iterator[list[Piece]]) -> str:
    return "".join(["".join([text for text, _ in pieces]) + "\n" for pieces in rows])


class LaidOut:
    """A block whose lines are laid out here where it fits: those lines need no cropping."""

    def fits_console(self, console: Console, width: int) -> bool:
        """Whether every line printed on ``console`` at ``width`` fits it (:func:`.console.printed` then skips the crop)."""
        raise NotImplementedError


class Block(LaidOut):
    """Lines one under another; where they do not fit (or the console records), Text in a Group."""

    def __init__(self, lines: Sequence[Line]) -> None:
        self.lines = lines
        self.width = max((line.width for line in lines), default=0)

    def group(self) -> Group:
        return Group(*(line.text() for line in self.lines))

    def fits_console(self, console: Console, width: int) -> bool:
        return self.width <= width and laid_out_here(console)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if as_segments(console, options, self.width):
            yield from segments(console, self.lines)
        else:
            yield self.group()

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.group())


def beside_lines(blocks: Sequence[Sequence[Line]], widths: Sequence[int], gap: int) -> Iterator[list[Piece]]:
    """Blocks side by side as one grid row lays them out: each line padded to its block's width."""
    spaces = " " * gap
    for i in range(max(map(len, blocks))):
        pieces: list[Piece] = []
        for j, (lines, width) in enumerate(zip(blocks, widths)):
            if j:
                pieces.append((spaces, ""))
            pieces += lines[i].padded(width) if i < len(lines) else [(" " * width, "")]
        yield pieces


# ---------------------------------------------------------------- the table view's blocks


class Beside(LaidOut):
    """Blocks side by side, ``gap`` apart: a row of Rich's grid where they fit, else Rich's Columns.

    Columns (which wraps the blocks onto more rows on a narrow console) measures every block
    first, 2.5× the cost of the grid row it then draws; each block's width is known here
    already.  Blocks of lines (a window and its products) that fit print as Segments.
    """

    def __init__(self, blocks: Sequence[list[Line] | Corner], gap: int) -> None:
        self.blocks, self.gap = blocks, gap
        self.widths = [b.width if isinstance(b, Corner) else max(line.width for line in b) for b in blocks]
        self.width = sum(self.widths) + gap * (len(blocks) - 1)

    def fits_console(self, console: Console, width: int) -> bool:
        lines = not any(isinstance(b, Corner) for b in self.blocks)
        return lines and self.width <= width and laid_out_here(console)

    def _laid_out(self, max_width: int) -> Table | Columns:
        blocks = [b if isinstance(b, Corner) else Block(b).group() for b in self.blocks]
        if self.width > max_width:
            return Columns(blocks, padding=(0, self.gap))
        grid = Table.grid(padding=(0, self.gap), collapse_padding=True, pad_edge=False)
        for width in self.widths:
            grid.add_column(no_wrap=True, width=width)  # known: Rich need not measure them
        grid.add_row(*blocks)
        return grid

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        lines = [b for b in self.blocks if not isinstance(b, Corner)]
        if len(lines) == len(self.blocks) and as_segments(console, options, self.width):
            yield from segments(console, list(beside_lines(lines, self.widths, self.gap)))
        else:
            yield self._laid_out(options.max_width)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self._laid_out(options.max_width))


class Formula(LaidOut):
    """``lhs = row``, further rows aligned under the ``=``; a part's label in the lhs column.

    Rich's grid of three columns (lhs, ``=``, row) draws it where it does not fit or the
    console records.  Elsewhere its lines are laid out here as the grid lays them out: the
    lhs right-justified, the rows in a column as wide as the widest row or as the console
    leaves (``max_width − label − 3``), a longer row wrapped there as the column wraps it:
    by Rich's word rule (:func:`_wrap_narrow`) when every character is one cell wide, else by
    ``Text.wrap`` with the column's justify and overflow.  A grid per formula costs ~0.7 ms,
    and a traced page has thousands (docs/performance.md).
    """

    def __init__(self, lhs: str, rows: Sequence[prose.Row]) -> None:
        self.lhs, self.rows = lhs, rows
        self.label = max(cell_len(f"{row.label}:") if row.label else cell_len(lhs) for row in rows)
        self.plains = [f"{row.text} = {row.value}" if row.value is not None else row.text for row in rows]
        self.narrow = [narrow(plain) for plain in self.plains]
        self.widths = [len(p) if n else cell_len(p) for p, n in zip(self.plains, self.narrow)]
        self.width = self.label + 3 + max(self.widths)

    def grid(self) -> Table:
        table = Table.grid(padding=(0, 1))
        # Widths given where they are known: Rich then measures only the sums.
        table.add_column(no_wrap=True, justify="right", width=self.label)
        table.add_column(no_wrap=True, width=1)
        table.add_column()
        for i, row in enumerate(self.rows):
            if row.label:
                table.add_row(Text(f"{row.label}:", style="italic"), "", _row_text(row))
            else:
                table.add_row(self.lhs if i == 0 else "", "=", _row_text(row))
        return table

    def _column(self, max_width: int) -> int | None:
        """The rows' column width; None where only the grid lays it out (markup in the lhs, a narrow console)."""
        column = min(max(self.widths), max_width - self.label - 3)
        return None if column < MIN_COLUMN or "[" in self.lhs else column

    def fits_console(self, console: Console, width: int) -> bool:
        return self._column(width) is not None and laid_out_here(console)

    def lines(self, console: Console, max_width: int) -> list[list[Piece]] | None:
        """The grid's lines, each ``label + 3 + column`` wide; None where only the grid lays it out."""
        column = self._column(max_width)
        if column is None:
            return None
        lines = []
        for i, (row, width) in enumerate(zip(self.rows, self.widths)):
            if row.label:
                label = f"{row.label}:"
                left = [(" " * (self.label - cell_len(label)) + label, "italic"), ("   ", "")]
            else:
                lhs = self.lhs.rstrip() if i == 0 else ""
                left = [(" " * (self.label - cell_len(lhs)) + lhs + " = ", "")]
            if width <= column:
                lines.append([*left, *_row_pieces(row), (" " * (column - width), "")])
                continue
            parts = _wrap_narrow(row, self.plains[i], column) if self.narrow[i] else None
            if parts is None:
                parts = [
                    pieces_of(part)
                    for part in _row_text(row).wrap(console, column, justify="left", overflow="ellipsis")
                ]
            for k, wrapped in enumerate(parts):
                if wrapped is None:
                    return None
                lines.append([*(left if k == 0 else [(" " * (self.label + 3), "")]), *wrapped])
        return lines

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        lines = self.lines(console, options.max_width) if laid_out_here(console) else None
        if lines is None:
            yield self.grid()
        else:
            yield from segments(console, lines)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.grid())


MIN_COLUMN = 1  # narrower, the grid shrinks its fixed columns too
_WORD = re.compile(r"\s*\S+\s*")  # a word and the whitespace around it, as rich._wrap splits lines
_NARROW: set[str] = set()  # characters Rich measures one cell wide, learnt as they are met


def narrow(text: str) -> bool:
    """Whether Rich measures every character of ``text`` one cell wide (so its width is ``len(text)``)."""
    chars = set(text)
    if chars <= _NARROW:
        return True
    if all(cell_len(char) == 1 for char in chars - _NARROW):
        _NARROW.update(chars)
        return True
    return False


def _wrap_narrow(row: prose.Row, plain: str, width: int) -> list[list[Piece] | None] | None:
    """``Text.wrap(width, justify="left")`` of a row of narrow characters, as pieces; None where a word is longer.

    Rich's rule in a few lines, because Text.wrap measures every word and line character by
    character, a quarter of a 64×64 trace's time: a word goes on the line when it fits without its
    trailing spaces, else it starts the next; a line drops trailing spaces beyond ``width``
    and is padded to it.  ``test_formula_lines_are_the_grid`` holds it to Rich's grid.
    """
    starts, position = [], 0
    for word in _WORD.finditer(plain):
        length = len(word.group().rstrip())
        if length > width:
            return None  # Rich crops it with an ellipsis: Text.wrap does that
        if width - position < length and position:
            starts.append(word.start())
            position = 0
        position += len(word.group())
    value = len(plain) - len(row.value) if row.value is not None else len(plain)
    lines: list[list[Piece] | None] = []
    for start, end in zip([0, *starts], [*starts, len(plain)]):
        if end - start > width:  # only trailing spaces go past the width
            end -= min(end - start - width, end - start - len(plain[start:end].rstrip()))
        pieces = [(plain[start : min(end, value)], ""), (plain[max(start, value) : end], RESULT)]
        pieces.append((" " * (width - (end - start)), ""))
        lines.append([piece for piece in pieces if piece[0]])
    return lines


def _row_pieces(row: prose.Row) -> list[Piece]:
    if row.value is None:
        return [(row.text, "")]
    return [(f"{row.text} = ", ""), (row.value, RESULT)]


def _row_text(row: prose.Row) -> Text:
    text = Text(row.text)
    if row.value is not None:
        text.append(" = ")
        text.append(row.value, style=RESULT)
    return text
