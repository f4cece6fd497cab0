"""Dedicated unprivileged uids, one per concurrent run, and killing all of a uid's processes.

RLIMIT_NPROC counts per real uid, and kill(-1) reaches every process of the sender's
uid: a uid of its own makes both mean "this run only".
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Iterator

__all__ = ["UidPool", "kill_uid"]


class UidPool:
    """Hands out uids from [base, base + count), never the same one to two live runs."""

    def __init__(self, base: int, count: int) -> None:
        self._free = list(range(base + count - 1, base - 1, -1))
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def lease(self) -> Iterator[int]:
        """A uid for one run, returned to the pool when the block ends."""
        with self._lock:
            if not self._free:
                raise RuntimeError("no free sandbox uid: too many concurrent runs")
            uid = self._free.pop()
        try:
            yield uid
        finally:
            with self._lock:
                self._free.append(uid)


def _pids_of(uid: int) -> list[int]:
    pids = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        with contextlib.suppress(OSError), open(f"/proc/{name}/status") as status:
            # The real, effective, saved and filesystem uids; the directory's owner
            # turns to root for a process that made itself non-dumpable.
            line = next(line for line in status if line.startswith("Uid:"))
            if str(uid) in line.split()[1:]:
                pids.append(int(name))
    return pids


def kill_uid(uid: int, within: float = 2.0) -> None:
    """SIGKILL every process running as `uid` until none is left (or time is up)."""
    deadline = time.monotonic() + within
    while (pids := _pids_of(uid)) and time.monotonic() < deadline:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.005)
