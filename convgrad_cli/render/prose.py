"""The sentences of the derivation, shared by the table, Markdown and LaTeX views.

Each function takes the problem's :class:`Frame` and a flavour's ``words`` (the math
tokens of :class:`~convgrad_cli.notation.Style`), so every view says the same thing and
only the spelling of the mathematics differs.  No Rich here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..derivation.records import Cell, Derivation, Entry, Frame, Term
from ..notation import LETTERS, MAX_SHOWN_TERMS, SHOWN_HEAD, SHOWN_TAIL, Style

Words = Mapping[str, str]
_AXES = {1: ("positions",), 2: ("rows", "columns"), 3: ("slices", "rows", "columns")}
_FLIPS = {
    1: ("reversed",),
    2: ("vertical flip", "horizontal flip"),
    3: ("slices flipped", "vertical flip", "horizontal flip"),
}


def axis_names(dims: int) -> tuple[str, ...]:
    """What the spatial axes are called: rows and columns in 2-D."""
    return _AXES[dims]


def flip_names(dims: int) -> tuple[str, ...]:
    """The flips that make rot180, one per axis, in order."""
    return _FLIPS[dims]


def block_caption(frame: Frame, n: int, ci: int, o: int | None = None) -> str:
    """``image 2, input channel 1, filter 3``, naming only the axes that have more than one entry."""
    parts = []
    if frame.input_shape[0] > 1:
        parts.append(f"image {n + 1}")
    if frame.input_shape[1] > 1:
        parts.append(f"input channel {ci + 1}")
    if o is not None and frame.filter_shape[0] > 1:
        parts.append(f"filter {o + 1}")
    return ", ".join(parts)


def window_span(dims: int, corner: Sequence[int], extent: Sequence[int]) -> str:
    """``rows 2–3, columns 1–2``: where a window sits on the padded δ, 1-based."""
    return ", ".join(f"{name} {c + 1}–{c + e}" for name, c, e in zip(axis_names(dims), corner, extent))


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def shape_text(shape: Sequence[int], words: Words) -> str:
    return words["times"].join(map(str, shape))


def weights_intro(frame: Frame, w: Words) -> str:
    batch = frame.input_shape[0]
    over = f", summed over the {batch} images of the batch" if batch > 1 else ""
    return (
        f"Each weight meets many inputs: by the chain rule {w['dw']} is the sum, over every output it "
        f"helped make, of {w['delta']} at that output times the input the weight multiplied{over}."
    )


def weights_note(frame: Frame, w: Words) -> str:
    spec = frame.spec
    how = [f"{w['delta']} slides over {w['X']} like a filter"]
    if any(s > 1 for s in spec.stride):
        how.append(f"its entries {_per_axis(spec.stride)} apart (the stride)")
    if any(d > 1 for d in spec.dilation):
        how.append(f"reading every {_ordinal(spec.dilation)} input (the dilation)")
    if any(b or a for b, a in spec.padding):
        how.append(f"over the zero-padded {w['X']}")
    text = (
        f"Together: {', '.join(how)}. {w['dW']} is the valid cross-correlation of {w['X']} with {w['delta']}"
    )
    if spec.mode == "convolve":
        text += (
            f", rotated by 180°: convolve mode flips {w['W']} in the forward pass, so its gradient "
            "comes out flipped too"
        )
    return text + "."


def pattern_intro(frame: Frame, w: Words) -> str:
    if frame.spec.mode == "convolve":
        pattern = "Read along a row: the weights come in their own order, the filter as it is."
    else:
        pattern = "Read along a row: the weights come in reverse order, the filter rotated by 180°."
    return f"Which weight links each input to each {w['delta']} (0: that output never read this input). {pattern}"


def rotation_intro(frame: Frame, w: Words) -> str:
    if frame.spec.mode == "convolve":
        return (
            f"Convolve mode flipped {w['W']} in the forward pass already, so the two rotations cancel: "
            f"{w['dX']} is a full cross-correlation of {w['delta']} with {w['W']} as it is, unrotated."
        )
    how = {
        1: "the filter reversed",
        2: "the same as a vertical flip then a horizontal flip",
        3: "the same as flipping the order of the slices, then a vertical flip, then a horizontal flip",
    }[frame.dims]
    return f"Take the 180° rotated filter {w['rot']}: {how}."


def spread_intro(frame: Frame, w: Words) -> str:
    d = frame.spec.dilation
    return f"Dilation {_per_axis(d)} spreads the filter with {_gaps(d)} between its taps before it slides:"


def full_operation(frame: Frame) -> str:
    """What step 5 computes: sliding rot180(W) is a full convolution with W; sliding W as it is
    (convolve mode) a full cross-correlation."""
    return "full cross-correlation" if frame.spec.mode == "convolve" else "full convolution"


def full_intro(frame: Frame, w: Words) -> str:
    slides = w["W"] if frame.spec.mode == "convolve" else w["rot"]
    return (
        f"Now a {full_operation(frame)}: pad {w['delta']} with zeros and slide {slides} over it. The window at "
        f"the top left gives the first input's gradient, the next one to the right the next, and so on to the "
        "bottom right."
    )


def inserted_intro(frame: Frame, w: Words) -> str:
    s = frame.spec.stride
    return (
        f"Stride {_per_axis(s)}: each {w['delta']} came from an output {_per_axis(s)} inputs after the previous one, "
        f"so first put {_gaps(s)} between the entries of {w['delta']}:"
    )


def padded_intro(frame: Frame, before: Sequence[int], after: Sequence[int], w: Words) -> str:
    extent = frame.extent
    why = "kernel" if all(d == 1 for d in frame.spec.dilation) else "dilated kernel"
    amount = _amounts(frame.dims, before, after)
    size = str(extent[0]) if len(set(extent)) == 1 else shape_text(extent, w)
    text = f"Pad with {amount} ({why} size {size} − 1)"
    extra = [a - b for a, b in zip(after, before)]
    if any(extra):
        last = "the last input" if max(extra) == 1 else f"the last {max(extra)} inputs"
        text += f"; the extra zeros after cover {last}, which no stride step reaches"
    return text + ":"


def crop_note(frame: Frame, w: Words) -> str:
    padding = frame.spec.padding
    if not any(b or a for b, a in padding):
        return ""
    padded = shape_text(frame.padded, w)
    amount = _amounts(frame.dims, [b for b, _ in padding], [a for _, a in padding])
    return (
        f"The {full_operation(frame)} covers the {padded} padded input. Its border ({amount}) holds the gradients "
        f"of padding zeros, not of inputs, so it is cropped away: windows over the border are not drawn, "
        f"and {w['dX']} is the {shape_text(frame.spatial, w)} inside."
    )


def uncovered_note(count: int, w: Words) -> str:
    verb = "gets" if count == 1 else "get"
    return f"{plural(count, 'input')} that no window reads (past the last stride step) {verb} gradient 0."


def bias_intro(frame: Frame, w: Words) -> str:
    batch = frame.input_shape[0]
    over = " and over the batch" if batch > 1 else ""
    return f"The bias is added to every output, so {w['db']} is the sum of {w['delta']} over all positions{over}."


def summary(frame: Frame, multiplications: int, w: Words) -> str:
    cropped = ", cropped by the padding" if any(b or a for b, a in frame.spec.padding) else ""
    if frame.spec.mode == "convolve":
        parts = [
            f"{w['dW']} = {w['X']} cross-correlated with {w['delta']}, rotated by 180°",
            f"{w['dX']} = the full cross-correlation of {w['delta']} with {w['W']}{cropped}",
        ]
    else:
        parts = [
            f"{w['dW']} = {w['X']} cross-correlated with {w['delta']}",
            f"{w['dX']} = the full convolution of {w['delta']} with {w['rot']}{cropped}",
        ]
    if frame.bias:
        parts.append(f"{w['db']} = the sum of {w['delta']}")
    return (
        "In short: " + "; ".join(parts) + f". {plural(multiplications, 'multiplication')}, each used once "
        "in each gradient."
    )


def results_only(note: str) -> str:
    return note[0].upper() + note[1:] + "."


def _per_axis(values: Sequence[int]) -> str:
    return str(values[0]) if len(set(values)) == 1 else "×".join(map(str, values))


def _ordinal(values: Sequence[int]) -> str:
    text = _per_axis(values)
    return {"2": "2nd", "3": "3rd"}.get(text, f"{text}th")


def _gaps(values: Sequence[int]) -> str:
    gaps = {v - 1 for v in values}
    if len(gaps) == 1:
        return "a zero" if gaps == {1} else f"{gaps.pop()} zeros"
    return "s − 1 zeros (per axis)"


def _amounts(dims: int, before: Sequence[int], after: Sequence[int]) -> str:
    """``1 zero on every side`` or ``2 rows before and 3 after, 1 column before and after``."""
    if len({*before, *after}) == 1:
        return f"{plural(before[0], 'zero')} on every side"
    names = axis_names(dims)
    parts = []
    for name, b, a in zip(names, before, after):
        noun = name[:-1]
        parts.append(
            f"{plural(b, noun)} before and {a} after" if a != b else f"{plural(b, noun)} before and after"
        )
    return ", ".join(parts)


# ---------------------------------------------------------------- formulas


@dataclass(frozen=True, slots=True)
class Row:
    """One line of a cell's formula: products, maybe ``= value``.

    A row with a ``label`` starts one part of a sum over images or filters: the label
    stands where the left-hand side stood, and the row has no ``=`` of its own.
    """

    text: str
    value: str | None = None
    label: str = ""


def entry(frame: Frame, operand: str, index: Entry, style: Style) -> str:
    """The symbol of one operand entry: ``x₁₂``, ``w₁,₁,₂,₁``, ``\\delta_{11}``; ``0`` for a grid's zeros."""
    if isinstance(index, str):
        return "0"
    return style.symbol(LETTERS[operand], index, frame.separate(operand))


def symbols(frame: Frame, operand: str, style: Style, wrap: Callable[[str], str] = str) -> np.ndarray:
    """The operand in the user's shape with each entry's symbol (``wrap``-ped) in place of a value."""
    shape = frame.user_shape(operand)
    array = np.empty(shape, dtype=object)
    for index in np.ndindex(*shape):
        array[index] = wrap(entry(frame, operand, index, style))
    return array


def lhs(frame: Frame, operand: str, index: Entry, style: Style) -> str:
    """``∂L/∂x₂₂`` for a cell of the gradient of ``operand``."""
    return style.partial(entry(frame, operand, index, style))


def formula(derivation: Derivation, cell: Cell, kind: str, style: Style) -> list[Row]:
    """The chain-rule sum of a ∂L/∂w (``kind="filter"``) or ∂L/∂x (``"input"``) cell.

    Symbols first, then numbers and the value when the derivation has values; a cell
    summed over several images or filters gets a pair of lines per part and a total.
    """
    frame, numeric = derivation.frame, derivation.values is not None
    if len(cell.parts) == 1:
        return _part_rows(frame, cell.parts[0].terms, kind, style, numeric, cell.value, "")
    labels = [_part_label(part.block, kind) for part in cell.parts]
    headline = " + ".join(f"({style.text.format(label)})" for label in labels)
    if numeric:
        headline += f" = {style.total([p.value for p in cell.parts])}"
    rows = [Row(headline, style.number(cell.value) if numeric else None)]
    for label, part in zip(labels, cell.parts):
        rows.extend(_part_rows(frame, part.terms, kind, style, numeric, part.value, label))
    return rows


def _spelled(terms: Sequence[Term]) -> Sequence[Term | None]:
    """The terms, None for those a long sum leaves out: :meth:`Style.products` elides the middle
    of a sum of more than :data:`MAX_SHOWN_TERMS`, so those are never spelled (a weight of a big
    trace has thousands)."""
    if len(terms) <= MAX_SHOWN_TERMS:
        return terms
    return [*terms[:SHOWN_HEAD], *[None] * (len(terms) - SHOWN_HEAD - SHOWN_TAIL), *terms[-SHOWN_TAIL:]]


def _part_label(block: tuple[int, int], kind: str) -> str:
    return f"image {block[0] + 1}" if kind == "filter" else f"filter {block[1] + 1}"


def _part_rows(
    frame: Frame, terms: Sequence[Term], kind: str, style: Style, numeric: bool, value: object, label: str
) -> list[Row]:
    shown = _spelled(terms)
    if kind == "filter":
        symbols = [
            (entry(frame, "grad_output", t.delta, style), entry(frame, "input", t.source, style))
            if t
            else ("", "")
            for t in shown
        ]
        numbers = [(t.delta_value, t.source_value) if t else (0, 0) for t in shown]
    else:
        symbols = [
            (entry(frame, "filter", t.source, style), entry(frame, "grad_output", t.delta, style))
            if t
            else ("", "")
            for t in shown
        ]
        numbers = [(t.source_value, t.delta_value) if t else (0, 0) for t in shown]
    if not terms:
        return [Row("0", None, label)]
    rows = [Row(style.products(symbols), None, label)]
    if numeric:
        rows.append(Row(style.numeric_products(numbers), style.number(value)))
    return rows
