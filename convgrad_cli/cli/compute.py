"""``convgrad compute``: the forward output and every gradient of one layer."""

from __future__ import annotations

import sys
from typing import Any

import click

from .bundles import GroupedCommand, input_options, output_options, spec_options, trace_options


@click.command(cls=GroupedCommand)
@input_options
@spec_options
@output_options()
@trace_options
def compute(**options: Any) -> None:
    """Forward output Y and ∂L/∂X, ∂L/∂W, ∂L/∂b of Y = conv(X, W) + b.

    \b
    Examples:
      convgrad compute
      convgrad compute -x '[[1,2,3],[4,5,6],[7,8,9]]' -w '[[1,0],[0,-1]]'
      convgrad compute -x X.csv -w W.csv -g dY.csv --stride 2 --padding 1
      convgrad compute --problem hw3.json --format json | jq .grad_input
      convgrad compute --cells x22,w12 --format markdown
    """
    from .run import run_compute

    run_compute(options, stdin=sys.stdin.buffer)
