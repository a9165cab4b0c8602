"""convgrad: exact gradients of convolution layers, derived the way you would by hand.

>>> from convgrad_cli import backward
>>> backward([[1, 2, 3], [4, 5, 6], [7, 8, 9]], [[1, 0], [0, -1]]).grad_filter.tolist()
[[12, 16], [24, 28]]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .api import Gradients, backward, check, verify

__all__ = ["Gradients", "__version__", "backward", "check", "verify"]


def __getattr__(name: str) -> Any:
    # Lazy, so `convgrad --help` never pays for importing NumPy.
    if name in ("backward", "check", "verify", "Gradients"):
        from . import api

        return getattr(api, name)
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("convgrad")
        except PackageNotFoundError:
            return "0+unknown"
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
