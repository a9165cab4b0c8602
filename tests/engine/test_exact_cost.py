"""Exact arithmetic is bounded: its cost is estimated from the numbers' lengths before it runs.

Cells 1/p for distinct primes p give denominators that grow with every sum; past the
limit, ``exact=True`` is refused with the estimate, and ``exact=None`` computes in float64
and says so.  Nothing here runs a slow problem: the refusals come before any arithmetic.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from convgrad_cli.cli.main import main
from convgrad_cli.engine import exact_cost
from convgrad_cli.engine.backward import backward
from convgrad_cli.errors import InputError
from convgrad_cli.exact import scale


def _primes(count: int) -> list[int]:
    limit = 200_000
    sieve = np.ones(limit, dtype=bool)
    sieve[:2] = False
    for i in range(2, int(limit**0.5) + 1):
        if sieve[i]:
            sieve[i * i :: i] = False
    found = np.flatnonzero(sieve)[:count].tolist()
    assert len(found) == count
    return found


def _reciprocals(n: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """An n×n input and a k×k filter of 1/p, every p a different prime."""
    ps = _primes(n * n + k * k)
    x = np.array([Fraction(1, p) for p in ps[: n * n]], dtype=object).reshape(n, n)
    w = np.array([Fraction(1, p) for p in ps[n * n :]], dtype=object).reshape(k, k)
    return x, w


def _estimate(x: np.ndarray, w: np.ndarray) -> float:
    full_x, full_w = x.reshape(1, 1, *x.shape), w.reshape(1, 1, *w.shape)
    g = np.ones((1, 1, x.shape[0] - w.shape[0] + 1, x.shape[1] - w.shape[1] + 1), dtype=np.int64)
    return exact_cost.estimate(full_x, full_w, g, (scale(full_x), scale(full_w), scale(g)))


# 120×120 cells 1/p with a 24×24 filter: estimated 85 s, measured 55 s (the 100×100 with
# 20×20 now runs in ~12 s tap by tap, under the limit).
PAST_THE_LIMIT = (120, 24)


def test_a_problem_past_the_limit_is_refused_under_exact_and_falls_back_without() -> None:
    x, w = _reciprocals(*PAST_THE_LIMIT)
    with pytest.raises(InputError) as caught:
        backward(x, w, exact=True)
    assert caught.value.field == "exact"
    assert str(caught.value).startswith("exact: exact arithmetic would take about ")
    assert "at most 30 s runs exactly" in str(caught.value)
    result = backward(x, w)
    assert result.arithmetic == "float64" and result.notes


def test_the_estimate_counts_the_denominators() -> None:
    """Same shapes, same number of multiply-adds: 1/p costs far more than small integers."""
    x, w = _reciprocals(40, 10)
    small = np.arange(1, 1601, dtype=object).reshape(40, 40) % 7, np.ones((10, 10), dtype=object)
    assert _estimate(x, w) > 100 * max(_estimate(*small), 1e-6)
    wide_x, _ = _reciprocals(60, 1)
    assert _estimate(wide_x[:40, :40], w) < _estimate(
        *_reciprocals(40, 20)
    )  # longer sums, longer denominators


def test_past_the_limit_a_problem_the_old_rule_passed_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """20×20 cells 1/p with a 5×5 filter: 6 400 multiply-adds, far below the Python-int rule's 2 000 000."""
    x, w = _reciprocals(20, 5)
    assert backward(x, w).arithmetic == "exact"
    monkeypatch.setattr(exact_cost, "EXACT_TIME_LIMIT", _estimate(x, w) / 2)
    monkeypatch.setattr(exact_cost, "DEFAULT_TIME_LIMIT", _estimate(x, w) / 4)
    result = backward(x, w)
    assert result.arithmetic == "float64"
    assert result.notes[-1].startswith("exact arithmetic would take about ")
    assert result.notes[-1].endswith(
        "used float64 instead"
    )  # --exact would be refused: no advice to force it
    with pytest.raises(InputError, match="exact arithmetic would take about"):
        backward(x, w, exact=True)
    integers = backward(np.ones((20, 20), dtype=object) * (2**70), np.ones((5, 5), dtype=int), exact=True)
    assert integers.arithmetic == "exact"  # long integers without denominators stay cheap


def test_cli_refuses_exact_with_the_estimate(tmp_path: Path) -> None:
    x, w = _reciprocals(*PAST_THE_LIMIT)
    (tmp_path / "x.json").write_text(json.dumps([[str(v) for v in row] for row in x]))
    (tmp_path / "w.json").write_text(json.dumps([[str(v) for v in row] for row in w]))
    args = ["compute", "-x", str(tmp_path / "x.json"), "-w", str(tmp_path / "w.json"), "-f", "json"]
    refused = CliRunner().invoke(main, [*args, "--exact"], prog_name="convgrad")
    assert refused.exit_code == 2
    assert refused.stderr.startswith("convgrad: error: --exact: exact arithmetic would take about ")
    fallback = CliRunner().invoke(main, args, prog_name="convgrad")
    assert fallback.exit_code == 0 and json.loads(fallback.stdout)["config"]["arithmetic"] == "float64"
    assert "used float64" in fallback.stderr


def test_between_the_limits_only_exact_asked_for_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the default's limit but within --exact's: float64 with a note saying how to force it."""
    x, w = _reciprocals(20, 5)
    monkeypatch.setattr(exact_cost, "DEFAULT_TIME_LIMIT", _estimate(x, w) / 2)
    result = backward(x, w)
    assert result.arithmetic == "float64"
    assert "without --exact" in result.notes[-1]
    assert result.notes[-1].endswith("used float64 instead (force with --exact)")
    assert backward(x, w, exact=True).arithmetic == "exact"
