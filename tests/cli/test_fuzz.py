"""Fuzzing the CLI: whatever arrives, convgrad answers or refuses in one line, quickly.

Random bytes as operand files and on stdin, mutated valid problems, random CSV
grids, hand-made .npy headers, random flag values and random argument lists
all go through Click's runner.  Every run must end with a documented exit code
(0, or 1 for ``check``, or 2), never 101; print no traceback; on error say what
was wrong on a ``convgrad: error:`` line; keep stdout valid JSON when it
succeeds with ``--format json``; and finish in bounded time.

Numbers in parameters are drawn small (≤ 20) or absurd (≥ 10⁶, refused by the
range checks): values in between are valid but make genuinely large problems,
which the memory guard, not a fuzz test, is for.
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from convgrad_cli.cli.main import main
from convgrad_cli.load import samples

_FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SECONDS = 10.0  # per run; a tiny problem takes milliseconds, so this only catches hangs
ERROR = "convgrad: error: "

X = [
    "[[1,2,3],[4,5,6],[7,8,9]]",
    "[1,2,3,4,5]",
    "[[[1,2],[3,4]],[[5,6],[7,8]]]",
    "[[[[1,2,3],[4,5,6],[7,8,9]]]]",
]
W = ["[[1,0],[0,-1]]", "[1,-1]", "[[1]]", "[[[1,2],[3,4]]]", '[["1/3", 0.5]]']
SUFFIXES = ["", ".json", ".csv", ".npy", ".txt"]


def fuzz(examples: int) -> settings:
    """CI runs ``examples``; CONVGRAD_FUZZ_SCALE=20 runs twenty times as many (a nightly soak)."""
    return settings(_FUZZ, max_examples=int(examples * float(os.environ.get("CONVGRAD_FUZZ_SCALE", "1"))))


def run(args: list[str], stdin: bytes | None = None, *, json_out: bool = False) -> Result:
    """Invoke convgrad and check the contract every run must keep."""
    start = time.monotonic()
    result = CliRunner().invoke(main, args, input=stdin, prog_name="convgrad")
    elapsed = time.monotonic() - start
    event(f"exit {result.exit_code}")  # --hypothesis-show-statistics: how often each path is taken
    context = f"args={args!r} stdin={stdin[:80] if stdin else stdin!r}\nstderr={result.stderr}"
    allowed = {0, 1, 2} if "check" in args else {0, 2}
    assert result.exit_code in allowed, context
    assert result.exception is None or isinstance(result.exception, SystemExit), context
    assert "Traceback" not in result.stderr + result.stdout, context
    assert elapsed < SECONDS, f"{elapsed:.1f} s: {context}"
    if result.exit_code == 2:
        errors = [line for line in result.stderr.splitlines() if line.startswith(ERROR)]
        assert len(errors) == 1, context
        assert len(errors[0]) > len(ERROR) + 5, context
    elif json_out:
        json.loads(result.stdout, parse_constant=_no_constants)  # valid JSON, never NaN or Infinity
    return result


def _no_constants(word: str) -> None:
    raise AssertionError(f"{word} in JSON output")


@contextmanager
def scratch() -> Iterator[Path]:
    """A fresh working folder per example (hypothesis reuses function-scoped fixtures)."""
    before = Path.cwd()
    with tempfile.TemporaryDirectory() as folder:
        os.chdir(folder)
        try:
            yield Path(folder)
        finally:
            os.chdir(before)


# ---------------------------------------------------------------- bytes

# Bytes that look like the formats, so the parsers get past their first check.
_ALPHABET = '[]{},:;0123456789.-+eE \n\r\t"/#NaIfinytulsx' + "\u2212\ufeff\x00"
textish = st.text(alphabet=_ALPHABET, max_size=120).map(lambda t: t.encode("utf-8"))
npyish = st.binary(max_size=80).map(lambda b: b"\x93NUMPY" + b)
raw_bytes = st.one_of(st.binary(max_size=200), textish, npyish)


OTHERS = {
    "-x": ["-w", W[2]],
    "-w": ["-x", X[0]],
    "-g": ["-x", X[0], "-w", W[0]],
    "-b": ["-x", X[0], "-w", W[0]],
    "--problem": [],
}


@fuzz(500)
@given(raw_bytes, st.sampled_from(SUFFIXES), st.sampled_from(list(OTHERS)))
def test_random_bytes_as_a_file(data: bytes, suffix: str, flag: str) -> None:
    with scratch() as folder:
        (folder / f"f{suffix}").write_bytes(data)
        run(["compute", flag, f"f{suffix}", *OTHERS[flag], "-f", "json"], json_out=True)


@fuzz(250)
@given(raw_bytes, st.sampled_from(["-x", "-w", "--problem"]))
def test_random_bytes_on_stdin(data: bytes, flag: str) -> None:
    run(["compute", flag, "-", *OTHERS[flag], "-f", "json"], stdin=data, json_out=True)


# ---------------------------------------------------------------- mutated problems

small_ints = st.integers(-3, 20)
absurd_ints = st.integers(10**6, 2**70) | st.integers(-(2**70), -(10**6))
leaves = st.one_of(
    st.none(),
    st.booleans(),
    small_ints,
    absurd_ints,
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["1/3", "same", "valid", "full", "1/0", "correlate", "convolve", "-2.5", "1e400", ""]),
    st.text(max_size=4),
)


def _containers(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner, max_size=3)


json_values = st.recursive(leaves, _containers, max_leaves=12)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _paths(item, (*prefix, i))


def _replace(document: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = new
    return document


@st.composite
def mutated_problems(draw: st.DrawFn) -> bytes:
    document: Any = copy.deepcopy(samples.load(draw(st.sampled_from(samples.names()))))
    for _ in range(draw(st.sampled_from([1, 1, 2, 3]))):
        paths = list(_paths(document))
        path = draw(st.sampled_from(paths))
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":  # half the time a gentle edit (a small number), which often stays valid
            document = _replace(document, path, draw(small_ints | json_values))
        elif action == "delete" and path and isinstance(document, dict) and path[0] in document:
            del document[path[0]]
        elif isinstance(document, dict):
            key = draw(
                st.sampled_from(["stride", "padding", "dilation", "groups", "mode", "dims", "bias", "zzz"])
            )
            document[key] = draw(json_values)
    text = json.dumps(document).encode()
    cut = draw(st.sampled_from([None, None, None, "truncate", "flip"]))
    if cut == "truncate" and text:
        text = text[: draw(st.integers(0, len(text) - 1))]
    elif cut == "flip" and text:
        i = draw(st.integers(0, len(text) - 1))
        text = text[:i] + bytes([draw(st.integers(0, 255))]) + text[i + 1 :]
    return text


@fuzz(700)
@given(mutated_problems(), st.booleans())
def test_mutated_problem_files(text: bytes, exact: bool) -> None:
    with scratch() as folder:
        (folder / "p.json").write_bytes(text)
        run(["compute", "--problem", "p.json", "-f", "json", *(["--exact"] if exact else [])], json_out=True)


# ---------------------------------------------------------------- CSV grids and .npy headers

csv_cells = st.one_of(
    small_ints.map(str),
    absurd_ints.map(str),
    st.sampled_from(["1/3", "0.5", "-1e3", "1e400", "NaN", "x", "", " ", "1,5", "\u22122", '"3"', "#"]),
)


@fuzz(300)
@given(
    st.lists(st.lists(csv_cells, min_size=1, max_size=4), min_size=1, max_size=4),
    st.sampled_from([",", ", ", " ", "\t", ";"]),
    st.sampled_from(["\n", "\r\n"]),
)
def test_random_csv_grids(rows: list[list[str]], separator: str, newline: str) -> None:
    with scratch() as folder:
        (folder / "x.csv").write_text(newline.join(separator.join(row) for row in rows), encoding="utf-8")
        run(["compute", "-x", "x.csv", "-w", "[[1]]", "-f", "json"], json_out=True)


npy_header = st.fixed_dictionaries(
    {
        "descr": st.sampled_from(
            ["<f8", "<i8", "|O", "<c16", "|b1", "<U3", ">i4", "<f2", "|V8", "<u8", "xx"]
        ),
        "fortran_order": st.booleans(),
        "shape": st.lists(st.integers(-2, 3) | absurd_ints, max_size=6).map(tuple),
    }
)


@fuzz(200)
@example({"descr": "<f8", "fortran_order": False, "shape": (0, 2**64)}, b"", b"\x01\x00")  # found by a soak
@given(
    npy_header, st.binary(max_size=64), st.sampled_from([b"\x01\x00", b"\x02\x00", b"\x03\x00", b"\x09\x09"])
)
def test_handmade_npy_headers(header: dict[str, Any], body: bytes, version: bytes) -> None:
    text = repr(header).encode() + b" \n"
    length = len(text).to_bytes(2 if version == b"\x01\x00" else 4, "little")
    with scratch() as folder:
        (folder / "x.npy").write_bytes(b"\x93NUMPY" + version + length + text + body)
        run(["compute", "-x", "x.npy", "-w", "[[1]]", "-f", "json"], json_out=True)


# ---------------------------------------------------------------- flags

tokens = st.one_of(
    small_ints.map(str),
    absurd_ints.map(str),
    st.lists(small_ints, min_size=1, max_size=4).map(lambda v: ",".join(map(str, v))),
    st.sampled_from(
        [
            "same",
            "valid",
            "full",
            "SAME",
            "1:2",
            "1:2,0:1",
            "1:2:3",
            "[1,2]",
            "[[1,2],[0,1]]",
            "1e3",
            "0.5",
            "1/2",
            "-0",
            "+1",
        ]
    ),
    st.sampled_from(["", ",", " 2 ", "[true]", "[null]", "{}", "[", "NaN", "inf", "\uff11", "9" * 40]),
    st.text(max_size=6),
)
maybe = st.one_of(st.none(), st.none(), st.none(), st.integers(0, 3).map(str), tokens)  # often valid


# Operands that agree with each other (and with --dims, when it is left out).
PAIRS = [
    (X[0], W[0]),
    (X[0], W[2]),
    (X[0], W[4]),
    (X[2], "[[[1,2],[3,4]],[[1,0],[0,1]]]"),
    (X[3], "[[[[1,0],[0,1]]],[[[2,1],[0,1]]]]"),
]


@fuzz(800)
@given(
    st.sampled_from(PAIRS),
    st.fixed_dictionaries(
        {f"--{name}": maybe for name in ("stride", "padding", "dilation", "groups")}
        | {"--dims": st.none() | st.none() | tokens}
        | {"--mode": st.none() | st.sampled_from(["correlate", "convolve", "sideways", ""])}
    ),
    st.sampled_from([[], ["--exact"], ["--float"]]),
    st.sampled_from(["json"] * 9 + ["table"]),
)
def test_random_flag_values(
    operands: tuple[str, str], flags: dict[str, str | None], exact: list[str], fmt: str
) -> None:
    args = ["compute", "-x", operands[0], "-w", operands[1], "-f", fmt, *exact]
    for flag, value in flags.items():
        if value is not None:
            args += [flag, value]
    run(args, json_out=fmt == "json")


vocabulary = st.one_of(
    st.sampled_from(
        [
            "compute",
            "check",
            "samples",
            "--problem",
            "--sample",
            "page",
            "stride2",
            "-x",
            "-w",
            "-g",
            "-b",
            "--stride",
            "--padding",
            "--dilation",
            "--groups",
            "--mode",
            "--dims",
            "--exact",
            "--float",
            "-f",
            "json",
            "table",
            "markdown",
            "--answer",
            "--grad-input",
            "--grad-filter",
            "-o",
            "out.txt",
            "--width",
            "--color",
            "--no-color",
            "-",
            "--",
            "--help",
            "--debug",
            "--version",
            "--list-mistakes",
        ]
    ),
    st.sampled_from(X + W),
    tokens,
)


@fuzz(500)
@given(st.lists(vocabulary, max_size=8))
def test_random_argument_lists(argv: list[str]) -> None:
    if "--debug" in argv:  # --debug deliberately lets a traceback through
        argv = [a for a in argv if a != "--debug"]
    with scratch():
        run(argv, stdin=b"")
