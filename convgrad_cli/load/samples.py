"""The built-in worked problems, shipped inside the package."""

from __future__ import annotations

import json
import os
from typing import Any

from ..errors import InputError

DEFAULT = "page"


def names() -> list[str]:
    """Every built-in sample, in a stable order (the page's own example first)."""
    found = sorted(name[: -len(".json")] for name in os.listdir(_FOLDER) if name.endswith(".json"))
    return sorted(found, key=lambda name: name != DEFAULT)


def load(name: str) -> dict[str, Any]:
    """One sample as its problem document (``input``, ``filter``, … and ``title``)."""
    document: dict[str, Any] = json.loads(text(name))
    return document


def text(name: str) -> str:
    """The sample's JSON exactly as shipped (for problem-file parsing)."""
    if name not in names():
        raise InputError("--sample", f"no sample named {name!r}", "choose one of " + ", ".join(names()))
    with open(os.path.join(_FOLDER, f"{name}.json"), encoding="utf-8") as file:
        return file.read()


# The package's own files (setuptools installs them unzipped).  Plain os.path: importlib.resources
# would import zipfile and friends, and pathlib urllib.parse and ipaddress, ~4 ms of every start.
_FOLDER = os.path.join(os.path.dirname(__file__), "data", "samples")
