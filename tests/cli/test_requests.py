"""Each command turns its flags into one typed request: parameters parsed by their Click types, nothing left over."""

from __future__ import annotations

import dataclasses
from typing import Any

import click
import pytest

from convgrad_cli.cli import bundles
from convgrad_cli.cli.check import CheckRequest, answers_from, check
from convgrad_cli.cli.compute import ComputeRequest, compute
from convgrad_cli.cli.explain import ExplainRequest, explain
from convgrad_cli.cli.requests import Parameters, ProblemChoice


def flags_of(command: click.Command, *args: str) -> dict[str, Any]:
    """The keyword dict Click would hand the command body."""
    with command.make_context(command.name, list(args)) as ctx:
        return dict(ctx.params)


def test_compute_flags_become_one_request() -> None:
    flags = flags_of(compute, "-x", "X.csv", "--stride", "2,1", "--padding", "same", "--dims", "2", "-f", "json",
                     "--cells", "x11", "--exact")  # fmt: skip
    request = ComputeRequest(
        problem=bundles.problem_from(flags), params=bundles.parameters_from(flags), exact=flags.pop("exact"),
        output=bundles.output_from(flags), trace=bundles.trace_from(flags),
    )  # fmt: skip
    bundles.all_read(flags)
    assert request.problem == ProblemChoice(input="X.csv")
    assert request.params == Parameters(stride=[2, 1], padding="same", dims=2)
    assert (request.exact, request.output.format, request.trace.cells) == (True, "json", "x11")
    with pytest.raises(dataclasses.FrozenInstanceError):
        request.exact = False  # type: ignore[misc]


def test_explain_shapes_are_parsed_with_the_flags() -> None:
    flags = flags_of(explain, "--input-shape", "2×5×5", "--filter-shape", "3,2,2", "--bias")
    assert (flags["input_shape"], flags["filter_shape"], flags["bias"]) == ((2, 5, 5), (3, 2, 2), True)
    assert {f.name for f in dataclasses.fields(ExplainRequest)} >= {"input_shape", "filter_shape", "params"}


def test_check_reads_every_flag_it_declares() -> None:
    flags = flags_of(check, "--sample", "page", "--answer", "a.json", "--answer", "b.json", "--tol", "0.5")
    request = CheckRequest(
        problem=bundles.problem_from(flags), params=bundles.parameters_from(flags), exact=flags.pop("exact"),
        answers=answers_from(flags),
        output=bundles.output_from(flags, "--report"), list_mistakes=flags.pop("list_mistakes"),
    )  # fmt: skip
    bundles.all_read(flags)
    assert request.answers.paths == ("a.json", "b.json") and request.answers.tol == 0.5
    assert request.output.flag == "--report"


def test_a_flag_no_reader_knows_is_a_bug_not_dropped() -> None:
    with pytest.raises(AssertionError, match="flags nobody read: \\['surprise'\\]"):
        bundles.all_read({"surprise": 1})
