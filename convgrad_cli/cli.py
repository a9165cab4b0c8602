"""The ``convgrad`` command line: parse flags, call the library, render.

Only Click is imported here at module level so ``--help`` and shell completion
stay fast; each command imports NumPy and Rich inside its body.  Library
errors become one line on stderr and an exit code from :class:`ExitCode`.
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback
from typing import Any

import click

from .errors import ExitCode, InputError

# name → "module:attribute"; imported only when that command runs (fast --help/completion).
COMMANDS = {
    "compute": "convgrad_cli.commands.compute:compute",
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


class ConvgradGroup(click.Group):
    """Lazily loaded commands; maps every failure to its documented exit code."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, _, attribute = target.partition(":")
        command: click.Command = getattr(importlib.import_module(module), attribute)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except InputError as error:
            raise Failure(error) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            ctx.exit(ExitCode.INTERRUPTED)
        except BrokenPipeError:
            # The reader (head, jq -e …) went away: not our error to report.
            sys.stderr.close()
            ctx.exit(ExitCode.OK)
        except Exception:
            if ctx.meta.get("debug") or os.environ.get("CONVGRAD_DEBUG"):
                raise
            click.echo(f"convgrad: internal error: {traceback.format_exc().splitlines()[-1]}", err=True)
            click.echo(
                "this is a bug; rerun with --debug (or CONVGRAD_DEBUG=1) for the traceback and report it",
                err=True,
            )
            ctx.exit(ExitCode.INTERNAL_ERROR)


def _set_debug(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    ctx.meta["debug"] = value
    return value


@click.group(
    cls=ConvgradGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
# package_name makes Click read the version from metadata only when --version is asked.
@click.version_option(package_name="convgrad", prog_name="convgrad", message="%(prog)s %(version)s")
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
