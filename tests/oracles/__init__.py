"""Independent oracles for the engine's gradients, and a count of the random graphs checked.

Each oracle re-evaluates the same expression DAG its own way and shares no code with the
engine (none of the oracle modules imports ``autograd``):

- ``fraction_eval``: exact rational arithmetic (+ − × ÷, integer powers), reverse sweep;
- ``dual``: forward-mode hyper-dual numbers — first and second derivatives, every op;
- ``torch_eval``: PyTorch in double precision (when installed);
- central finite differences live in ``autograd.gradcheck`` itself.

``compare`` holds the checks that put the engine next to an oracle. ``GRAPHS`` counts, per
oracle, the graphs whose check passed; ``conftest.py`` prints the counts after the run.
"""

from __future__ import annotations

from collections import Counter

from hypothesis import settings

GRAPHS: Counter[str] = Counter()


def count(oracle: str) -> None:
    """Note one more random graph checked against ``oracle``."""
    GRAPHS[oracle] += 1


# The oracles proper; other counters (the seeds' formulas) are reported but not added in.
ORACLES = ("fractions", "dual numbers", "torch", "finite differences")


def examples(ci: int) -> int:
    """Examples for a test that checks random graphs: ``ci`` when the ci or explore profile is
    loaded (``make test``, CI=true), else the loaded profile's own count, so `dev` stays quick."""
    current = settings.default
    big = current in (settings.get_profile("ci"), settings.get_profile("explore"))
    return ci if big else current.max_examples
