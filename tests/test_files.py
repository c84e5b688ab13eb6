"""Writing files loses nothing and destroys nothing: what is at the path decides how."""

from __future__ import annotations

import os
import re
import socket
import stat
import subprocess
import sys
import threading

import pytest

import nn
from autograd.files import atomic_write, writing

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_a_character_device_is_written_into_not_replaced(tmp_path):
    # As root, --svg onto a character device turned the device node into a regular SVG file.
    if os.geteuid() != 0:
        pytest.skip("mknod needs root")
    device = tmp_path / "null"
    os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # a second /dev/null
    atomic_write(device, b"<svg/>")
    assert stat.S_ISCHR(os.stat(device).st_mode)
    done = subprocess.run(
        [sys.executable, "-m", "autograd", "x*2", "x=1", "--svg", str(device)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert stat.S_ISCHR(os.stat(device).st_mode) and os.listdir(tmp_path) == ["null"]


def test_a_fifo_is_written_into(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    atomic_write(fifo, b"through the pipe")
    reader.join(5)
    assert received == [b"through the pipe"] and stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_svg_to_dev_stdout_prints_the_svg_alone(tmp_path):
    # /dev/stdout is a link to /proc/self/fd/1; a link of our own to it behaves the same, and a
    # regression replaces this link, not the machine's /dev/stdout.
    if not os.path.exists("/proc/self/fd/1"):
        pytest.skip("no /proc/self/fd")
    stdout = tmp_path / "stdout"
    stdout.symlink_to("/proc/self/fd/1")
    done = subprocess.run(
        [sys.executable, "-m", "autograd", "x*2", "x=1", "--svg", str(stdout)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("<?xml") and done.stdout.rstrip().endswith("</svg>")
    assert "df/dx = 2" in done.stderr  # the numbers go to stderr, out of the SVG's way
    assert stdout.is_symlink()


def test_a_symlink_stays_a_link_and_its_target_is_written(tmp_path):
    # Saving over a symlink replaced the link by a file.
    target, link = tmp_path / "real.json", tmp_path / "model.json"
    target.write_text("old")
    link.symlink_to("real.json")
    nn.MLP(2, [1], seed=0).save(link)
    assert link.is_symlink() and os.readlink(link) == "real.json"
    assert '"format": "scalar-autograd/nn"' in target.read_text()
    dangling = tmp_path / "new.json"
    dangling.symlink_to("made-on-save.json")
    atomic_write(dangling, b"x")
    assert dangling.is_symlink() and (tmp_path / "made-on-save.json").read_bytes() == b"x"


def test_an_existing_files_mode_is_kept(tmp_path):
    # Saving reset the mode to 0600.
    path = tmp_path / "model.json"
    path.write_text("old")
    os.chmod(path, 0o640)
    nn.MLP(2, [1], seed=0).save(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    fresh = tmp_path / "fresh.json"
    atomic_write(fresh, b"new")
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(os.stat(fresh).st_mode) == 0o666 & ~mask


def test_a_directory_and_a_socket_are_refused(tmp_path):
    with pytest.raises(IsADirectoryError, match="it is a directory"):
        atomic_write(tmp_path, b"x")
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(tmp_path / "sock"))
        with pytest.raises(OSError, match="it is a socket"):
            atomic_write(tmp_path / "sock", b"x")
    finally:
        server.close()


def test_an_error_while_writing_leaves_the_old_file_and_no_temporary_file(tmp_path):
    path = tmp_path / "model.json"
    path.write_text("old")
    with pytest.raises(RuntimeError), writing(path) as f:
        f.write(b"half")
        raise RuntimeError("killed")
    assert path.read_text() == "old" and os.listdir(tmp_path) == ["model.json"]


KILLED = """
import os, signal, sys
from autograd.files import writing
with writing(sys.argv[1]) as f:
    f.write(b"x" * 100_000)
    f.flush()
    os.kill(os.getpid(), signal.SIGKILL)  # killed halfway through a save
"""


def test_a_killed_saves_temporary_file_says_what_it_is_and_the_next_save_removes_it(tmp_path):
    path = tmp_path / "model.json"
    path.write_text("old")
    killed = subprocess.Popen([sys.executable, "-c", KILLED, str(path)], cwd=ROOT)
    assert killed.wait() == -9
    (left,) = [name for name in os.listdir(tmp_path) if name != "model.json"]
    assert re.fullmatch(rf"\.model\.json\.incomplete-.+-{killed.pid}-[0-9a-f]{{8}}\.tmp", left)
    assert path.read_text() == "old"
    # a save still running elsewhere (here: this process's parent, alive) keeps its file
    running = left.replace(left.split("-")[-2], str(os.getppid()))
    (tmp_path / running).write_bytes(b"in progress")
    atomic_write(path, b"new")
    assert sorted(os.listdir(tmp_path)) == sorted(["model.json", running])
    assert path.read_bytes() == b"new"
