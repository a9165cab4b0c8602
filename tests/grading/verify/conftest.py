"""The implementations under test live in impls/; verifying a file runs it in a child process."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest

from convgrad_cli.grading.verify import CONVENTIONS, VerifyReport, verify_file

IMPLS = Path(__file__).parent / "impls"


@cache
def _verified(
    target: str, convention: str = "torch", timeout: float = 10.0, per_axis: bool = False
) -> VerifyReport:
    """The report of ``impls/<target>``, computed once per test session (each run costs a child process)."""
    return verify_file(str(IMPLS / target), CONVENTIONS[convention], timeout=timeout, per_axis=per_axis)


@pytest.fixture
def verified() -> Callable[..., VerifyReport]:
    """``verified("bug_sign.py")``: the (cached) report of a test implementation."""
    return _verified


@pytest.fixture
def impl(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], ModuleType]:
    """``impl("cs231n_naive")``: a test implementation imported into this process (for the in-process API)."""
    monkeypatch.syspath_prepend(str(IMPLS))  # they import reference.py beside them

    def load(name: str) -> ModuleType:
        spec = importlib.util.spec_from_file_location(f"verify_impl_{name}", IMPLS / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return load
