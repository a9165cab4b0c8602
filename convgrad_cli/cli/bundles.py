"""Option bundles shared by the commands, each beside the reader that turns its flags into a typed record.

A bundle's flags are declared once here, and so is the one place that reads their
values out of Click's keyword dict (``*_from(flags)``, popping what it reads):
a command pops every bundle it uses and checks that nothing is left over.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from .param_types import LayerParam
from .requests import OutputChoice, Parameters, ProblemChoice, TraceChoice

F = TypeVar("F", bound=Callable[..., Any])

FORMATS = ("table", "json", "markdown", "latex")
PADDING_WORDS = ("valid", "same", "full")


class GroupedCommand(click.Command):
    """A command whose --help lists options under headings by purpose."""

    def format_arguments(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Nothing here: :meth:`format_options` lists arguments, the same under every Click version."""

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Click ≥ 8.5 lists documented arguments itself and older Clicks never do: write them here.
        arguments = [
            (param.human_readable_name, str(getattr(param, "help", "")))
            for param in self.get_params(ctx)
            if isinstance(param, click.Argument) and getattr(param, "help", None)
        ]
        if arguments:
            with formatter.section("Positional arguments"):
                formatter.write_dl(arguments)
        sections: dict[str, list[tuple[str, str]]] = {}
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record and not isinstance(param, click.Argument):
                sections.setdefault(getattr(param, "section", "Other options"), []).append(record)
        for name, records in sections.items():
            with formatter.section(name):
                formatter.write_dl(records)


def stack(*decorators: Callable[[F], F], section: str = "Other options") -> Callable[[F], F]:
    """Apply option decorators as one bundle, filing them under a --help heading."""

    def apply(function: F) -> F:
        for decorator in reversed(decorators):
            function = decorator(function)
        for param in getattr(function, "__click_params__", []):
            if not hasattr(param, "section"):
                param.section = section
        return function

    return apply


def _samples(_ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[str]:
    from ..load import samples

    return [name for name in samples.names() if name.startswith(incomplete)]


def _padding_words(_ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[str]:
    return [word for word in PADDING_WORDS if word.startswith(incomplete)]


input_options = stack(
    click.option(
        "-x",
        "--input",
        "input_",
        metavar="ARRAY",
        help="Input X: a .json/.csv/.npy file, '-' for stdin, or inline JSON.",
    ),
    click.option(
        "-w", "--filter", "--weight", "filter_", metavar="ARRAY", help="Filter W (same forms as --input)."
    ),
    click.option(
        "-g",
        "--grad-output",
        metavar="ARRAY",
        help="Upstream gradient ∂L/∂Y; default all ones (L = sum of Y).",
    ),
    click.option("-b", "--bias", metavar="ARRAY", help="Bias b: a number, or one per output channel."),
    click.option(
        "--problem",
        metavar="FILE",
        help="One JSON file with input, filter, grad_output, bias and parameters.",
    ),
    click.option(
        "--sample",
        metavar="NAME",
        shell_complete=_samples,
        help="Run a built-in sample (see `convgrad samples`).",
    ),
    section="Inputs",
)

# The parameters of the layer, without --exact/--float (explain has shapes, no numbers).
_PARAMETERS = (
    click.option("--stride", type=LayerParam("stride"), metavar="S", help="Stride: 2, or one per axis: 2,1."),
    click.option(
        "--padding",
        type=LayerParam("padding"),
        metavar="P",
        shell_complete=_padding_words,
        help="Zero padding: 1, 1,0, before:after pairs 1:2,0:1, or valid / same / full.",
    ),
    click.option(
        "--dilation",
        type=LayerParam("dilation"),
        metavar="D",
        help="Filter dilation (1 = no gaps), or one per axis.",
    ),
    click.option(
        "--groups", type=LayerParam("groups"), metavar="G", help="Split channels into G independent groups."
    ),
    click.option(
        "--mode",
        type=click.Choice(["correlate", "convolve"]),
        help="correlate (deep learning, default) or convolve (filter flipped).",
    ),
    click.option("--dims", type=LayerParam("dims"), metavar="N", help="Spatial axes: 1, 2 (default) or 3."),
)
parameter_options = stack(*_PARAMETERS, section="Convolution parameters")
spec_options = stack(
    *_PARAMETERS,
    click.option(
        "--exact/--float",
        "exact",
        default=None,
        help="Force exact rationals (refused past 30 s estimated), or float64. Default: exact for "
        "integers and fractions, unless estimated to take over 5 s (then float64, with a note).",
    ),
    section="Convolution parameters",
)


def output_options(
    formats: tuple[str, ...] = FORMATS, file_flags: tuple[str, ...] = ("-o", "--output")
) -> Callable[[F], F]:
    """--format, FILE (``-o/--output``, or other flags where ``--output`` means something else), colour, width."""
    return stack(
        click.option(
            "-f",
            "--format",
            "format_",
            type=click.Choice(formats),
            default=formats[0],
            show_default=True,
            help="Output format.",
        ),
        click.option(
            *file_flags,
            "output_file",
            metavar="FILE",
            help="Write to FILE (atomically) instead of stdout.",
        ),
        click.option(
            "--color/--no-color",
            "color",
            default=None,
            help="Force colour on or off (default: decide from the terminal, NO_COLOR, FORCE_COLOR).",
        ),
        click.option(
            "--width",
            type=click.IntRange(20, 1000),
            metavar="COLS",
            help="Render at this width (default: terminal or COLUMNS).",
        ),
        section="Output",
    )


trace_options = stack(
    click.option(
        "--trace/--no-trace",
        "trace",
        default=None,
        help="Show every step of the derivation, or none. Default: every step for small problems "
        "(up to 300 window positions and 50,000 drawn grid cells), else the results and a note.",
    ),
    click.option(
        "--cells",
        metavar="CELLS",
        help="Derive only these cells, 1-based: x22,w12 (one digit per axis), x[1,10] for larger "
        "indices, x or w for all of one gradient.",
    ),
    click.option("--export-svg", metavar="FILE", help="Also save the table view as an SVG picture."),
    click.option("--export-html", metavar="FILE", help="Also save the table view as an HTML page."),
    click.option(
        "--latex-body",
        is_flag=True,
        help="With --format latex: a fragment to \\input into a document, not a whole document.",
    ),
    section="Derivation",
)


# ---------------------------------------------------------------- readers: Click's dict → typed records


def all_read(flags: dict[str, Any]) -> None:
    """Every flag was read into the request: a flag no reader knows is a bug, not something to drop."""
    if flags:
        raise AssertionError(f"flags nobody read: {sorted(flags)}")


def problem_from(flags: dict[str, Any]) -> ProblemChoice:
    """The flags of :data:`input_options`."""
    return ProblemChoice(
        problem=flags.pop("problem"), sample=flags.pop("sample"), input=flags.pop("input_"),
        filter=flags.pop("filter_"), grad_output=flags.pop("grad_output"), bias=flags.pop("bias"),
    )  # fmt: skip


def parameters_from(flags: dict[str, Any]) -> Parameters:
    """The flags of :data:`parameter_options` (parsed by their types)."""
    names = ("stride", "padding", "dilation", "groups", "dims", "mode")
    return Parameters(**{name: flags.pop(name) for name in names})


def output_from(flags: dict[str, Any], flag: str = "--output") -> OutputChoice:
    """The flags of :func:`output_options`; ``flag`` is the file option's long name, for errors."""
    return OutputChoice(
        format=flags.pop("format_"), file=flags.pop("output_file"), flag=flag,
        color=flags.pop("color"), width=flags.pop("width"),
    )  # fmt: skip


def trace_from(flags: dict[str, Any]) -> TraceChoice:
    """The flags of :data:`trace_options`."""
    return TraceChoice(
        trace=flags.pop("trace"), cells=flags.pop("cells"), export_svg=flags.pop("export_svg"),
        export_html=flags.pop("export_html"), latex_body=flags.pop("latex_body"),
    )  # fmt: skip
