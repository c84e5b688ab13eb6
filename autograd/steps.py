"""Backward, one accumulation at a time: the chain rule as a list of steps you can read.

:func:`backward_steps` lists every ``parent.grad += upstream × local`` that ``backward()``
performs, in the order it performs them, without touching any ``.grad``.
:func:`write_step_frames` draws the graph after each step and writes a small HTML page that
steps through the drawings.

>>> from autograd import Value, backward_steps
>>> x = Value(3.0, label="x")
>>> y = x * x; y.label = "y"
>>> for step in backward_steps(y):
...     print(step)
step 0: seed y.grad = 1
step 1: x.grad += 1 × 3 = 3 (0 → 3)
step 2: x.grad += 1 × 3 = 3 (3 → 6)
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .backprop import topological_order
from .ops import OPS, call_repr
from .value import Value, data_of

__all__ = ["Step", "backward_steps", "write_step_frames"]


@dataclass(frozen=True)
class Step:
    """One gradient accumulation: ``node.grad`` goes from ``before`` to ``after``.

    ``source`` is the op node whose rule sends the gradient (None for step 0, the seed at the
    root) and ``position`` which of ``source.parents`` receives it; ``contribution`` is
    ``upstream × local``, the source's gradient times the local derivative ∂source/∂node.
    """

    index: int
    node: Value
    source: Value | None
    position: int
    upstream: float
    local: float
    contribution: float
    before: float
    after: float

    def __str__(self) -> str:
        if self.source is None:
            return f"step {self.index}: seed {_name(self.node)}.grad = {_fmt(self.after)}"
        return (
            f"step {self.index}: {_name(self.node)}.grad += {_fmt(self.upstream)} × "
            f"{_fmt(self.local)} = {_fmt(self.contribution)} "
            f"({_fmt(self.before)} → {_fmt(self.after)})"
        )


def backward_steps(root: Value, gradient: float = 1.0) -> list[Step]:
    """Every gradient accumulation ``root.backward(gradient)`` would perform, in its order.

    The walk is backward's: ``topological_order([root])`` reversed, each op node sending its
    gradient to its parents in order (``dot`` interleaves wᵢ, xᵢ, then the bias, as backward's
    inlined loop does). Every gradient starts at 0.0, as after ``zero_grad``; nothing is
    modified (``backward()`` would add the final values to the leaves' ``.grad``). A relu that
    is off passes nothing (backward skips it): its step shows a contribution of 0.0.

    >>> x = Value(2.0, label="x")
    >>> steps = backward_steps(x.tanh() * 3.0)
    >>> [(s.source.op.name if s.source else "seed", s.node.label or "tanh") for s in steps]
    [('seed', 'tanh'), ('mul', 'tanh'), ('tanh', 'x')]
    """
    if not isinstance(root, Value):
        raise TypeError(f"backward_steps: expected a Value, got {type(root).__name__}")
    order = topological_order([root])
    grads = dict.fromkeys(order, 0.0)
    seed = grads[root] = float(gradient)
    steps = [Step(0, root, None, -1, seed, 1.0, seed, 0.0, seed)]
    for node in reversed(order):
        op = node.op
        if op is None:
            continue
        g = grads[node]
        parents = node.parents
        try:
            locals_ = op.derivative(*data_of(parents), out=node.data)
        except (ArithmeticError, ValueError) as e:
            raise type(e)(f"cannot differentiate {call_repr(op, parents)}: {e}") from None
        for i in _visit_order(node):
            p = parents[i]
            if type(p) is float:
                continue
            local = float(locals_[i])
            before = grads[p]
            if op is _RELU and local == 0.0:  # backward's relu skips an off unit
                contribution, after = 0.0, before
            else:
                contribution = g * local
                after = before + contribution
            grads[p] = after
            steps.append(Step(len(steps), p, node, i, g, local, contribution, before, after))
    return steps


def _visit_order(node: Value) -> Iterator[int]:
    """The parent positions in the order backward's loop visits them."""
    n = len(node.parents)
    if node.op is _DOT:  # (w1..wk, x1..xk[, bias]) visited as w1, x1, w2, x2, ..., bias
        k = n // 2
        for i in range(k):
            yield i
            yield k + i
        if n % 2:
            yield n - 1
    else:
        yield from range(n)


def gradients_after(steps: list[Step], k: int) -> dict[Value, float]:
    """Every node's gradient once steps 0..k are done (nodes not yet reached: their start)."""
    grads: dict[Value, float] = {}
    for step in steps:
        grads.setdefault(step.node, step.before)
    for step in steps[: k + 1]:
        grads[step.node] = step.after
    return grads


def write_step_frames(
    root: Value, folder: str | Path, *, max_frames: int = 200, **draw_options: Any
) -> Path:
    """Draw the graph after each backward step as ``folder/step_000.svg``, ... and write
    ``folder/index.html``, a page that steps through them (buttons, slider, ← → keys).

    Returns the path of ``index.html``. Every file is written atomically; ``draw_options`` go
    to :func:`autograd.draw_dot`. Needs Graphviz's ``dot``.

    >>> from autograd import Value, write_step_frames
    >>> x = Value(0.5, label="x")
    >>> write_step_frames((2 * x).tanh(), "out/steps")       # doctest: +SKIP
    PosixPath('out/steps/index.html')
    """
    from .viz import atomic_write, draw_dot, pipe

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
        title=html.escape(f"backward of {_name(root)}, step by step"),
        frames=_script_json(names),
        captions=_script_json([str(step) for step in steps]),
    )
    index = folder / "index.html"
    atomic_write(index, page.encode())
    return index


def _script_json(items: list[str]) -> str:
    """JSON safe to put inside <script> (labels are the user's text)."""
    return json.dumps(items).replace("<", "\\u003c").replace(">", "\\u003e")


def _name(node: Value) -> str:
    """How a step names a node: its label, else the op and its inputs' labels or data, as in
    ``(n + b)`` or ``tanh(0.3)``, else its data."""
    if node.label:
        return node.label
    if node.op is None:
        return f"Value({_fmt(node.data)})"
    shown = [p.label or _fmt(p.data) if isinstance(p, Value) else _fmt(p) for p in node.parents]
    if len(shown) > 4:
        shown = [*shown[:3], f"... {len(shown) - 3} more"]
    if node.op.symbol in ("+", "-", "*", "/", "**") and len(shown) == 2:
        return f"({shown[0]} {node.op.symbol} {shown[1]})"
    return f"{node.op.name}({', '.join(shown)})"


def _fmt(x: float) -> str:
    return format(x, ".4g")


_DOT, _RELU = OPS["dot"], OPS["relu"]

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
