"""samples/ is generated from the package's built-in samples and must agree with them."""

from __future__ import annotations

from export_samples import SAMPLES, differences, sample_names


def test_samples_folder_is_the_export_of_the_built_in_samples() -> None:
    assert differences() == [], "run: python scripts/export_samples.py --write"


def test_every_built_in_sample_has_its_problem_file() -> None:
    assert sorted(path.stem for path in SAMPLES.glob("*.json")) == sorted(sample_names())
