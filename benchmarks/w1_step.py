"""W1: micrograd's demo training step (MLP 2-16-16-1, 100 moons, SVM loss + 1e-4 L2,
forward + backward + SGD) for every contender, from the same initial weights.

Every contender first takes one step from the same weights, and its loss, gradients and
updated weights must agree with this engine's. Then this engine (A) alternates with it (B) in
this process, A B A B ...; each sample starts from the initial weights (loaded untimed), after
``gc.collect()``.
"""

from __future__ import annotations

import gc
import statistics
from collections.abc import Callable
from typing import Any, Protocol

from memory import count_nodes
from report import format_ratio
from timing import alternate, calibrate
from w1_data import initial_weights, make_moons
from w1_floor import FloatFloor
from w1_graphs import compiled_contender, engine_contenders, micrograd_contender
from w1_numpy import make_numpy
from w1_torch import make_torch

__all__ = ["Contender", "check_agreement", "one_step", "run_w1"]

TARGET_SPEEDUP = 30.0  # engine vs micrograd, same run
TARGET_FLOOR_RATIO = 3.5  # engine vs the plain-float floor
# W5, the compiled step: its time / the floor's (a ratio <= target is met)
TARGET_COMPILED = {"engine compiled (python)": 1.3, "engine compiled (numpy)": 0.5}
TARGET_COMPILE_SECONDS = 0.3
TARGET_MOONSHOT = 10.0  # W5 numpy vs numpy's own matrix formulas, same run
RTOL = 1e-9


class Contender(Protocol):
    """What W1 needs of a contender."""

    name: str

    def load(self, flat: list[float]) -> None: ...
    def step(self) -> float: ...
    def gradients(self) -> list[float]: ...
    def weights(self) -> list[float]: ...


def _max_rel_diff(a: list[float], b: list[float]) -> float:
    """Largest |a - b| relative to the largest magnitude in b (0 for identical lists)."""
    if len(a) != len(b):
        raise AssertionError(f"W1: {len(a)} numbers vs {len(b)}")
    scale = max(max(map(abs, b), default=0.0), 1e-300)
    return max((abs(x - y) for x, y in zip(a, b)), default=0.0) / scale


def one_step(c: Contender, weights: list[float]) -> tuple[float, list[float], list[float]]:
    """Loss, gradients and updated weights of one step from ``weights``."""
    c.load(weights)
    loss = c.step()
    return loss, c.gradients(), c.weights()


def check_agreement(
    reference: tuple[float, list[float], list[float]], c: Contender, weights: list[float]
) -> dict[str, float]:
    """The contender's first step must agree with the reference step (this engine's) to RTOL in
    loss, gradients and updated weights; AssertionError if not. Returns the differences."""
    loss, grads, new = reference
    c_loss, c_grads, c_new = one_step(c, weights)
    diffs = {
        "loss": abs(c_loss - loss) / abs(loss),
        "gradients": _max_rel_diff(c_grads, grads),
        "weights": _max_rel_diff(c_new, new),
    }
    bad = {k: v for k, v in diffs.items() if not v <= RTOL}
    if bad:
        raise AssertionError(f"W1: {c.name} disagrees with this engine after one step: {bad}")
    return diffs


def _node_count(contender: Any) -> int | None:
    """Values in the contender's loss graph (graph engines only)."""
    if not hasattr(contender, "loss"):
        return None
    root = contender.loss()
    if hasattr(root, "parents"):
        return count_nodes(root, lambda v: [p for p in v.parents if type(p) is not float])
    return count_nodes(root, lambda v: v._prev)


def _targets(
    records: list[dict[str, Any]], direct: dict[str, dict[str, Any]]
) -> tuple[dict[str, Any], list[str]]:
    """W1's targets and a note for each: the engine's from its per-pair ratios, W5's from the
    direct races (``direct``: keyed by the compiled contender's name and its reference's)."""
    by_name = {r["name"]: r for r in records}
    targets: dict[str, Any] = {}
    notes = []
    micrograd = by_name.get("micrograd 0.1.0")
    if micrograd:
        speedup = micrograd["ratio_to_engine"]
        met = speedup >= TARGET_SPEEDUP
        targets["speedup_vs_micrograd"] = {"value": speedup, "target": TARGET_SPEEDUP, "met": met}
        notes.append(
            f"engine vs micrograd: {speedup:.1f}x faster (target >= {TARGET_SPEEDUP:.0f}x)"
            + (" (met)" if met else " (NOT met)")
        )
    floor = by_name.get(FloatFloor.name)
    if floor:
        slower = 1.0 / floor["ratio_to_engine"]
        met = slower <= TARGET_FLOOR_RATIO
        targets["ratio_to_float_floor"] = {
            "value": slower,
            "target": TARGET_FLOOR_RATIO,
            "met": met,
        }
        notes.append(
            f"engine vs plain floats: {slower:.2f}x slower (target <= {TARGET_FLOOR_RATIO}x)"
            + (" (met)" if met else " (NOT met)")
        )
    for name, target in TARGET_COMPILED.items():
        race = direct.get(f"{name} / {FloatFloor.name}")
        if race is None:
            continue
        ratio = race["ratio"]
        seconds = by_name[name]["compile_seconds"]
        met = ratio <= target and seconds <= TARGET_COMPILE_SECONDS
        targets[f"W5 {name}"] = {
            "value": ratio,
            "target": target,
            "compile_seconds": seconds,
            "met": met,
        }
        notes.append(
            f"W5 {name}: {ratio:.2f}x the floor (target <= {target}x), traced and compiled in "
            f"{seconds:.2f} s (target <= {TARGET_COMPILE_SECONDS} s)"
            + (" (met)" if met else " (NOT met)")
        )
    race = direct.get("engine compiled (numpy) / numpy matrices")
    if race is not None:  # the moonshot: within 10x of numpy's own matrix formulas
        ratio = race["ratio"]
        met = ratio <= TARGET_MOONSHOT
        targets["W5 moonshot"] = {"value": ratio, "target": TARGET_MOONSHOT, "met": met}
        notes.append(
            f"W5 engine compiled (numpy) / numpy matrices: {ratio:.1f}x "
            f"(moonshot target <= {TARGET_MOONSHOT:.0f}x)" + (" (met)" if met else " (NOT met)")
        )
    return targets, notes


def _tracked_objects() -> int:
    """Objects the garbage collector tracks, after a collection: what each full pass walks."""
    gc.collect()
    return len(gc.get_objects())


def _race(
    engine: Contender, engine_number: int, c: Contender, weights: list[float], quick: bool
) -> dict[str, Any]:
    """Alternate engine (A) and contender (B), each sample's steps from ``weights``."""
    slow = c.name.startswith("micrograd")  # ~1 s a step: few pairs, one step a sample
    pairs = (2 if slow else 3) if quick else (5 if slow else 20)
    paired = alternate(
        engine.step,
        c.step,
        pairs,
        setup_a=lambda: engine.load(weights),
        setup_b=lambda: c.load(weights),
        number_a=engine_number,
        number_b=1 if slow else calibrate(c.step, lambda: c.load(weights)),
    )
    return {
        "name": c.name,
        "median_ms": statistics.median(paired.b) * 1e3,
        "ratio_to_engine": paired.ratio,
        "pair_ratios": paired.ratios,
        "samples_ms": [t * 1e3 for t in paired.b],
        "engine_samples_ms": [t * 1e3 for t in paired.a],
        "nodes": _node_count(c),
        "gc_tracked_objects": _tracked_objects(),
    }


# W5's targets are ratios to a reference, so each compiled contender (B) is raced against its
# reference (A) directly: a ratio of two races against the engine would carry the engine's noise
# twice.
DIRECT = [
    ("engine compiled (python)", FloatFloor.name),
    ("engine compiled (numpy)", FloatFloor.name),
    ("engine compiled (numpy)", "numpy matrices"),
]


def _race_direct(a: Contender, b: Contender, weights: list[float], quick: bool) -> dict[str, Any]:
    """Alternate reference ``a`` and contender ``b``, each sample's steps from ``weights``."""
    paired = alternate(
        a.step,
        b.step,
        5 if quick else 20,
        setup_a=lambda: a.load(weights),
        setup_b=lambda: b.load(weights),
        number_a=calibrate(a.step, lambda: a.load(weights)),
        number_b=calibrate(b.step, lambda: b.load(weights)),
    )
    return {"ratio": paired.ratio, "pair_ratios": paired.ratios}


def run_w1(quick: bool = False) -> dict[str, Any]:
    """W1's numbers and table."""
    X, y = make_moons()
    weights = initial_weights()
    engine, fused = engine_contenders(X, y)
    reference = one_step(engine, weights)
    # Each contender is made (and its library imported) only when its turn comes: torch brings
    # ~150k objects that every full collection of the garbage collector then walks, which
    # slowed micrograd's step ~1.5x when torch was imported before it.
    factories: list[tuple[str, Callable[[Any, Any], Any]]] = [
        (fused.name, lambda X, y: fused),
        ("engine compiled (numpy)", lambda X, y: compiled_contender(X, y, "numpy")),
        ("engine compiled (python)", lambda X, y: compiled_contender(X, y, "python")),
        ("micrograd 0.1.0", micrograd_contender),
        (FloatFloor.name, FloatFloor),
        ("numpy", make_numpy),
        ("torch", make_torch),
    ]

    engine_number = calibrate(engine.step, lambda: engine.load(weights))
    records = []
    made: dict[str, Contender] = {}
    skipped = []
    agreement: dict[str, Any] = {"loss": reference[0], "rtol": RTOL, "max_rel_diff": {}}
    for label, make in factories:
        c = make(X, y)
        if c is None:
            skipped.append(label)
            continue
        agreement["max_rel_diff"][c.name] = check_agreement(reference, c, weights)
        records.append(_race(engine, engine_number, c, weights, quick))
        if getattr(c, "compile_seconds", None) is not None:
            records[-1]["compile_seconds"] = c.compile_seconds
        made[c.name] = c
    direct = {
        f"{b} / {a}": _race_direct(made[a], made[b], weights, quick)
        for b, a in DIRECT
        if a in made and b in made
    }
    engine_samples = [t for r in records for t in r["engine_samples_ms"]]
    engine_ms = statistics.median(engine_samples)
    targets, notes = _targets(records, direct)
    notes.append("/ engine: median over the pairs of (contender's time / engine's time)")
    notes.append(
        "W5's ratios: median over pairs of (compiled step's time / its reference's), the two "
        "raced against each other directly"
    )
    notes.append(
        f"first-step loss {agreement['loss']!r}; losses, gradients and updated weights "
        f"of every contender agree with the engine's to {RTOL:g} relative"
    )
    notes.append("engine = nn.MLP running micrograd's demo loss verbatim (builtins.sum)")
    notes.append(
        "W5 engine compiled: autograd.compile of the same loss; the steps timed replay it "
        "(bound to the data: step.bind(X, y))"
    )
    notes.append("graph nodes: Values reachable from the loss, the 337 parameters included")
    if skipped:
        notes.append("not installed, skipped: " + ", ".join(skipped))
    engine_nodes = _node_count(engine)
    rows = [[engine.name, f"{engine_ms:.2f}", "1.00", "", f"{engine_nodes:,}"]]
    rows += [
        [
            r["name"],
            f"{r['median_ms']:.2f}",
            format_ratio(r["ratio_to_engine"]),
            f"{len(r['pair_ratios'])}",
            f"{r['nodes']:,}" if r["nodes"] is not None else "",
        ]
        for r in records
    ]
    table = {
        "title": "W1  micrograd demo step: MLP 2-16-16-1, 100 moons, SVM + 1e-4 L2, fwd+bwd+SGD",
        "columns": ["contender", "median ms", "/ engine", "pairs", "graph nodes"],
        "rows": rows,
        "notes": notes,
    }
    return {
        "engine": {
            "name": engine.name,
            "median_ms": engine_ms,
            "steps_per_sample": engine_number,
            "nodes": engine_nodes,
        },
        "contenders": records,
        "direct": direct,
        "skipped": skipped,
        "agreement": agreement,
        "targets": targets,
        "table": table,
    }
