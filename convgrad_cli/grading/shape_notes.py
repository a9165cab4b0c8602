"""Why an answer's shape is wrong, in words: both shapes, and the mistake that usually makes it."""

from __future__ import annotations

from .diagnosis import shape_causes
from .forms import channels_last
from .solved import SYMBOLS, Solved

_SHAPE_RULES = {
    "output": "Y has ⌊(S + padding − dilation·(K−1) − 1) / stride⌋ + 1 cells along each axis",
    "grad_input": "∂L/∂X always has the shape of X",
    "grad_filter": "∂L/∂W always has the shape of W",
    "grad_bias": "∂L/∂b has one value per output channel (a single number for one filter)",
}


def shape_note(p: Solved, name: str, given: tuple[int, ...], expected: tuple[int, ...]) -> str:
    """Both shapes, and what usually causes this one."""
    form = channels_last(p, name)
    if form is not None and given == form.shape(expected):
        return f"you gave {shape_text(given)}, the answer is {shape_text(expected)}: {form.note()}"
    causes = shape_causes(p, name, given)
    why = (
        f"a {shape_text(given)} {SYMBOLS[name]} usually means {causes[0].reason(p.spec.mode)}"
        if causes
        else _SHAPE_RULES[name]
    )
    return f"you gave {shape_text(given)}, the answer is {shape_text(expected)}: {why}"


def shape_text(shape: tuple[int, ...]) -> str:
    """``3×3``; ``a list of 3`` (never a bare "3", which reads as a value); ``a single number``."""
    if not shape:
        return "a single number"
    return f"a list of {shape[0]}" if len(shape) == 1 else "×".join(map(str, shape))
