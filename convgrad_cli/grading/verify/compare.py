"""One case's verdict: what the function returned, judged array by array against the exact result.

Values go through the same :func:`~convgrad_cli.grading.verdicts.check` that judges
students' written answers — cell by cell within a stated tolerance, each wrong array
diagnosed from the mistake catalog.  Before that come the mistakes only code makes: an
array that is None, not float64, the wrong shape or not finite, gradients returned in the
wrong order, an input changed in place.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...load.cells import Written
from .. import SYMBOLS, Answer, Report, Solved, Verdict, check
from .child import Died, Foreign, Outcome, Raised, Returned, TimedOut, Unreadable
from .conventions import Convention
from .report import ArrayResult, CaseResult, Config, Detail, Status
from .suite import Case

INPUT_SYMBOLS = {"input": "X", "filter": "W", "bias": "b", "grad_output": "δ"}


def judge(
    case: Case, config: Config, solved: Solved, outcome: Outcome, convention: Convention, tol: float
) -> CaseResult:
    """The :class:`CaseResult` of one call."""

    def result(status: Status, message: str = "", **more: Any) -> CaseResult:
        return CaseResult(case.name, config, status, message, tolerance=tol, **more)

    if isinstance(outcome, TimedOut):
        return result("timeout", f"no answer within {outcome.seconds:g} s; stopped")
    if isinstance(outcome, Died):
        return result("error", outcome.message)
    if isinstance(outcome, Raised):
        return result("error", str(outcome.error), error=outcome.error)
    mutated = tuple(_mutated(name) for name in outcome.mutated)
    if isinstance(outcome, Unreadable):
        return result("fail", _join([outcome.message, *_messages(mutated)]), arrays=mutated)
    arrays, report = _arrays(case, solved, outcome, convention, tol)
    results = (*arrays, *mutated)
    if all(a.right for a in results):
        return result("pass", arrays=results)
    setting = f"case {case.name!r}: {config.describe()}"
    return result("fail", _join(_messages(results)), arrays=results, detail=Detail(report, solved, setting))


def _arrays(case: Case, solved: Solved, outcome: Returned, convention: Convention, tol: float
            ) -> tuple[list[ArrayResult], Report]:  # fmt: skip
    names = [*convention.returns, *(n for n in convention.optional if n in outcome.values)]
    full_forms = {n: full_expected(solved, n) for n in names}
    expected = {n: convention.from_torch(n, full_forms[n], case.dims) for n in names}
    found: dict[str, ArrayResult] = {}
    comparable: dict[str, np.ndarray] = {}
    for name in names:
        value = outcome.values.get(name)
        problem = _unusable(name, value, expected[name].shape)
        if problem is not None:
            found[name] = problem
            continue
        assert isinstance(value, np.ndarray)
        try:
            full = convention.to_torch(name, value, case.dims)
        except ValueError:
            full = None
        if full is None or full.ndim != full_forms[name].ndim:
            found[name] = _wrong_shape(name, value.shape, expected[name].shape)
        else:
            comparable[name] = solved.user(name, full)
    written = {n: _written(a, exact=not case.random) for n, a in comparable.items()}
    report = check(solved, Answer(written, "what the function returned"), tol)
    for verdict in report.verdicts:
        found[verdict.name] = _judged(verdict, outcome.values[verdict.name], expected[verdict.name].shape)
    for name, result in found.items():
        swapped = _swapped(name, outcome.values.get(name), expected, tol) if not result.right else None
        if swapped:
            found[name] = ArrayResult(name, False, "swapped-outputs", result.wrong_cells, swapped)
    return [found[n] for n in names], report


def full_expected(solved: Solved, name: str) -> np.ndarray:
    """The right ``name`` in PyTorch's full layout: (N, C, *S) arrays, ∂L/∂b (C_out,)."""
    layout, value = solved.result.layout, np.asarray(solved.expected(name))
    full = {
        "grad_input": layout.full_input,
        "grad_filter": layout.full_filter,
        "output": layout.full_grad_output,
    }
    return full[name](value) if name in full else value.reshape(-1)


def _unusable(name: str, value: Any, shape: tuple[int, ...]) -> ArrayResult | None:
    """None, not an array, not real numbers, NaN: no cell-by-cell comparison possible."""
    symbol = SYMBOLS[name]
    if value is None:
        return ArrayResult(
            name, False, "returned-none", None, f"{symbol} is None; expected an array of shape {shape}"
        )
    if isinstance(value, Foreign) or value.dtype.kind not in "iuf":
        kind = value.kind if isinstance(value, Foreign) else f"an array of dtype {value.dtype}"
        return ArrayResult(name, False, "wrong-dtype", None, f"{symbol} is {kind}; expected a float64 array")
    if value.dtype.kind == "f" and not np.isfinite(value).all():
        bad = int((~np.isfinite(value)).sum())
        return ArrayResult(name, False, "not-finite", bad, f"{symbol} holds {bad} NaN or infinite values")
    return None


def _judged(verdict: Verdict, value: np.ndarray, shape: tuple[int, ...]) -> ArrayResult:
    name, symbol = verdict.name, SYMBOLS[verdict.name]
    shape_ok = value.shape == shape
    wrong = len(verdict.wrong_cells) if verdict.shape_ok else None
    if verdict.diagnosis is not None:
        message = (
            verdict.diagnosis.explanation
            if shape_ok
            else f"{_shape_text(symbol, value.shape, shape)}; {verdict.diagnosis.explanation}"
        )
        return ArrayResult(name, False, verdict.diagnosis.mistake, wrong if shape_ok else None, message)
    if not shape_ok:
        return _wrong_shape(name, value.shape, shape)
    if not verdict.correct:
        return ArrayResult(name, False, None, wrong, f"{symbol}: {wrong} of {verdict.size} cells wrong")
    if value.dtype != np.float64:
        return ArrayResult(name, False, "wrong-dtype", 0,
                           f"{symbol} has dtype {value.dtype}; expected float64, the dtype of the inputs")  # fmt: skip
    return ArrayResult(name, True)


def _wrong_shape(name: str, got: tuple[int, ...], shape: tuple[int, ...]) -> ArrayResult:
    return ArrayResult(name, False, "wrong-shape", None, _shape_text(SYMBOLS[name], got, shape))


def _shape_text(symbol: str, got: tuple[int, ...], shape: tuple[int, ...]) -> str:
    return f"{symbol} has shape {got}; expected {shape}"


def _swapped(name: str, value: Any, expected: dict[str, np.ndarray], tol: float) -> str | None:
    """The other gradient this array holds, when the function returned them in the wrong order."""
    if not isinstance(value, np.ndarray) or value.dtype.kind not in "iuf":
        return None
    for other, right in expected.items():
        if other != name and value.shape == right.shape and _close(value, right, tol):
            return f"{SYMBOLS[name]} holds {SYMBOLS[other]}: the gradients come back in the wrong order"
    return None


def _close(value: np.ndarray, right: np.ndarray, tol: float) -> bool:
    truth = right.astype(np.float64)
    return bool(np.all(np.abs(value - truth) <= tol * np.maximum(np.abs(truth), 1)))


def _written(array: np.ndarray, exact: bool) -> np.ndarray:
    """A returned array as answer cells: each value exactly as computed (whole floats as ints in exact cases)."""
    cells = np.empty(array.shape, dtype=object)
    for index, v in np.ndenumerate(array):
        value: int | float = int(v) if array.dtype.kind in "iu" else float(v)
        if exact and isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
            value = int(value)  # shown as 6, not 6.0: it is exactly 6
        cells[index] = Written(value, repr(value), None)
    return cells


def _mutated(name: str) -> ArrayResult:
    symbol = INPUT_SYMBOLS.get(name, name)
    return ArrayResult(name, False, "mutated-input", None,
                       f"the function changed its input {symbol} ({name}) in place")  # fmt: skip


def _messages(results: Any) -> list[str]:
    return [a.message or f"{a.name} wrong" for a in results if not a.right]


def _join(messages: list[str]) -> str:
    return "; ".join(m.rstrip(".") for m in messages if m)
