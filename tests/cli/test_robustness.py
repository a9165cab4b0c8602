"""Nothing runs from data, nothing is lost, nothing wraps, and every failure has its exit code.

Exit codes (README "Exit codes"): 0 ok, 2 bad input or usage, 101 a bug (with
how to get the traceback), 130 Ctrl-C, quietly.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

import click
import numpy as np
import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st
from oracle import backward as oracle_backward

from convgrad_cli.cli import main as cli
from convgrad_cli.cli.main import main
from convgrad_cli.errors import ExitCode, InputError
from convgrad_cli.load import atomic as output

CONVGRAD = [sys.executable, "-m", "convgrad_cli"]


def invoke(*args: str, stdin: bytes | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=stdin, prog_name="convgrad")


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


# ---------------------------------------------------------------- nothing runs from data


class _Payload:
    """Unpickling this creates ``marker``: proof that a load executed the file's code."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (str(self.marker), "w"))


@pytest.mark.parametrize("how", ["path", "stdin", "renamed"])
def test_pickle_payload_in_npy_never_executes(folder: Path, how: str) -> None:
    marker = folder / "PWNED"
    cargo = np.empty((1, 1), dtype=object)
    cargo[0, 0] = _Payload(marker)
    np.save(folder / "evil.npy", cargo, allow_pickle=True)
    if how == "renamed":  # a .npy in disguise is sniffed by its magic bytes, still never unpickled
        (folder / "evil.npy").rename(folder / "evil.json")
    name = {"path": "evil.npy", "stdin": "-", "renamed": "evil.json"}[how]
    data = (folder / "evil.npy").read_bytes() if how == "stdin" else None
    result = invoke("compute", "-x", name, "-w", "[[1]]", "-f", "json", stdin=data)
    shown = {"path": "evil.npy", "stdin": "<stdin>", "renamed": "evil.json"}[how]
    assert result.exit_code == 2
    assert result.stderr == (
        f"convgrad: error: {shown}: input: holds Python objects (pickled data); "
        "save a numeric array; convgrad never unpickles\n"
    )
    assert not marker.exists()
    # The payload is live: loading with pickling allowed does run it.
    np.load(folder / ("evil.json" if how == "renamed" else "evil.npy"), allow_pickle=True)
    assert marker.exists()


def test_json_and_csv_are_parsed_never_evaluated(folder: Path) -> None:
    marker = folder / "PWNED"
    for text in (f"[[__import__('pathlib').Path('{marker}').touch()]]", f"open('{marker}','w'),1\n"):
        (folder / "x.txt").write_text(text)
        assert invoke("compute", "-x", "x.txt", "-w", "[[1]]").exit_code == 2
    assert not marker.exists()


# ---------------------------------------------------------------- nothing is lost


def _inputs(folder: Path) -> None:
    (folder / "x.csv").write_text("1,2,3\n4,5,6\n7,8,9\n")
    (folder / "w.json").write_text("[[1, 0], [0, -1]]")


def test_output_file_holds_exactly_what_stdout_would(folder: Path) -> None:
    _inputs(folder)
    to_stdout = invoke("compute", "-x", "x.csv", "-w", "w.json", "-f", "json")
    to_file = invoke("compute", "-x", "x.csv", "-w", "w.json", "-f", "json", "-o", "out.json")
    assert to_file.exit_code == 0, to_file.stderr
    assert to_file.stdout == ""
    assert (folder / "out.json").read_text(encoding="utf-8") == to_stdout.stdout
    assert sorted(p.name for p in folder.iterdir()) == ["out.json", "w.json", "x.csv"]


@pytest.mark.parametrize("target", ["x.csv", "./x.csv", "link.csv", "p.json"])
def test_output_never_overwrites_an_input(folder: Path, target: str) -> None:
    _inputs(folder)
    (folder / "link.csv").symlink_to(folder / "x.csv")
    (folder / "p.json").write_text('{"input": [[1, 2], [3, 4]], "filter": [[1]]}')
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    args = ["--problem", "p.json"] if target == "p.json" else ["-x", "link.csv", "-w", "w.json"]
    result = invoke("compute", *args, "-f", "json", "-o", target)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        f"convgrad: error: --output: {target} is one of this command's inputs; write to a different file"
    )
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_bad_input_leaves_an_existing_output_untouched(folder: Path) -> None:
    (folder / "out.json").write_text("precious")
    result = invoke("compute", "-x", "[[1,2],[3,true]]", "-w", "[[1]]", "-o", "out.json")
    assert result.exit_code == 2
    assert (folder / "out.json").read_text() == "precious"
    assert [p.name for p in folder.iterdir()] == ["out.json"]


def test_interrupted_write_leaves_neither_partial_file_nor_temporary(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (folder / "out.json").write_text("precious")

    def interrupted(*_args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(output.os, "replace", interrupted)
    result = invoke("compute", "-x", "[[1,2],[3,4]]", "-w", "[[1]]", "-g", "[[1,1],[1,1]]", "-o", "out.json")
    assert (result.exit_code, result.stderr) == (ExitCode.INTERRUPTED, "")
    assert (folder / "out.json").read_text() == "precious"
    assert [p.name for p in folder.iterdir()] == ["out.json"]


def test_output_errors_are_input_errors(folder: Path) -> None:
    (folder / "d").mkdir()
    (folder / "ro.json").write_text("old")
    (folder / "ro.json").chmod(0o444)
    cases = {
        "d": "--output: d is a folder; give a file name, e.g. result.json",
        "no/such/out.json": "--output: folder no/such does not exist; create it or choose another path",
    }
    if os.geteuid() != 0:  # root may write anywhere, so the read-only refusal is only seen by users
        cases["ro.json"] = "--output: ro.json is read-only; write to a different file, or make it writable"
    for target, message in cases.items():
        result = invoke("compute", "-x", "[[1,2],[3,4]]", "-w", "[[1]]", "-f", "json", "-o", target)
        assert (result.exit_code, result.stderr.splitlines()[-1]) == (2, f"convgrad: error: {message}")


def test_atomic_write_keeps_permissions_and_follows_symlinks(folder: Path) -> None:
    (folder / "real.txt").write_text("old")
    (folder / "real.txt").chmod(0o640)
    (folder / "link.txt").symlink_to(folder / "real.txt")
    output.write_atomic("link.txt", "new")
    assert (folder / "link.txt").is_symlink()
    assert (folder / "real.txt").read_text() == "new"
    assert (folder / "real.txt").stat().st_mode & 0o777 == 0o640
    output.write_atomic("fresh.txt", "x")
    umask = os.umask(0)
    os.umask(umask)
    assert (folder / "fresh.txt").stat().st_mode & 0o777 == 0o666 & ~umask


# ---------------------------------------------------------------- exit codes of the CLI machinery


@click.command()
@click.argument("what")
def _trouble(what: str) -> None:
    """A stand-in command that fails on demand, so the error paths are tested on their own."""
    if what == "bug":
        raise RuntimeError("boom")
    if what == "interrupt":
        raise KeyboardInterrupt
    if what == "memory":
        raise MemoryError
    if what == "input":
        raise InputError(
            "stride", "stride is 0", "stride must be ≥ 1", source="p.json", hint="try --stride 1"
        )
    raise BrokenPipeError


@pytest.fixture
def trouble(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(cli.COMMANDS, "trouble", f"{__name__}:_trouble")


@pytest.mark.usefixtures("trouble")
def test_internal_error_exits_101_and_says_it_is_a_bug() -> None:
    result = invoke("trouble", "bug")
    assert result.exit_code == ExitCode.INTERNAL_ERROR == 101
    assert result.stderr == (
        "convgrad: internal error: RuntimeError: boom\n"
        "this is a bug; rerun with --debug (or CONVGRAD_DEBUG=1) for the traceback and report it\n"
    )


@pytest.mark.usefixtures("trouble")
@pytest.mark.parametrize("env", [{}, {"CONVGRAD_DEBUG": "1"}])
def test_debug_lets_the_traceback_through(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    result = invoke("trouble", "bug") if env else invoke("--debug", "trouble", "bug")
    assert isinstance(result.exception, RuntimeError)
    assert result.exit_code == 1  # Python's own exit for an uncaught exception


@pytest.mark.usefixtures("trouble")
def test_convgrad_debug_0_means_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONVGRAD_DEBUG", "0")
    assert invoke("trouble", "bug").exit_code == 101


@pytest.mark.usefixtures("trouble")
def test_ctrl_c_exits_130_quietly() -> None:
    result = invoke("trouble", "interrupt")
    assert (result.exit_code, result.stdout, result.stderr) == (130, "", "")


@pytest.mark.usefixtures("trouble")
def test_out_of_memory_is_a_clear_error_not_a_bug() -> None:
    result = invoke("trouble", "memory")
    assert result.exit_code == 2
    assert result.stderr == (
        "convgrad: error: memory: the problem did not fit in memory; use smaller arrays, less padding or dilation\n"
    )


@pytest.mark.usefixtures("trouble")
def test_input_error_with_hint_is_two_lines() -> None:
    result = invoke("trouble", "input")
    assert result.exit_code == 2
    assert (
        result.stderr
        == "convgrad: error: p.json: stride: stride is 0; stride must be ≥ 1\nhint: try --stride 1\n"
    )


def test_debug_traceback_in_a_real_process(tmp_path: Path) -> None:
    script = (
        "import click, sys\n"
        "from convgrad_cli.cli import main as cli\n"
        "@click.command()\n"
        "def trouble():\n"
        "    raise RuntimeError('boom')\n"
        "cli.COMMANDS['trouble'] = '__main__:trouble'\n"
        "cli.main(sys.argv[1:], prog_name='convgrad')\n"
    )
    plain = subprocess.run(
        [sys.executable, "-c", script, "trouble"], capture_output=True, text=True, timeout=60
    )
    assert plain.returncode == 101
    assert "Traceback" not in plain.stderr and "this is a bug" in plain.stderr
    debug = subprocess.run(
        [sys.executable, "-c", script, "--debug", "trouble"], capture_output=True, text=True, timeout=60
    )
    assert debug.returncode == 1
    assert "Traceback (most recent call last)" in debug.stderr and "RuntimeError: boom" in debug.stderr


def _blocked_reading(pid: int, timeout: float = 20.0) -> bool:
    """Wait until the process sleeps in a pipe read (Linux /proc), i.e. it is waiting for stdin."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if "pipe_read" in Path(f"/proc/{pid}/wchan").read_text():
                return True
        except OSError:
            return False
        time.sleep(0.02)
    return False


def test_real_ctrl_c_while_waiting_for_stdin_exits_130_quietly() -> None:
    process = subprocess.Popen(
        [*CONVGRAD, "compute", "-x", "-", "-w", "[[1]]"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        # As from a terminal: a shell starts background jobs (a test run with `&`) with Ctrl-C ignored.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        if not _blocked_reading(process.pid):
            pytest.skip("cannot see from /proc when the process waits on stdin")
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert (process.returncode, out, err) == (130, b"", b"")


# ---------------------------------------------------------------- exactness


BIG = 2**63


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.integers(BIG - 8, BIG + 8) | st.integers(-BIG - 8, -BIG + 8) | st.integers(-3, 3),
        min_size=9,
        max_size=9,
    ),
    st.lists(st.integers(BIG - 8, BIG + 8) | st.integers(-BIG - 8, -BIG + 8), min_size=4, max_size=4),
)
def test_integers_near_and_beyond_2_63_are_exact(xs: list[int], ws: list[int]) -> None:
    x = [xs[0:3], xs[3:6], xs[6:9]]
    w = [ws[0:2], ws[2:4]]
    g = [[1, -2], [3, BIG - 1]]
    result = invoke("compute", "-x", json.dumps(x), "-w", json.dumps(w), "-g", json.dumps(g), "-f", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    expected = oracle_backward(x, w, g)
    assert doc["output"] == expected.output
    assert doc["grad_input"] == expected.grad_input
    assert doc["grad_filter"] == expected.grad_filter


def test_exact_flag_computes_what_float64_cannot(folder: Path) -> None:
    np.save(folder / "big.npy", np.full((2, 2), 1e300))
    result = invoke("compute", "-x", "big.npy", "-w", "big.npy", "--exact", "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["output"] == [[4 * int(1e300) ** 2]]


def test_float32_overflow_is_reported_by_the_api() -> None:
    from convgrad_cli import backward

    big = np.full((2, 2), 3e38, dtype=np.float32)
    with pytest.raises(InputError, match=r"overflows float32: some values exceed ±3.4e\+38"):
        backward(big, big, np.ones((1, 1), dtype=np.float32))


@settings(max_examples=60, deadline=None)
@given(
    dtype=st.sampled_from([np.float32, np.float64]),
    exponent=st.integers(0, 40),
    n=st.integers(1, 3),
    size=st.integers(3, 7),
    k=st.integers(1, 3),
    seed=st.integers(0, 2**32 - 1),
)
def test_no_result_overflows_silently(
    dtype: type, exponent: int, n: int, size: int, k: int, seed: int
) -> None:
    # Magnitudes around the float's square root put sums of products right at its limit, where
    # the bound that lets backward skip scanning the results must never let an inf through.
    from convgrad_cli import backward

    scale = float(np.sqrt(np.finfo(dtype).max)) * 2.0 ** (exponent - 30)
    rng = np.random.default_rng(seed)
    x = (rng.uniform(-1, 1, (n, 2, size, size)) * scale).astype(dtype)
    w = (rng.uniform(-1, 1, (3, 2, k, k)) * scale).astype(dtype)
    g = (rng.uniform(-1, 1, (n, 3, size - k + 1, size - k + 1)) * scale).astype(dtype)
    b = (rng.uniform(-1, 1, 3) * scale).astype(dtype)
    try:
        result = backward(x, w, g, bias=b)
    except InputError as error:
        assert "overflows" in str(error)
        return
    for name in ("output", "grad_input", "grad_filter", "grad_bias"):
        assert np.isfinite(getattr(result, name)).all(), name


# ---------------------------------------------------------------- odd names and streams


@pytest.mark.parametrize("flag", ["-x", "-w", "--problem"])
def test_a_name_no_file_can_have(flag: str) -> None:
    others = {"-x": ["-w", "[[1]]"], "-w": ["-x", "[[1]]"], "--problem": []}[flag]
    result = invoke("compute", flag, "a\x00b", *others, "-f", "json")
    assert (result.exit_code, result.stderr) == (
        2,
        "convgrad: error: 'a\\x00b': is not a usable file name; check the path\n",
    )


def test_empty_flag_value() -> None:
    result = invoke("compute", "-x", "[[1,2],[3,4]]", "-w", "[[1]]", "--stride", " ")
    assert (
        result.stderr
        == "convgrad: error: --stride: is empty; write an integer ≥ 1, or one per axis, e.g. 2 or 2,1\n"
    )


def test_stdout_that_cannot_encode_the_output_is_an_error_not_a_crash() -> None:
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    done = subprocess.run(
        [*CONVGRAD, "compute", "-x", "[[1,-2],[3,4]]", "-w", "[[1]]", "-g", "[[1,1],[1,1]]", "-f", "table"],
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stdout == b""
    assert done.stderr.decode().startswith("convgrad: error: stdout: cannot show ")
    assert done.stderr.decode().endswith(
        " in ascii; set PYTHONIOENCODING=utf-8, or write to a file with -o\n"
    )


def test_exact_rational_beyond_float_range_in_json() -> None:
    result = invoke("compute", "-x", '[["2e300/3"]]', "-w", "[[1e300]]", "-f", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    exact = Fraction(2 * 10**600, 3)
    assert doc["exact"]["output"] == [[str(exact)]]
    assert doc["output"] == [[round(exact)]]


# ---------------------------------------------------------------- the memory estimate


@pytest.mark.parametrize(
    ("x_shape", "w_shape", "params", "dtype"),
    [
        ((8, 16, 64, 64), (32, 16, 3, 3), {"padding": 1}, np.float64),
        ((8, 16, 64, 64), (32, 16, 3, 3), {"padding": 1}, np.int64),
        ((2, 64, 64, 64), (64, 64, 3, 3), {"padding": 1, "stride": 2}, np.float32),
        ((1, 1, 1000, 1000), (1, 1, 3, 3), {"padding": 1}, np.int64),
        ((1, 64, 128, 128), (64, 1, 3, 3), {"padding": 1, "groups": 64}, np.float64),
        ((1, 1, 400, 400), (1, 1, 5, 5), {"padding": 100, "dilation": 3}, np.float64),
    ],
)
def test_memory_estimate_is_close_to_the_measured_peak(
    x_shape: tuple[int, ...], w_shape: tuple[int, ...], params: dict[str, Any], dtype: type
) -> None:
    """The estimate against tracemalloc's peak (NumPy reports its buffers there).

    Problems of tens of MiB, so the cells, not the fixed workspace, decide: the
    estimate must not fall below the peak (else a problem passes the guard and
    is killed) nor be so far above it that problems which fit are refused.
    """
    import tracemalloc

    from convgrad_cli import backward, engine
    from convgrad_cli.engine import memory as resources

    rng = np.random.default_rng(0)
    x: np.ndarray = rng.integers(-9, 9, x_shape).astype(dtype)
    w: np.ndarray = rng.integers(-9, 9, w_shape).astype(dtype)
    spec = engine.resolve_spec(dims=2, kernel=w_shape[2:], **params)
    out = spec.output_shape(x_shape[2:], w_shape[2:])
    estimate = resources.estimate_bytes(x_shape, w_shape, out, spec, resources.itemsize_for(x, w))
    tracemalloc.start()
    try:
        backward(x, w, **params)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert 0.9 * peak <= estimate <= 2.5 * peak, (estimate / peak, estimate, peak)


def test_available_memory_is_known_on_linux() -> None:
    from convgrad_cli.engine import memory as resources

    if not Path("/proc/meminfo").exists():
        pytest.skip("not Linux")
    available = resources.available_bytes()
    assert available is not None and available > 2**20


def test_size_text() -> None:
    from convgrad_cli.engine.memory import size_text

    assert [size_text(n) for n in (512, 1536, 3 * 2**30, 2**50 * 5)] == [
        "512 B",
        "1.5 KiB",
        "3.0 GiB",
        "5.0 PiB",
    ]


def test_check_over_a_folder_never_modifies_the_answers(folder: Path) -> None:
    (folder / "p.json").write_text('{"input": [[1,2,3],[4,5,6],[7,8,9]], "filter": [[1,0],[0,-1]]}')
    (folder / "answers").mkdir()
    (folder / "answers" / "right.json").write_text('{"grad_filter": [[12, 16], [24, 28]]}')
    (folder / "answers" / "wrong.json").write_text('{"grad_filter": [[1, 16], [24, 28]]}')
    (folder / "answers" / "junk.json").write_bytes(b"\xff\xfe\x00garbage")
    before = {p: p.read_bytes() for p in (folder / "answers").iterdir()}
    for extra in ([], ["-f", "json"], ["--report", "answers/right.json"]):
        result = invoke("check", "--problem", "p.json", "--answer", "answers/", *extra)
        assert result.exit_code in (1, 2), result.stderr
        assert "Traceback" not in result.stderr
        assert {p: p.read_bytes() for p in (folder / "answers").iterdir()} == before


@pytest.mark.parametrize("view", ["json", "table", "markdown", "latex"])
def test_view_memory_estimate_is_close_to_the_measured_peak(view: str) -> None:
    """Writing a result holds every number again as objects and text: the estimate against the peak.

    Random float64 everywhere, so every number is written with all its digits (the longest text).
    """
    import tracemalloc

    from convgrad_cli import backward
    from convgrad_cli.cli.compute import derive, json_text
    from convgrad_cli.cli.requests import OutputChoice, TraceChoice
    from convgrad_cli.cli.views import render_view
    from convgrad_cli.render.footprint import view_bytes

    rng = np.random.default_rng(0)
    result = backward(rng.random((300, 300)), rng.random((1, 1)), rng.random((300, 300)))
    numbers = 2 * 300 * 300 + 3 + 2 * 300 * 300
    tracemalloc.start()
    try:
        if view == "json":
            text = json_text(result, None)
        else:
            output = OutputChoice(format=view, file="out.txt")
            rendered = render_view(derive(result, None), None, output, TraceChoice())
            text = rendered if isinstance(rendered, str) else "".join(rendered)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert text
    estimate = view_bytes(numbers, view)
    assert 0.9 * peak <= estimate <= 2.5 * peak, (estimate / peak, estimate, peak)


def test_a_result_too_large_to_write_is_refused_before_computing(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's 7000×7000 JSON, scaled down: the computation fits the (fake) memory, its text does not."""
    from convgrad_cli.cli import solving
    from convgrad_cli.engine import memory as resources

    np.save("n.npy", np.ones((300, 300)))
    monkeypatch.setattr(resources, "ALWAYS_FITS", 0)
    monkeypatch.setattr(resources, "available_bytes", lambda: 16 << 20)
    computed: list[bool] = []
    monkeypatch.setattr(solving, "backward", lambda *a, **k: computed.append(True))
    result = invoke("compute", "-x", "n.npy", "-w", "[[1]]", "-f", "json", "-o", "n.json")
    assert result.exit_code == ExitCode.BAD_INPUT and not computed and not Path("n.json").exists()
    assert result.stderr.splitlines()[-1].startswith(
        "convgrad: error: memory: writing this problem's json output needs about 37.1 MiB (360,004 numbers), "
    )
    assert "(360,004 numbers), but only 16.0 MiB is available" in result.stderr
    from convgrad_cli import engine

    estimate = resources.estimate_bytes(
        (1, 1, 300, 300), (1, 1, 1, 1), (300, 300), engine.resolve_spec(dims=2, kernel=(1, 1)), 8
    )
    assert estimate < 16 << 20  # the engine's own guard would have let it through
