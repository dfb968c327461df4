"""Resident memory of a server's worker processes, read from /proc.

A worker is a process of the server's tree that has the PKCS#11 module mapped: each worker
initialises the HSM itself, and a supervisor that only forks and watches never does. That holds
for one process (the server is its own worker) and for N uvicorn workers alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
PKCS11_MODULE = "libsofthsm2"


@dataclass(frozen=True)
class WorkerMemory:
    pid: int
    rss_mb: float


def workers(root: int) -> list[int]:
    """The worker processes under ``root`` (itself included); ``[root]`` if none has the module."""
    tree = [root, *_descendants(root)]
    found = [pid for pid in tree if _maps_module(pid)]
    return found or [root]


def worker_memory(root: int) -> list[WorkerMemory]:
    return [WorkerMemory(pid, rss) for pid in workers(root) if (rss := rss_mb(pid)) is not None]


def rss_mb(pid: int) -> float | None:
    """VmRSS in MiB, or None once the process is gone."""
    try:
        status = (PROC / str(pid) / "status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return None


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name (field 2) is in parentheses and may hold spaces; ppid follows it.
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found: list[int] = []
    pending = [root]
    while pending:
        for child in children.get(pending.pop(), []):
            found.append(child)
            pending.append(child)
    return found


def _maps_module(pid: int) -> bool:
    try:
        return PKCS11_MODULE in (PROC / str(pid) / "maps").read_text()
    except OSError:
        return False
