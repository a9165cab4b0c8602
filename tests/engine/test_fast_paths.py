"""Every path of the wide-grid engine against the brute-force oracle (exactly) and PyTorch (float64).

The paths (``convgrad_cli/engine/wide.py``, ``blocks.py``, ``grads.py``):

* stride 1 — one phase; each tap reads a shifted contiguous row (any dilation,
  asymmetric padding, 1-, 2- and 3-D);
* stride > 1 — the input split into phases, including phases no tap reads and
  phases that are all padding;
* groups with several channels per group — batched GEMMs;
* depthwise — one input channel per group (K = 1 columns), any multiplier;
* on the engine's threads — column blocks as jobs, BLAS on one thread, results
  identical to one thread's to the last bit;
* column blocks — many small blocks with a ragged last one (block sizes patched down);
* dtypes — float32 stays float32; int64 and Python-int object arrays stay exact.

The engine is called directly, on full forms, so each example pins one path.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import numpy as np
import oracle
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import PATHS, Layer, layers

from convgrad_cli import backward
from convgrad_cli.engine import blocks, grads, resolve_spec, scratch, threads, wide

EXAMPLES = settings(max_examples=40, deadline=None)


def assert_exact(got: tuple[np.ndarray, ...], want: tuple[Any, ...], dtype: Any) -> None:
    for name, g, expected in zip(("output", "grad_input", "grad_filter"), got, want):
        assert g.dtype == np.dtype(dtype), f"{name}: dtype {g.dtype}, expected {np.dtype(dtype)}"
        assert g.tolist() == expected, f"{name} differs from the oracle"


# ---------------------------------------------------------------- exact, against the oracle


@pytest.mark.parametrize("path", PATHS)
@EXAMPLES
@given(data=st.data())
def test_int64_matches_oracle_exactly(path: str, data: st.DataObject) -> None:
    layer = data.draw(layers(path))
    combined = data.draw(st.booleans(), "combined")
    assert_exact(layer.engine(np.int64, combined), layer.oracle(), np.int64)


@pytest.mark.parametrize("path", PATHS)
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_python_ints_beyond_int64_stay_exact(path: str, data: st.DataObject) -> None:
    layer = data.draw(layers(path))
    big = 2**70 + 1
    x, w, d = (a.astype(object) * big for a in (layer.x, layer.w, layer.delta))
    spec = layer.spec
    got = (
        grads.forward(x, w, spec),
        grads.grad_input(d, w, spec, x.shape[2:]),
        grads.grad_filter(x, d, spec, w.shape[2:]),
    )
    assert_exact(got, layer.oracle(big), object)


@pytest.mark.parametrize("path", PATHS)
@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_many_small_blocks(path: str, data: st.DataObject) -> None:
    # Blocks of 1–5 columns: every block boundary, and a ragged last block, inside small problems.
    layer = data.draw(layers(path))
    width = data.draw(st.integers(1, 5))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(blocks, "COLUMN_BYTES", 1)
        patch.setattr(blocks, "MIN_BLOCK", width)
        patch.setattr(blocks, "MAX_BLOCK", width)
        got = layer.engine(np.int64)
    assert_exact(got, layer.oracle(), np.int64)


@pytest.mark.parametrize("path", PATHS)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_kept_scratch_is_reused_cleanly(path: str, data: st.DataObject) -> None:
    # Every row and column buffer kept and reused from the previous example (another shape,
    # dtype, stride and phase count): stale contents or two live uses of one slot would show.
    layer = data.draw(layers(path))
    dtype = data.draw(st.sampled_from([np.int64, np.float64, np.float32]))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(scratch, "KEEP_FROM", 0)
        got = layer.engine(dtype, data.draw(st.booleans(), "combined"))
    assert_exact(got, layer.oracle(), dtype)


def test_float64_blas_exactness_bound_is_respected() -> None:
    # Partial sums pass 2**53, where float64 would round: the exact plan must leave BLAS.
    x = np.full((1, 4, 5, 5), 2**25 + 1)
    w = np.full((3, 4, 3, 3), 2**25 - 1)
    r = backward(x, w, padding=1)
    want = oracle.conv_backward(x.tolist(), w.tolist(), None, None, oracle.make_conv((3, 3), padding=1))
    assert r.arithmetic == "exact"
    assert r.output.tolist() == want.output
    assert r.grad_input.tolist() == want.grad_input
    assert r.grad_filter.tolist() == want.grad_filter


# ---------------------------------------------------------------- floats, against PyTorch


@pytest.mark.parametrize("path", PATHS)
@EXAMPLES
@given(data=st.data())
def test_float64_matches_torch(path: str, data: st.DataObject) -> None:
    torch_ref = pytest.importorskip("torch_ref")
    layer = data.draw(layers(path))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    x, w, d = (rng.standard_normal(a.shape) for a in (layer.x, layer.w, layer.delta))
    ref = torch_ref.torch_backward(x, w, d, **layer.params)
    y, dx, dw = grads.gradients(x, w, d, layer.spec)
    for name, got in (("output", y), ("grad_input", dx), ("grad_filter", dw)):
        assert got.dtype == np.float64, f"{name}: {got.dtype}"
        torch_ref.assert_close(got, getattr(ref, name), name)


@pytest.mark.parametrize("path", PATHS)
@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_float32_stays_float32(path: str, data: st.DataObject) -> None:
    torch_ref = pytest.importorskip("torch_ref")
    layer = data.draw(layers(path))
    got = layer.engine(np.float32)
    ref = torch_ref.torch_backward(layer.x, layer.w, layer.delta, **layer.params)
    for name, g, want in zip(("output", "grad_input", "grad_filter"), got, (ref.output, ref.grad_input,
                                                                              ref.grad_filter)):  # fmt: skip
        assert g.dtype == np.float32, f"{name}: {g.dtype}"
        # Small integers: every product and partial sum is exact in float32 too.
        np.testing.assert_array_equal(g, want, err_msg=name)


@pytest.mark.parametrize("path", PATHS)
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_jobs_on_the_engines_threads(path: str, data: st.DataObject) -> None:
    # Threads run only on big layers: patch the threshold down, the core count up and the
    # blocks short (and the ∂L/∂W partials few, so runs of several blocks form) to reach them here.
    torch_ref = pytest.importorskip("torch_ref")
    layer = data.draw(layers(path))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    x, w, d = (rng.standard_normal(a.shape) for a in (layer.x, layer.w, layer.delta))
    ref = torch_ref.torch_backward(x, w, d, **layer.params)
    width = data.draw(st.integers(1, 8), "block width")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(threads, "THREADS_FROM", 0)
        patch.setattr(threads, "JOBS_PER_THREAD", 0)
        patch.setattr(threads, "LIMIT_FROM", 0)
        patch.setattr(blocks, "COLUMN_BYTES", 1)
        patch.setattr(blocks, "MIN_BLOCK", width)
        patch.setattr(blocks, "PARTIALS_BYTES", data.draw(st.sampled_from([1, 200, 1 << 20]), "partials"))
        patch.setattr(threads, "cores", lambda: data.draw(st.integers(2, 4), "cores"))
        got = grads.gradients(x, w, d, layer.spec)
        again = grads.gradients(x, w, d, layer.spec)
        alone = (
            grads.forward(x, w, layer.spec),
            grads.grad_input(d, w, layer.spec, x.shape[2:]),
            grads.grad_filter(x, d, layer.spec, w.shape[2:]),
        )
        # Integer values in float64, as the exact plan runs them: every sum is exact.
        on_ints = layer.engine(np.float64, combined=True)
        patch.setattr(threads, "cores", lambda: 1)
        one = grads.gradients(x, w, d, layer.spec)
    for name, g, h, o in zip(("output", "grad_input", "grad_filter"), got, again, one):
        torch_ref.assert_close(g, getattr(ref, name), name)
        assert g.tobytes() == h.tobytes(), f"{name} differs between two runs"
        assert g.tobytes() == o.tobytes(), f"{name} differs between one thread and several"
    for name, a in zip(("output", "grad_input", "grad_filter"), alone):
        torch_ref.assert_close(a, getattr(ref, name), name)
    assert [a.tolist() for a in on_ints] == list(layer.oracle())


def test_float_results_are_identical_run_to_run() -> None:
    # A layer big enough to run on the engine's threads with BLAS on one thread: ten runs,
    # and one thread, give one result to the last bit.
    rng = np.random.default_rng(7)
    x, w = rng.standard_normal((4, 8, 40, 40)).astype(np.float32), rng.standard_normal((16, 8, 3, 3))
    d = rng.standard_normal((4, 16, 40, 40)).astype(np.float32)
    spec = resolve_spec(dims=2, kernel=(3, 3), padding=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(threads, "THREADS_FROM", 1 << 16)
        patch.setattr(threads, "JOBS_PER_THREAD", 1)
        patch.setattr(threads, "cores", lambda: 2)
        runs = {
            tuple(a.tobytes() for a in grads.gradients(x, w.astype(np.float32), d, spec)) for _ in range(10)
        }
        patch.setattr(threads, "cores", lambda: 1)
        runs.add(tuple(a.tobytes() for a in grads.gradients(x, w.astype(np.float32), d, spec)))
    assert len(runs) == 1


def test_threads_only_for_big_calls_with_jobs_to_share(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(threads, "cores", lambda: 2)
    big, enough = threads.THREADS_FROM, 2 * threads.JOBS_PER_THREAD
    assert threads.threads_for(big, enough) == 2
    assert threads.threads_for(big - 1, enough) == 1, "small work: the hand-off would cost more"
    assert threads.threads_for(big, enough - 1) == 1, "too few jobs: one thread would wait for the other"
    assert threads.threads_for(big, enough, floats=False) == 1, "exact sums stay on one thread"


@given(
    st.lists(st.integers(1, 6_000), min_size=1, max_size=4),
    st.integers(0, 300),
    st.integers(1, 600),
    st.sampled_from([np.float32, np.float64, object]),
)
@settings(max_examples=60, deadline=None)
def test_column_blocks_are_even_and_cover_every_segment(
    lengths: list[int], gap: int, rows: int, dtype: Any
) -> None:
    segments, start = [], 0
    for length in lengths:
        segments.append((start, start + length))
        start += length + gap
    reads = [wide.Reads(np.zeros((1, rows, start), dtype), 0, (1,), (0,))]
    ranges = blocks._ranges(reads, segments, np.dtype(dtype))
    covered = [q for q0, q1 in ranges for q in range(q0, q1)]
    assert covered == [q for a, b in segments for q in range(a, b)], (
        "every position of a segment, once, in order"
    )
    for a, b in segments:
        widths = [q1 - q0 for q0, q1 in ranges if a <= q0 < b]
        assert max(widths) - min(widths) <= 1
        if np.dtype(dtype).hasobject:
            assert max(widths) <= blocks.EXACT_BLOCK
    total = sum(lengths)
    if not np.dtype(dtype).hasobject and total >= blocks.BLOCKS * blocks.MIN_BLOCK:
        assert len(ranges) >= blocks.BLOCKS, "a product big enough is cut into jobs to share"


@given(st.sampled_from(PATHS).flatmap(layers))
@settings(max_examples=60, deadline=None)
def test_segments_hold_every_output_and_input_cell(layer: Layer) -> None:
    # Garbage rows between images may be skipped; no cell the results are read from may be.
    grid = wide.WideGrid.of(layer.spec, layer.x.shape[2:], layer.w.shape[2:])
    n = layer.x.shape[0]
    for extent, boxes in [(None, [slice(0, o) for o in grid.out])] + [
        ([g.stop for g in p.grid], list(p.grid)) for p in grid.phases
    ]:
        cells = np.zeros((n, *grid.cells), bool)
        for a, b in grid.segments(n, extent):
            cells.reshape(-1)[a:b] = True
        assert cells[(slice(None), *boxes)].all()


@pytest.mark.parametrize(
    ("x_shape", "w_shape", "params", "threaded"),
    [
        ((4, 16, 64, 64), (32, 16, 5, 5), {"padding": 2, "stride": 2, "dilation": 2}, True),  # W4
        ((1, 64, 56, 56), (64, 1, 3, 3), {"padding": 1, "groups": 64}, False),  # W6's depthwise, one image
        ((2, 16, 32, 32), (32, 16, 3, 3), {"padding": 1}, True),  # 2^24.8 multiply-adds in 8 jobs
        ((1, 32, 24, 24), (64, 32, 3, 3), {"padding": 1}, False),  # 2^24.9, but two jobs: one would wait
        ((4, 8, 8, 8), (8, 8, 3, 3), {"padding": 1}, False),  # small: one thread
    ],
)
def test_which_layers_run_on_the_engines_threads(
    x_shape: tuple[int, ...],
    w_shape: tuple[int, ...],
    params: dict[str, Any],
    threaded: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The criterion at its real settings, on the shapes the measurements in docs/performance.md chose it by.
    asked: list[int] = []
    run_jobs = threads.run_jobs
    monkeypatch.setattr(threads, "cores", lambda: 2)
    monkeypatch.setattr(grads, "run_jobs", lambda jobs, n: (asked.append(n), run_jobs(jobs, n)))
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    spec = resolve_spec(dims=2, kernel=w_shape[2:], **params)
    d = rng.standard_normal((x_shape[0], w_shape[0], *spec.output_shape(x_shape[2:], w_shape[2:])))
    grads.gradients(x, w, d, spec)
    assert set(asked) == ({2} if threaded else {1})


def test_a_failing_job_stops_the_others_and_fails_the_call() -> None:
    import time

    done: list[int] = []

    def ok(i: int) -> None:
        time.sleep(0.001)
        done.append(i)

    def fail() -> None:
        raise ValueError("job failed")

    jobs = [fail] + [lambda i=i: ok(i) for i in range(200)]
    with pytest.raises(ValueError, match="job failed"):
        threads.run_jobs(jobs, 2)
    ran = len(done)
    time.sleep(0.05)
    assert len(done) == ran, "a job ran after the call returned"
    assert ran < 50, "the other thread kept taking jobs after one failed"


def test_one_blas_thread_nests_and_restores() -> None:
    threadpoolctl = pytest.importorskip("threadpoolctl")

    def blas() -> list[int]:
        return [i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]

    before = blas()
    with threads.one_blas_thread(threads.LIMIT_FROM):
        assert set(blas()) <= {1}
        with threads.one_blas_thread(threads.LIMIT_FROM):
            assert set(blas()) <= {1}
        assert set(blas()) <= {1}, "the inner block left the limit in place"
    assert blas() == before
    with threads.one_blas_thread(0):  # small work: BLAS is left as it is
        assert blas() == before


# ---------------------------------------------------------------- the grid itself


@given(st.sampled_from(PATHS).flatmap(layers))
@settings(max_examples=60, deadline=None)
def test_phases_hold_each_input_cell_at_most_once(layer: Layer) -> None:
    spec = layer.spec
    grid = wide.WideGrid.of(spec, layer.x.shape[2:], layer.w.shape[2:])
    seen = np.zeros(layer.x.shape[2:], int)
    for phase in grid.phases:
        seen[phase.input] += 1
        assert all(s.start < s.stop for s in phase.grid), "all-padding phases are dropped"
    assert seen.max(initial=0) <= 1
    taps = sorted(t for p in grid.phases for t in p.taps)
    assert len(taps) == len(set(taps)), "a tap belongs to one phase"


def test_a_phase_of_padding_only_is_dropped() -> None:
    # One input cell, stride 3, padding 2 before: phases 0 and 1 hold padding only.
    spec = resolve_spec(dims=1, kernel=(3,), stride=3, padding=[[2, 2]])
    grid = wide.WideGrid.of(spec, (1,), (3,))
    assert [p.start for p in grid.phases] == [(2,)]
    assert [p.taps for p in grid.phases] == [(2,)]


def test_reads_outside_the_source_are_refused() -> None:
    source = np.zeros((1, 2, 10))
    wide.Reads(source, 1, (3,), (2,)).check(5)  # starts 1, 3, 5; last cell read 9
    with pytest.raises(AssertionError, match="outside"):
        wide.Reads(source, 2, (3,), (2,)).check(5)


# ---------------------------------------------------------------- start-up


@pytest.mark.parametrize(
    ("args", "absent"),
    [
        (["--help"], ["numpy", "rich", "importlib.metadata"]),
        (["--version"], ["numpy", "rich"]),
        # The built-in sample is package data, read with importlib.resources (pathlib and
        # tempfile behind it): only runs that use a sample pay for it.
        (["compute", "--format", "json"], ["rich", "traceback", "threadpoolctl"]),
        (
            ["compute", "-x", "[[1, 2], [3, 4]]", "-w", "[[1]]", "--format", "json"],
            ["rich", "tempfile", "importlib.resources", "traceback"],
        ),
        # Smaller modules only some runs need: writing files, pathlib (urllib.parse and ipaddress
        # behind it, ~3 ms), the rlimit query small problems skip, and the LaTeX view.
        (
            ["compute", "-x", "[[1, 2], [3, 4]]", "-w", "[[1]]", "--format", "json"],
            ["convgrad_cli.load.atomic", "pathlib", "resource"],
        ),
        (["compute"], ["convgrad_cli.render.latex", "convgrad_cli.load.atomic"]),
    ],
)
def test_cold_start_imports_only_what_the_command_needs(args: list[str], absent: list[str]) -> None:
    # Each of these costs milliseconds of every start (see the README's Performance section).
    # What NumPy and Click import themselves (it differs between their versions) is not ours to save.
    floor = subprocess.run(
        [sys.executable, "-c", "import sys, numpy, click; print(' '.join(sys.modules))"],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    absent = [m for m in absent if m not in floor or m in ("numpy", "rich")]
    code = (
        "import sys; from convgrad_cli.cli.main import main\n"
        f"try:\n    main({args!r}, prog_name='convgrad')\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in {absent!r} if m in sys.modules), file=sys.stderr)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stderr.strip().splitlines()[-1] == "[]", run.stderr


@pytest.mark.parametrize("shape", [(1, 3, 5, 5), (8, 2, 7), (2_000,), (300, 1, 40, 40)])
def test_overflow_is_found_in_any_part_of_the_scan(
    shape: tuple[int, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The scan runs in parts on the engine's threads for big results (patched down to these):
    # an inf in any part is found, and the first array in order is named.
    from convgrad_cli.engine import memory
    from convgrad_cli.errors import InputError

    monkeypatch.setattr(memory, "SCAN_THREADS_FROM", 0)
    monkeypatch.setattr(memory, "cores", lambda: 2)
    ok = np.zeros(shape, np.float32)
    memory.require_finite("float32", {"output": ok, "grad_input": ok.swapaxes(0, -1), "grad_bias": None})
    for cell in (0, ok.size // 2, ok.size - 1):
        bad = ok.copy()
        bad.flat[cell] = np.inf
        for first, second in ((bad, bad), (ok, bad.swapaxes(0, -1))):
            with pytest.raises(InputError) as raised:
                memory.require_finite("float32", {"output": first, "grad_input": second})
            assert raised.value.field == ("output" if first is bad else "grad_input")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_runs_jobs_on_threads_of_its_own() -> None:
    # multiprocessing forks by default on Linux: the parent's pool has no threads in the child.
    import time

    threads.run_jobs([lambda: None, lambda: None], 2)  # the pool exists in the parent
    pid = os.fork()
    if pid == 0:  # the child: exit 0 only when both jobs ran
        done: list[int] = []
        threads.run_jobs([lambda: done.append(1), lambda: done.append(2)], 2)
        os._exit(0 if sorted(done) == [1, 2] else 1)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        finished, status = os.waitpid(pid, os.WNOHANG)
        if finished:
            assert os.waitstatus_to_exitcode(status) == 0
            return
        time.sleep(0.05)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    pytest.fail("the child waited for threads that do not exist")
