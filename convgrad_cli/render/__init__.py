"""Renderers: they format results and traces, and never recompute maths."""
