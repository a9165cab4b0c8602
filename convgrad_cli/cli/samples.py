"""``convgrad samples``: list, show and export the built-in worked problems."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..errors import InputError

_OPERANDS = ("input", "filter", "grad_output", "bias")


def _names(_ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[str]:
    from ..load import samples as library

    return [name for name in library.names() if name.startswith(incomplete)]


@click.group(invoke_without_command=True, subcommand_metavar="[COMMAND] [ARGS]...")
@click.pass_context
def samples(ctx: click.Context) -> None:
    """List the built-in samples, one line each; show or export one to start a homework.

    \b
    Examples:
      convgrad samples
      convgrad samples show stride2
      convgrad samples export page -o hw/
      convgrad compute --sample stride2
    """
    if ctx.invoked_subcommand is None:
        from ..load import samples as library
        from .emit import write_stdout

        names = library.names()
        width = max(map(len, names))
        write_stdout("".join(f"{name:<{width}}  {library.load(name).get('title', '')}\n" for name in names))


@samples.command()
@click.argument("name", shell_complete=_names)
@click.option("-f", "--format", "format_", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="table: the operands as matrices; json: the problem file as shipped.")  # fmt: skip
@click.option("--color/--no-color", "color", default=None, help="Force colour on or off.")
@click.option("--width", type=click.IntRange(20, 1000), metavar="COLS", help="Render at this width.")
def show(name: str, format_: str, color: bool | None, width: int | None) -> None:
    """Show one sample: its parameters and operands (not the answers)."""
    from ..load import samples as library
    from .emit import write_stdout

    text = library.text(name)
    if format_ == "json":
        write_stdout(text if text.endswith("\n") else text + "\n")
        return
    from rich.console import Group
    from rich.text import Text

    from ..render.arrays import slices
    from .requests import OutputChoice, Parameters, ProblemChoice
    from .solving import gather_problem, solve
    from .views import rich_text

    result = solve(gather_problem(ProblemChoice(sample=name), Parameters(), None), None)
    parts: list[Any] = [
        Text.from_markup(f"[bold]{name}[/bold]: {library.load(name).get('title', '')}"),
        Text(result.spec.describe(), style="dim"),
    ]
    for operand, title in (("input", "X (input)"), ("filter", "W (filter)"), ("bias", "b (bias)"),
                           ("grad_output", "δ = ∂L/∂Y (upstream gradient)")):  # fmt: skip
        value = getattr(result, operand)
        if value is not None and (operand != "grad_output" or result.grad_output_given):
            parts.extend(slices(value, title))
    parts.append(Text(f"Solve it: convgrad compute --sample {name}", style="dim"))
    write_stdout(rich_text(Group(*parts), OutputChoice(color=color, width=width)))


@samples.command()
@click.argument("name", shell_complete=_names)
@click.option("-o", "--output", "folder", metavar="DIR", default=".", show_default=True,
              help="Folder to write NAME.json and NAME/*.csv into (created if missing).")  # fmt: skip
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
def export(name: str, folder: str, force: bool) -> None:
    """Write a sample as a problem file (NAME.json) and CSV files (NAME/input.csv, …) to start from.

    CSV files are written for the operands with at most two axes; the JSON file holds everything.
    """
    from ..load import samples as library
    from ..load.atomic import write_atomic

    files = {Path(folder) / f"{name}.json": library.text(name)} | _csv_files(
        Path(folder) / name, library.load(name)
    )
    for parent in sorted({path.parent for path in files}):  # before writing anything: all or nothing
        if parent.exists() and not parent.is_dir():
            raise InputError(
                "--output", f"{parent} is a file, not a folder", "give a folder (it is created if missing)"
            )
    existing = [path for path in files if path.exists()]
    if existing and not force:
        raise InputError(
            "--output", f"{existing[0]} already exists", "use --force to overwrite it, or another folder"
        )
    for path, text in files.items():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:  # a file where a folder must go, no permission, …
            raise InputError(
                "--output",
                f"cannot create folder {path.parent} ({error.strerror})",
                "give a folder you can write to",
            ) from None
        write_atomic(str(path), text)
        click.echo(str(path))
    click.echo(f"convgrad: start from: convgrad compute --problem {Path(folder) / name}.json", err=True)


def _csv_files(folder: Path, document: dict[str, Any]) -> dict[Path, str]:
    """One CSV per operand of at most two axes, numbers written as in the JSON (3, 0.5, 1/3)."""
    files = {}
    for operand in _OPERANDS:
        value = document.get(operand)
        rows = _rows(value)
        if rows is not None:
            files[folder / f"{operand}.csv"] = "".join(",".join(map(_cell, row)) + "\n" for row in rows)
    return files


def _rows(value: Any) -> list[list[Any]] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        return [[value]]
    if not any(isinstance(item, list) for item in value):
        return [value]
    if all(isinstance(item, list) and not any(isinstance(v, list) for v in item) for item in value):
        return value
    return None  # three or more axes: JSON only


def _cell(value: Any) -> str:
    # repr keeps a float's shortest round-trip text (0.1 stays 0.1); strings are fractions like 1/3.
    return value if isinstance(value, str) else repr(value)
