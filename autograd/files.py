"""Writing a file so that nothing is lost: readers see the old content or the new, never half.

Everything this project writes (graphs, step frames, saved models, the demos' pictures and
pages, benchmark results) goes through here. What is at the path decides how:

- nothing, or a regular file: the new content goes to a temporary file beside it, is flushed
  to disk, takes the old file's permission bits (and owner, where allowed), and replaces the
  old file in one step (``os.replace``); the folder is then flushed too. A crash at any moment
  leaves the old file or the new one. The temporary file is named
  ``.NAME.incomplete-HOST-PID-XXXXXXXX.tmp``; one left by a process that was killed is removed
  by the next write to NAME on that host (one whose process still runs is left alone);
- a symbolic link: the file it points to is written as above, and the link stays a link;
- a character device or a pipe (``/dev/stdout``, ``/dev/null``, a FIFO): written into
  directly, as a shell redirection would — replacing one would destroy it;
- a directory, a block device, a socket: refused with an OSError that says what it is.

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

import contextlib
import os
import re
import secrets
import socket
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

__all__ = ["atomic_write", "writing"]


@contextlib.contextmanager
def writing(path: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """A binary file to write ``path``'s new content into; see the module's docstring for what
    happens at the end of the block (on an error inside it, ``path`` is left as it was)."""
    try:
        existing = os.stat(path)  # what the path leads to, through any symbolic links
    except FileNotFoundError:
        existing = None
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        with _stream(Path(path), existing.st_mode) as f:
            yield f
        return
    target = Path(os.path.realpath(path))  # a link's file: the link itself stays
    _remove_abandoned(target)
    tmp = (
        target.parent
        / f".{target.name}.incomplete-{_HOST}-{os.getpid()}-{secrets.token_hex(4)}.tmp"
    )
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        _take_over(tmp, existing)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _flush_folder(target.parent)


def atomic_write(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` (see :func:`writing`) and return the path."""
    with writing(path) as f:
        f.write(data)
    return Path(path)


_HOST = re.sub(r"[^A-Za-z0-9_.]", "_", socket.gethostname()) or "host"


@contextlib.contextmanager
def _stream(path: Path, mode: int) -> Iterator[BinaryIO]:
    """Write straight into a character device or a pipe; refuse anything else."""
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        with open(path, "wb") as f:
            yield f
        return
    kind = (
        "a directory"
        if stat.S_ISDIR(mode)
        else "a block device"
        if stat.S_ISBLK(mode)
        else "a socket"
        if stat.S_ISSOCK(mode)
        else "not a regular file"
    )
    error = IsADirectoryError if stat.S_ISDIR(mode) else OSError
    raise error(f"will not write {path}: it is {kind}, and writing would destroy it")


def _take_over(tmp: Path, existing: os.stat_result | None) -> None:
    """Give the new file the old one's permission bits and owner, or a new file's usual bits."""
    if existing is None:
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)
        return
    os.chmod(tmp, stat.S_IMODE(existing.st_mode))
    if hasattr(os, "chown"):
        with contextlib.suppress(PermissionError):  # only root may give a file away
            os.chown(tmp, existing.st_uid, existing.st_gid)


def _remove_abandoned(target: Path) -> None:
    """Remove the temporary files of writes to ``target`` whose process has died (on this
    host: a process elsewhere, sharing the folder, cannot be asked)."""
    pattern = re.compile(
        re.escape(f".{target.name}.incomplete-{_HOST}-") + r"(\d+)-[0-9a-f]{8}\.tmp\Z"
    )
    try:
        names = os.listdir(target.parent)
    except OSError:
        return
    for name in names:
        found = pattern.match(name)
        if found and not _running(int(found.group(1))):
            with contextlib.suppress(OSError):
                os.unlink(target.parent / name)


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # it exists (another user's), or we cannot tell: leave it
    return True


def _flush_folder(folder: Path) -> None:
    """Flush the folder's entry for the new file to disk (POSIX; a no-op elsewhere)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
