"""A thread reading a FIFO to its end, for tests that write into one (a reader must be there)."""

from __future__ import annotations

import threading
from pathlib import Path


def reading(path: Path) -> tuple[threading.Thread, list[bytes]]:
    """Start a thread reading the FIFO at ``path`` to its end; the bytes read land in the list."""
    received: list[bytes] = []

    def read() -> None:
        with open(path, "rb") as stream:
            received.append(stream.read())

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread, received
