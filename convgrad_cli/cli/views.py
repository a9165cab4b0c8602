"""A derivation (or any Rich renderable) as the text of the chosen view, and the table view saved as SVG/HTML."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from .requests import OutputChoice, TraceChoice

if TYPE_CHECKING:
    from ..derivation import Derivation

WIDTH_RANGE = (20, 1000)  # --width's range; COLUMNS is clamped to it too


def render_view(
    derivation: Derivation, note: str | None, output: OutputChoice, trace: TraceChoice
) -> str | Iterator[str]:
    """A derivation (numeric or symbolic) as table, Markdown or LaTeX text.

    The table view comes in pieces, each drawn as it is written, so a long derivation
    never sits whole in memory.
    """
    if output.format == "markdown":
        from ..render.markdown import markdown

        return markdown(derivation, note)
    if output.format == "latex":
        from ..render.latex import latex

        return latex(derivation, note, body=trace.latex_body)
    from ..render.table import sections

    return rich_pieces(sections(derivation, note), output)


def rich_text(renderable: Any, output: OutputChoice) -> str:
    """What Rich prints for ``renderable`` at the output's width; no colour when it goes to a file."""
    return "".join(rich_pieces([renderable], output))


def rich_pieces(renderables: Iterable[Any], output: OutputChoice) -> Iterator[str]:
    """What Rich prints for each renderable in turn, drawn only when the previous piece is written."""
    import io

    from ..derivation import collector_paused
    from ..render.console import make_console, printed

    to_file = output.file is not None
    console = make_console(
        color=False if to_file else output.color,
        width=console_width(output.width),
        file=io.StringIO() if to_file else None,
    )
    try:
        # Thousands of Texts and Segments, none in a cycle: collector passes would find nothing.
        with collector_paused():
            yield from printed(console, renderables)
    except OSError as error:  # ending a capture flushes the console's stream: stdout, unless to a file
        from .emit import stdout_failed

        raise stdout_failed(error) from None


def console_width(flag: int | None) -> int | None:
    """--width, else COLUMNS clamped to the same range; 0 counts as unset (None: Rich asks the terminal)."""
    if flag is not None:
        return flag
    text = os.environ.get("COLUMNS", "")
    if not text.isdigit():
        return None  # unset or nonsense: Rich ignores it too
    columns = int(text)
    if columns == 0:
        import shutil

        columns = shutil.get_terminal_size().columns  # what COLUMNS unset would give (0 is "unset" here too)
    low, high = WIDTH_RANGE
    return min(max(columns, low), high)


def export_views(
    derivation: Derivation,
    note: str | None,
    trace: TraceChoice,
    width: int | None,
    title: str,
    inputs: list[str],
) -> None:
    """--export-svg / --export-html: the table view as a picture (colour on, --width or 80 columns)."""
    if not trace.exports():
        return
    import io

    from ..load.atomic import write_atomic
    from ..render.console import make_console
    from ..render.table import derivation_view

    console = make_console(color=True, width=width or 80, file=io.StringIO(), record=True)
    console.print(derivation_view(derivation, note))
    if trace.export_svg:
        svg = console.export_svg(title=title, clear=False)
        write_atomic(trace.export_svg, svg, inputs, flag="--export-svg")
    if trace.export_html:
        write_atomic(trace.export_html, console.export_html(clear=False), inputs, flag="--export-html")
