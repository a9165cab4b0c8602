"""The built-in worked problems, shipped inside the package."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .errors import InputError

DEFAULT = "page"


def names() -> list[str]:
    """Every built-in sample, in a stable order (the page's own example first)."""
    found = sorted(p.name[: -len(".json")] for p in _folder().iterdir() if p.name.endswith(".json"))
    return sorted(found, key=lambda name: name != DEFAULT)


def load(name: str) -> dict[str, Any]:
    """One sample as its problem document (``input``, ``filter``, … and ``title``)."""
    document: dict[str, Any] = json.loads(text(name))
    return document


def text(name: str) -> str:
    """The sample's JSON exactly as shipped (for problem-file parsing)."""
    if name not in names():
        raise InputError("--sample", f"no sample named {name!r}", "choose one of " + ", ".join(names()))
    return _folder().joinpath(f"{name}.json").read_text(encoding="utf-8")


def _folder() -> Path:
    # The package's own files (setuptools installs them unzipped): importlib.resources
    # would import zipfile and friends, ~3 ms of every start.
    return Path(__file__).parent / "data" / "samples"
