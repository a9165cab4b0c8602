"""Running the user's code: in a child process with a timeout and a memory ceiling, or in-process.

The child (a fresh interpreter started by :mod:`.runners`, nothing inherited but sys.path)
imports the user's file, finds its functions, then answers one call per case over its
stdin and stdout.  A case that runs past its timeout gets the child killed and a fresh one started
for the rest; Ctrl-C in convgrad kills it too, and a child whose parent has gone exits on
its own, so no process is left behind.  This is isolation against mistakes, not a sandbox:
the code runs with the user's rights, as it would under pytest.
"""

from __future__ import annotations

import importlib.util
import inspect
import os
import pickle
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, BinaryIO

import numpy as np

from .conventions import BadReturn, Convention, Functions
from .report import UserError

MEMORY_MB = 4096  # address space of the child: torch and NumPy fit in well under 1 GiB
WATCH_PARENT = 0.5  # seconds between the child's checks that convgrad is still there


class NotFound(Exception):
    """The file lacks a function the convention needs: a usage error, not a verdict.

    Its arguments are those of :class:`~convgrad_cli.errors.InputError`: field, problem, expected.
    """


# ---------------------------------------------------------------- outcomes of one call


@dataclass(frozen=True)
class Foreign:
    """A returned value that is not an array (kept as its type's name: it may not pickle)."""

    kind: str


@dataclass(frozen=True)
class Returned:
    """What the function gave back, by name (arrays, None or :class:`Foreign`), and the inputs it changed."""

    values: dict[str, Any]
    mutated: tuple[str, ...] = ()


@dataclass(frozen=True)
class Raised:
    error: UserError


@dataclass(frozen=True)
class Unreadable:
    """The return value did not fit the convention (see :class:`BadReturn`)."""

    message: str
    mutated: tuple[str, ...] = ()


@dataclass(frozen=True)
class TimedOut:
    seconds: float


@dataclass(frozen=True)
class Died:
    """The child ended without answering: killed by a signal (often the memory ceiling) or exited."""

    message: str


Outcome = Returned | Raised | Unreadable | TimedOut | Died


@dataclass(frozen=True)
class Ready:
    """The functions were found: their names by role, and the parameters the convention may pass."""

    names: dict[str, str]
    accepts: frozenset[str]


# ---------------------------------------------------------------- finding and calling the functions (either process)


def load_module(path: Path) -> ModuleType:
    """Import the user's file as a module; its folder goes on sys.path so its own imports work."""
    folder = str(path.parent.resolve())
    if folder not in sys.path:
        sys.path.insert(0, folder)
    spec = importlib.util.spec_from_file_location(f"convgrad_verify_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise NotFound(str(path), "cannot be imported as Python", "give a .py file")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def public_functions(module: ModuleType) -> list[str]:
    """Functions the file itself defines whose names do not start with ``_``."""
    return [
        name
        for name, value in vars(module).items()
        if inspect.isfunction(value) and value.__module__ == module.__name__ and not name.startswith("_")
    ]


def find(
    module: ModuleType, convention: Convention, names: Mapping[str, str], where: str
) -> dict[str, Callable[..., Any]]:
    """The function for each role of the convention: the name given, the convention's, or the one public one."""
    found: dict[str, Callable[..., Any]] = {}
    public = public_functions(module)
    for role, default in convention.roles:
        name = names.get(role) or default
        if name is None:
            if len(public) != 1:
                listed = f" ({', '.join(public)})" if public else ""
                raise NotFound(where, f"defines {len(public)} public functions{listed}",
                               f"name one: {where}:NAME{_other_convention(public, convention)}")  # fmt: skip
            name = public[0]
        value = getattr(module, name, None)
        if not callable(value):
            flag = f"--{role} NAME" if role != "function" else f"{where}:NAME or --function NAME"
            raise NotFound(where, f"has no function {name!r} (the {convention.name} convention's {role})",
                           f"name it with {flag}{_other_convention(public, convention)}")  # fmt: skip
        found[role] = value
    return found


def _other_convention(public: list[str], convention: Convention) -> str:
    """`` — or is it --convention cs231n?`` when the file has another convention's functions."""
    from .conventions import CONVENTIONS

    for other in CONVENTIONS.values():
        defaults = [name for _, name in other.roles if name]
        if other.name != convention.name and defaults and all(n in public for n in defaults):
            return f", or use --convention {other.name}"
    return ""


def ready(functions: Functions, convention: Convention) -> Ready:
    """Which parameters the suite may pass: those the convention passes, or the signature names."""
    last = list(functions.values())[-1]
    try:
        named = frozenset(
            p.name for p in inspect.signature(last).parameters.values()
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
        )  # fmt: skip
    except (TypeError, ValueError):  # builtins without a signature
        named = frozenset()
    names = {role: getattr(f, "__name__", role) for role, f in functions.items()}
    return Ready(names, convention.accepts(named))


def call(functions: Functions, convention: Convention, arrays: dict[str, np.ndarray], params: dict[str, Any],
         source: str | None) -> Outcome:  # fmt: skip
    """One case: call on copies, then say which inputs changed; exceptions become :class:`Raised`."""
    given = {name: a.copy() for name, a in arrays.items()}
    try:
        values = convention.invoke(functions, given, params)
    except BadReturn as error:
        return Unreadable(str(error), _mutated(arrays, given))
    except (Exception, SystemExit) as error:  # sys.exit() in the user's code is a verdict too
        return Raised(user_error(error, source))
    return Returned({name: portable(v) for name, v in values.items()}, _mutated(arrays, given))


def _mutated(originals: dict[str, np.ndarray], given: dict[str, np.ndarray]) -> tuple[str, ...]:
    return tuple(name for name, a in originals.items() if not np.array_equal(a, given[name], equal_nan=True))


def portable(value: Any) -> Any:
    """An array (torch tensors and lists included), None, or :class:`Foreign` — always picklable."""
    if value is None or isinstance(value, np.ndarray):
        return value
    if hasattr(value, "detach") and hasattr(value, "numpy"):  # a torch tensor, without importing torch
        value = value.detach().cpu().numpy()
    try:
        array = np.asarray(value)
    except Exception:
        return Foreign(type(value).__name__)
    return Foreign(type(value).__name__) if array.dtype == object else array


def user_error(error: BaseException, source: str | None) -> UserError:
    """The exception's type and message, and the deepest line of the user's file it passed through."""
    line, code = None, None
    if isinstance(error, SyntaxError) and error.lineno:
        line, code = error.lineno, (error.text or "").strip() or None
    for frame in traceback.extract_tb(error.__traceback__):
        if source and _same_file(frame.filename, source):
            line, code = frame.lineno, (frame.line or "").strip() or None
    message = error.msg if isinstance(error, SyntaxError) else str(error)
    return UserError(type(error).__name__, message, Path(source).name if source else None, line, code)


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


# ---------------------------------------------------------------- the child process


class Channel:
    """Pickled messages over two byte streams: the child's private copies of its stdin and stdout."""

    def __init__(self, inbox: BinaryIO, outbox: BinaryIO) -> None:
        self.inbox, self.outbox = inbox, outbox

    def recv(self) -> Any:
        return pickle.load(self.inbox)

    def send(self, message: Any) -> None:
        pickle.dump(message, self.outbox)
        self.outbox.flush()


def main() -> None:
    """The child process: ``python -c "from convgrad_cli.grading.verify.child import main; main()"``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is convgrad's to handle: it kills this process
    _watch_parent(os.getppid())
    channel = Channel(os.fdopen(os.dup(0), "rb"), os.fdopen(os.dup(1), "wb"))
    _quiet()  # after the copies: the user's input() and print() must not touch the messages
    sys.path[:0] = [entry for entry in channel.recv() if entry not in sys.path]
    try:
        path, convention, names, memory_mb = channel.recv()
    except EOFError:
        return
    serve(channel, path, convention, names, memory_mb)


def serve(conn: Channel, path: str, convention: Convention, names: dict[str, str], memory_mb: int) -> None:
    """Load, say what was found, then answer ("call", arrays, params) until "stop" or end of input."""
    _limit_memory(memory_mb)
    try:
        functions = find(load_module(Path(path)), convention, names, Path(path).name)
        conn.send(ready(functions, convention))
    except NotFound as error:
        conn.send(error)
        return
    except BaseException as error:  # SyntaxError, SystemExit, anything raised at import: a verdict
        conn.send(Raised(user_error(error, path)))
        return
    while True:
        try:
            message = conn.recv()
        except EOFError:  # convgrad closed the pipe: nothing more to do
            return
        if message == "stop":
            return
        _, arrays, params = message
        conn.send(call(functions, convention, arrays, params, path))


def _watch_parent(parent: int) -> None:
    # If convgrad is killed outright (SIGKILL) nothing else ends a child stuck in a loop.
    def watch() -> None:
        while os.getppid() == parent:
            threading.Event().wait(WATCH_PARENT)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _quiet() -> None:
    # The user's prints must not reach convgrad's messages or flood the terminal; input() reads nothing.
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)


def _limit_memory(megabytes: int) -> None:
    try:
        import resource
    except ImportError:  # Windows: no ceiling
        return
    limit = megabytes * 1024 * 1024
    try:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(
            resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard)
        )
    except (ValueError, OSError, AttributeError):  # macOS refuses RLIMIT_AS: no ceiling there
        pass
