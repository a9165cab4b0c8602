"""The numeric core: no Click, no Rich, only arrays in and arrays out.

Read :mod:`.reference` first: the page's recipe (pad, slide, rot180, dilate,
full correlation, crop) in a few lines of NumPy.  :mod:`.grads` and
:mod:`.wide` compute the same numbers as BLAS-shaped products; :mod:`.backward`
is the API on top (shapes, exact or float arithmetic, the user's forms).
"""

from .grads import forward, grad_bias, grad_filter, grad_input, gradients
from .ops import crop, dilate, rot180
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
    "resolve_spec",
    "rot180",
]
