"""Runnable demos of scalar-autograd: ``python -m demos`` lists them, ``python -m demos all``
runs every one and writes ``out/index.html``.

Each demo is a module with a one-line ``SUMMARY`` and ``run(options) -> Result``; :data:`DEMOS`
maps each name to both, in the order ``all`` runs them.

>>> from demos import DEMOS
>>> list(DEMOS)
['seed000', 'seed001', 'seed002', 'seed003', 'seed004', 'derivations', 'moons', 'graph']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import derivations, graph, moons, seed000, seed001, seed002, seed003, seed004
from .common import Options, Result

__all__ = ["DEMOS", "Demo", "Options", "Result"]


@dataclass(frozen=True)
class Demo:
    """A demo: its one-line description and the function that runs it."""

    summary: str
    run: Callable[[Options], Result]


DEMOS: dict[str, Demo] = {
    module.__name__.rpartition(".")[2]: Demo(module.SUMMARY, module.run)
    for module in (seed000, seed001, seed002, seed003, seed004, derivations, moons, graph)
}
