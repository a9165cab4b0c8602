"""The Python API: what a notebook or an autograder calls, and how its results show in Jupyter.

The top layer beside the CLI.  The data layers below never import a renderer, so the
Jupyter hooks (``_repr_markdown_``, ``_repr_latex_``) live here, on thin subclasses of
their records that add display and nothing else:

>>> r = backward([[1, 2, 0], [3, -1, 2], [0, 1, 4]], [[2, -1], [0, 1]])
>>> [cell.index for cell in r.derivation(cells="w12").grad_filter]
[(0, 1)]
>>> check(r, {"grad_filter": [[5, 3], [3, 6]]}).correct
True
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from fractions import Fraction
from functools import wraps
from typing import Any, ParamSpec

import numpy as np

from .derivation import Derivation, derive
from .engine.backward import Gradients
from .engine.backward import backward as solve
from .grading import Answer, Report, Solved, read_answer
from .grading import check as judge
from .grading.verdicts import DEFAULT_TOL
from .grading.verify import VerifyReport, verify

P = ParamSpec("P")

__all__ = [
    "Gradients", "ShownDerivation", "ShownGradients", "ShownReport", "VerifyReport", "backward", "check", "verify",
]  # fmt: skip


class ShownDerivation(Derivation):
    """A :class:`~convgrad_cli.derivation.Derivation` that Jupyter shows as the Markdown view."""

    __slots__ = ()

    def _repr_markdown_(self) -> str:
        from .render.markdown import markdown

        return markdown(self)

    def _repr_latex_(self) -> str:
        from .render.latex import latex

        return latex(self, body=True)


class ShownGradients(Gradients):
    """What :func:`backward` returns: the :class:`Gradients`, shown in Jupyter as their derivation."""

    __slots__ = ()

    def derivation(self, cells: str | None = None, *, trace: bool | None = None) -> ShownDerivation:
        """The step-by-step derivation (see :mod:`convgrad_cli.derivation`).

        ``cells="x22,w12"`` selects cells; ``trace=True`` forces every cell on a big
        problem, ``False`` gives results only.  Shown in Jupyter as Markdown.
        """
        return ShownDerivation(**_fields(derive(self, cells, trace=trace)))

    def _repr_markdown_(self) -> str:
        # A result shows its derivation (results only when the problem is big).
        return self.derivation()._repr_markdown_()


@dataclass(frozen=True)
class ShownReport(Report):
    """A check :class:`~convgrad_cli.grading.Report` that Jupyter shows as the Markdown report.

    ``setting``: the problem's parameters, as the report's first line names them.
    """

    setting: str = ""

    def _repr_markdown_(self) -> str:
        # The same report a teaching assistant pastes into feedback.
        from .render.check_report import markdown

        return markdown(self, self.setting)


def _shown(solve: Callable[P, Gradients]) -> Callable[P, ShownGradients]:
    # The engine's signature and docstring, once: the API only adds display to the result.
    @wraps(solve)
    def backward(*args: P.args, **kwargs: P.kwargs) -> ShownGradients:
        return ShownGradients(**_fields(solve(*args, **kwargs)))

    return backward


backward = _shown(solve)


def check(
    result: Gradients, answer: Answer | str | Mapping[str, Any], *, tol: float = DEFAULT_TOL
) -> ShownReport:
    """Judge an answer against ``result`` cell by cell, naming the classic mistake behind a wrong array.

    ``answer``: a mapping such as ``{"grad_filter": [[5, 3], [3, 6]]}`` (numbers, or strings
    like ``"1/3"`` and ``"0.33"`` judged as written), an answer document's path, inline
    JSON, or an :class:`~convgrad_cli.grading.Answer`.
    """
    if isinstance(answer, Mapping):
        answer = json.dumps(dict(answer), default=_plain)
    solved = Solved(result)
    if isinstance(answer, str):
        answer = read_answer(answer, None, result.spec.dims, solved)
    return ShownReport(**_fields(judge(solved, answer, tol)), setting=result.spec.describe())


def _fields(record: Any) -> dict[str, Any]:
    """A dataclass record's fields by name, to rebuild it as its display subclass."""
    return {f.name: getattr(record, f.name) for f in fields(record)}


def _plain(value: Any) -> Any:
    """What ``json.dumps`` cannot write itself: arrays, NumPy scalars, fractions (as ``"p/q"``)."""
    if isinstance(value, np.ndarray | np.generic):
        return value.tolist()
    if isinstance(value, Fraction):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not a number or an array")
