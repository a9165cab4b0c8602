"""``convgrad explain``: the derivation in symbols, for shapes instead of numbers."""

from __future__ import annotations

from typing import Any

import click

from .bundles import GroupedCommand, _stack, output_options, parameter_options, trace_options

shape_options = _stack(
    click.option(
        "--input-shape",
        metavar="SHAPE",
        help="Shape of X: 3x3, 3×3 or 3,3; with channels 2x5x5, with a batch 2x3x5x5.",
    ),
    click.option(
        "--filter-shape",
        metavar="SHAPE",
        help="Shape of W: 2x2; one filter over channels 3x2x2; C_out filters 4x3x2x2.",
    ),
    click.option("--bias", is_flag=True, help="Add a bias b and derive ∂L/∂b too."),
    section="Shapes (default: the hand-written page's 3x3 and 2x2)",
)


@click.command(cls=GroupedCommand)
@shape_options
@parameter_options
@output_options()
@trace_options
def explain(**options: Any) -> None:
    """Derive every gradient in symbols, no numbers: the hand-written page for any shapes.

    Each ∂L/∂w and ∂L/∂x as its chain-rule sum (∂L/∂x₂₂ = w₂₂·δ₁₁ + w₂₁·δ₁₂ + …),
    which weight links each x to each δ, the rotated filter, and the full
    convolution window by window. More than 300 window positions need --trace
    (every step) or --cells (chosen cells).

    \b
    Examples:
      convgrad explain --input-shape 3x3 --filter-shape 2x2
      convgrad explain --input-shape 4x4 --filter-shape 2x2 --stride 2 --padding 1
      convgrad explain --input-shape 7 --filter-shape 3 --dims 1 --dilation 2
      convgrad explain --input-shape 2x3x3 --filter-shape 2x2x2x2 --cells x122,w1111
      convgrad explain --input-shape 3x3 --filter-shape 2x2 --format latex -o page.tex
    """
    from ..derivation.symbolic import run_explain

    run_explain(options)
