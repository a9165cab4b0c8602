"""PyTorch autograd as a float64 reference for ``convgrad_cli.backward``.

Torch is imported on first use, so only the tests that call into it are
skipped when it is absent; the rest of a module that imports this one runs.
Padding is handed to torch in its own terms wherever torch has them (ints,
per-axis ints, "valid", "same"), so those forms are checked against torch's
own rules, not against ours; only (before, after) pairs and "full" go
through ``F.pad`` first.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

RTOL = 1e-12
_CONV = {1: "conv1d", 2: "conv2d", 3: "conv3d"}


@dataclass
class TorchResult:
    """float64 arrays in the user's forms; grad_bias None without bias, 0-d for one filter."""

    output: np.ndarray
    grad_input: np.ndarray
    grad_filter: np.ndarray
    grad_bias: np.ndarray | None


def _f64(a: Any) -> np.ndarray:
    # Fractions and big ints land in object arrays, which convert element by element via float().
    return np.asarray(a).astype(np.float64)


def _torch() -> Any:
    return pytest.importorskip("torch")


def _torch_padding(padding: Any, kernel: Sequence[int], dilation: Sequence[int]) -> tuple[Any, list[int]]:
    """(padding argument for torch's conv, F.pad widths for the rest).

    F.pad lists (before, after) from the last axis backwards.
    """
    dims = len(kernel)
    if isinstance(padding, (int, str)) and padding != "full":
        return padding, [0] * (2 * dims)
    if padding == "full":
        pairs = [(d * (k - 1), d * (k - 1)) for k, d in zip(kernel, dilation, strict=True)]
    elif all(isinstance(p, int) for p in padding):
        return tuple(padding), [0] * (2 * dims)
    else:
        pairs = [(p, p) if isinstance(p, int) else tuple(p) for p in padding]
    widths: list[int] = []
    for before, after in reversed(pairs):
        widths += [before, after]
    return 0, widths


def torch_backward(
    input: Any,
    filter: Any,
    grad_output: Any = None,
    *,
    bias: Any = None,
    stride: int | Sequence[int] = 1,
    padding: Any = 0,
    dilation: int | Sequence[int] = 1,
    groups: int = 1,
    mode: str = "correlate",
    dims: int = 2,
) -> TorchResult:
    """All four results in float64 by torch autograd; same arguments as ``backward``."""
    torch = _torch()
    F = torch.nn.functional
    x_user, w_user = _f64(input), _f64(filter)
    x_t = torch.tensor(x_user.reshape((1,) * (dims + 2 - x_user.ndim) + x_user.shape), requires_grad=True)
    w_t = torch.tensor(w_user.reshape((1,) * (dims + 2 - w_user.ndim) + w_user.shape), requires_grad=True)
    batched, multi = x_user.ndim == dims + 2, w_user.ndim == dims + 2
    dil = (dilation,) * dims if isinstance(dilation, int) else tuple(dilation)
    conv_pad, widths = _torch_padding(padding, w_t.shape[2:], dil)
    # Flipping inside the graph makes autograd differentiate the convolve-mode forward itself.
    w_used = torch.flip(w_t, dims=list(range(2, dims + 2))) if mode == "convolve" else w_t
    b_t = None
    if bias is not None:
        b_t = torch.tensor(_f64(bias).reshape(-1), requires_grad=True)
    with warnings.catch_warnings():
        # torch warns that "same" with an even span copies the input; that is its business.
        warnings.simplefilter("ignore", UserWarning)
        y = getattr(F, _CONV[dims])(
            F.pad(x_t, widths), w_used, b_t, stride=stride, padding=conv_pad, dilation=dilation, groups=groups
        )
    if grad_output is None:
        delta = torch.ones_like(y)
    else:
        d = torch.tensor(_f64(grad_output))
        d = d if batched else d.unsqueeze(0)
        delta = d if multi else d.unsqueeze(1)
    y.backward(delta)
    out = y.detach().numpy()
    out = out if multi else out[:, 0]
    out = out if batched else out[0]
    db = None
    if b_t is not None:
        db = b_t.grad.numpy() if multi else b_t.grad.numpy().reshape(())
    return TorchResult(
        out, x_t.grad.numpy().reshape(x_user.shape), w_t.grad.numpy().reshape(w_user.shape), db
    )


def assert_close(actual: Any, expected: np.ndarray, name: str, rtol: float = RTOL) -> None:
    """Same shape, and equal to ``rtol`` relative to each value and to the array's scale.

    The absolute part scales with max|expected| because sums with cancellation
    lose precision relative to their terms, not to their (possibly tiny) result.
    """
    got = _f64(actual)
    assert got.shape == expected.shape, f"{name}: shape {got.shape} != torch's {expected.shape}"
    scale = max(1.0, float(np.max(np.abs(expected), initial=0.0)))
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=rtol * scale, err_msg=name)


def assert_matches_torch(result: Any, *args: Any, rtol: float = RTOL, **kwargs: Any) -> TorchResult:
    """``result`` (anything with output/grad_* attributes) agrees with torch on ``args``/``kwargs``.

    ``args`` and ``kwargs`` are exactly what was passed to ``backward``.
    """
    ref = torch_backward(*args, **kwargs)
    for name in ("output", "grad_input", "grad_filter"):
        assert_close(getattr(result, name), getattr(ref, name), name, rtol)
    if ref.grad_bias is None:
        assert result.grad_bias is None, "grad_bias should be None without a bias"
    else:
        assert_close(result.grad_bias, ref.grad_bias, "grad_bias", rtol)
    return ref
