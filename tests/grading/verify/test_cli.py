"""``convgrad verify`` through Click's runner: exit codes, the exact error lines, the JSON and CSV contracts."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from convgrad_cli.cli.main import main
from convgrad_cli.grading.verify import CONVENTIONS, FileResult, VerifyReport, verify_folder
from convgrad_cli.render import verify_report

IMPLS = Path(__file__).parent / "impls"
CASE_KEYS = ["name", "config", "status", "message", "arrays"]
CONFIG_KEYS = ["stride", "padding", "dilation", "groups", "dims", "shapes"]


def verify(*args: str) -> Result:
    return CliRunner().invoke(main, ["verify", *args])


def test_a_correct_implementation_exits_0_with_a_line_per_case() -> None:
    result = verify(str(IMPLS / "torch_basic.py"), "--width", "120")
    assert result.exit_code == 0, result.output
    assert "✓ 13 of 13 cases pass" in result.stdout
    assert "values compared within 1e-09" in result.stdout
    assert "not run (beyond what the function or its convention takes): dilation" in result.stdout


def test_a_wrong_implementation_exits_1_and_shows_the_first_failure_in_full() -> None:
    result = verify(str(IMPLS / "bug_unrotated.py"), "--width", "120")
    assert result.exit_code == 1
    out = result.stdout
    assert "First failure: case 'page' (stride 1, padding 0)" in out
    assert "∂L/∂X ✗ 9 of 9 cells wrong" in out and "✗ expected −9" in out
    assert "diagnosis (unrotated-filter)" in out
    assert "The right derivation of the wrong cells" in out and "4. The rotated filter" in out


def test_json_is_the_documented_contract() -> None:
    result = verify(f"{IMPLS / 'bug_stride2.py'}:conv2d_backward", "--format", "json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert list(doc) == ["schema", "target", "convention", "passed", "cases"]
    assert (doc["schema"], doc["convention"], doc["passed"]) == ("convgrad/verify/1", "torch", False)
    first = doc["cases"][0]
    assert list(first) == CASE_KEYS and list(first["config"]) == CONFIG_KEYS
    assert first["config"]["shapes"] == {
        "input": [1, 1, 3, 3],
        "filter": [1, 1, 2, 2],
        "grad_output": [1, 1, 2, 2],
    }
    assert first["arrays"]["grad_input"] == {"status": "right", "mistake": None, "wrong_cells": 0}
    strided = [case for case in doc["cases"] if case["config"]["stride"] == 2]
    assert strided and all(case["status"] == "error" and case["arrays"] == {} for case in strided)
    assert strided[0]["message"].startswith(
        "NotImplementedError: stride 2 is not supported yet at bug_stride2.py:17"
    )


def test_json_names_the_mistake_and_counts_wrong_cells() -> None:
    doc = json.loads(verify(str(IMPLS / "bug_rotated_dw.py"), "-f", "json").stdout)
    assert doc["cases"][0]["arrays"]["grad_filter"] == {
        "status": "wrong",
        "mistake": "rotated-grad-filter",
        "wrong_cells": 4,
    }


def test_markdown_and_csv(verified: Callable[..., VerifyReport]) -> None:
    report = verified("bug_sign.py")
    markdown = verify_report.markdown(report)
    assert markdown.startswith("## convgrad verify: ")
    assert "| ✗ | page | stride 1, padding 0 | X 1×1×3×3, W 1×1×2×2 | ∂L/∂X sign-flip |" in markdown
    assert "### First failure: case 'page'" in markdown and "**Diagnosis** (`sign-flip`)" in markdown
    rows = verify_report.case_rows(report).splitlines()
    assert rows[0] == "case,parameters,status,mistakes,message"
    assert rows[1].startswith('page,"stride 1, padding 0",fail,sign-flip,')


@pytest.mark.parametrize(
    ("target", "line"),
    [
        ("nothere.py", "nothere.py: no such file or folder; give FILE.py[:FUNCTION] or a folder of .py files"),
        ("notes.txt", "notes.txt: is not a Python file; give a .py file, FILE.py:FUNCTION, or a folder of .py files"),
        ("two.py", "two.py: defines 2 public functions (a, b); name one: two.py:NAME"),
        ("two.py:c", "two.py: has no function 'c' (the torch convention's function); name it with two.py:NAME or --function NAME"),
        ("layers.py", "layers.py: defines 2 public functions (conv_forward_naive, conv_backward_naive); "
                      "name one: layers.py:NAME, or use --convention cs231n"),
    ],
)  # fmt: skip
def test_usage_errors_exit_2_with_one_line(
    target: str, line: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "notes.txt").write_text("not python")
    (tmp_path / "two.py").write_text("def a(x, w, g):\n    pass\n\n\ndef b(x, w, g):\n    pass\n")
    (tmp_path / "layers.py").write_text(
        "def conv_forward_naive(x, w, b, p):\n    pass\n\n\ndef conv_backward_naive(d, c):\n    pass\n"
    )
    monkeypatch.chdir(tmp_path)
    result = verify(target)
    assert result.exit_code == 2
    assert result.stderr == f"convgrad: error: {line}\n"
    assert result.stdout == ""


def test_an_empty_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = verify(str(tmp_path))
    assert (result.exit_code, result.stderr) == (
        2, f"convgrad: error: {tmp_path}: holds no .py files; give a folder of .py files, one per student\n",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("    import sys\n    sys.exit(3)", "SystemExit: 3 at crash.py:3: sys.exit(3)"),
        ("    import os\n    os._exit(3)", "the process running the code exited (status 3) before answering"),
        ("    import numpy\n    return numpy.ones(2**28), w", "MemoryError: Unable to allocate 2.00 GiB"),
    ],
    ids=["sys.exit", "os._exit", "memory"],
)
def test_a_crash_or_the_memory_ceiling_is_an_error_and_the_next_case_runs(
    body: str, message: str, tmp_path: Path
) -> None:
    (tmp_path / "crash.py").write_text(f"def f(x, w, grad_output):\n{body}\n")
    result = verify(str(tmp_path / "crash.py"), "--memory", "1024", "-f", "json")
    cases = json.loads(result.stdout)["cases"]
    assert result.exit_code == 1 and len(cases) > 1
    assert all(case["status"] == "error" for case in cases)
    assert cases[-1]["message"].startswith(message)


def test_an_exception_at_import_is_a_verdict_not_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("import numpy\n\nraise RuntimeError('half written')\n")
    result = verify(str(tmp_path / "broken.py"), "-f", "json")
    assert result.exit_code == 1
    case = json.loads(result.stdout)["cases"][0]
    assert (case["name"], case["status"]) == ("import", "error")
    assert case["message"] == "RuntimeError: half written at broken.py:3: raise RuntimeError('half written')"


def _class(folder: Path) -> Path:
    """A class: a right answer, a wrong one, one that hangs on one case, one without the function, a helper."""
    folder.mkdir()
    shutil.copy(IMPLS / "reference.py", folder / "_reference.py")
    for name in ("torch_basic", "bug_sign"):
        text = (IMPLS / f"{name}.py").read_text().replace("from reference import", "from _reference import")
        (folder / f"{name}.py").write_text(text.replace("def conv2d_backward", "def conv_backward"))
    hangs = "def conv_backward(x, w, grad_output, stride=1, padding=0):\n    while x.shape[0] == 3 and x.shape[2] == 3:\n        pass\n"
    (folder / "hangs.py").write_text(hangs)  # on the batch case only; the other cases return None
    (folder / "empty.py").write_text("# nothing yet\n")
    return folder


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> list[FileResult]:
    folder = _class(tmp_path_factory.mktemp("class") / "submissions")
    return verify_folder(folder, CONVENTIONS["torch"], names={"function": "conv_backward"}, timeout=0.5)


def test_one_bad_file_does_not_stop_the_others(graded: list[FileResult]) -> None:
    doc = verify_report.class_document(graded)
    assert doc["schema"] == "convgrad/verify-class/1"
    by_file = {Path(r["file"]).name: r for r in doc["results"]}
    assert list(by_file) == ["bug_sign.py", "empty.py", "hangs.py", "torch_basic.py"]  # no _reference.py
    assert by_file["torch_basic.py"] | {"file": ""} == {"file": "", "passed": True, "cases_passed": 13, "cases": 13,
                                                       "first_failure": None}  # fmt: skip
    assert by_file["bug_sign.py"]["first_failure"]["arrays"]["grad_input"]["mistake"] == "sign-flip"
    assert [case.status for case in graded[2].report.cases if case.status != "fail"] == ["timeout"]  # type: ignore[union-attr]
    assert by_file["empty.py"]["error"] == (
        "empty.py: has no function 'conv_backward' (the torch convention's function); "
        "name it with empty.py:NAME or --function NAME"
    )


def test_a_folder_as_a_csv_gradebook_and_markdown(graded: list[FileResult]) -> None:
    rows = verify_report.gradebook(graded).splitlines()
    assert rows[0] == "file,passed,cases_passed,cases,first_failure,status,mistakes,message"
    assert [row.split(",")[1:4] for row in rows[1:]] == [
        ["False", "0", "13"], ["False", "0", "0"], ["False", "0", "13"], ["True", "13", "13"],
    ]  # fmt: skip
    assert "**1 of 4 files pass every case.**" in verify_report.markdown_class(graded)


def test_a_folder_on_the_command_line(tmp_path: Path) -> None:
    folder = tmp_path / "class"
    folder.mkdir()
    shutil.copy(IMPLS / "channels_last.py", folder / "good.py")
    shutil.copy(IMPLS / "reference.py", folder / "reference.py")  # a public module: verified too, and fails
    flags = ["--convention", "channels-last", "--function", "backward_nhwc", "--width", "200", "--progress"]
    result = verify(str(folder), *flags)
    assert result.exit_code == 1
    rows = {
        Path(line.split("│")[1].strip()).name: line for line in result.stdout.splitlines() if ".py" in line
    }
    assert "✓ 13/13" in rows["good.py"] and "—" in rows["good.py"]
    assert (
        "✗ not verified" in rows["reference.py"] and "has no function 'backward_nhwc'" in rows["reference.py"]
    )
    assert "1 of 2 files pass every case" in result.stdout


@pytest.mark.skipif(sys.platform != "linux", reason="process groups and /proc")
def test_ctrl_c_exits_130_and_leaves_no_process_behind() -> None:
    command = [sys.executable, "-m", "convgrad_cli", "verify", str(IMPLS / "bug_loops.py"), "--timeout", "30"]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
        # As from a terminal: a shell starts background jobs (a test run with `&`) with Ctrl-C ignored.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    children: list[str] = []
    for _ in range(100):  # until the child runs the loop
        time.sleep(0.1)
        children = subprocess.run(
            ["pgrep", "-P", str(process.pid)], capture_output=True, text=True
        ).stdout.split()
        if children:
            break
    time.sleep(1.0)
    os.killpg(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=10)
    assert process.returncode == 130, err
    deadline = time.monotonic() + 5
    while any(Path(f"/proc/{pid}").exists() for pid in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert children and not any(Path(f"/proc/{pid}").exists() for pid in children)
