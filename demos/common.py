"""What every demo shares: its options, its result, comparison tables, files and progress bars.

A demo is a function ``run(options) -> Result``. It prints what it finds, writes its pictures
under ``options.out`` and returns its numbers, so tests assert on numbers, not on printed text.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograd import files

__all__ = [
    "Image",
    "Options",
    "Result",
    "Row",
    "Skipped",
    "Table",
    "atomic_write",
    "print_note",
    "progress_bar",
    "save_figure",
]


class Skipped(Exception):
    """A demo cannot run here (e.g. Graphviz's ``dot`` is missing); the message says why."""


@dataclass(frozen=True)
class Options:
    """How to run a demo.

    ``epochs`` and ``seed`` replace the demo's own defaults when given; ``out`` is the folder
    for pictures; ``progress`` shows tqdm bars (on a terminal only); ``fast`` is the tests'
    mode: smaller data and fewer epochs, the same checks.
    """

    out: Path = Path("out")
    epochs: int | None = None
    seed: int | None = None
    progress: bool = True
    fast: bool = False

    def epochs_or(self, default: int, fast: int) -> int:
        """The epochs to train: the ``--epochs`` option, else ``fast`` or ``default``."""
        if self.epochs is not None:
            return self.epochs
        return fast if self.fast else default

    def seed_or(self, default: int) -> int:
        """The random seed: the ``--seed`` option, else the demo's ``default``."""
        return default if self.seed is None else self.seed


@dataclass(frozen=True)
class Image:
    """A picture a demo wrote, with a one-line caption for the gallery."""

    path: Path
    caption: str


@dataclass(frozen=True)
class Row:
    """One number compared three ways: as the source printed it, as the engine computes it, and
    as the source's own formula computes it in double precision (``reference``).

    ``printed`` is the source's text (None when it printed nothing for this quantity).
    """

    quantity: str
    engine: float
    reference: float
    printed: str | None = None

    @property
    def difference(self) -> float:
        """|engine − reference|: both in double precision, so this is rounding noise."""
        return abs(self.engine - self.reference)

    @property
    def printed_difference(self) -> float | None:
        """|engine − printed number| (the printed number is rounded), or None."""
        return None if self.printed is None else abs(self.engine - float(self.printed))

    @property
    def rounds_to_printed(self) -> bool | None:
        """Whether the engine's number, rounded as the source rounded it, is the printed one."""
        if self.printed is None:
            return None
        mantissa, _, exponent = self.printed.lower().partition("e")
        decimals = len(mantissa.partition(".")[2])
        half_unit = 0.5 * 10.0 ** (int(exponent or 0) - decimals)
        # A number printed in full (17 digits) is met to within a few units in the last place.
        tolerance = max(half_unit * (1 + 1e-9), 4 * math.ulp(self.engine))
        return abs(self.engine - float(self.printed)) <= tolerance


@dataclass
class Table:
    """A titled list of :class:`Row` s; ``str(table)`` is the text the demo prints."""

    title: str
    rows: list[Row] = field(default_factory=list)
    source: str = "seed"

    def add(
        self, quantity: str, engine: float, reference: float, printed: str | None = None
    ) -> None:
        """Append one row (numbers are converted to float)."""
        self.rows.append(Row(quantity, float(engine), float(reference), printed))

    def add_many(
        self,
        name: str,
        engine: Any,
        reference: Any,
        printed: Sequence[str] | None = None,
    ) -> None:
        """One row per entry of two same-shaped arrays, named ``name[i]`` or ``name[i,j]``."""
        import numpy as np

        engine, reference = np.asarray(engine, dtype=float), np.asarray(reference, dtype=float)
        if engine.shape != reference.shape:
            raise ValueError(f"{name}: engine {engine.shape} vs reference {reference.shape}")
        texts = list(printed) if printed is not None else [None] * engine.size
        if len(texts) != engine.size:
            raise ValueError(f"{name}: {engine.size} numbers but {len(texts)} printed")
        for k, index in enumerate(np.ndindex(*engine.shape)):
            label = name + ("[" + ",".join(map(str, index)) + "]" if index else "")
            self.add(label, engine[index], reference[index], texts[k])

    def add_worst(self, name: str, engine: Any, reference: Any) -> None:
        """One row for a whole array: the entry where engine and reference differ most."""
        import numpy as np

        engine, reference = np.asarray(engine, dtype=float), np.asarray(reference, dtype=float)
        if engine.shape != reference.shape:
            raise ValueError(f"{name}: engine {engine.shape} vs reference {reference.shape}")
        index = np.unravel_index(int(np.argmax(np.abs(engine - reference))), engine.shape)
        label = f"{name}[{','.join(map(str, index))}] (worst of {engine.size})"
        self.add(label, engine[index], reference[index])

    @property
    def max_difference(self) -> float:
        """The largest |engine − reference| in the table."""
        return max((row.difference for row in self.rows), default=0.0)

    @property
    def all_round_to_printed(self) -> bool:
        """Whether every printed number is the engine's number rounded as printed."""
        return all(row.rounds_to_printed is not False for row in self.rows)

    def __str__(self) -> str:
        printed = [row for row in self.rows if row.printed is not None]
        if printed:
            header = ("quantity", f"{self.source} printed", "engine", "Δ printed", "Δ formula")
            body = [
                (
                    row.quantity,
                    row.printed if row.printed is not None else "—",
                    repr(row.engine),
                    _short(row.printed_difference),
                    _short(row.difference),
                )
                for row in self.rows
            ]
        else:  # nothing printed: show the formula's number instead
            header = ("quantity", f"{self.source}'s formula", "engine", "Δ formula")
            body = [
                (row.quantity, repr(row.reference), repr(row.engine), _short(row.difference))
                for row in self.rows
            ]
        widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]

        def line(cells: Sequence[str]) -> str:
            left = [cells[i].ljust(widths[i]) for i in range(3)]
            right = [cells[i].rjust(widths[i]) for i in range(3, len(cells))]
            return "  " + "  ".join(left + right).rstrip()

        rule = "  " + "-" * (sum(widths) + 2 * (len(widths) - 1))
        lines = [self.title, line(header), rule, *map(line, body), rule]
        if printed:
            lines.append(f"  Δ printed = |engine − the {self.source}'s printout, which is rounded|")
        lines.append(f"  Δ formula = |engine − the {self.source}'s own formula re-run in float64|")
        verdict = f"  max Δ formula = {_short(self.max_difference)}"
        if printed:
            agree = sum(row.rounds_to_printed is True for row in printed)
            verdict += f"; {agree} of {len(printed)} engine numbers round to the printed digits"
        lines.append(verdict)
        return "\n".join(lines)


def _short(x: float | None) -> str:
    if x is None:
        return "—"
    return "0" if x == 0.0 else f"{x:.1e}"


@dataclass
class Result:
    """What a demo returns: its name, named numbers, comparison tables and pictures."""

    name: str
    numbers: dict[str, Any] = field(default_factory=dict)
    tables: list[Table] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    pages: list[Image] = field(default_factory=list)  # HTML pages to link, not embed
    notes: list[str] = field(default_factory=list)
    log: str = ""  # what the demo printed (filled in by the command line)

    def __getitem__(self, key: str) -> Any:
        return self.numbers[key]


def print_note(result: Result, text: str) -> None:
    """Print ``text`` (wrapped) and keep it for the gallery."""
    import textwrap

    result.notes.append(text)
    print(textwrap.fill(text, width=96, subsequent_indent="  ", break_on_hyphens=False))


# --- files --------------------------------------------------------------------------------


def atomic_write(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (``autograd.files``), making its folder first."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return files.atomic_write(path, data)


def save_figure(fig: Any, path: Path, *, dpi: int = 110) -> Path:
    """Save a matplotlib figure as PNG atomically, then close it."""
    import matplotlib.pyplot as plt

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with files.writing(path) as f:
            fig.savefig(
                f,
                format="png",
                dpi=dpi,
                bbox_inches="tight",
                pad_inches=0.12,
                metadata={"Software": None},
            )
    finally:
        plt.close(fig)
    return path


def pyplot() -> Any:
    """matplotlib.pyplot on the headless Agg backend, with the demos' look."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update(
        {
            "figure.figsize": (5.6, 4.0),
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.alpha": 0.25,
            "font.size": 10,
            "axes.titlesize": 11,
        }
    )
    return plt


# --- progress -------------------------------------------------------------------------------


def progress_bar(total: int, desc: str, enabled: bool) -> Any:
    """A tqdm bar on a terminal when ``enabled``; otherwise None (nothing is drawn)."""
    if not enabled or not _is_terminal():
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="epoch", leave=False, dynamic_ncols=True)


def _is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False
