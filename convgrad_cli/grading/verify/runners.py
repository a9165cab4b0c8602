"""Where the user's functions run: a child process per file (timeouts, memory ceiling), or this one.

Both runners answer the same two questions — which functions and parameters were found
(:meth:`start`), and what one call gave (:meth:`run`) — so the suite does not care which
one it talks to.
"""

from __future__ import annotations

import multiprocessing
import pickle
import signal
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, Protocol

import numpy as np

from ...errors import InputError
from .child import MEMORY_MB, Died, NotFound, Outcome, Raised, Ready, TimedOut, call, ready, serve
from .conventions import Convention, Functions

STOP_GRACE = 1.0  # seconds a child gets to exit by itself after "stop" before it is killed
STARTUP = 5.0  # seconds a fresh interpreter gets to start and import NumPy, on top of the timeout


class Runner(Protocol):
    def start(self) -> Ready | Raised: ...

    def run(self, arrays: dict[str, np.ndarray], params: dict[str, Any]) -> Outcome: ...

    def close(self, kill: bool = False) -> None: ...


class InProcess:
    """Calls functions given as Python objects directly: no timeout, no memory ceiling."""

    def __init__(self, functions: Functions, convention: Convention, source: str | None) -> None:
        self.functions, self.convention, self.source = functions, convention, source

    def start(self) -> Ready:
        return ready(self.functions, self.convention)

    def run(self, arrays: dict[str, np.ndarray], params: dict[str, Any]) -> Outcome:
        return call(self.functions, self.convention, arrays, params, self.source)

    def close(self, kill: bool = False) -> None:
        pass


class Child:
    """The user's file in a spawned child process; a call past ``timeout`` seconds kills it, the next starts a new one."""

    def __init__(
        self,
        path: str,
        convention: Convention,
        names: dict[str, str],
        timeout: float,
        memory_mb: int = MEMORY_MB,
    ) -> None:
        self.path, self.convention, self.names = path, convention, names
        self.timeout, self.memory_mb = timeout, memory_mb
        self.process: BaseProcess | None = None
        self.conn: Connection | None = None

    def start(self) -> Ready | Raised:
        """Import the file in a fresh child; :class:`NotFound` when a function is missing."""
        context = multiprocessing.get_context("spawn")
        self.conn, theirs = context.Pipe()
        args = (theirs, self.path, self.convention, self.names, self.memory_mb)
        self.process = context.Process(target=serve, args=args, daemon=True)
        try:
            self.process.start()
        except (pickle.PicklingError, AttributeError, TypeError) as error:
            self.process = None
            self.close()
            raise InputError(
                "convention",
                f"{self.convention.name!r} cannot be sent to the child process ({error})",
                "define its invoke function at module level in a file Python can import",
            ) from None
        theirs.close()  # so a dead child reads as end-of-file here, not as silence
        answer = self._answer(self.timeout + STARTUP)
        if isinstance(answer, NotFound):
            self.close()
            raise answer
        if isinstance(answer, Ready | Raised):
            return answer
        self.close(kill=True)
        what = "import" if isinstance(answer, TimedOut) else "start"
        return Raised(_stuck(what, answer))

    def run(self, arrays: dict[str, np.ndarray], params: dict[str, Any]) -> Outcome:
        if self.conn is None:
            restarted = self.start()
            if not isinstance(restarted, Ready):
                return Died(f"the file could not be loaded again after the last case: {restarted.error}")
        assert self.conn is not None
        self.conn.send(("call", arrays, params))
        answer = self._answer(self.timeout)
        if isinstance(answer, TimedOut | Died):
            self.close(kill=True)
        return answer  # type: ignore[no-any-return]

    def _answer(self, seconds: float) -> Any:
        assert self.conn is not None and self.process is not None
        if not self.conn.poll(seconds):
            return TimedOut(seconds)
        try:
            return self.conn.recv()
        except (EOFError, OSError):
            self.process.join(STOP_GRACE)
            return Died(_death(self.process.exitcode, self.memory_mb))

    def close(self, kill: bool = False) -> None:
        """Stop the child: ask (unless ``kill``), then kill; always reaped, so none is left behind."""
        process, conn, self.process, self.conn = self.process, self.conn, None, None
        if conn is not None:
            try:
                if process is not None and process.is_alive() and not kill:
                    conn.send("stop")
            except OSError:
                pass
            conn.close()
        if process is not None:
            process.join(0 if kill else STOP_GRACE)
            if process.is_alive():
                process.kill()
                process.join()
            process.close()


def _death(code: int | None, memory_mb: int) -> str:
    if code is not None and code < 0:
        name = signal.Signals(-code).name
        hint = (
            f" — did it go past the {memory_mb} MB memory ceiling?" if name in ("SIGKILL", "SIGSEGV") else ""
        )
        return f"the process running the code was killed by {name}{hint}"
    return f"the process running the code exited (status {code}) before answering"


def _stuck(what: str, answer: TimedOut | Died) -> Any:
    from .report import UserError

    if isinstance(answer, TimedOut):
        return UserError("Timeout", f"importing the file took longer than {answer.seconds:g} s")
    return UserError("Died", answer.message)
