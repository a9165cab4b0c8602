"""Decimals in, decimals out: a rational whose expansion terminates is shown as that decimal everywhere."""

from __future__ import annotations

import json
import re
from fractions import Fraction

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from convgrad_cli import notation
from convgrad_cli.cli.main import main
from convgrad_cli.notation import (
    MAX_DECIMALS,
    approximate,
    decimal,
    factor,
    latex_factor,
    latex_number,
    number,
)

# The example: operands typed as decimals.
DECIMALS = [
    "-x",
    "[[0.5,1.25,2],[0.1,0.2,0.3],[1,2,3]]",
    "-w",
    "[[0.5,-0.25],[1,0]]",
    "-g",
    "[[1,0.5],[2,-1]]",
]
FRACTION = re.compile(r"\d\s*/\s*\d|\\t?frac\{\d")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Fraction(1, 10), "0.1"),
        (Fraction(9, 8), "1.125"),
        (Fraction(-1, 4), "−0.25"),
        (Fraction(27399, 5000), "5.4798"),
        (Fraction(1, 3), "1/3"),
        (Fraction(-2, 3), "−2/3"),
        (Fraction(1, 2**12), "0.000244140625"),  # 12 decimals: the limit
        (Fraction(1, 2**13), "1/8192"),  # 13 decimals: past it, the fraction is shown
        (Fraction(1, 2**200), f"1/{2**200}"),
        (Fraction(10**20 + 1, 4), "25000000000000000000.25"),
        (7, "7"),
        (-3, "−3"),
    ],
)
def test_terminating_rationals_read_as_decimals(value: Fraction | int, text: str) -> None:
    assert number(value) == text


def test_the_digit_limit() -> None:
    assert decimal(Fraction(1, 10**MAX_DECIMALS)) == "0." + "0" * (MAX_DECIMALS - 1) + "1"
    assert decimal(Fraction(1, 10 ** (MAX_DECIMALS + 1))) is None
    assert decimal(Fraction(1, 3 * 2**5)) is None


def test_factors_and_latex() -> None:
    assert factor(Fraction(1, 2)) == "0.5"  # a decimal needs no parentheses
    assert factor(Fraction(-1, 2)) == "(−0.5)"
    assert factor(Fraction(1, 3)) == "(1/3)"
    assert latex_number(Fraction(-9, 8)) == "-1.125"
    assert latex_number(Fraction(-1, 3)) == r"-\tfrac{1}{3}"
    assert latex_factor(Fraction(1, 3)) == r"(\tfrac{1}{3})"
    assert latex_factor(Fraction(1, 4)) == "0.25"


def test_a_fraction_comes_with_its_decimal_where_a_check_message_has_room() -> None:
    assert approximate(Fraction(1, 3)) == "1/3 ≈ 0.3333"
    assert approximate(Fraction(-200, 3)) == "−200/3 ≈ −66.67"
    assert approximate(Fraction(1, 8)) == "0.125"
    assert approximate(3) == "3"


@pytest.mark.parametrize("view", ["table", "markdown", "latex"])
def test_compute_on_decimals_shows_no_fraction(view: str) -> None:
    result = CliRunner().invoke(
        main, ["compute", *DECIMALS, "-f", view, "--no-color"], catch_exceptions=False
    )
    assert result.exit_code == 0
    assert not FRACTION.search(result.stdout.replace("∂L/∂", "")), FRACTION.search(result.stdout)
    assert "1.125" in result.stdout and "0.1" in result.stdout  # ∂L/∂w₁₁ = 9/8, and x₂₁ as typed


def test_the_json_contract_keeps_exact_fractions() -> None:
    result = CliRunner().invoke(main, ["compute", *DECIMALS, "-f", "json"], catch_exceptions=False)
    doc = json.loads(result.stdout)
    assert doc["grad_filter"][0][0] == 1.125
    assert doc["exact"]["grad_filter"][0][0] == "9/8"


def test_check_says_the_expected_value_as_a_decimal() -> None:
    args = ["check", *DECIMALS, "--grad-input", "[[0.5,0,-0.125],[2,-0.5,0.25],[2,-1,0]]"]
    result = CliRunner().invoke(main, [*args, "--grad-filter", "[[5.47,2.35],[0.2,1.35]]", "--no-derivation"])
    assert result.exit_code == 1
    assert "5.47 ✗ expected 1.125" in result.stdout
    third = CliRunner().invoke(main, ["check", "-x", "[[1,2],[3,4]]", "-w", '[["1/3"]]', "--grad-input",
                                      "[[0.3, 0.3333], [1, 0.33]]", "--no-derivation", "--width", "120"])  # fmt: skip
    assert "1 ✗ expected 1/3 ≈ 0.3333" in third.stdout


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        st.integers(-(10**20), 10**20),
        st.booleans(),
        st.floats(allow_nan=False, allow_infinity=False),
        st.fractions(max_denominator=10**6),
        st.integers(-(2**31), 2**31 - 1).map(np.int64),
        st.floats(-1e6, 1e6, width=32).map(np.float32),
    )
)
def test_cached_numbers_and_symbols_are_written_as_uncached(value: object) -> None:
    """notation caches numbers by type and value: equal values of other types (1, 1.0, True) stay apart."""
    assert number(value) == notation._number(value)
    assert number(value) == number(value)
    assert notation.symbol("x", (3, 11)) == "x₄,₁₂" and notation.symbol("x", [0, 1]) == "x₁₂"


def test_equal_values_of_different_types_are_each_written_as_their_type() -> None:
    assert [number(v) for v in (True, 1, 1.0, Fraction(1), np.int64(1), 0.5, Fraction(1, 2))] == [
        "True", "1", "1", "1", "1", "0.5", "0.5",
    ]  # fmt: skip
