"""Step-through pages: the graph drawn after each step of backward, and a page to flip them.

>>> from autograd import Value, write_step_frames
>>> x = Value(0.5, label="x")
>>> write_step_frames((2 * x).tanh(), "out/steps")       # doctest: +SKIP
PosixPath('out/steps/index.html')
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from ..files import atomic_write
from ..steps import backward_steps, name_of
from ..value import Value
from .graph import draw_dot, pipe

__all__ = ["write_step_frames"]


def write_step_frames(
    root: Value, folder: str | Path, *, max_frames: int = 200, **draw_options: Any
) -> Path:
    """Draw the graph after each backward step as ``folder/step_000.svg``, ... and write
    ``folder/index.html``, a page that steps through them (buttons, slider, ← → keys).

    Returns the path of ``index.html``. Every file is written atomically; ``draw_options`` go
    to :func:`autograd.draw_dot`. Needs Graphviz's ``dot``.
    """
    steps = backward_steps(root)
    if len(steps) > max_frames:
        raise ValueError(
            f"write_step_frames: backward of this graph has {len(steps)} steps, more than "
            f"max_frames={max_frames}; draw a smaller graph or pass max_frames={len(steps)}"
        )
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    names = [f"step_{k:03d}.svg" for k in range(len(steps))]
    for k, name in enumerate(names):
        atomic_write(folder / name, pipe(draw_dot(root, step=k, **draw_options), "svg"))
    page = _STEPPER.format(
        title=html.escape(f"backward of {name_of(root)}, step by step"),
        frames=_script_json(names),
        captions=_script_json([str(step) for step in steps]),
    )
    index = folder / "index.html"
    atomic_write(index, page.encode())
    return index


def _script_json(items: list[str]) -> str:
    """JSON safe to put inside <script> (labels are the user's text)."""
    return json.dumps(items).replace("<", "\\u003c").replace(">", "\\u003e")


_STEPPER = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
  body {{ font-family: system-ui, sans-serif; margin: 1.5em; color: #1f2937; }}
  .bar {{ display: flex; gap: .6em; align-items: center; }}
  button {{ font-size: 1em; padding: .2em .8em; }}
  input[type=range] {{ flex: 1; max-width: 40em; }}
  #caption {{ font-family: ui-monospace, monospace; margin: .8em 0; min-height: 1.4em; }}
  img {{ max-width: 100%; border: 1px solid #e5e7eb; }}
</style></head>
<body>
<h1 style="font-size:1.2em">{title}</h1>
<div class="bar">
  <button id="prev" title="previous step (←)">◀ prev</button>
  <input id="slider" type="range" min="0" value="0">
  <button id="next" title="next step (→)">next ▶</button>
  <span id="counter"></span>
</div>
<p id="caption"></p>
<img id="frame" alt="the computation graph after this backward step">
<script>
const frames = {frames};
const captions = {captions};
const slider = document.getElementById("slider");
slider.max = frames.length - 1;
function show(k) {{
  k = Math.max(0, Math.min(frames.length - 1, k));
  slider.value = k;
  document.getElementById("frame").src = frames[k];
  document.getElementById("caption").textContent = captions[k];
  document.getElementById("counter").textContent = (k + 1) + " / " + frames.length;
}}
document.getElementById("prev").onclick = () => show(+slider.value - 1);
document.getElementById("next").onclick = () => show(+slider.value + 1);
slider.oninput = () => show(+slider.value);
document.addEventListener("keydown", e => {{
  if (e.key === "ArrowLeft") show(+slider.value - 1);
  if (e.key === "ArrowRight") show(+slider.value + 1);
}});
show(0);
</script>
</body></html>
"""
