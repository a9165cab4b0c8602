"""``convgrad check``: which cells of an answer are wrong, and which classic mistake made them.

The answer flags are ``--answer`` (a JSON object, a folder of them, repeatable) and one
array per flag: ``--output`` (Y), ``--grad-input``, ``--grad-filter``, ``--grad-bias``.
Because ``--output`` names the answer Y here, the report goes to a file with ``--report``
(``-o`` does not exist on this command, so it is never mistaken for one or the other).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from ..errors import ExitCode, InputError
from .bundles import GroupedCommand, input_options, output_options, spec_options

if TYPE_CHECKING:
    from ..derivation.records import Derivation
    from ..engine.backward import Gradients
    from ..grading.answers import Answer
    from ..grading.solved import Solved
    from ..grading.verdicts import Graded, Report
    from ..load.problem import Request

FORMATS = ("table", "json", "markdown")
ANSWER_FLAGS = {"answer_output": "output", "grad_input": "grad_input", "grad_filter": "grad_filter",
                "grad_bias": "grad_bias"}  # fmt: skip
PROGRESS_AFTER = 0.3  # seconds: a class graded faster than this shows no progress bar


def _answer_options(function: Callable[..., Any]) -> Callable[..., Any]:
    decorators = [
        click.option("--answer", multiple=True, metavar="PATH",
                     help="Answers as one JSON object (output, grad_input, grad_filter, grad_bias): a file, "
                     "'-', inline {…}, or a folder of files. Repeat to grade several."),
        click.option("--output", "answer_output", metavar="ARRAY",
                     help="Your Y (the forward output): a .json/.csv/.npy file or inline JSON."),
        click.option("--grad-input", metavar="ARRAY", help="Your ∂L/∂X (same forms)."),
        click.option("--grad-filter", metavar="ARRAY", help="Your ∂L/∂W (same forms)."),
        click.option("--grad-bias", metavar="ARRAY", help="Your ∂L/∂b: a number, or one per filter."),
        click.option("--tol", type=click.FloatRange(min=0), default=1e-6, show_default=True, metavar="REL",
                     help="Relative tolerance for values that are not exact or correctly rounded."),
        click.option("--derivation/--no-derivation", default=True, show_default=True,
                     help="After the verdict, derive the wrong cells of ∂L/∂X and ∂L/∂W the right way."),
        click.option("--list-mistakes", is_flag=True, help="Print the catalog of mistakes convgrad recognises."),
        click.option("--progress/--no-progress", default=None,
                     help="Progress bar on stderr while grading many files (default: on a terminal)."),
    ]  # fmt: skip
    for decorator in reversed(decorators):
        function = decorator(function)
    for param in function.__click_params__[-len(decorators) :]:  # type: ignore[attr-defined]
        param.section = "Answers"  # type: ignore[attr-defined]
    return function


@click.command(cls=GroupedCommand)
@input_options
@spec_options
@_answer_options
@output_options(FORMATS, file_flags=("--report",))
def check(**options: Any) -> None:
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
    if options["list_mistakes"]:
        _emit(_catalog_text(options), options, [])
        return
    from ..grading.solved import Solved
    from .run import notes_for, request_from, solve

    _require_problem(options)
    request = request_from(options, sys.stdin.buffer)
    result = solve(request, options.get("exact"))
    for note in notes_for(request, result):
        click.echo(f"convgrad: {note}", err=True)
    solved = Solved(result, options.get("exact"))
    single, paths = _answers(options, request, result)
    status = (
        _check_one(solved, single, options, request) if single else _grade(solved, paths, options, request)
    )
    click.get_current_context().exit(status)


def _require_problem(options: dict[str, Any]) -> None:
    if not any(options.get(k) for k in ("problem", "sample", "input_", "filter_")):
        raise InputError(
            "problem", "there is no problem to check against",
            "give --problem FILE, --sample NAME, or the operands -x/-w (and -g)",
        )  # fmt: skip


def _answers(options: dict[str, Any], request: Request, result: Gradients) -> tuple[Answer | None, list[str]]:
    """One answer to check, or the answer files of a class (from --answer folders and repeats)."""
    from pathlib import Path

    given = list(options["answer"])
    flags = {name: options[key] for key, name in ANSWER_FLAGS.items() if options.get(key) is not None}
    _one_stdin(given + list(flags.values()), request)
    if len(given) > 1 or any(g != "-" and Path(g).is_dir() for g in given):
        if flags:
            raise InputError("--" + next(iter(flags)).replace("_", "-"), "cannot be combined with several answers",
                             "give one array per flag for a single answer only")  # fmt: skip
        return None, _class_files(given, options, request)
    return _one_answer(given, flags, options, result), []


def _one_stdin(answers: list[str], request: Request) -> None:
    from ..load.source import STDIN

    readers = answers.count("-") + (STDIN in request.sources.values() or request.origin == STDIN)
    if "-" in answers and readers > 1:
        raise InputError(
            "--answer", "reads standard input too", "only one input can be '-'; give the others as files"
        )


def _class_files(given: list[str], options: dict[str, Any], request: Request) -> list[str]:
    """Every answer file: the ``*.json`` of each folder given (never the problem file), and each file given."""
    from pathlib import Path

    from ..grading.verdicts import answer_files

    skip = [s for s in request.sources.values() if s] + (
        [options["problem"]] if options.get("problem") else []
    )
    return [str(f) for g in given for f in (answer_files(Path(g), skip) if Path(g).is_dir() else [Path(g)])]


def _one_answer(
    given: list[str], flags: dict[str, str], options: dict[str, Any], result: Gradients
) -> Answer:
    """--answer, completed (or replaced) by the per-array flags; else the problem file's own answer."""
    from ..grading.answers import Answer, answer_in_problem, read_answer, read_array

    dims, stdin = result.spec.dims, sys.stdin.buffer
    answer = read_answer(given[0], stdin, dims) if given else None
    if flags:
        arrays = {name: read_array(text, name, stdin, dims) for name, text in flags.items()}
        names = ", ".join(_flag_source(name, text) for name, text in flags.items())
        answer = Answer({**(answer.arrays if answer else {}), **arrays}, answer.source if answer else names)
    if answer is None and options.get("problem"):
        answer = answer_in_problem(options["problem"])
    if answer is None:
        raise InputError("--answer", "no answer to check",
                         "give --answer FILE, or arrays with --output, --grad-input, --grad-filter, --grad-bias")  # fmt: skip
    return answer


def _flag_source(name: str, text: str) -> str:
    """How a report names an answer given by flag: its file, or the flag when inline."""
    from ..load.source import INLINE, Source

    return f"--{name.replace('_', '-')} (inline)" if Source(text).name == INLINE else text


def _setting(request: Request, result: Gradients) -> str:
    where = request.origin or "the operands given"
    return f"against {where}: {result.spec.describe()}"


def _check_one(solved: Solved, answer: Answer, options: dict[str, Any], request: Request) -> int:
    from ..grading.verdicts import check

    report = check(solved, answer, options["tol"])
    derivation = _derivation(solved, report, options) if options["derivation"] else None
    text = _report_text(report, _setting(request, solved.result), derivation, options)
    _emit(text, options, _inputs(request, [answer.source]))
    return ExitCode.OK if report.correct else ExitCode.WRONG_ANSWER


def _derivation(solved: Solved, report: Report, options: dict[str, Any]) -> Derivation | None:
    """The derivation views' data, restricted to the cells answered wrong (None if there are none)."""
    from ..derivation.records import build
    from ..grading.verdicts import derivation_selection

    selection = derivation_selection(solved, report)
    return None if selection is None else build(solved.result, selection, steps=options["format_"] != "json")


def _grade(solved: Solved, paths: list[str], options: dict[str, Any], request: Request) -> int:
    from ..grading.verdicts import grade

    if not paths:
        raise InputError(
            "--answer", "the folder holds no .json answer files", "put one JSON answer per student in it"
        )
    forced = options.get("progress") is True
    bar = _Progress(len(paths), _progress_wanted(options, len(paths)), 0 if forced else PROGRESS_AFTER)
    try:
        graded = grade(solved, paths, options["tol"], solved.spec.dims, bar.tick)
    finally:
        bar.close()
    for entry in graded:
        if entry.error:
            click.echo(f"convgrad: error: {entry.error}", err=True)
    _emit(_class_text(graded, options), options, _inputs(request, paths))
    if any(entry.error for entry in graded):
        return ExitCode.BAD_INPUT
    return ExitCode.OK if all(e.report and e.report.correct for e in graded) else ExitCode.WRONG_ANSWER


def _inputs(request: Request, answers: list[str]) -> list[str]:
    # --report must never replace a file this command reads: the problem, operands or answers.
    return [s for s in request.sources.values() if s] + ([request.origin] if request.origin else []) + answers


def _report_text(report: Report, setting: str, derivation: Derivation | None, options: dict[str, Any]) -> str:
    from ..render import check_report

    if options["format_"] == "json":
        doc = check_report.document(report)
        if derivation is not None:
            from ..render.trace_json import trace

            doc["derivation"] = trace(derivation)
        return check_report.dumps(doc)
    if options["format_"] == "markdown":
        return check_report.markdown(report, setting) + _markdown_derivation(derivation)
    if derivation is None:
        return _rich(check_report.view(report, setting), options)
    from rich.console import Group
    from rich.rule import Rule

    from ..render.table import derivation_view

    heading = Rule("The right derivation of the wrong cells", style="bold", align="left")
    return _rich(Group(check_report.view(report, setting), heading, derivation_view(derivation)), options)


def _markdown_derivation(derivation: Derivation | None) -> str:
    """The Markdown derivation view, restricted to the cells answered wrong."""
    if derivation is None:
        return ""
    from ..render.markdown import markdown

    return "\n## The right derivation of the wrong cells\n\n" + markdown(derivation)


def _class_text(graded: list[Graded], options: dict[str, Any]) -> str:
    from ..render import check_report

    if options["format_"] == "json":
        return check_report.dumps(check_report.class_document(graded))
    if options["format_"] == "markdown":
        return check_report.markdown_class(graded)
    return _rich(check_report.class_view(graded), options)


def _catalog_text(options: dict[str, Any]) -> str:
    from ..render import check_report

    rows = check_report.catalog_lines()
    if options["format_"] == "json":
        return check_report.dumps({"mistakes": [{"id": i, "arrays": a, "because": b} for i, a, b in rows]})
    if options["format_"] == "markdown":
        return "| mistake | spoils | your answer is what you get when … |\n|---|---|---|\n" + "".join(
            f"| `{i}` | {a} | {b} |\n" for i, a, b in rows
        )
    return _rich(check_report.catalog_view(), options)


def _rich(renderable: Any, options: dict[str, Any]) -> str:
    from ..render.console import make_console

    to_file = options.get("output_file") is not None
    console = make_console(color=False if to_file else options.get("color"), width=options.get("width"))
    with console.capture() as capture:
        console.print(renderable)
    return capture.get()


def _emit(text: str, options: dict[str, Any], inputs: list[str]) -> None:
    from ..load.atomic import write_atomic

    if options.get("output_file"):
        write_atomic(options["output_file"], text, inputs=inputs, flag="--report")
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


def _progress_wanted(options: dict[str, Any], files: int) -> bool:
    if options.get("progress") is not None:
        return bool(options["progress"])
    # Auto: only for people watching a terminal, and never on the JSON path (which must not load Rich).
    return files > 1 and sys.stderr.isatty() and options["format_"] != "json"


class _Progress:
    """A Rich progress bar on stderr that appears only once grading takes more than a moment."""

    def __init__(self, total: int, enabled: bool, delay: float) -> None:
        self.total, self.enabled, self.delay, self.done = total, enabled, delay, 0
        self.started = time.monotonic()
        self.bar: Any = None
        self.task: Any = None

    def tick(self) -> None:
        self.done += 1
        if self.bar is None and self.enabled and time.monotonic() - self.started >= self.delay:
            self._show()
        if self.bar is not None:
            self.bar.update(self.task, completed=self.done)

    def _show(self) -> None:
        from rich.console import Console
        from rich.progress import Progress

        self.bar = Progress(console=Console(stderr=True), transient=True)
        self.task = self.bar.add_task("grading", total=self.total)
        self.bar.start()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
