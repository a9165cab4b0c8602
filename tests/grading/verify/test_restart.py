"""A child restarted between cases (after a timeout or a crash) meets the file as it is now."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from convgrad_cli.grading.verify.child import Died, Ready
from convgrad_cli.grading.verify.conventions import CONVENTIONS
from convgrad_cli.grading.verify.runners import Child

IMPLS = Path(__file__).parent / "impls"


def test_a_function_gone_at_restart_is_a_died_case_not_an_escape(tmp_path: Path) -> None:
    path = tmp_path / "layer.py"
    shutil.copy(IMPLS / "cs231n_naive.py", path)
    runner = Child(str(path), CONVENTIONS["cs231n"], {}, timeout=30)
    try:
        assert isinstance(runner.start(), Ready)
        runner.close(kill=True)  # as after a timed-out case
        path.write_text("def helper(x):\n    return x\n", encoding="utf-8")
        arrays = {"x": np.ones((1, 1, 3, 3)), "w": np.ones((1, 1, 2, 2)), "b": np.zeros(1)}
        outcome = runner.run(arrays, {"stride": 1, "padding": 0})
    finally:
        runner.close(kill=True)
    assert isinstance(outcome, Died)
    assert "could not be loaded again after the last case" in outcome.message
