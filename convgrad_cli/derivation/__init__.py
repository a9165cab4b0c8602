"""The derivation as frozen data, in the hand-written page's order: built from results or symbols."""

from .records import Derivation, Frame, Selection, build, build_symbolic

__all__ = ["Derivation", "Frame", "Selection", "build", "build_symbolic"]
