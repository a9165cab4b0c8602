"""Verify an implementation: find its functions, run the ladder of cases, judge each call.

:func:`verify` is the Python API (``convgrad_cli.verify``); :func:`verify_file` and
:func:`verify_folder` are what ``convgrad verify`` calls.  Usage errors — no such file, not
Python, no such function — are :class:`~convgrad_cli.errors.InputError`; anything the
user's code does (raise, hang, die) is a verdict in the report.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from ...errors import InputError
from .. import Solved
from .child import MEMORY_MB, NotFound, Raised, find
from .compare import judge
from .conventions import CONVENTIONS, Convention
from .report import TOLERANCE, CaseResult, Config, FileResult, VerifyReport
from .runners import Child, InProcess, Runner
from .suite import ladder

TIMEOUT = 10.0  # seconds per case


def verify(
    function: Any,
    convention: str | Convention = "torch",
    *,
    forward: Any = None,
    backward: str | None = None,
    timeout: float = TIMEOUT,
    per_axis: bool = False,
    memory_mb: int = MEMORY_MB,
) -> VerifyReport:
    """Run the suite against an implementation and return its :class:`VerifyReport`.

    ``function`` is a path ``"FILE.py[:FUNCTION]"`` (run in a child process, with ``timeout``
    seconds per case and a ``memory_mb`` ceiling, exactly as ``convgrad verify`` does), or a
    Python callable or module — those run *in this process*, with no timeout and no memory
    ceiling, so a function that never returns blocks the caller.  For ``cs231n`` and ``dls``
    a callable is the backward function and ``forward`` the forward one (a module gives both
    by the convention's names); ``forward``/``backward`` as strings override those names.
    ``convention`` is ``torch``, ``channels-last``, ``cs231n``, ``dls`` or a :class:`Convention`.
    ``per_axis`` passes stride, padding and dilation as per-axis tuples and adds cases whose
    values differ by axis.
    """
    conv = convention_named(convention)
    names = {k: v for k, v in (("forward", forward), ("backward", backward)) if isinstance(v, str)}
    if isinstance(function, (str, os.PathLike)):
        return verify_file(
            str(function), conv, names=names, timeout=timeout, per_axis=per_axis, memory_mb=memory_mb
        )
    target = getattr(function, "__name__", repr(function))
    if isinstance(function, ModuleType):
        try:
            functions = find(function, conv, names, target)
        except NotFound as error:
            raise InputError(*error.args) from None
    else:
        roles = [role for role, _ in conv.roles]
        functions = ({roles[0]: forward} if len(roles) > 1 else {}) | {roles[-1]: function}  # in role order
        if len(roles) > 1 and not callable(forward):
            raise InputError(
                "forward", f"the {conv.name} convention calls a forward function too", "pass forward=…"
            )
    source = getattr(function, "__file__", None) or _source_file(function)
    return run_suite(InProcess(functions, conv, source), conv, target, per_axis=per_axis)


def convention_named(convention: str | Convention) -> Convention:
    if isinstance(convention, Convention):
        return convention
    if convention not in CONVENTIONS:
        raise InputError(
            "convention",
            f"{convention!r} is not a convention convgrad knows",
            "use " + ", ".join(CONVENTIONS),
        )
    return CONVENTIONS[convention]


def _source_file(function: Any) -> str | None:
    import inspect

    try:
        return inspect.getsourcefile(function)
    except TypeError:
        return None


def split_target(target: str) -> tuple[Path, str | None]:
    """``my_conv.py:conv2d_backward`` → (path, name); a bare path → (path, None)."""
    head, sep, tail = target.rpartition(":")
    if sep and tail.isidentifier() and head:
        return Path(head), tail
    return Path(target), None


def python_file(path: Path, shown: str) -> None:
    """A usage error unless ``path`` is a readable Python source file."""
    if not path.exists():
        problem = (
            "is a symlink that leads nowhere (or in a loop)"
            if path.is_symlink()
            else "no such file or folder"
        )
        raise InputError(shown, problem, "give FILE.py[:FUNCTION] or a folder of .py files")
    if path.suffix != ".py" or not path.is_file():
        raise InputError(
            shown, "is not a Python file", "give a .py file, FILE.py:FUNCTION, or a folder of .py files"
        )
    try:
        path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(
            shown, f"cannot be read as Python source ({type(error).__name__})", "give a UTF-8 .py file"
        ) from None


def verify_file(
    target: str,
    convention: Convention,
    *,
    names: dict[str, str] | None = None,
    timeout: float = TIMEOUT,
    per_axis: bool = False,
    memory_mb: int = MEMORY_MB,
) -> VerifyReport:
    """One ``FILE.py[:FUNCTION]`` in a child process; ``names`` maps roles (function, forward, backward) to names.

    FUNCTION names the convention's last role (its only function, or the backward one).
    """
    path, name = split_target(target)
    python_file(path, str(path))
    roles = dict(names or {})
    if name:
        roles[convention.roles[-1][0]] = name
    runner = Child(str(path), convention, roles, timeout, memory_mb)
    return run_suite(runner, convention, target, per_axis=per_axis)


def verify_folder(
    folder: Path,
    convention: Convention,
    *,
    names: dict[str, str] | None = None,
    timeout: float = TIMEOUT,
    per_axis: bool = False,
    memory_mb: int = MEMORY_MB,
    done: Callable[[FileResult], None] = lambda _: None,
    paths: list[Path] | None = None,
) -> list[FileResult]:
    """Every ``*.py`` of a folder, each in its own child: one file that hangs or crashes does not stop the rest.

    ``paths`` is the folder's :func:`python_files` when the caller has listed them already.
    """
    paths = python_files(folder) if paths is None else paths
    if not paths:
        raise InputError(str(folder), "holds no .py files", "give a folder of .py files, one per student")
    results = []
    for path in paths:
        try:
            report = verify_file(str(path), convention, names=names, timeout=timeout, per_axis=per_axis,
                                 memory_mb=memory_mb)  # fmt: skip
            results.append(FileResult(str(path), report))
        except InputError as error:
            results.append(FileResult(str(path), None, str(error)))
        done(results[-1])
    return results


def python_files(
    folder: Path, skipped: Callable[[Path, str], None] = lambda _path, _kind: None
) -> list[Path]:
    """The ``*.py`` files of a folder, sorted, leaving out hidden ones and helpers (``_*.py``, ``__init__.py``).

    An entry that is not a regular file (a FIFO, a folder named ``x.py``) is left out and handed
    to ``skipped``; a symlink loop stays in, so its row says what is wrong.
    """
    from ...load.source import folder_files

    return folder_files(folder, lambda p: p.suffix == ".py" and not p.name.startswith((".", "_")), skipped)


def run_suite(
    runner: Runner, convention: Convention, target: str, *, per_axis: bool = False, tol: float = TOLERANCE
) -> VerifyReport:
    """Start the runner, run every case the function can express, and judge each one."""
    try:
        try:
            started = runner.start()
        except NotFound as error:
            raise InputError(*error.args) from None
        if isinstance(started, Raised):
            failed = CaseResult("import", Config(), "error", str(started.error), error=started.error)
            return VerifyReport(target, convention.name, (failed,), tol)
        per_axis = per_axis and convention.params is None
        cases, skipped = ladder(convention, started.accepts, per_axis)
        results = []
        for case in cases:
            operands = case.operands()
            solved = Solved(case.solve(operands))
            arrays = convention.arrays({n: a.astype(np.float64) for n, a in operands.items()}, case.dims)
            outcome = runner.run(arrays, case.params(started.accepts, per_axis))
            config = case.config(convention, per_axis)
            results.append(judge(case, config, solved, outcome, convention, tol))
    except BaseException:
        runner.close(kill=True)  # Ctrl-C or a bug of ours: never leave the child running
        raise
    runner.close()
    return VerifyReport(target, convention.name, tuple(results), tol, tuple(skipped))
