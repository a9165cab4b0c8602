"""How each family of implementations is called: the four built-in conventions and the adapter protocol.

A :class:`Convention` says which functions to look for, which parameters it can pass,
the layout its arrays take, and — in ``invoke`` — how to call the user's functions on one
case.  ``invoke`` runs in the child process beside the user's code, so a custom
convention must be importable there: a module-level function in a file on ``sys.path``.

An adapter for any other calling convention is a few lines (see docs/checking.md)::

    def call_mine(functions, arrays, params):
        dw, dx = functions["function"](arrays["grad_output"], arrays["input"], arrays["filter"], params["stride"])
        return {"grad_input": dx, "grad_filter": dw}

    MINE = Convention("mine", call_mine, params=frozenset({"stride"}))

Arrays handed to ``invoke`` are float64 copies in the convention's layout; ``params`` holds
only the parameters the function accepts.  ``invoke`` returns the arrays by name, in the
convention's layout; :func:`unpack` turns a returned tuple into that mapping.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

Functions = Mapping[str, Callable[..., Any]]  # role ("function", "forward", "backward") → the user's function
Arrays = dict[str, np.ndarray]
Invoke = Callable[[Functions, Arrays, dict[str, Any]], Mapping[str, Any]]
BiasForm = Literal["none", "vector", "dls"]

PARAMETERS = ("stride", "padding", "dilation", "groups", "dims")  # passed by name, when accepted


class BadReturn(Exception):
    """The function returned something its convention cannot read (a wrong count of values, not a tuple)."""


def unpack(returned: Any, names: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict[str, Any]:
    """``(a, b[, c])`` → ``{names[0]: a, names[1]: b[, optional[0]: c]}``, or :class:`BadReturn` saying what came back."""
    allowed = [len(names) + k for k in range(len(optional) + 1)]
    if not isinstance(returned, (tuple, list)) or len(returned) not in allowed:
        counts = " or ".join(map(str, allowed))
        got = _count(len(returned)) if isinstance(returned, (tuple, list)) else _kind(returned)
        expected = ", ".join((*names, *(f"[{n}]" for n in optional)))
        raise BadReturn(f"returned {got}; expected a tuple of {counts}: ({expected})")
    return dict(zip((*names, *optional), returned))


def _count(n: int) -> str:
    return "1 value" if n == 1 else f"{n} values"


def _kind(value: Any) -> str:
    if value is None:
        return "None"
    shape = getattr(value, "shape", None)
    return (
        f"one {type(value).__name__} of shape {tuple(shape)}" if shape is not None else type(value).__name__
    )


@dataclass(frozen=True)
class Convention:
    """One calling convention (an adapter): how to find, call and read a family of implementations.

    ``roles`` pairs each function the convention calls with the name it looks for by
    default (None: the file's one public function).  ``params`` is what the convention can
    pass; None means what the signature of the last role's function accepts, out of
    :data:`PARAMETERS`.  ``channels_last`` puts channels on the last axis (X (N, *S, C),
    W (*K, C_in, C_out)); ``bias`` is how b is passed (``none``, ``vector`` (C_out,), or
    ``dls`` (1, 1, 1, C_out)); ``returns`` the arrays it must give back, ``optional`` those
    it may.  ``square_filters`` limits the suite to square filters.
    """

    name: str
    invoke: Invoke
    roles: tuple[tuple[str, str | None], ...] = (("function", None),)
    params: frozenset[str] | None = None
    channels_last: bool = False
    bias: BiasForm = "none"
    returns: tuple[str, ...] = ("grad_input", "grad_filter")
    optional: tuple[str, ...] = ("grad_bias",)
    square_filters: bool = False

    # ------------------------------------------------------------ layouts (run in convgrad's process)

    def arrays(self, torch_arrays: Arrays, dims: int) -> Arrays:
        """The case's operands — X, W, δ, b in PyTorch's layout — in this convention's layout."""
        out = {name: self.from_torch(name, a, dims) for name, a in torch_arrays.items() if name != "bias"}
        if self.bias != "none":
            out["bias"] = self.from_torch("bias", torch_arrays["bias"], dims)
        return out

    def from_torch(self, name: str, a: np.ndarray, dims: int) -> np.ndarray:
        """PyTorch layout → this convention's layout, for an operand or a result of that name."""
        if name in ("bias", "grad_bias"):
            return a.reshape((1,) * (dims + 1) + (-1,)) if self.bias == "dls" else a
        if not self.channels_last:
            return a
        return a.transpose((*range(2, a.ndim), 1, 0)) if _is_filter(name) else np.moveaxis(a, 1, -1)

    def to_torch(self, name: str, a: np.ndarray, dims: int) -> np.ndarray:
        """This convention's layout → PyTorch's; ValueError when ``a`` has the wrong number of axes."""
        if name == "grad_bias":
            return a.reshape(-1) if self.bias == "dls" and a.ndim == dims + 2 else a
        if not self.channels_last:
            return a
        if a.ndim != dims + 2:
            raise ValueError(f"has {a.ndim} axes")
        # (*K, C_in/g, C_out) → (C_out, C_in/g, *K)
        return (
            a.transpose((a.ndim - 1, a.ndim - 2, *range(a.ndim - 2)))
            if _is_filter(name)
            else np.moveaxis(a, -1, 1)
        )

    def accepts(self, signature_params: frozenset[str]) -> frozenset[str]:
        """The parameters the suite may pass: the convention's own, else those the signature names."""
        return self.params if self.params is not None else signature_params & frozenset(PARAMETERS)


def _is_filter(name: str) -> bool:
    return name in ("filter", "grad_filter")


# ---------------------------------------------------------------- the four built-in conventions (run in the child)


def _call_torch(functions: Functions, arrays: Arrays, params: dict[str, Any]) -> Mapping[str, Any]:
    returned = functions["function"](arrays["input"], arrays["filter"], arrays["grad_output"], **params)
    return unpack(returned, ("grad_input", "grad_filter"), ("grad_bias",))


def _call_with_cache(functions: Functions, arrays: Arrays, params: dict[str, Any]) -> Mapping[str, Any]:
    # CS231n's and DLS's shape: forward(x, w, b, {"stride", "pad"}) → (out, cache); backward(dout, cache).
    conv_param = {"stride": params["stride"], "pad": params["padding"]}
    forward = unpack(functions["forward"](arrays["input"], arrays["filter"], arrays["bias"], conv_param),
                     ("output", "cache"))  # fmt: skip
    grads = unpack(functions["backward"](arrays["grad_output"], forward["cache"]),
                   ("grad_input", "grad_filter", "grad_bias"))  # fmt: skip
    return {"output": forward["output"], **grads}


_STRIDE_PAD = frozenset({"stride", "padding"})  # {"stride": s, "pad": p}: ints, the same on both axes
_ALL = ("output", "grad_input", "grad_filter", "grad_bias")

TORCH = Convention("torch", _call_torch)
CHANNELS_LAST = Convention("channels-last", _call_torch, channels_last=True)
CS231N = Convention(
    "cs231n", _call_with_cache, (("forward", "conv_forward_naive"), ("backward", "conv_backward_naive")),
    _STRIDE_PAD, bias="vector", returns=_ALL, optional=(),
)  # fmt: skip
DLS = Convention(
    "dls", _call_with_cache, (("forward", "conv_forward"), ("backward", "conv_backward")),
    _STRIDE_PAD, channels_last=True, bias="dls", returns=_ALL, optional=(), square_filters=True,
)  # fmt: skip

CONVENTIONS = {c.name: c for c in (TORCH, CHANNELS_LAST, CS231N, DLS)}
