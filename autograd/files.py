"""Writing a file atomically: readers see the old file or the new one, never half of one.

Everything this project writes (graphs, step frames, saved models, the demos' pictures and
pages, benchmark results) goes through here.

>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "note.txt")
>>> atomic_write(path, b"hello")
PosixPath('...note.txt')
>>> with writing(path) as f:
...     _ = f.write(b"hello again")
>>> open(path).read()
'hello again'
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

__all__ = ["atomic_write", "writing"]


@contextmanager
def writing(path: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """A binary file to write ``path``'s new content into; when the block ends without an
    error it replaces ``path`` in one step (a temporary file in the same folder, flushed to
    disk, then ``os.replace``). On an error ``path`` is untouched and the temporary file gone.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private; a new file is not
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def atomic_write(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`writing`) and return the path."""
    with writing(path) as f:
        f.write(data)
    return Path(path)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
