"""Output: fixed-width tables on stdout, results.json written atomically, the README's table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from repo import load_autograd

__all__ = ["format_ratio", "format_table", "update_readme", "write_json"]

README_START = "<!-- results:start -->"
README_END = "<!-- results:end -->"


def format_table(table: dict[str, Any]) -> str:
    """A workload's table: title, aligned columns (numbers right-aligned), then notes."""
    columns: list[str] = table["columns"]
    rows: list[list[str]] = [[str(c) for c in row] for row in table["rows"]]
    widths = [max(len(r[i]) for r in [columns, *rows]) for i in range(len(columns))]

    def line(cells: list[str]) -> str:
        out = []
        for i, (cell, width) in enumerate(zip(cells, widths)):
            out.append(cell.ljust(width) if i == 0 or not _numeric(cell) else cell.rjust(width))
        return "  ".join(out).rstrip()

    lines = [table["title"], "  " + line(columns), "  " + "  ".join("-" * w for w in widths)]
    lines += ["  " + line(r) for r in rows]
    lines += [f"  * {note}" for note in table.get("notes", [])]
    return "\n".join(lines)


def format_ratio(x: float) -> str:
    """Three significant digits at most, never scientific: 31.4, 2.05, 0.108, 0.00224."""
    if x >= 100:
        return f"{x:.0f}"
    if x >= 10:
        return f"{x:.1f}"
    if x >= 1:
        return f"{x:.2f}"
    return f"{x:.3g}"


def _numeric(cell: str) -> bool:
    head = cell.lstrip("-+").replace(",", "").replace(".", "", 1)
    return bool(head) and (head[0].isdigit() or head.startswith(("×", "x")))


def _write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically, with this tree's ``autograd.files``."""
    load_autograd()
    from autograd.files import atomic_write

    atomic_write(path, text.encode("utf-8"))


def write_json(path: Path, results: dict[str, Any]) -> None:
    """results.json, written atomically."""
    _write_atomic(path, json.dumps(results, indent=1, sort_keys=False) + "\n")


def update_readme(readme: Path, text: str) -> bool:
    """Replace what lies between the README's result markers with ``text``; False if no markers."""
    content = readme.read_text(encoding="utf-8")
    start, end = content.find(README_START), content.find(README_END)
    if start < 0 or end < start:
        return False
    new = content[: start + len(README_START)] + "\n" + text.rstrip("\n") + "\n" + content[end:]
    _write_atomic(readme, new)
    return True
