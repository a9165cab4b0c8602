"""``convgrad check``: which cells of an answer are wrong, and which classic mistake made them.

The answer flags are ``--answer`` (a JSON object, a folder of them, repeatable) and one
array per flag: ``--output`` (Y), ``--grad-input``, ``--grad-filter``, ``--grad-bias``.
Because ``--output`` names the answer Y here, the report goes to a file with ``--report``
(``-o`` does not exist on this command, so it is never mistaken for one or the other).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import click

from ..errors import ExitCode, InputError
from . import bundles
from .emit import emit
from .param_types import Tolerance
from .progress import Progress
from .requests import OutputChoice, Parameters, ProblemChoice
from .views import rich_text

if TYPE_CHECKING:
    from ..derivation import Derivation
    from ..engine.backward import Gradients
    from ..grading.answers import Answer
    from ..grading.solved import Solved
    from ..grading.verdicts import Graded, Report
    from ..load.problem import Request

FORMATS = ("table", "json", "markdown", "csv")
HINTS = ("none", "mistake", "cells", "derivation")  # grading.verdicts.HINTS, without importing it for --help
ANSWER_FLAGS = {"answer_output": "output", "grad_input": "grad_input", "grad_filter": "grad_filter",
                "grad_bias": "grad_bias"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class AnswerChoice:
    """What to grade: --answer paths (repeatable) and per-array flags, and how strictly."""

    paths: tuple[str, ...] = ()
    arrays: tuple[tuple[str, str], ...] = ()  # (answer field, text) per --output/--grad-* flag given
    tol: float = 1e-6
    derivation: bool = True
    progress: bool | None = None
    layout: str = "channels-first"  # channels-last: answers given as NHWC / HWIO
    hints: str = "derivation"  # how much the report reveals (grading.verdicts.HINTS)
    decimals: int = 0  # approximate values need at least this many decimals


@dataclass(frozen=True, slots=True)
class CheckRequest:
    """``convgrad check``: the problem, the answers, and how to report."""

    problem: ProblemChoice
    params: Parameters
    exact: bool | None
    answers: AnswerChoice
    output: OutputChoice
    list_mistakes: bool = False


answer_options = bundles.stack(
    click.option("--answer", multiple=True, metavar="PATH",
                 help="Answers as one JSON object (output, grad_input, grad_filter, grad_bias): a file, "
                 "'-', inline {…}, or a folder of files. Repeat to grade several."),
    click.option("--output", "answer_output", metavar="ARRAY",
                 help="Your Y (the forward output): a .json/.csv/.npy file or inline JSON."),
    click.option("--grad-input", metavar="ARRAY", help="Your ∂L/∂X (same forms)."),
    click.option("--grad-filter", metavar="ARRAY", help="Your ∂L/∂W (same forms)."),
    click.option("--grad-bias", metavar="ARRAY", help="Your ∂L/∂b: a number, or one per filter."),
    click.option("--tol", type=Tolerance(), default=1e-6, show_default=True, metavar="REL",
                 help="Relative tolerance for values that are not exact or correctly rounded."),
    click.option("--layout", type=click.Choice(["channels-first", "channels-last"]), default="channels-first",
                 show_default=True, help="channels-last: grade answers given as (N, H, W, C) and (kH, kW, C_in, C_out)."),
    click.option("--hints", type=click.Choice(HINTS), default=None,
                 help="What the report reveals: none (✓/✗ only), mistake (wrong cells and the mistake, no right "
                 "values), cells (and the right values of wrong cells), derivation (and their right derivation; "
                 "the default). Only arrays the answer gives are ever shown."),
    click.option("--derivation/--no-derivation", default=True, show_default=True,
                 help="After the verdict, derive the wrong cells of ∂L/∂X and ∂L/∂W the right way "
                 "(--no-derivation: at most --hints cells)."),
    click.option("--decimals", type=click.IntRange(0, 20), default=0, metavar="N",
                 help="A value that is not exact must be written with at least N decimals (default: any)."),
    click.option("--list-mistakes", is_flag=True, help="Print the catalog of mistakes convgrad recognises."),
    click.option("--progress/--no-progress", default=None,
                 help="Progress bar on stderr while grading many files (default: on a terminal)."),
    section="Answers",
)  # fmt: skip


def answers_from(flags: dict[str, Any]) -> AnswerChoice:
    """The flags of :data:`answer_options` but --list-mistakes."""
    arrays = tuple((name, text) for key, name in ANSWER_FLAGS.items() if (text := flags.pop(key)) is not None)
    derivation, hints = flags.pop("derivation"), flags.pop("hints") or "derivation"
    if not derivation and hints == "derivation":
        hints = "cells"  # --no-derivation predates --hints and means "everything but the derivation"
    return AnswerChoice(
        paths=tuple(flags.pop("answer")), arrays=arrays, tol=flags.pop("tol"),
        derivation=hints == "derivation", progress=flags.pop("progress"), layout=flags.pop("layout"),
        hints=hints, decimals=flags.pop("decimals"),
    )  # fmt: skip


@click.command(cls=bundles.GroupedCommand)
@bundles.input_options
@bundles.spec_options
@answer_options
@bundles.output_options(FORMATS, file_flags=("--report",))
def check(**flags: Any) -> None:
    """Check answers: ✓/✗ per cell, and the classic mistake behind wrong ones.

    Exit status 0 when every answer is right, 1 when any is wrong, 2 for bad input.

    \b
    Examples:
      convgrad check --problem hw3.json --answer mine.json
      convgrad check -x X.csv -w W.csv -g dY.csv --grad-input my_dx.csv --stride 2
      convgrad check --sample page --grad-filter '[[-1, 9], [4, 14]]'
      convgrad check --problem hw3.json --answer submissions/ --format markdown
      convgrad check --list-mistakes
    """
    request = CheckRequest(
        problem=bundles.problem_from(flags), params=bundles.parameters_from(flags), exact=flags.pop("exact"),
        answers=answers_from(flags), output=bundles.output_from(flags, "--report"), list_mistakes=flags.pop("list_mistakes"),
    )  # fmt: skip
    bundles.all_read(flags)
    click.get_current_context().exit(run(request))


def run(request: CheckRequest) -> int:
    """Solve the problem, then check one answer or grade a class; the exit status."""
    if request.list_mistakes:
        emit(_catalog_text(request.output), request.output)
        return ExitCode.OK
    from ..grading.solved import Solved
    from .solving import gather_problem, notes_for, solve

    _require_problem(request)
    problem = gather_problem(request.problem, request.params, sys.stdin.buffer if sys.stdin else None)
    result = solve(problem, request.exact)
    for note in notes_for(problem, result):
        click.echo(f"convgrad: {note}", err=True)
    # After a float fallback the mistakes are rerun in float64 too.
    solved = Solved(result, request.exact if result.arithmetic == "exact" else False)
    single, paths = _answers(request, problem, solved)
    return _check_one(solved, single, request, problem) if single else _grade(solved, paths, request, problem)


def _require_problem(request: CheckRequest) -> None:
    if not request.problem.given():
        raise InputError(
            "problem", "there is no problem to check against",
            "give --problem FILE, --sample NAME, or the operands -x/-w (and -g)",
        )  # fmt: skip


def _answers(request: CheckRequest, problem: Request, solved: Solved) -> tuple[Answer | None, list[str]]:
    """One answer to check, or the answer files of a class (from --answer folders and repeats)."""
    from pathlib import Path

    given, flags = list(request.answers.paths), dict(request.answers.arrays)
    _one_stdin(given + list(flags.values()), problem)
    if len(given) > 1 or any(g != "-" and Path(g).is_dir() for g in given):
        if flags:
            raise InputError("--" + next(iter(flags)).replace("_", "-"), "cannot be combined with several answers",
                             "give one array per flag for a single answer only")  # fmt: skip
        return None, _class_files(given, request, problem)
    return _one_answer(given, flags, request, solved), []


def _one_stdin(answers: list[str], problem: Request) -> None:
    from ..load.source import STDIN

    readers = answers.count("-") + (STDIN in problem.sources.values() or problem.origin == STDIN)
    if "-" in answers and readers > 1:
        raise InputError(
            "--answer", "reads standard input too", "only one input can be '-'; give the others as files"
        )


def _class_files(given: list[str], request: CheckRequest, problem: Request) -> list[str]:
    """Every answer file: the ``*.json`` of each folder given (never the problem file), and each file given."""
    from pathlib import Path

    from ..grading.verdicts import answer_files
    from .emit import skipped_note
    from .solving import operand_files

    skip = operand_files(problem) + ([request.problem.problem] if request.problem.problem else [])
    return [
        str(f)
        for g in given
        for f in (answer_files(Path(g), skip, skipped_note) if Path(g).is_dir() else [Path(g)])
    ]


def _one_answer(given: list[str], flags: dict[str, str], request: CheckRequest, solved: Solved) -> Answer:
    """--answer, completed (or replaced) by the per-array flags; else the problem file's own answer."""
    from ..grading.answers import Answer, answer_in_problem, read_answer, read_array

    dims, stdin = solved.spec.dims, sys.stdin.buffer if sys.stdin else None
    answer = read_answer(given[0], stdin, dims, solved) if given else None
    if flags:
        arrays = {name: read_array(text, name, stdin, dims, solved) for name, text in flags.items()}
        names = ", ".join(_flag_source(name, text) for name, text in flags.items())
        answer = Answer({**(answer.arrays if answer else {}), **arrays}, answer.source if answer else names)
    if answer is None and request.problem.problem:
        answer = answer_in_problem(request.problem.problem)
    if answer is None:
        raise InputError("--answer", "no answer to check",
                         "give --answer FILE, or arrays with --output, --grad-input, --grad-filter, --grad-bias")  # fmt: skip
    return answer


def _flag_source(name: str, text: str) -> str:
    """How a report names an answer given by flag: its file, or the flag when inline."""
    from ..load.source import INLINE, Source

    return f"--{name.replace('_', '-')} (inline)" if Source(text).name == INLINE else text


def _setting(problem: Request, result: Gradients) -> str:
    where = problem.origin or "the operands given"
    return f"against {where}: {result.spec.describe()}"


def _check_one(solved: Solved, answer: Answer, request: CheckRequest, problem: Request) -> int:
    from ..grading.verdicts import check

    choice = request.answers
    report = check(solved, answer, choice.tol, choice.layout, choice.decimals)
    derivation = _derivation(solved, report, request.output) if choice.derivation else None
    text = _report_text(report, _setting(problem, solved.result), derivation, request.output, choice.hints)
    emit(text, request.output, _inputs(problem, [answer.source]))
    return ExitCode.OK if report.correct else ExitCode.WRONG_ANSWER


def _derivation(solved: Solved, report: Report, output: OutputChoice) -> Derivation | None:
    """The derivation views' data, restricted to the cells answered wrong (None if there are none)
    and to the results the answer gives."""
    from ..derivation import build
    from ..grading.verdicts import derivation_selection, submitted_only

    selection = derivation_selection(solved, report)
    if selection is None or output.format == "csv":
        return None
    return submitted_only(build(solved.result, selection, steps=output.format != "json"), report)


def _grade(solved: Solved, paths: list[str], request: CheckRequest, problem: Request) -> int:
    from ..grading.verdicts import grade

    if not paths:
        raise InputError(
            "--answer", "the folder holds no .json answer files", "put one JSON answer per student in it"
        )
    progress = Progress.choose(request.answers.progress, len(paths), request.output.format, "graded")
    try:
        choice = request.answers
        graded = grade(
            solved, paths, choice.tol, solved.spec.dims, progress.tick, choice.layout, choice.decimals
        )
    finally:
        progress.close()
    for entry in graded:
        if entry.error:
            click.echo(f"convgrad: error: {entry.error}", err=True)
    emit(_class_text(graded, request.output, request.answers.hints), request.output, _inputs(problem, paths))
    if any(entry.error for entry in graded):
        return ExitCode.BAD_INPUT
    return ExitCode.OK if all(e.report and e.report.correct for e in graded) else ExitCode.WRONG_ANSWER


def _inputs(problem: Request, answers: list[str]) -> list[str]:
    # --report must never replace a file this command reads: the problem, operands or answers.
    from .solving import operand_files

    return operand_files(problem) + ([problem.origin] if problem.origin else []) + answers


def _report_text(
    report: Report, setting: str, derivation: Derivation | None, output: OutputChoice, hints: str
) -> str:
    from ..render import check_report

    if output.format == "csv":
        from ..grading.verdicts import Graded
        from ..render.gradebook import gradebook

        return gradebook([Graded(report.source, report)])
    if output.format == "json":
        doc = check_report.document(report, hints)
        if derivation is not None:
            from ..render.trace_json import trace

            doc["derivation"] = trace(derivation)
        return check_report.dumps(doc)
    if output.format == "markdown":
        wrong = check_report.derivation_markdown(derivation) if derivation is not None else ""
        return check_report.markdown(report, setting, hints) + wrong
    if derivation is None:
        return rich_text(check_report.view(report, setting, hints), output)
    from rich.console import Group

    parts = check_report.derivation_parts(derivation)
    return rich_text(Group(check_report.view(report, setting, hints), *parts), output)


def _class_text(graded: list[Graded], output: OutputChoice, hints: str) -> str:
    from ..render import check_report

    if output.format == "csv":
        from ..render.gradebook import gradebook

        return gradebook(graded)
    if output.format == "json":
        return check_report.dumps(check_report.class_document(graded, hints))
    if output.format == "markdown":
        return check_report.markdown_class(graded)
    return rich_text(check_report.class_view(graded), output)


def _catalog_text(output: OutputChoice) -> str:
    from ..render import check_report, gradebook

    if output.format == "table":
        return rich_text(check_report.catalog_view(), output)
    return gradebook.catalog_csv() if output.format == "csv" else check_report.catalog_text(output.format)
