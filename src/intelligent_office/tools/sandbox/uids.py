"""Dedicated unprivileged uids, one per concurrent run, and killing all of a uid's processes.

RLIMIT_NPROC counts per real uid, and kill(-1) reaches every process of the sender's
uid: a uid of its own makes both mean "this run only".
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import random
import signal
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

__all__ = ["UidPool", "kill_uid"]


_CLEAN = b"clean"
_IN_USE = b"inuse"


class UidPool:
    """Hands out uids from [base, base + count), never one to two live runs.

    Runs of other service processes on the machine (tests, a second worker) draw from
    the same range, so a uid is held with an flock on a file in `lock_dir`, released
    when the run ends or its process dies; a uid that still has processes is skipped.
    Looking for them means reading every process's status: a holder that guarantees
    none is left (tier A: its PID namespace) says so, and the next lease of that uid
    skips the look (the lock file records it; a holder that died leaves it "in use").
    """

    def __init__(self, base: int, count: int, lock_dir: Path | None = None) -> None:
        self.base, self.count = base, count
        self.lock_dir = lock_dir or _default_lock_dir()
        # Each pool tries uids from its own random place on: pools of other processes
        # rarely collide, and this one keeps reusing the few uids it released clean.
        self._start = random.randrange(count)

    @contextlib.contextmanager
    def lease(self, leaves_nothing: bool = False) -> Iterator[int]:
        """A uid for one run, returned to the pool when the block ends.

        Args:
            leaves_nothing: the holder guarantees that no process of the uid is left when
                the block ends without an error.
        """
        self.lock_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        for offset in range(self.count):
            uid = self.base + (self._start + offset) % self.count
            fd = os.open(self.lock_dir / str(uid), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            # Zombies too: until reaped they count against the uid's RLIMIT_NPROC.
            if os.pread(fd, len(_CLEAN), 0) != _CLEAN and _pids_of(uid, zombies=True):
                os.close(fd)  # left over from a crashed service or not yet reaped
                continue
            os.pwrite(fd, _IN_USE, 0)
            clean = False
            try:
                yield uid
                clean = leaves_nothing
            finally:
                if clean:
                    os.pwrite(fd, _CLEAN, 0)
                os.close(fd)  # releases the lock
            return
        raise RuntimeError("no free sandbox uid: too many concurrent runs")


def _default_lock_dir() -> Path:
    run = Path("/run")
    base = run if os.access(run, os.W_OK) else Path(tempfile.gettempdir())
    return base / "intelligent-office-sandbox-uids"


def _pids_of(uid: int, zombies: bool = False) -> list[int]:
    wanted = str(uid).encode()
    pids = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            fd = os.open(f"/proc/{name}/status", os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            status = os.read(fd, 4096)  # State and Uid come early; raw bytes: a lease pays this
        except OSError:
            continue
        finally:
            os.close(fd)
        state = status.partition(b"\nState:\t")[2][:1]
        if state in (b"X", b"") or (state == b"Z" and not zombies):
            continue  # dead, waiting for its (new) parent to reap it: nothing to kill
        # Real, effective, saved and filesystem uids; the /proc directory's owner turns
        # to root for a process that made itself non-dumpable.
        if wanted in status.partition(b"\nUid:\t")[2].partition(b"\n")[0].split():
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
