"""The CLI starts NumPy's OpenBLAS on one thread, unless the user chose a number of threads."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

# Runs a command the way the console script does, then says what BLAS ended up with.
CODE = """
import os
from threadpoolctl import threadpool_info
from convgrad_cli.cli.main import main
try:
    main(["compute", "--format", "json"], prog_name="convgrad")
except SystemExit:
    pass
blas = sorted({i["num_threads"] for i in threadpool_info() if i["internal_api"] == "openblas"})
print(os.environ.get("OPENBLAS_NUM_THREADS"), blas)
"""


@pytest.mark.parametrize(("given", "expected"), [(None, "1 [1]"), ("2", "2 ")])
def test_openblas_threads_are_set_only_when_the_user_has_not(given: str | None, expected: str) -> None:
    pytest.importorskip("threadpoolctl")
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
    if given is not None:
        env["OPENBLAS_NUM_THREADS"] = given
    run = subprocess.run([sys.executable, "-c", CODE], env=env, capture_output=True, text=True, check=True)
    last = run.stdout.strip().splitlines()[-1]
    # BLAS reports the user's count capped at the cores it may use; one when the CLI set it.
    assert last.startswith(expected), last
