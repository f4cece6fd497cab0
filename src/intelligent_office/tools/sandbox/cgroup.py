"""A per-run cgroup: caps the number of processes and kills the whole tree at the end.

Works with cgroup v2 (`cgroup.kill`, `pids.max`) and the v1 pids hierarchy found in many
containers; either part may be missing, which `CgroupSupport` reports. The launcher joins
the group in its preexec step, so every descendant (double-forked daemons included) is
in it and cannot leave without privileges the sandbox drops.
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Cgroup", "CgroupSupport", "support"]

_ROOT = Path("/sys/fs/cgroup")
_PREFIX = "intelligent-office-sandbox"


@dataclass(frozen=True)
class CgroupSupport:
    """Which cgroup directories a run can create its group under."""

    kill_parent: Path | None
    """A v2 hierarchy (cgroup.kill): kills every member at once."""
    pids_parent: Path | None
    """A hierarchy with the pids controller (pids.max)."""

    def describe(self) -> str:
        """One line for `office doctor`."""
        parts = []
        parts.append("kill: cgroup.kill" if self.kill_parent else "kill: by listing members")
        parts.append("pids.max" if self.pids_parent else "no pids controller")
        if not (self.kill_parent or self.pids_parent):
            return "unavailable"
        return ", ".join(parts)


def _can_create(parent: Path, required: str) -> bool:
    probe = parent / f"{_PREFIX}-probe-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        probe.mkdir()
    except OSError:
        return False
    try:
        return (probe / required).exists()
    finally:
        with contextlib.suppress(OSError):
            probe.rmdir()


@functools.cache
def support() -> CgroupSupport:
    """Probe once which cgroup features this process can use."""
    v2_candidates = [_ROOT / "unified", _ROOT] if (_ROOT / "unified").is_dir() else [_ROOT]
    kill_parent = next(
        (
            p
            for p in v2_candidates
            if (p / "cgroup.procs").exists() and _can_create(p, "cgroup.kill")
        ),
        None,
    )
    pids_candidates = [_ROOT / "pids", _ROOT]
    pids_parent = next(
        (
            p
            for p in pids_candidates
            if (p / "cgroup.procs").exists() and _can_create(p, "pids.max")
        ),
        None,
    )
    return CgroupSupport(kill_parent, pids_parent)


class Cgroup:
    """The cgroup(s) of one run. Create, join from the child, kill, remove."""

    def __init__(
        self, max_processes: int, support_: CgroupSupport | None = None, kill: bool = True
    ) -> None:
        """Create the group; `kill=False` when a PID namespace already ends the tree.

        Every hierarchy joined costs a migration at start (milliseconds on a busy
        machine), so a run joins only those it needs.
        """
        found = support_ or support()
        name = f"{_PREFIX}-{os.getpid()}-{uuid.uuid4().hex[:12]}"
        self.directories: list[Path] = []
        self._kill_dir: Path | None = None
        parents = (found.kill_parent if kill else None, found.pids_parent)
        for parent in dict.fromkeys(p for p in parents if p):
            directory = parent / name
            try:
                directory.mkdir()
            except OSError:
                continue
            self.directories.append(directory)
            if parent == found.kill_parent:
                self._kill_dir = directory
            if parent == found.pids_parent:
                with contextlib.suppress(OSError):
                    (directory / "pids.max").write_text(str(max_processes))
        # Opened now, written by the child before exec: no path lookups there.
        self._procs_paths = [str(d / "cgroup.procs") for d in self.directories]

    def join(self) -> None:
        """Move the calling process into the group (for a preexec step)."""
        for path in self._procs_paths:
            fd = os.open(path, os.O_WRONLY)
            try:
                os.write(fd, b"0")
            finally:
                os.close(fd)

    def add(self, pid: int) -> None:
        """Move process `pid` into the group (from outside, for a launcher that waits)."""
        for path in self._procs_paths:
            with open(path, "w") as procs:
                procs.write(str(pid))

    def members(self) -> list[int]:
        """Pids still in the group."""
        pids: set[int] = set()
        for directory in self.directories:
            with contextlib.suppress(OSError):
                pids.update(int(x) for x in (directory / "cgroup.procs").read_text().split())
        return sorted(pids)

    def kill(self) -> None:
        """SIGKILL every member, repeating until the group is empty (forks race a listing)."""
        if self._kill_dir is not None:
            with contextlib.suppress(OSError):
                (self._kill_dir / "cgroup.kill").write_text("1")
        deadline = time.monotonic() + 2.0
        while (pids := self.members()) and time.monotonic() < deadline:
            for pid in pids:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.001)

    def remove(self) -> None:
        """Remove the group's directories; a group still emptying is retried briefly."""
        for directory in self.directories:
            for _ in range(200):
                try:
                    directory.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:  # EBUSY: killed members not yet gone
                    time.sleep(0.005)

    def remove_later(self) -> None:
        """Remove the group in a worker thread, off the run's critical path."""
        if self.directories:
            threading.Thread(target=self.remove, name="sandbox-cgroup-remove", daemon=True).start()
