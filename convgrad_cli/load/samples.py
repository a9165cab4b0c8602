"""The built-in worked problems, shipped inside the package as ``data/samples/NAME.json``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..errors import InputError

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

DEFAULT = "page"


def _folder() -> Traversable:
    from importlib import resources  # here: runs that give their own operands never need it

    return resources.files(__package__ or __name__).joinpath("data").joinpath("samples")


def names() -> list[str]:
    """Every built-in sample, in a stable order (the page's own example first)."""
    found = sorted(
        entry.name.removesuffix(".json") for entry in _folder().iterdir() if entry.name.endswith(".json")
    )
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
