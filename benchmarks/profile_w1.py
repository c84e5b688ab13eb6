"""Where this engine's W1 step spends its time: cProfile over a few steps, top functions.

python benchmarks/profile_w1.py [--steps 20] [--top 10] [--sort tottime]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import statistics
import time
from typing import Any

from w1_data import LEARNING_RATE, initial_weights, make_moons
from w1_demo import ValueModel
from w1_graphs import engine_contenders

__all__ = ["profile_engine_step", "time_phases"]


def time_phases(engine: ValueModel, weights: list[float], steps: int) -> dict[str, float]:
    """Median milliseconds of each phase of the demo step, over ``steps`` steps."""
    clock = time.perf_counter
    phases: dict[str, list[float]] = {
        "forward (loss graph)": [],
        "zero_grad": [],
        "backward": [],
        "SGD update": [],
        "free the graph": [],
    }
    for _ in range(steps):
        engine.load(weights)
        gc.collect()
        t0 = clock()
        loss: Any = engine.loss()
        t1 = clock()
        engine.model.zero_grad()
        t2 = clock()
        loss.backward()
        t3 = clock()
        for p in engine.model.parameters():
            p.data -= LEARNING_RATE * p.grad
        t4 = clock()
        del loss
        t5 = clock()
        for samples, dt in zip(phases.values(), (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4)):
            samples.append(dt * 1e3)
    return {name: statistics.median(samples) for name, samples in phases.items()}


def profile_engine_step(steps: int = 20, top: int = 10, sort: str = "tottime") -> None:
    """Profile ``steps`` W1 steps of this engine (demo verbatim) and print the top functions."""
    X, y = make_moons()
    weights = initial_weights()
    engine, _ = engine_contenders(X, y)
    engine.load(weights)
    engine.step()  # warm up
    profiler = cProfile.Profile()
    for _ in range(steps):
        engine.load(weights)
        profiler.enable()
        engine.step()
        profiler.disable()
    print(f"{engine.name}: {steps} steps")
    phases = time_phases(engine, weights, steps)
    print(f"phases, median ms (no profiler), total {sum(phases.values()):.2f}:")
    for name, ms in phases.items():
        print(f"  {name:22s} {ms:7.2f}")
    print()
    stats = pstats.Stats(profiler)
    stats.strip_dirs().sort_stats(sort).print_stats(top)


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--sort", default="tottime", help="pstats key: tottime, cumulative, ...")
    args = parser.parse_args()
    profile_engine_step(args.steps, args.top, args.sort)


if __name__ == "__main__":
    main()
