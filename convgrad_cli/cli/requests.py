"""The typed choices (frozen dataclasses) the option bundles share, of which each command builds its request.

Each command's own request (``ComputeRequest`` in cli/compute.py, ``CheckRequest``,
``ExplainRequest``) is made of these, so nothing below a command reads Click's dict.

The parameters arrive parsed (their Click types call :func:`~convgrad_cli.load.params.parse_param`),
so a value here is already in the form :func:`~convgrad_cli.engine.resolve_spec` takes.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

# A parsed --stride/--padding/--dilation/--groups/--dims: an int, a padding word, or (nested) lists of ints.
ParamValue = Any


@dataclass(frozen=True, slots=True)
class ProblemChoice:
    """Where the problem comes from: --problem, --sample, or operands (a path, '-' or inline text each)."""

    problem: str | None = None
    sample: str | None = None
    input: str | None = None
    filter: str | None = None
    grad_output: str | None = None
    bias: str | None = None

    def operands(self) -> dict[str, str | None]:
        """``input``, ``filter``, ``grad_output``, ``bias`` → the text given for each (None: not given)."""
        return {
            "input": self.input,
            "filter": self.filter,
            "grad_output": self.grad_output,
            "bias": self.bias,
        }

    def given(self) -> bool:
        return any((self.problem, self.sample, self.input, self.filter))


@dataclass(frozen=True, slots=True)
class Parameters:
    """The layer's parameters as flags gave them (None: not given), already parsed."""

    stride: ParamValue = None
    padding: ParamValue = None
    dilation: ParamValue = None
    groups: ParamValue = None
    dims: ParamValue = None
    mode: str | None = None

    def numeric(self) -> dict[str, ParamValue]:
        """Every parameter but ``mode``, by name, None where not given (the problem file's then apply)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "mode"}

    def given(self) -> dict[str, ParamValue]:
        """Only the parameters given, ``mode`` included."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}


@dataclass(frozen=True, slots=True)
class OutputChoice:
    """--format, the output file (``flag`` names it in errors: --output or --report), colour, width."""

    format: str = "table"
    file: str | None = None
    flag: str = "--output"
    color: bool | None = None
    width: int | None = None

    def files(self) -> dict[str, str | None]:
        """The output file by its flag (for :func:`~convgrad_cli.cli.emit.distinct_files`)."""
        return {self.flag: self.file}


@dataclass(frozen=True, slots=True)
class TraceChoice:
    """How much of the derivation to show, and the pictures to save beside it."""

    trace: bool | None = None
    cells: str | None = None
    export_svg: str | None = None
    export_html: str | None = None
    latex_body: bool = False

    def exports(self) -> bool:
        return bool(self.export_svg or self.export_html)

    def files(self) -> dict[str, str | None]:
        """The exported pictures' files by flag."""
        return {"--export-svg": self.export_svg, "--export-html": self.export_html}
