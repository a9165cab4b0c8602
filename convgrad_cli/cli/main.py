"""The ``convgrad`` Click group: commands loaded lazily, --version/--debug, every failure mapped to its exit code.

Only Click is imported here at module level so ``--help`` and shell completion
stay fast; each command imports NumPy and Rich inside its body.  Library
errors become one line on stderr and an exit code from :class:`ExitCode`.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any, NoReturn

import click

from ..errors import ExitCode, InputError

# name → "module:attribute"; imported only when that command runs (fast --help/completion).
COMMANDS = {
    "compute": "convgrad_cli.cli.compute:compute",
    "check": "convgrad_cli.cli.check:check",
    "explain": "convgrad_cli.cli.explain:explain",
    "samples": "convgrad_cli.cli.samples:samples",
    "verify": "convgrad_cli.cli.verify:verify",
}


class Failure(click.ClickException):
    """An :class:`InputError` as Click shows it: one line, maybe a hint, exit 2."""

    exit_code = ExitCode.BAD_INPUT

    def __init__(self, error: InputError) -> None:
        super().__init__(str(error))
        self.hint = error.hint

    def show(self, file: Any = None) -> None:
        click.echo(f"convgrad: error: {self.message}", err=True)
        if self.hint:
            click.echo(f"hint: {self.hint}", err=True)


class UsageFailure(click.ClickException):
    """A Click usage error (unknown option, bad choice) in the same one-line form, exit 2."""

    exit_code = ExitCode.BAD_INPUT

    def __init__(self, error: click.UsageError, path: str = "convgrad") -> None:
        super().__init__(_usage_line(error))
        # Click's parser raises some errors (missing option values) without a context.
        self.hint = f"see '{error.ctx.command_path if error.ctx else path} --help'"

    show = Failure.show


def _usage_line(error: click.UsageError) -> str:
    """``--mode: 'x' is not one of 'correlate', 'convolve'`` rather than Click's three-line block."""
    if type(error) is click.BadParameter and error.param is not None and error.param.opts:
        flag = max(error.param.opts, key=len)
        return f"{flag}: {' '.join(error.message.split()).rstrip('.')}"
    return " ".join(error.format_message().split()).rstrip(".")


_COMMAND = "convgrad.command"


def _debugging(ctx: click.Context) -> bool:
    return bool(ctx.meta.get("debug")) or os.environ.get("CONVGRAD_DEBUG", "") not in ("", "0")


class ConvgradGroup(click.Group):
    """Lazily loaded commands; maps every failure to its documented exit code."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        # OpenBLAS starts a thread per core when NumPy loads, the largest cost of a start
        # (docs/performance.md), and the engine holds BLAS to one thread per call anyway
        # (engine/threads.py). Set before any command imports NumPy; a user's own setting wins.
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
        return super().main(*args, **kwargs)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, _, attribute = target.partition(":")
        command: click.Command = getattr(importlib.import_module(module), attribute)
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        ctx.meta[_COMMAND] = name  # for the --help hint when a usage error has no context
        return name, command, rest

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as error:  # convgrad's own options, e.g. `convgrad --bogus`
            raise UsageFailure(error) from None
        except BrokenPipeError:  # `convgrad --version | true`: the reader went away, not our error
            _reader_gone()
        except OSError as error:  # --help or --version met a full or broken stdout
            from .emit import stdout_failed

            raise Failure(stdout_failed(error)) from None
        except KeyboardInterrupt:
            # Ctrl-C while Click parses: quietly 130, not Click's "Aborted!" and 1.
            raise click.exceptions.Exit(ExitCode.INTERRUPTED) from None

    def invoke(self, ctx: click.Context) -> Any:
        _forget_written()
        try:
            return super().invoke(ctx)
        except InputError as error:
            raise Failure(error) from None
        except click.UsageError as error:
            raise UsageFailure(error, f"{ctx.command_path} {ctx.meta.get(_COMMAND, '')}".strip()) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            from .emit import note_written

            note_written()  # a Ctrl-C after a rename: the file is whole, and saying so beats a bare 130
            ctx.exit(ExitCode.INTERRUPTED)
        except BrokenPipeError:  # the reader (head, jq -e …) went away: not our error to report
            _reader_gone()
        except UnicodeEncodeError as error:
            # stdout is not UTF-8 (PYTHONIOENCODING=ascii, an old Windows console): say so, don't crash.
            if _debugging(ctx):
                raise
            raise Failure(
                InputError(
                    "stdout",
                    f"cannot show {error.object[error.start : error.end]!r} in {error.encoding}",
                    "set PYTHONIOENCODING=utf-8, or write to a file with -o",
                )
            ) from None
        except MemoryError:
            # The estimate in resources.check_memory let it through, but the machine disagreed.
            if _debugging(ctx):
                raise
            raise Failure(
                InputError(
                    "memory",
                    "the problem did not fit in memory",
                    "use smaller arrays, less padding or dilation",
                )
            ) from None
        except OSError as error:
            # No file named: a write to an open stream, i.e. stdout (a command's --help, Rich's flush, …).
            # Files convgrad opens itself fail as InputErrors, naming the file.
            if error.filename is not None or _debugging(ctx):
                _internal_error(ctx)
            from .emit import stdout_failed

            raise Failure(stdout_failed(error)) from None
        except Exception:
            _internal_error(ctx)


def _forget_written() -> None:
    """In one process (tests, a host calling ``main``), files an earlier command wrote are not this one's."""
    atomic = sys.modules.get("convgrad_cli.load.atomic")
    if atomic is not None:
        atomic.WRITTEN.clear()


def _internal_error(ctx: click.Context) -> NoReturn:
    """A bug: one line naming the exception, and exit 101 (the traceback itself with --debug)."""
    if _debugging(ctx):
        raise  # the exception being handled
    import traceback  # only on the error path: not worth its import time on every start

    click.echo(f"convgrad: internal error: {traceback.format_exc().splitlines()[-1]}", err=True)
    click.echo(
        "this is a bug; rerun with --debug (or CONVGRAD_DEBUG=1) for the traceback and report it", err=True
    )
    ctx.exit(ExitCode.INTERNAL_ERROR)


def _reader_gone() -> NoReturn:
    """Exit 0 quietly, with stdout on /dev/null so the exit's flush does not complain either."""
    from .emit import discard_stdout

    discard_stdout()
    raise click.exceptions.Exit(ExitCode.OK)


def _set_debug(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    ctx.meta["debug"] = value
    return value


@click.group(
    cls=ConvgradGroup,
    invoke_without_command=True,
    # Spelled out: Click versions disagree on the default, and the README quotes this line.
    subcommand_metavar="[COMMAND] [ARGS]...",
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(
    package_name="convgrad", message="convgrad %(version)s", help="Show the version and exit."
)
@click.option(
    "--debug",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_set_debug,
    help="Show the traceback of internal errors.",
)
@click.pass_context
def main(ctx: click.Context) -> None:
    """Gradients of convolution layers, exact, and derived the way you would by hand.

    \b
    Examples:
      convgrad compute                      # the built-in 3×3 / 2×2 sample
      convgrad compute -x X.csv -w W.csv -g dY.csv --stride 2
      convgrad compute --problem hw3.json --format json | jq .grad_input
    """
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())
