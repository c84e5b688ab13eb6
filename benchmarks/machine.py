"""What the numbers were measured on: CPU, cores, Python, package versions, load, time."""

from __future__ import annotations

import os
import platform
import sys
from datetime import datetime, timezone
from importlib import metadata
from typing import Any

__all__ = ["describe_machine", "summary"]

PACKAGES = ("scalar-autograd", "micrograd", "numpy", "torch")


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _load() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def describe_machine() -> dict[str, Any]:
    """The machine and software, with the load average (other work on the machine shows there)."""
    return {
        "timestamp": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(),
        "executable": sys.executable,
        "packages": {p: _version(p) for p in PACKAGES},
        "load_average": _load(),
    }


def summary(machine: dict[str, Any]) -> str:
    """One line for the table's heading."""
    versions = ", ".join(f"{p} {v}" for p, v in machine["packages"].items() if v)
    load = machine.get("load_average")
    return (
        f"{machine['cpu']}, {machine['cores']} cores, {machine['python']}; {versions}; "
        f"load {load[0] if load else '?'} at start; {machine['timestamp']}"
    )
