"""The mistake catalog: each mistake is recognised on random problems where it changes the answer.

Problems are drawn with what a mistake needs (stride > 1 for missing-zero-insertion, a batch
for forgot-batch-sum, …).  The student's answer is the mistake's own array written out as
text, as a student would; the diagnosis must name that mistake (or one giving the very same
array).  Some mistakes are also checked against an independent recomputation.
"""

from __future__ import annotations

from fractions import Fraction
from math import trunc
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from convgrad_cli.engine import crop, rot180
from convgrad_cli.engine.backward import backward
from convgrad_cli.grading import ARRAYS, BY_ID, CATALOG, Answer, Solved, check
from convgrad_cli.grading.diagnosis import _changed
from convgrad_cli.load.nested import to_array

SETTINGS = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow]
)

# What each mistake needs from a problem to be able to change the answer at all.
NEEDS: dict[str, set[str]] = {
    "missing-zero-insertion": {"stride"},
    "no-padding-crop": {"padding"},
    "transposed": {"dims2"},
    "forgot-batch-sum": {"batch"},
    "forgot-channel-sum": {"channels"},
    "bias-mean": set(),
    "forgot-bias": {"bias"},
    "padding-off-by-one": set(),
    "ignored-stride": {"stride"},
    "ignored-dilation": {"dilation"},
    "ignored-upstream": {"delta"},
    "output-as-grad": {"delta"},
    "rot90-filter": {"dims2"},
    "truncated": {"fractions", "delta"},
    "stride-on-every-axis": {"stride", "dims2"},
}


@st.composite
def problems(draw: st.DrawFn, needs: frozenset[str] = frozenset()) -> dict[str, Any]:
    """A small random problem (integers −3…3) as ``backward`` arguments, in a random user form."""
    dims = 2 if "dims2" in needs else draw(st.sampled_from((1, 2, 2)))
    n = 2 if "batch" in needs else draw(st.integers(1, 2))
    groups = draw(st.integers(1, 2))
    per_group_out = 2 if "channels" in needs else draw(st.integers(1, 2))
    c_in, c_out = groups * draw(st.integers(1, 2)), groups * per_group_out
    kernel, stride, dilation, padding, size = [], [], [], [], []
    for axis in range(dims):
        k = draw(st.integers(1, 3))
        s = draw(st.integers(2, 3)) if "stride" in needs and axis == 0 else draw(st.integers(1, 2))
        d = 2 if "dilation" in needs and axis == 0 and k > 1 else draw(st.integers(1, 2))
        if "dilation" in needs and axis == 0 and k == 1:
            k = 2
        p = (draw(st.integers(1, 2)), draw(st.integers(0, 2))) if "padding" in needs and axis == 0 else (
            draw(st.integers(0, 1)), draw(st.integers(0, 1)))  # fmt: skip
        extent = d * (k - 1) + 1
        kernel.append(k), stride.append(s), dilation.append(d), padding.append(p)
        size.append(draw(st.integers(max(1, extent - sum(p)), max(1, extent - sum(p)) + 3)))
    x = _ints(draw, (n, c_in, *size))
    w = _ints(draw, (c_out, c_in // groups, *kernel))
    spec_out = [
        (sz + sum(p) - (d * (k - 1) + 1)) // s + 1
        for sz, p, d, k, s in zip(size, padding, dilation, kernel, stride)
    ]
    g = _ints(draw, (n, c_out, *spec_out)) if "delta" in needs or draw(st.booleans()) else None
    b = _ints(draw, (c_out,)) if "bias" in needs or draw(st.booleans()) else None
    if "fractions" in needs:  # thirds, so that every result has decimals to round or cut
        x, w, g = (None if a is None else _thirds(a) for a in (x, w, g))
    if "bias" in needs:
        assume(any(b.flat))
    x, w, g = _short_forms(draw, x, w, g, dims, groups)
    return {
        "input": x, "filter": w, "grad_output": g, "bias": b if b is None or w.ndim == dims + 2 else b.reshape(()),
        "stride": stride, "padding": padding, "dilation": dilation, "groups": groups, "dims": dims,
        "mode": draw(st.sampled_from(("correlate", "convolve"))),
    }  # fmt: skip


def _thirds(a: np.ndarray) -> np.ndarray:
    return np.array([Fraction(int(v) + 3, 3) for v in a.flat], dtype=object).reshape(a.shape)


def _ints(draw: st.DrawFn, shape: tuple[int, ...]) -> np.ndarray:
    size = int(np.prod(shape))
    return np.array(draw(st.lists(st.integers(-3, 3), min_size=size, max_size=size)), dtype=np.int64).reshape(
        shape
    )


def _short_forms(
    draw: st.DrawFn, x: np.ndarray, w: np.ndarray, g: np.ndarray | None, dims: int, groups: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Drop the axes homework leaves out, where the layout allows (N = 1, C = 1, one filter)."""
    n, c_in, c_out = x.shape[0], x.shape[1], w.shape[0]
    drop_n = n == 1 and draw(st.booleans())
    drop_out = c_out == 1 and draw(st.booleans())
    drop_in = drop_n and drop_out and c_in == 1 and draw(st.booleans())
    if drop_n:
        x, g = x[0], (None if g is None else g[0])
    if drop_out:
        w, g = w[0], (None if g is None else g[0] if drop_n else g[:, 0])
    if drop_in:
        x, w = x[0], w[0]
    return x, w, g


def solve(problem: dict[str, Any]) -> Solved:
    args = dict(problem)
    return Solved(backward(args.pop("input"), args.pop("filter"), args.pop("grad_output"), **args))


def written(array: np.ndarray) -> np.ndarray:
    """An array as a student writes it: integers, fractions as "p/q", floats as decimals."""
    return to_array(_texts(np.asarray(array, dtype=object).tolist()), "answer", keep_text=True, single=())


def _texts(value: Any) -> Any:
    return [_texts(v) for v in value] if isinstance(value, list) else str(value)


def answer(name: str, array: np.ndarray) -> Answer:
    return Answer({name: written(array)}, "test")


CASES = [(m.id, name) for m in CATALOG for name in m.arrays]


@pytest.mark.parametrize(("mistake", "name"), CASES, ids=[f"{m}-{n}" for m, n in CASES])
def test_each_mistake_is_diagnosed_where_it_changes_the_answer(mistake: str, name: str) -> None:
    @SETTINGS
    @given(problems(frozenset(NEEDS.get(mistake, set()))), st.data())
    def run(problem: dict[str, Any], data: st.DataObject) -> None:
        p = solve(problem)
        found = [a for a, _ in p.candidates(BY_ID[mistake], name) if _changed(a, p.expected(name)).any()]
        found = [a for a in found if not check(p, answer(name, a)).correct]  # beyond the tolerance
        assume(found)
        student = data.draw(st.sampled_from(found))
        verdict = check(p, answer(name, student)).verdicts[0]
        assert not verdict.correct
        assert verdict.diagnosis is not None, (mistake, student)
        assert verdict.diagnosis.exact
        assert mistake in (verdict.diagnosis.mistake, *verdict.diagnosis.also)

    run()


@SETTINGS
@given(problems(), st.sampled_from(ARRAYS))
def test_right_answers_get_no_diagnosis(problem: dict[str, Any], name: str) -> None:
    p = solve(problem)
    report = check(p, answer(name, p.expected(name)))
    assert report.correct
    assert report.verdicts[0].diagnosis is None


@SETTINGS
@given(problems(), st.sampled_from(ARRAYS), st.data())
def test_one_typo_is_not_blamed_on_a_mistake_it_does_not_resemble(
    problem: dict[str, Any], name: str, data: st.DataObject
) -> None:
    p = solve(problem)
    expected = np.asarray(p.expected(name), dtype=object).copy()
    assume(expected.size >= 4)
    flat = expected.reshape(-1)
    cell = data.draw(st.integers(0, flat.size - 1))
    flat[cell] = flat[cell] + 1000  # no mistake of the catalog makes a value this far off
    diagnosis = check(p, answer(name, expected)).verdicts[0].diagnosis
    assert diagnosis is None


@SETTINGS
@given(problems())
def test_the_page_recipe_without_mistakes_is_the_gradient(problem: dict[str, Any]) -> None:
    """Every grad_input mistake is the recipe with one step off; with none off it is ∂L/∂X."""
    p = solve(problem)
    assert np.array_equal(p.user("grad_input", p.full_correlation()), p.expected("grad_input"))


@SETTINGS
@given(problems())
def test_unrotated_filter_is_the_gradient_of_the_rotated_filter(problem: dict[str, Any]) -> None:
    p = solve(problem)
    ((candidate, _),) = p.candidates(BY_ID["unrotated-filter"], "grad_input")
    args = dict(problem)
    dims = args["dims"]
    flipped = rot180(args.pop("filter"), dims)
    other = backward(args.pop("input"), flipped, args.pop("grad_output"), **args).grad_input
    assert np.array_equal(candidate, other)


@SETTINGS
@given(problems(frozenset({"padding"})))
def test_no_padding_crop_is_the_uncropped_frame(problem: dict[str, Any]) -> None:
    p = solve(problem)
    ((frame, _),) = p.candidates(BY_ID["no-padding-crop"], "grad_input")
    assert frame.shape[-p.spec.dims :] == p.spec.padded_shape(p.x.shape[2:])
    assert np.array_equal(crop(frame, p.spec.padding), p.expected("grad_input"))


def _full_correlation_2d(delta: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The definition, by loops: out[r, s] = Σ_ij δ[i, j]·w[r−i, s−j] over the w indices that exist."""
    (h, v), (kh, kv) = delta.shape, w.shape
    out = np.zeros((h + kh - 1, v + kv - 1), dtype=object)
    for i in range(h):
        for j in range(v):
            out[i : i + kh, j : j + kv] += delta[i, j] * w
    return out


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_missing_zero_insertion_and_valid_not_full_by_loops(data: st.DataObject) -> None:
    """One image, one filter, no padding or dilation: the two mistakes against plain loops."""
    k = data.draw(st.integers(1, 3))
    s = data.draw(st.integers(2, 3))
    size = data.draw(st.integers(k, k + 5))
    x = _ints(data.draw, (size, size))
    w = _ints(data.draw, (k, k))
    out = (size - k) // s + 1
    g = _ints(data.draw, (out, out))
    p = Solved(backward(x, w, g, stride=s))
    full = _full_correlation_2d(
        g.astype(object), w.astype(object)
    )  # δ not dilated, W unrotated: a true convolution
    ((skipped, _),) = p.candidates(BY_ID["missing-zero-insertion"], "grad_input")
    assert np.array_equal(skipped, full)
    dilated = np.zeros(((out - 1) * s + 1,) * 2, dtype=object)
    dilated[::s, ::s] = g
    valid = _full_correlation_2d(dilated, w.astype(object))[
        k - 1 : dilated.shape[0], k - 1 : dilated.shape[1]
    ]
    found = p.candidates(BY_ID["valid-not-full"], "grad_input")
    if dilated.shape[0] < k:
        assert found == []
    else:
        assert np.array_equal(found[0][0], valid)


def test_a_near_match_is_named_with_its_share_of_cells() -> None:
    p = Solved(backward([[1, 2, 0], [3, -1, 2], [0, 1, 4]], [[2, -1], [0, 1]], [[1, 2], [-1, 3]]))
    ((unrotated, _),) = p.candidates(BY_ID["unrotated-filter"], "grad_input")
    student = np.asarray(unrotated, dtype=object).copy()
    student[2, 2] += 7  # one slip on top of the mistake
    diagnosis = check(p, answer("grad_input", student)).verdicts[0].diagnosis
    assert diagnosis is not None and diagnosis.mistake == "unrotated-filter"
    assert (diagnosis.matching, diagnosis.cells) == (8, 9)
    assert "in 8 of 9 cells" in diagnosis.explanation


def test_explanations_read_as_a_sentence_for_the_student() -> None:
    p = Solved(backward([[1, 2, 0], [3, -1, 2], [0, 1, 4]], [[2, -1], [0, 1]], [[1, 2], [-1, 3]]))
    ((unrotated, _),) = p.candidates(BY_ID["unrotated-filter"], "grad_input")
    diagnosis = check(p, answer("grad_input", unrotated)).verdicts[0].diagnosis
    assert diagnosis is not None
    assert diagnosis.explanation == (
        "your ∂L/∂X is what you get when the filter is not rotated by 180° before the full correlation with δ."
    )


def test_bias_mean_stays_exact() -> None:
    p = Solved(backward([[1, 2, 0], [3, -1, 2], [0, 1, 4]], [[2, -1], [0, 1]], [[1, 2], [-1, 3]], bias=1))
    ((mean, _),) = p.candidates(BY_ID["bias-mean"], "grad_bias")
    assert mean.item() == Fraction(5, 4) and isinstance(mean.item(), Fraction)


# ---------------------------------------------------------------- the mistakes of issue 13


PAGE = ([[1, 2, 0], [3, -1, 2], [0, 1, 4]], [[2, -1], [0, 1]], [[1, 2], [-1, 3]])


@pytest.mark.parametrize(("turns", "direction"), [(1, "counter-clockwise"), (-1, "clockwise")])
def test_rot90_filter_is_the_gradient_of_the_turned_filter(turns: int, direction: str) -> None:
    """rot180 then a quarter turn is the gradient of W turned a quarter: rotations commute."""
    x, w, g = PAGE
    p = Solved(backward(x, w, g))
    found = dict((detail, array) for array, detail in p.candidates(BY_ID["rot90-filter"], "grad_input"))
    other = backward(x, np.rot90(np.array(w), turns), g).grad_input
    assert np.array_equal(found[direction], other)
    diagnosis = check(p, answer("grad_input", other)).verdicts[0].diagnosis
    assert diagnosis is not None and diagnosis.mistake == "rot90-filter"
    assert diagnosis.explanation.endswith(
        f"instead of 180° before the full correlation with δ ({direction})."
    )


def test_rot90_needs_a_square_filter() -> None:
    p = Solved(backward(np.arange(12).reshape(3, 4), [[1, 2, 3]]))
    assert p.candidates(BY_ID["rot90-filter"], "grad_input") == []


def test_truncated_answers_are_told_to_round() -> None:
    x, _, g = PAGE
    p = Solved(backward(x, [[Fraction(2, 3), -1], [0, 1]], g))
    right = p.expected("grad_input")
    assert right[0, 0] == Fraction(2, 3)

    def written(round_: bool) -> np.ndarray:
        texts = [
            [f"{float(v if round_ else Fraction(trunc(v * 100), 100)):.2f}" for v in row] for row in right
        ]
        return to_array(texts, "grad_input", keep_text=True)

    verdict = check(p, Answer({"grad_input": written(round_=False)}, "test")).verdicts[0]
    assert verdict.diagnosis is not None and verdict.diagnosis.mistake == "truncated"
    assert verdict.diagnosis.explanation == (
        "your ∂L/∂X is what you get when every value is cut off after its last decimal instead of rounded: "
        "you truncated; round instead (2 decimals)."
    )
    assert check(p, Answer({"grad_input": written(round_=True)}, "test")).correct


def _grad_filter_by_loops(x: np.ndarray, g: np.ndarray, k: int, shift: tuple[int, int]) -> np.ndarray:
    """∂L/∂w[p, q] = Σ_ij δ[i, j]·x[i + p + sh, j + q + sw], zero outside X: every window moved."""
    dw = np.zeros((k, k), dtype=object)
    for p_, q in np.ndindex(k, k):
        for i, j in np.ndindex(*g.shape):
            r, c = i + p_ + shift[0], j + q + shift[1]
            if 0 <= r < x.shape[0] and 0 <= c < x.shape[1]:
                dw[p_, q] += g[i, j] * x[r, c]
    return dw


@pytest.mark.parametrize(
    ("detail", "shift"), [("shifted +1 along H", (1, 0)), ("shifted −1 along W", (0, -1))]
)
def test_window_off_by_one_by_loops(detail: str, shift: tuple[int, int]) -> None:
    x, w, g = (np.array(a) for a in PAGE)
    p = Solved(backward(x, w, g))
    found = {d: a for a, d in p.candidates(BY_ID["window-off-by-one"], "grad_filter")}
    assert np.array_equal(found[detail], _grad_filter_by_loops(x, g, 2, shift))
    diagnosis = check(p, answer("grad_filter", found[detail])).verdicts[0].diagnosis
    assert diagnosis is not None and diagnosis.mistake == "window-off-by-one"


def test_window_off_by_one_in_grad_input_moves_the_result() -> None:
    """With stride 1 and no padding, moving every window of the full correlation moves ∂L/∂X."""
    x, w, g = PAGE
    p = Solved(backward(x, w, g))
    found = {d: a for a, d in p.candidates(BY_ID["window-off-by-one"], "grad_input")}
    right = p.expected("grad_input")
    frame = np.pad(np.asarray(right, dtype=object), 1)  # the full correlation is 0 one step outside
    assert np.array_equal(found["shifted +1 along W"], frame[1:-1, 2:])
    assert np.array_equal(found["shifted −1 along H"], frame[:-2, 1:-1])


def test_stride_on_every_axis_explains_the_shape() -> None:
    x = np.arange(20).reshape(4, 5) % 7 - 3
    p = Solved(backward(x, [[1, -1], [2, 0]], stride=[2, 1]))
    ((wrong, _),) = p.candidates(BY_ID["stride-on-every-axis"], "grad_input")
    verdict = check(p, answer("grad_input", wrong)).verdicts[0]
    assert verdict.shape_note is not None and "zeros are inserted into δ along an axis whose stride is 1" in (
        verdict.shape_note
    )
    assert verdict.diagnosis is not None and verdict.diagnosis.mistake == "stride-on-every-axis"
    assert (
        p.candidates(BY_ID["stride-on-every-axis"], "grad_input") != []
        and Solved(backward(x, [[1, -1], [2, 0]], stride=2)).candidates(
            BY_ID["stride-on-every-axis"], "grad_input"
        )
        == []
    )
