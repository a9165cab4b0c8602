"""The whole CLI path — problem file → load → engine → JSON — against the brute-force oracle."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from strategies import Problem, problems, to_python

from convgrad_cli.cli.main import main


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(problem=problems(("int",)))
def test_json_output_equals_the_oracle(problem: Problem, tmp_path: Path) -> None:
    document = {"input": to_python(problem.input), "filter": to_python(problem.filter), **problem.params}
    for key in ("grad_output", "bias"):
        if getattr(problem, key) is not None:
            document[key] = to_python(getattr(problem, key))
    path = tmp_path / "problem.json"
    path.write_text(json.dumps(document))
    result = CliRunner().invoke(main, ["compute", "--problem", str(path), "-f", "json", "--no-trace"])
    assert result.exit_code == 0, result.stderr
    doc, expected = json.loads(result.stdout), problem.oracle()
    assert doc["output"] == expected.output
    assert doc["grad_input"] == expected.grad_input
    assert doc["grad_filter"] == expected.grad_filter
    if problem.bias is not None:
        assert doc["grad_bias"] == expected.grad_bias
