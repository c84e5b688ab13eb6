"""The gallery: ``out/index.html``, one plain HTML page showing every demo's pictures and tables.

Images are embedded by relative path, so the ``out/`` folder can be moved or zipped as a whole.
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from pathlib import Path

from .common import Result, atomic_write

__all__ = ["write_gallery"]

_STYLE = """
  body { font-family: system-ui, sans-serif; max-width: 64em; margin: 2em auto; padding: 0 1em;
         color: #1f2937; line-height: 1.45; }
  h1 { font-size: 1.5em; margin-bottom: .2em; }
  h2 { font-size: 1.15em; margin-top: 2.2em; border-bottom: 1px solid #e5e7eb; }
  .lead { color: #4b5563; margin-top: 0; }
  figure { margin: 1em 0; }
  figure img { max-width: 100%; border: 1px solid #e5e7eb; border-radius: 4px; }
  figcaption { color: #4b5563; font-size: .92em; }
  pre { background: #f9fafb; border: 1px solid #e5e7eb; padding: .6em .8em; overflow-x: auto;
        font-size: .8em; }
  summary { cursor: pointer; color: #2563eb; }
  .time { color: #9ca3af; font-weight: normal; font-size: .8em; }
"""


def write_gallery(
    results: Sequence[Result],
    summaries: dict[str, str],
    out: Path,
    *,
    seconds: dict[str, float] | None = None,
) -> Path:
    """Write ``out/index.html`` for ``results`` (in order) and return its path.

    ``summaries`` maps a demo's name to its one-line description; ``seconds`` to how long it
    took (shown beside its heading).
    """
    out = Path(out)
    seconds = seconds or {}
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>scalar-autograd demos</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<h1>scalar-autograd demos</h1>",
        '<p class="lead">The seed documents rebuilt with the engine, micrograd\'s moons, and '
        "the engine's graphs — written by <code>python -m demos all</code>.</p>",
    ]
    for result in results:
        took = seconds.get(result.name)
        timing = f' <span class="time">{took:.1f} s</span>' if took is not None else ""
        summary = summaries.get(result.name)
        title = html.escape(f"{result.name}: {summary}" if summary else result.name)
        parts.append(f'<h2 id="{html.escape(result.name)}">{title}{timing}</h2>')
        parts.extend(f"<p>{html.escape(note)}</p>" for note in result.notes)
        for image in result.images:
            src = html.escape(_relative(image.path, out))
            caption = html.escape(image.caption)
            parts.append(
                f'<figure><img src="{src}" alt="{caption}"><figcaption>{caption}</figcaption>'
                "</figure>"
            )
        for page in result.pages:
            href = html.escape(_relative(page.path, out))
            parts.append(f'<p><a href="{href}">{html.escape(page.caption)}</a></p>')
        if result.log:
            shown = "" if result.images else " open"  # no picture: show the tables at once
            parts.append(
                f"<details{shown}><summary>what it printed (the tables)</summary>"
                f"<pre>{html.escape(result.log.strip())}</pre></details>"
            )
    parts.append("</body></html>\n")
    return atomic_write(out / "index.html", "\n".join(parts).encode())


def _relative(path: Path, folder: Path) -> str:
    """``path`` relative to ``folder``, with forward slashes (a URL)."""
    return Path(os.path.relpath(Path(path).resolve(), Path(folder).resolve())).as_posix()
