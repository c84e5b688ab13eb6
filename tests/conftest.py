"""Hypothesis profiles:

- `dev` (the default): quick, a fresh random draw each run;
- `ci` (`make test` and CI=true): the oracle tests (tests/test_oracles*.py) check thousands of
  random graphs each (see `oracles.examples`), derandomized, so that CI checks the same 20,000
  graphs on every run and a red CI always means a change broke something;
- `explore` (`make test HYPOTHESIS_PROFILE=explore`): as many graphs as `ci`, freshly drawn each
  run — for hunting new failures (each prints its reproduction).

The run ends with a count of the graphs checked against each oracle.
"""

import os
import sys

from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile(
    "explore",
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile("ci", settings.get_profile("explore"), derandomize=True)
_default = "ci" if os.environ.get("CI", "").lower() == "true" else "dev"
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", _default))


def pytest_terminal_summary(terminalreporter):
    """Print how many random graphs were checked against each oracle (measured, not assumed)."""
    oracles = sys.modules.get("oracles")
    if oracles is None or not oracles.GRAPHS:
        return
    counts = oracles.GRAPHS
    checked = {name: n for name, n in counts.items() if name in oracles.ORACLES}
    parts = ", ".join(f"{name} {n}" for name, n in sorted(checked.items()))
    terminalreporter.write_sep("-", "random graphs checked")
    terminalreporter.write_line(
        f"{sum(checked.values())} random graphs checked against the oracles ({parts})"
    )
    for name, n in sorted(counts.items()):
        if name not in oracles.ORACLES:
            terminalreporter.write_line(f"{n} random networks checked against the {name}")
