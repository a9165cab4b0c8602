"""Every limit the readers enforce, in one place: what convgrad refuses to read, and why."""

from __future__ import annotations

MAX_CELLS = 50_000_000  # a .npy header claiming more is refused before its data is read
MAX_AXES = 5  # N, C, D, H, W
MAX_FILE_BYTES = MAX_CELLS * 8 + 65_536  # the largest .npy convgrad accepts, plus its header
MAX_TEXT_BYTES = 64 * 2**20  # JSON/CSV: ~10 million cells, already minutes of exact parsing
MAX_PARAM_DIGITS = 30  # far beyond any valid parameter; keeps int() and messages short
CLIP = 40  # characters of a user's text quoted back in a message
