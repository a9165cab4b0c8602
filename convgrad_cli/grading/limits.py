"""The grading layer's thresholds and limits, in one place."""

from __future__ import annotations

from fractions import Fraction

DEFAULT_TOL = 1e-6  # relative tolerance for a value that is neither exact nor a correct rounding
NEARLY = Fraction(2, 3)  # "most cells": a near match must agree with the mistake on at least this share
DERIVED_CELLS = 9  # wrong cells derived per array; a wholly wrong 50×50 answer needs no 2 500 derivations
TRUNCATED_DECIMALS = range(1, 7)  # the decimals at which a truncated answer is looked for
SAME_RTOL, SAME_ATOL = 1e-9, 1e-12  # float results this close are the same value, not a mistake
ANSWER_BYTES_PER_CELL = 64  # a written number and its separators and indentation, beyond its digits
ANSWER_FILE_SLACK = 64 * 2**10  # keys, a name, a comment: what an answer file holds besides its numbers
ANSWER_GENEROSITY = 4  # an answer file may be this many times the size its cells need
