"""``convgrad verify``: run an implementation of the backward pass on a ladder of cases and name its mistakes.

Thin: the flags become one :class:`VerifyRequest`; :mod:`convgrad_cli.grading.verify`
runs the user's code (in a child process) and judges it; :mod:`convgrad_cli.render.verify_report`
draws the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import click

from ..errors import ExitCode
from .bundles import GroupedCommand, all_read, output_from, output_options, stack
from .emit import emit, skipped_note
from .progress import Progress
from .requests import OutputChoice
from .views import rich_text

if TYPE_CHECKING:
    from ..grading.verify import FileResult, VerifyReport

FORMATS = ("table", "json", "markdown", "csv")
CONVENTION_NAMES = (
    "torch",
    "channels-last",
    "cs231n",
    "dls",
)  # grading.verify.CONVENTIONS, without importing NumPy


@dataclass(frozen=True, slots=True)
class VerifyRequest:
    """``convgrad verify``: what to run, how to call it, how long to wait, and what to show."""

    target: str
    output: OutputChoice
    convention: str = "torch"
    function: str | None = None
    forward: str | None = None
    backward: str | None = None
    timeout: float = 10.0  # grading.verify.run.TIMEOUT (not imported: it would load NumPy for --help)
    memory_mb: int = 4096  # grading.verify.child.MEMORY_MB
    per_axis: bool = False
    progress: bool | None = None

    def names(self) -> dict[str, str]:
        """Roles → function names given by flag (``function`` fills the convention's last role)."""
        given = {"forward": self.forward, "backward": self.backward, "function": self.function}
        return {role: name for role, name in given.items() if name}


verify_options = stack(
    click.option("--convention", type=click.Choice(CONVENTION_NAMES), default="torch", show_default=True,
                 help="How the code is called: torch f(x, w, grad_output, **params); channels-last (NHWC); "
                 "cs231n conv_forward_naive/conv_backward_naive; dls conv_forward/conv_backward."),
    click.option("--function", metavar="NAME", help="The function to verify (FILE.py:NAME does the same; "
                 "for cs231n and dls, the backward function)."),
    click.option("--forward", metavar="NAME", help="The forward function's name (cs231n, dls)."),
    click.option("--backward", metavar="NAME", help="The backward function's name (cs231n, dls)."),
    click.option("--per-axis", is_flag=True, help="Pass stride, padding, dilation as per-axis tuples, "
                 "and add cases whose values differ by axis."),
    click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=10.0, show_default=True,
                 metavar="SECONDS", help="Stop a case that runs longer than this."),
    click.option("--memory", "memory_mb", type=click.IntRange(min=64), default=4096, show_default=True,
                 metavar="MB", help="Memory ceiling of the process running the code (where the OS allows)."),
    click.option("--progress/--no-progress", default=None,
                 help="Progress bar on stderr while verifying a folder (default: on a terminal)."),
    section="Verifying",
)  # fmt: skip


def _target(function: Any) -> Any:
    function = click.argument("target", metavar="TARGET")(function)
    # Set, not passed: Click < 8.5 takes no help for an argument (≥ 8.5 lists it under "Positional arguments").
    function.__click_params__[-1].help = "FILE.py[:FUNCTION], or a folder of .py files."
    return function


@click.command(cls=GroupedCommand)
@_target
@verify_options
@output_options(FORMATS)
def verify(**flags: Any) -> None:
    """Verify an implementation of the backward pass: a ladder of cases, each wrong array named.

    TARGET is FILE.py[:FUNCTION] or a folder of .py files (one line per file). The code
    runs in a child process with a timeout per case; it is not a sandbox.
    Exit status 0 when every case passes, 1 when any fails, 2 for bad input.

    \b
    Examples:
      convgrad verify my_conv.py:conv2d_backward
      convgrad verify layers.py --convention cs231n
      convgrad verify assignment.py --convention dls
      convgrad verify submissions/ --function conv2d_backward --format csv
    """
    request = VerifyRequest(
        target=flags.pop("target"), convention=flags.pop("convention"), function=flags.pop("function"),
        forward=flags.pop("forward"), backward=flags.pop("backward"), timeout=flags.pop("timeout"),
        memory_mb=flags.pop("memory_mb"), per_axis=flags.pop("per_axis"), progress=flags.pop("progress"),
        output=output_from(flags),
    )  # fmt: skip
    all_read(flags)
    click.get_current_context().exit(run(request))


def run(request: VerifyRequest) -> int:
    """Verify one file or every file of a folder; the exit status."""
    from pathlib import Path

    from ..grading.verify import CONVENTIONS, verify_file, verify_folder
    from ..grading.verify.run import python_files, split_target

    convention, names = CONVENTIONS[request.convention], request.names()
    if "function" in names and convention.roles[-1][0] != "function":
        names[convention.roles[-1][0]] = names.pop("function")
    if Path(request.target).is_dir():
        paths = python_files(Path(request.target), skipped_note)
        with Progress.choose(request.progress, len(paths), request.output.format, "verified") as progress:
            results = verify_folder(
                Path(request.target), convention, names=names, timeout=request.timeout,
                per_axis=request.per_axis, memory_mb=request.memory_mb, done=progress.tick, paths=paths,
            )  # fmt: skip
        emit(_class_text(results, request.output), request.output, [request.target])
        return ExitCode.OK if all(r.passed for r in results) else ExitCode.WRONG_ANSWER
    report = verify_file(request.target, convention, names=names, timeout=request.timeout,
                         per_axis=request.per_axis, memory_mb=request.memory_mb)  # fmt: skip
    emit(
        _report_text(report, request.output),
        request.output,
        [str(split_target(request.target)[0])],
    )
    return ExitCode.OK if report.passed else ExitCode.WRONG_ANSWER


def _report_text(report: VerifyReport, output: OutputChoice) -> str:
    from ..render import verify_report

    if output.format == "json":
        return verify_report.dumps(verify_report.document(report))
    if output.format == "markdown":
        return verify_report.markdown(report)
    if output.format == "csv":
        return verify_report.case_rows(report)
    return rich_text(verify_report.view(report), output)


def _class_text(results: list[FileResult], output: OutputChoice) -> str:
    from ..render import verify_report

    if output.format == "json":
        return verify_report.dumps(verify_report.class_document(results))
    if output.format == "markdown":
        return verify_report.markdown_class(results)
    if output.format == "csv":
        return verify_report.gradebook(results)
    return rich_text(verify_report.class_view(results), output)
