"""The numeric core: no Click, no Rich, only arrays in and arrays out."""

from .grads import forward, grad_bias, grad_filter, grad_input, gradients
from .ops import crop, dilate, pad, rot180
from .spec import ConvSpec, resolve_spec

__all__ = [
    "ConvSpec",
    "crop",
    "dilate",
    "forward",
    "grad_bias",
    "grad_filter",
    "grad_input",
    "gradients",
    "pad",
    "resolve_spec",
    "rot180",
]
