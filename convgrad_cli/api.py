"""The Python API: ``backward`` and friends, as a notebook or an autograder calls them.

The top layer beside the CLI: it may use every layer below, so results show
themselves in Jupyter through the same renderers the CLI uses.
"""

from __future__ import annotations

from .engine.backward import Gradients, backward

__all__ = ["Gradients", "backward"]
