"""Every named bad input of issue 5, with the exact line convgrad prints and exit 2.

Each case writes its file(s) into a fresh folder, runs ``convgrad compute`` there
through Click's runner and compares the whole of stderr: one line
``convgrad: error: FILE: FIELD: what was wrong; what would be right`` (plus a
``hint:`` line where one is given), nothing else, and no traceback.  The
messages are golden strings: reviewed by eye, changed only on purpose.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from convgrad_cli.cli.main import main
from convgrad_cli.engine import memory as resources

X3 = "[[1,2,3],[4,5,6],[7,8,9]]"
W2 = "[[1,0],[0,1]]"
FINITE = "give a finite number"
NUMBER = 'write a number, a decimal or a fraction like "1/3"'
CSV_CELLS = "CSV cells must be numbers; remove headers and text"
STRIDE = "write an integer ≥ 1, or one per axis, e.g. 2 or 2,1"
PADDING = "write an integer, one per axis (1,0), before:after pairs (1:2,0:1), or valid / same / full"


def _npy(array: np.ndarray) -> bytes:
    import io

    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=array.dtype.hasobject)
    return buffer.getvalue()


def _npy_header(header: str) -> bytes:
    """A hand-written .npy v1.0 header (padded as NumPy does) with no data after it."""
    text = header + " " * (118 - len(header)) + "\n"
    return b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text.encode()


def _deep(levels: int) -> bytes:
    return b"[" * levels + b"1" + b"]" * levels


# (file name, file bytes, expected stderr) — the file is given as -x, the filter is [[1]].
MALFORMED = [
    ("x.json", b"", "x.json: input: the file is empty; give a matrix as JSON, CSV or .npy"),
    ("x.csv", b" \n\t\n", "x.csv: input: the file is empty; give a matrix as JSON, CSV or .npy"),
    (
        "x.json",
        b"\x89PNG\r\n\x1a\n\x00\x00",
        "x.json: input: is not UTF-8 text (byte 0 cannot be decoded); give JSON or CSV text (UTF-8), or a .npy file",
    ),
    (
        "x.json",
        b"[[1,2],[3,",
        "x.json: input: invalid JSON at line 1, column 11: Expecting value; check brackets and commas",
    ),
    (
        "x.json",
        "[[1,2],[3,4]]".encode("utf-16-le"),
        "x.json: input: contains a NUL character at offset 1 (UTF-16 without a byte-order mark?); "
        "save the file as UTF-8 text",
    ),
    (
        "x.json",
        b"\xff\xfe[",
        "x.json: input: is not UTF-16 text (byte 2 cannot be decoded); give JSON or CSV text (UTF-8), or a .npy file",
    ),
    ("x.csv", b"a,b\n1,2\n", f"x.csv: input row 1, column 1: 'a' is not a number; {CSV_CELLS}"),
    ("x.csv", b"1,2\n3,4 kg\n", f"x.csv: input row 2, column 2: '4 kg' is not a number; {CSV_CELLS}"),
    (
        "x.csv",
        b"0,5 1,5\n2 3\n",
        "x.csv: input row 1, column 2: '5 1' is not a number (a decimal comma?); "
        "write decimals with a point (0.5), or separate cells with ';' or tabs",
    ),
    (
        "x.csv",
        b"1,2,\n3,4,\n",
        "x.csv: input row 1, column 3: is empty (a stray or trailing comma?); remove the extra comma or fill the cell",
    ),
    ("x.csv", b"NaN,1\n1,1\n", f"x.csv: input row 1, column 1: 'NaN' is not a number; {CSV_CELLS}"),
    (
        "x.csv",
        b"1,1e400\n",
        f"x.csv: input row 1, column 2: '1e400' is out of range (|x| must be below 1e308); {CSV_CELLS}",
    ),
    ("x.json", b"[[NaN,1],[1,1]]", f"x.json: input[0][0]: NaN is not a finite number; {FINITE}"),
    ("x.json", b"[[1,-Infinity]]", f"x.json: input[0][1]: -Infinity is not a finite number; {FINITE}"),
    (
        "x.json",
        b"[[1,2],[3,1e400]]",
        f"x.json: input[1][1]: '1e400' is out of range (|x| must be below 1e308); {FINITE}",
    ),
    ("x.json", b"[[1,true]]", f"x.json: input[0][1]: is the boolean true, not a number; {NUMBER}"),
    ("x.json", b"[[1,2],[null,4]]", f"x.json: input[1][0]: is null, not a number; {NUMBER}"),
    ("x.json", b"[[1,2],[3,{}]]", f"x.json: input[1][1]: is an object, not a number; {NUMBER}"),
    (
        "x.json",
        b'{"rows": [[1,2]]}',
        "x.json: input: is an object where an array belongs; write nested lists, e.g. [[1, 2], [3, 4]]",
    ),
    (
        "x.json",
        b'[[1,2],{"a":1}]',
        "x.json: input[1]: is an object, but its neighbours are arrays of 2; nest every row to the same depth",
    ),
    (
        "x.json",
        _deep(100_000),
        "x.json: input: arrays are nested too deeply; an operand has at most 5 axes",
    ),
    (
        "x.json",
        _deep(500),
        "x.json: input: has more than 5 axes; an operand has at most 5 axes (N, C, D, H, W)",
    ),
    (
        "x.json",
        b"[[1,2],[3]]",
        "x.json: input[1]: has 1 entries, but its neighbours have 2; make every row the same length",
    ),
    (
        "x.csv",
        b"1,2\n\n3\n",
        "x.csv: input row 3: has 1 cells, but row 1 has 2; make every row the same length",
    ),
    ("x.json", b"[]", "x.json: input: is an empty array; every axis needs at least one entry"),
    (
        "x.json",
        b"[[1],[]]",
        "x.json: input[1]: has 0 entries, but its neighbours have 1; make every row the same length",
    ),
    ("x.json", b"[[]]", "x.json: input[0]: is an empty array; every axis needs at least one entry"),
    (
        "x.json",
        b"7",
        "x.json: input: is a single number where an array belongs; write nested lists, e.g. [[1, 2], [3, 4]]",
    ),
    (
        "x.json",
        b'"[[1,2]]"',
        "x.json: input: is the string '[[1,2]]' where an array belongs; write nested lists, e.g. [[1, 2], [3, 4]]",
    ),
    (
        "x.npy",
        _npy(np.array([[1, 2]], dtype=object)),
        "x.npy: input: holds Python objects (pickled data); save a numeric array; convgrad never unpickles",
    ),
    (
        "x.npy",
        _npy_header("{'descr': '<f8', 'fortran_order': False, 'shape': (100000, 100000, 100000), }"),
        "x.npy: input: claims shape (100000, 100000, 100000) (1000000000000000 cells); "
        "convgrad reads at most 50000000 cells, on any axis too",
    ),
    (
        "x.npy",
        _npy_header("{'descr': '<f8', 'fortran_order': False, 'shape': (0, 18446744073709551616), }"),
        "x.npy: input: claims shape (0, 18446744073709551616) (0 cells); "
        "convgrad reads at most 50000000 cells, on any axis too",
    ),
    (
        "x.npy",
        _npy_header("{'descr': '<f8', 'fortran_order': False, 'shape': (-5, 2), }"),
        "x.npy: input: claims the impossible shape (-5, 2); save it again with numpy.save",
    ),
    (
        "x.npy",
        _npy(np.ones((2, 2)))[:-3],
        "x.npy: input: is truncated or corrupt (EOF: reading array data, expected 32 bytes got 29); "
        "save it again with numpy.save",
    ),
    (
        "x.npy",
        b"\x93NUMPY",
        "x.npy: input: is not a valid .npy file (EOF: reading magic string, expected 8 bytes got 6); "
        "save it with numpy.save",
    ),
    (
        "x.npy",
        _npy(np.array([[1 + 2j]])),
        "x.npy: input: has dtype complex128; give an integer or float array",
    ),
    ("x.npy", _npy(np.array([[True]])), "x.npy: input: has dtype bool; give an integer or float array"),
    ("x.npy", _npy(np.array([[np.inf, 1.0]])), "x.npy: input: contains NaN or infinity; give finite numbers"),
    (
        "x.npy",
        _npy(np.array(3.0)),
        "x.npy: input: is a single number (shape ()) where an array belongs; save an array",
    ),
]


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh working folder, so messages name files as the user typed them."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def stderr_of(*args: str, code: int = 2) -> str:
    result = CliRunner().invoke(main, list(args), prog_name="convgrad", catch_exceptions=False)
    assert result.exit_code == code, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    return result.stderr


@pytest.mark.parametrize(("name", "data", "message"), MALFORMED, ids=[m[2][:50] for m in MALFORMED])
def test_malformed_operand_file(folder: Path, name: str, data: bytes, message: str) -> None:
    (folder / name).write_bytes(data)
    assert stderr_of("compute", "-x", name, "-w", "[[1]]", "-f", "json") == f"convgrad: error: {message}\n"


def test_malformed_bytes_on_stdin_are_named_stdin() -> None:
    result = CliRunner().invoke(main, ["compute", "-x", "-", "-w", "[[1]]"], input=b"[[1,2],[3,true]]")
    assert result.exit_code == 2
    assert (
        result.stderr
        == f"convgrad: error: <stdin>: input[1][1]: is the boolean true, not a number; {NUMBER}\n"
    )


@pytest.mark.parametrize(
    ("data", "codec"),
    [
        (b"\xef\xbb\xbf[[1,2],[3,4]]", "UTF-8 with BOM"),
        ("[[1,2],[3,4]]".encode("utf-16"), "UTF-16 with BOM"),
        ("[[1,2],[3,4]]".encode("utf-32"), "UTF-32 with BOM"),
        (b"\xef\xbb\xbf1,2\r\n3,4\r\n", "Excel CSV: BOM and CRLF"),
    ],
)
def test_byte_order_marks_are_read_not_refused(folder: Path, data: bytes, codec: str) -> None:
    """A BOM is how Windows tools mark Unicode text: the file is well formed, so it is read."""
    suffix = ".csv" if b"," in data and b"[" not in data else ".json"
    (folder / f"x{suffix}").write_bytes(data)
    marked = CliRunner().invoke(main, ["compute", "-x", f"x{suffix}", "-w", "[[2]]", "-f", "json"])
    plain = CliRunner().invoke(main, ["compute", "-x", "[[1,2],[3,4]]", "-w", "[[2]]", "-f", "json"])
    assert marked.exit_code == 0, (codec, marked.stderr)
    assert json.loads(marked.stdout)["output"] == json.loads(plain.stdout)["output"]


def test_missing_file_and_folder(folder: Path) -> None:
    assert stderr_of("compute", "-x", "nope.csv", "-w", "[[1]]") == (
        "convgrad: error: nope.csv: no such file; check the path\n"
    )
    (folder / "d").mkdir()
    assert stderr_of("compute", "-x", "d", "-w", "[[1]]") == (
        "convgrad: error: d: is a folder, not a file; give a .json, .csv or .npy file\n"
    )


# ---------------------------------------------------------------- parameters from flags

FLAG_CASES = [
    (["--stride", "0"], "--stride: stride is 0; stride must be between 1 and 1000000"),
    (["--stride", "-2"], "--stride: stride is -2; stride must be between 1 and 1000000"),
    (["--stride", "1.5"], f"--stride: '1.5' is not a whole number; {STRIDE}"),
    (
        ["--stride", "1e30"],
        "--stride: stride is 1000000000000000000000000000000; stride must be between 1 and 1000000",
    ),
    (
        ["--stride", "9" * 50],
        f"--stride: '{'9' * 39}…' has 50 digits, far too large; {STRIDE}",
    ),
    (["--stride", "2,1,3"], "--stride: stride has 3 values; give one stride or 2 (one per spatial axis)"),
    (["--stride", "2,,1"], f"--stride: '2,,1' has an empty entry; {STRIDE}"),
    (["--stride", "2,x"], f"--stride: '2,x': 'x' is not a number; {STRIDE}"),
    (["--stride", "[1.5,1]"], f"--stride: stride is 1.5, not a whole number; {STRIDE}"),
    (["--stride", "[true,1]"], f"--stride: stride is the boolean true; {STRIDE}"),
    (
        ["--stride", "[1,2"],
        "--stride: invalid JSON at line 1, column 5: Expecting ',' delimiter; check brackets and commas",
    ),
    (["--dilation", "0"], "--dilation: dilation is 0; dilation must be between 1 and 1000000"),
    (["--dilation", "0.5"], f"--dilation: '0.5' is not a whole number; {STRIDE}"),
    (
        ["--dilation", "5"],
        "<inline>: filter: a 2×2 filter (dilation 5) spans 6×6, larger than the 3×3 padded input; "
        "use a smaller filter or dilation, or more padding",
    ),
    (["--padding", "-1"], "--padding: padding is -1; padding must be between 0 and 1000000"),
    (["--padding", "2000000"], "--padding: padding is 2000000; padding must be between 0 and 1000000"),
    (
        ["--padding", "bogus"],
        "--padding: unknown padding 'bogus'; use a number, one per axis, [before, after] pairs, or valid / same / full",
    ),
    (["--padding", "1:2:3"], f"--padding: '1:2:3' is not a before:after pair; {PADDING}"),
    (
        ["--padding", "1,2,3"],
        "--padding: padding has 3 entries; give one padding, 2 (one per axis) or 2 [before, after] pairs",
    ),
    (
        ["--padding", "[[1,2,3],[0,0]]"],
        "--padding: padding pair [1, 2, 3] has 3 values; write [before, after]",
    ),
    (["--padding", "[[[1]],0]"], f"--padding: padding has lists nested too deeply; {PADDING}"),
    (
        ["--padding", "same", "--stride", "2"],
        "--padding: padding 'same' needs stride 1, as in PyTorch; for TensorFlow's SAME on this input, give --padding 0:1,0:1",
    ),
    (["--groups", "0"], "--groups: groups is 0; groups must be between 1 and 1000000"),
    (
        ["--groups", "2"],
        "--groups: groups 2 does not divide 1 input and 1 output channels; groups must divide both channel counts",
    ),
    (["--dims", "0"], "--dims: dims is 0; dims must be 1, 2 or 3 (spatial axes)"),
    (["--dims", "4"], "--dims: dims is 4; dims must be 1, 2 or 3 (spatial axes)"),
    (["--dims", "two"], "--dims: 'two' is not a number; write 1, 2 or 3"),
    (
        ["--mode", "sideways"],
        "--mode: 'sideways' is not one of 'correlate', 'convolve'\nhint: see 'convgrad compute --help'",
    ),
    (["--width", "5"], "--width: 5 is not in the range 20<=x<=1000\nhint: see 'convgrad compute --help'"),
    (
        ["--strid", "2"],
        "No such option '--strid'. Did you mean '--stride'?\nhint: see 'convgrad compute --help'",
    ),
    (["--stride"], "Option '--stride' requires an argument\nhint: see 'convgrad compute --help'"),
]


@pytest.mark.parametrize(("flags", "message"), FLAG_CASES, ids=[" ".join(f) for f, _ in FLAG_CASES])
def test_bad_parameter_flag(flags: list[str], message: str) -> None:
    assert stderr_of("compute", "-x", X3, "-w", W2, "-f", "json", *flags) == f"convgrad: error: {message}\n"


@pytest.mark.parametrize("tol", ["nan", "inf", "Infinity"])
def test_check_tolerance_must_be_finite(tol: str) -> None:
    # NaN would pass every cell and infinity any: refused while Click parses the flags.
    assert stderr_of("check", "--sample", "page", "--grad-filter", "[[1, 2], [3, 4]]", "--tol", tol) == (
        f"convgrad: error: --tol: {tol!r} is not a finite number\nhint: see 'convgrad check --help'\n"
    )


def test_a_bad_parameter_fails_before_any_file_is_read(folder: Path) -> None:
    # Flags are parsed (by the parameters' Click types) before the problem file is opened.
    assert stderr_of("compute", "--problem", "missing.json", "--stride", "2,x") == (
        f"convgrad: error: --stride: '2,x': 'x' is not a number; {STRIDE}\n"
    )


def test_unknown_format_lists_the_choices() -> None:
    err = stderr_of("compute", "--format", "yaml")
    first, hint = err.splitlines()
    assert first.startswith("convgrad: error: --format: 'yaml' is not one of 'table', 'json'")
    assert hint == "hint: see 'convgrad compute --help'"


def test_unknown_command_and_group_option() -> None:
    assert (
        stderr_of("frobnicate")
        == "convgrad: error: No such command 'frobnicate'\nhint: see 'convgrad --help'\n"
    )
    assert stderr_of("--bogus") == "convgrad: error: No such option '--bogus'\nhint: see 'convgrad --help'\n"


# ---------------------------------------------------------------- shapes that don't agree

SHAPE_CASES = [
    (
        ["-x", X3, "-w", W2, "-g", "[[1,2,3]]"],
        "<inline>: grad_output: has shape (1, 3); a 3×3 input with a 2×2 filter, stride 1, padding 0 "
        "gives an output of shape (2, 2)",
    ),
    (
        ["-x", "[[[1,2],[3,4]],[[1,2],[3,4]]]", "-w", "[[[[1]],[[1]],[[1]]]]"],
        "<inline>: filter: expects 3 input channels (3 per group × 1 groups), but the input has 2; "
        "give a filter of shape (1, 2, …)",
    ),
    (["-x", X3, "-w", W2, "-b", "[1,2]"], "<inline>: bias: has shape (2,); give a single number"),
    (
        ["-x", "[[[[[[1]]]]]]", "-w", "[[1]]"],
        "<inline>: input: has more than 5 axes; an operand has at most 5 axes (N, C, D, H, W)",
    ),
]


@pytest.mark.parametrize(("args", "message"), SHAPE_CASES)
def test_shapes_that_do_not_agree(args: list[str], message: str) -> None:
    assert stderr_of("compute", "-f", "json", *args) == f"convgrad: error: {message}\n"


def test_rank_error_names_the_dims_flag() -> None:
    err = stderr_of("compute", "-x", "[1,2,3]", "-w", "[1,1]", "-f", "json")
    assert err == (
        "convgrad: error: <inline>: input: has 1 axes; with 2 spatial axes it needs 2 (H, W), "
        "3 (C_in, H, W) or 4 (N, C_in, H, W)\nhint: set --dims if the array has 1 spatial axes\n"
    )


# ---------------------------------------------------------------- the problem file

PROBLEM_CASES = [
    ({"stride": 0}, "p.json: stride: stride is 0; stride must be between 1 and 1000000"),
    ({"stride": True}, f"p.json: stride: stride is the boolean true; {STRIDE}"),
    ({"stride": None}, f"p.json: stride: stride is null; {STRIDE}"),
    ({"stride": 1.5}, f"p.json: stride: stride is 1.5, not a whole number; {STRIDE}"),
    (
        {"stride": [1, 2, 3]},
        "p.json: stride: stride has 3 values; give one stride or 2 (one per spatial axis)",
    ),
    ({"dilation": {"h": 2}}, f"p.json: dilation: dilation is an object; {STRIDE}"),
    ({"padding": -1}, "p.json: padding: padding is -1; padding must be between 0 and 1000000"),
    (
        {"padding": "bogus"},
        "p.json: padding: unknown padding 'bogus'; use a number, one per axis, [before, after] pairs, or valid / same / full",
    ),
    ({"padding": [[1], [0, 0]]}, "p.json: padding: padding pair [1] has 1 values; write [before, after]"),
    (
        {"groups": 2},
        "p.json: groups: groups 2 does not divide 1 input and 1 output channels; groups must divide both channel counts",
    ),
    ({"mode": "sideways"}, "p.json: mode: unknown mode 'sideways'; use 'correlate' or 'convolve'"),
    ({"dims": 7}, "p.json: dims: dims is 7; dims must be 1, 2 or 3 (spatial axes)"),
    (
        {"bias": {"b": 1}},
        "p.json: bias: is an object where an array belongs; write nested lists, e.g. [[1, 2], [3, 4]]",
    ),
    ({"bias": True}, f"p.json: bias: is the boolean true, not a number; {NUMBER}"),
    ({"weight": [[1]]}, "p.json: weight: gives the filter again (as does 'filter'); keep only one of them"),
    (
        {"colour": "red"},
        "p.json: colour: is not a field convgrad knows; use input, filter, grad_output, bias, stride, padding, dilation, groups, mode, dims",
    ),
]


@pytest.mark.parametrize(("extra", "message"), PROBLEM_CASES, ids=[json.dumps(e) for e, _ in PROBLEM_CASES])
def test_bad_problem_file(folder: Path, extra: dict, message: str) -> None:
    (folder / "p.json").write_text(json.dumps({"input": [[1, 2], [3, 4]], "filter": [[1]], **extra}))
    assert stderr_of("compute", "--problem", "p.json", "-f", "json") == f"convgrad: error: {message}\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '{"input": [[1]], "stride": NaN, "filter": [[1]]}',
            f"p.json: stride: NaN is not a finite number; {STRIDE}",
        ),
        (
            '{"input": [[1]], "input": [[2]]}',
            "p.json: input: appears twice in the same object; keep one of them",
        ),
        (
            '{"input": [[1]]}',
            "p.json: filter: is missing; give -w/--filter, or a --problem file with 'filter'",
        ),
        ("[[1, 2]]", 'p.json: problem: is not a JSON object; write {"input": [[…]], "filter": [[…]], …}'),
        (
            '{"input": [[1]],',
            "p.json: problem: invalid JSON at line 1, column 17: Expecting property name enclosed in double quotes; check brackets and commas",
        ),
        (
            '{"input": [[1]], "filter": [[1]], "padding": ' + "[" * 100_000 + "]" * 100_000 + "}",
            "p.json: problem: arrays are nested too deeply; an operand has at most 5 axes",
        ),
        (
            '{"input": [[1]], "filter": [[1]], "stride": ' + "[" * 800 + "]" * 800 + "}",
            f"p.json: stride: stride has lists nested too deeply; {STRIDE}",
        ),
    ],
)
def test_problem_file_text(folder: Path, text: str, message: str) -> None:
    (folder / "p.json").write_text(text)
    assert stderr_of("compute", "--problem", "p.json", "-f", "json") == f"convgrad: error: {message}\n"


def test_flag_errors_name_the_flag_even_over_a_problem_file(folder: Path) -> None:
    (folder / "p.json").write_text('{"input": [[1, 2], [3, 4]], "filter": [[1]], "stride": 1}')
    assert stderr_of("compute", "--problem", "p.json", "--stride", "0", "-f", "json") == (
        "convgrad: error: --stride: stride is 0; stride must be between 1 and 1000000\n"
    )


# ---------------------------------------------------------------- resources and float range


def test_memory_estimate_refuses_what_would_not_fit(monkeypatch: pytest.MonkeyPatch) -> None:
    from convgrad_cli.engine import resolve_spec

    monkeypatch.setattr(resources, "available_bytes", lambda: 2**30)
    err = stderr_of("compute", "-x", X3, "-w", W2, "--padding", "100000", "-f", "json")
    spec = resolve_spec(dims=2, kernel=(2, 2), padding=100000)
    needed = resources.estimate_bytes((1, 1, 3, 3), (1, 1, 2, 2), (200002, 200002), spec, 12)
    assert err == (
        f"convgrad: error: memory: this problem needs about {resources.size_text(needed)} "
        "(padded input 200003×200003, output 200002×200002), but only 1.0 GiB is available; "
        "use smaller arrays, less padding or dilation, or a larger stride\n"
    )
    assert resources.size_text(needed).endswith("TiB")


def test_float_overflow_is_reported_not_printed_as_inf(folder: Path) -> None:
    np.save(folder / "big.npy", np.full((2, 2), 1e300))
    assert stderr_of("compute", "-x", "big.npy", "-w", "big.npy", "-f", "json") == (
        "convgrad: error: output: overflows float64: some values exceed ±1.8e+308; "
        "scale the inputs down, or compute exactly with --exact\n"
    )


def test_exact_number_beyond_float_range_with_float_flag() -> None:
    assert stderr_of("compute", "-x", "[[9e307, 1]]", "-w", "[[1e2]]", "--float", "-f", "json") == (
        "convgrad: error: output: overflows float64: some values exceed ±1.8e+308; "
        "scale the inputs down, or compute exactly with --exact\n"
    )
    assert stderr_of("compute", "-x", "[[9e308]]", "-w", "[[1]]", "--float", "-f", "json") == (
        "convgrad: error: values: a number is too large for float64 (above 1.8e+308); "
        "scale the values down, or compute exactly with --exact\n"
    )
