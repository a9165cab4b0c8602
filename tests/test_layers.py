"""The package's layers: imports point down, never in a circle, and every module fits on a few screens.

Every import statement counts — at module level, inside functions, and under
``if TYPE_CHECKING:`` — because each one is a dependency a reader has to follow.
The layers, bottom to top::

    errors, exact, notation  <  load  <  engine  <  derivation  <  grading  <  render  <  cli, api

``cli`` and ``api`` are both the top: ``cli`` may call the Python API, the API never the CLI.
The package root (its lazy ``__init__``) and ``__main__`` are entry points above them all.
"""

from __future__ import annotations

import ast
import sys
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "convgrad_cli"
ROOT = PACKAGE.name
LAYERS: dict[str, int] = {
    "errors": 0, "exact": 0, "notation": 0, "load": 1, "engine": 2, "derivation": 3,
    "grading": 4, "render": 5, "cli": 6, "api": 6, "__main__": 7, "": 7,
}  # fmt: skip
MAX_LINES = 400


def _modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its ``__init__``)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


MODULES = _modules()


def _imports(name: str, source: str, *, is_package: bool = False) -> set[str]:
    """The package's modules that ``source`` (module ``name``) imports anywhere, relative imports resolved.

    The package root itself is left out: every submodule runs its (lazy) ``__init__`` anyway.
    """
    package = name if is_package else name.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join([*parts[: len(parts) - node.level + 1], *([base] if base else [])])
            # `from pkg import name` imports the submodule pkg.name when there is one.
            targets.update(f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names)
    return {t for t in targets if t in MODULES and t != ROOT}


def _layer(name: str) -> str:
    return name.split(".")[1] if "." in name else ""


def _upward(imports: dict[str, set[str]]) -> list[str]:
    """``source → target`` for every import into a higher layer, and from the API into the CLI."""
    return sorted(
        f"{source} → {target}"
        for source, targets in imports.items()
        for target in targets
        if LAYERS[_layer(target)] > LAYERS[_layer(source)]
        or (_layer(source), _layer(target)) == ("api", "cli")
    )


def _cycle(imports: dict[str, set[str]]) -> list[str]:
    """One import cycle, as the modules around it, or [] when there is none."""
    try:
        tuple(TopologicalSorter(imports).static_order())
    except CycleError as error:
        return list(error.args[1])
    return []


IMPORTS = {
    name: _imports(name, path.read_text(encoding="utf-8"), is_package=path.name == "__init__.py")
    for name, path in MODULES.items()
}


def test_every_module_belongs_to_a_layer() -> None:
    assert sorted(name for name in MODULES if _layer(name) not in LAYERS) == []


def test_no_import_points_up() -> None:
    upward = _upward(IMPORTS)
    assert upward == [], "imports that point up the layers:\n" + "\n".join(upward)


def test_no_import_cycle() -> None:
    cycle = _cycle(IMPORTS)
    assert cycle == [], "import cycle: " + " → ".join(cycle)


def test_modules_fit_on_a_few_screens() -> None:
    long = {name: n for name, path in MODULES.items() if (n := _line_count(path)) > MAX_LINES}
    assert long == {}


def test_no_module_is_named_after_a_standard_library_module() -> None:
    clashes = sorted(name for name in MODULES if name.rpartition(".")[2] in sys.stdlib_module_names)
    assert clashes == []


# ---------------------------------------------------------------- the checks catch what they claim


def test_every_kind_of_import_is_seen() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "import numpy, convgrad_cli.engine.spec\n"
        "from ..derivation import build, Frame\n"
        "from . import prose\n"
        "if TYPE_CHECKING:\n"
        "    from ..cli.views import render\n"
        "def show():\n"
        "    from ..api import backward\n"
    )
    assert _imports("convgrad_cli.render.table", source) == {
        "convgrad_cli.engine.spec", "convgrad_cli.derivation.build", "convgrad_cli.derivation",
        "convgrad_cli.render.prose", "convgrad_cli.cli.views", "convgrad_cli.api",
    }  # fmt: skip
    assert _imports("convgrad_cli.derivation", "from . import records", is_package=True) == {
        "convgrad_cli.derivation.records"
    }


def test_upward_imports_and_cycles_are_found() -> None:
    imports = {
        "convgrad_cli.engine.backward": {"convgrad_cli.render.markdown"},
        "convgrad_cli.render.markdown": {"convgrad_cli.engine.backward"},
        "convgrad_cli.api": {"convgrad_cli.cli.main"},
        "convgrad_cli.cli.main": {"convgrad_cli.api", "convgrad_cli.errors"},
    }
    assert _upward(imports) == [
        "convgrad_cli.api → convgrad_cli.cli.main",
        "convgrad_cli.engine.backward → convgrad_cli.render.markdown",
    ]
    assert set(_cycle(imports)) >= {"convgrad_cli.engine.backward", "convgrad_cli.render.markdown"}


def _line_count(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())
