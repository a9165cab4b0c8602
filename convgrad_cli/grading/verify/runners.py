"""Where the user's functions run: a child process per file (timeouts, memory ceiling), or this one.

Both runners answer the same two questions — which functions and parameters were found
(:meth:`start`), and what one call gave (:meth:`run`) — so the suite does not care which
one it talks to.  The child is a plain ``subprocess`` (not ``multiprocessing``, which would
re-run the caller's own script in it), speaking pickled messages over its stdin and stdout;
a reader thread here turns its answers into a queue, so waiting has a timeout on every
platform.
"""

from __future__ import annotations

import contextlib
import pickle
import queue
import signal
import subprocess
import sys
import threading
from typing import IO, Any, Protocol

import numpy as np

from ...errors import InputError
from .child import MEMORY_MB, Died, NotFound, Outcome, Raised, Ready, TimedOut, call, ready
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
    """The user's file in a child process; a call past ``timeout`` seconds kills it, the next starts a new one."""

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
        self.process: subprocess.Popen[bytes] | None = None
        self.answers: queue.Queue[Any] = queue.Queue()

    def start(self) -> Ready | Raised:
        """Import the file in a fresh child; :class:`NotFound` when a function is missing."""
        setup = self._setup()
        self.process = subprocess.Popen(
            [sys.executable, "-c", CHILD_MAIN], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self.answers = queue.Queue()
        assert self.process.stdout is not None
        threading.Thread(target=_read, args=(self.process.stdout, self.answers), daemon=True).start()
        answer = self._send(setup) or self._answer(self.timeout + STARTUP)
        if isinstance(answer, NotFound):
            self.close()
            raise answer
        if isinstance(answer, Ready | Raised):
            return answer
        self.close(kill=True)
        return Raised(_stuck(answer))

    def _setup(self) -> bytes:
        # sys.path first, on its own: the child needs it to import a custom convention's module.
        try:
            return pickle.dumps(list(sys.path)) + pickle.dumps(
                (self.path, self.convention, self.names, self.memory_mb)
            )
        except (pickle.PicklingError, AttributeError, TypeError) as error:
            raise InputError(
                "convention",
                f"{self.convention.name!r} cannot be sent to the child process ({error})",
                "define its invoke function at module level in a file Python can import",
            ) from None

    def run(self, arrays: dict[str, np.ndarray], params: dict[str, Any]) -> Outcome:
        if self.process is None:
            try:
                restarted = self.start()
            except NotFound as error:  # the file changed after the last case: a verdict on this case
                return Died(f"the file could not be loaded again after the last case: {error.args[1]}")
            if not isinstance(restarted, Ready):
                return Died(f"the file could not be loaded again after the last case: {restarted.error}")
        answer = self._send(pickle.dumps(("call", arrays, params))) or self._answer(self.timeout)
        if isinstance(answer, TimedOut | Died):
            self.close(kill=True)
        return answer  # type: ignore[no-any-return]

    def _send(self, message: bytes) -> Died | None:
        """Write to the child; a :class:`Died` if it is no longer there to read."""
        assert self.process is not None and self.process.stdin is not None
        try:
            self.process.stdin.write(message)
            self.process.stdin.flush()
        except OSError:
            return self._died()
        return None

    def _answer(self, seconds: float) -> Any:
        try:
            answer = self.answers.get(timeout=seconds)
        except queue.Empty:
            return TimedOut(seconds)
        return self._died() if answer is _END else answer

    def _died(self) -> Died:
        assert self.process is not None
        try:
            code = self.process.wait(STOP_GRACE)
        except subprocess.TimeoutExpired:
            code = None
        return Died(_death(code, self.memory_mb))

    def close(self, kill: bool = False) -> None:
        """Stop the child: ask (unless ``kill``), then kill; always reaped, so none is left behind."""
        process, self.process = self.process, None
        if process is None:
            return
        if not kill and process.poll() is None:
            try:
                assert process.stdin is not None
                process.stdin.write(pickle.dumps("stop"))
                process.stdin.close()
                process.wait(STOP_GRACE)
            except (OSError, subprocess.TimeoutExpired):
                pass
        if process.poll() is None:
            process.kill()
        process.wait()
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):  # a pipe the child broke
                    stream.close()


CHILD_MAIN = "from convgrad_cli.grading.verify.child import main; main()"
_END = object()  # the child's stdout closed: it exited or was killed


def _read(stream: IO[bytes], answers: queue.Queue[Any]) -> None:
    """The child's answers, one pickled object each, into ``answers``; then :data:`_END`."""
    while True:
        try:
            answers.put(pickle.load(stream))
        except Exception:  # end of file, or a broken message from a dying child
            answers.put(_END)
            return


def _death(code: int | None, memory_mb: int) -> str:
    if code is not None and code < 0:
        name = signal.Signals(-code).name
        hint = (
            f" — did it go past the {memory_mb} MB memory ceiling?" if name in ("SIGKILL", "SIGSEGV") else ""
        )
        return f"the process running the code was killed by {name}{hint}"
    return f"the process running the code exited (status {code}) before answering"


def _stuck(answer: TimedOut | Died) -> Any:
    from .report import UserError

    if isinstance(answer, TimedOut):
        return UserError("Timeout", f"importing the file took longer than {answer.seconds:g} s")
    return UserError("Died", answer.message)
