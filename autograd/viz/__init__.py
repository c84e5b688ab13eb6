"""Drawing computation graphs with Graphviz: ``draw_dot``, ``render``, ``write_step_frames``.

``graph`` builds the drawing, ``clusters`` groups dotted labels into boxes, ``frames`` writes a
page that steps through backward. Loaded on first use: ``import autograd`` does not import
graphviz.
"""

from .frames import write_step_frames
from .graph import draw_dot, pipe, render

__all__ = ["draw_dot", "pipe", "render", "write_step_frames"]
