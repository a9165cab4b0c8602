"""Click types for the layer's parameters, the shapes and the tolerance: each calls the library's one parser.

A bad value fails while Click parses the flags, with the library's own message
(an :class:`~convgrad_cli.errors.InputError`, which the group shows as one line, exit 2).
"""

from __future__ import annotations

import math
from typing import Any

import click


class LayerParam(click.ParamType):
    """``--stride 2,1``, ``--padding same`` …: parsed by :func:`~convgrad_cli.load.params.parse_param`."""

    def __init__(self, name: str) -> None:
        self.name = name

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str):
            return value  # already parsed
        from ..load.params import parse_param  # here: --help never needs the parser

        return parse_param(self.name, value)


class Shape(click.ParamType):
    """``3x3``, ``2,3,3`` …: parsed by :func:`~convgrad_cli.derivation.symbolic.parse_shape`."""

    name = "shape"

    def __init__(self, flag: str) -> None:
        self.flag = flag

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str):
            return value
        from ..derivation.symbolic import parse_shape

        return parse_shape(self.flag, value)


class Tolerance(click.FloatRange):
    """A relative tolerance: a finite number ≥ 0 (NaN would pass every cell, infinity any)."""

    def __init__(self) -> None:
        super().__init__(min=0)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return number
