"""What the workspace held when a run started: the base of the copy-back's three-way merge.

The run sees the live workspace through its overlay, and other tasks may write the
workspace while it runs. So the copy-back may delete an entry only if it existed when the
run started and is still exactly what it was: same type, inode, size, mtime and ctime (the
kernel sets ctime on every change and no one can set it back). A file whose ctime falls
within a clock tick of the snapshot could change again unseen in that tick ("racily
clean", as git calls it): its content hash is recorded too, or, past `_HASH_BYTES`, it
counts as not seen. Past `_MAX_ENTRIES` the walk stops: what it did not reach counts as
not seen either, and what is not seen is never deleted.
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Snapshot"]

_MAX_ENTRIES = 100_000
"""A workspace past this many entries is seen only in part (the rest is never deleted)."""
_HASH_BYTES = 1024 * 1024
"""A racily clean file up to this size is hashed; a larger one counts as not seen."""
_TICK_NS = 50_000_000
"""More than the coarse clock's tick that file timestamps come from (4-10 ms)."""
_MAX_DEPTH = 64
_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


_Seen = tuple[int, int, int, int, int, bytes | None]
"""One entry as the snapshot found it: type, inode, size, mtime, ctime (ns), and the
content hash of a racily clean regular file. A tuple: a workspace may hold many."""


@dataclass
class Snapshot:
    """Workspace-relative paths ("dir/name", surrogateescaped) and what each was."""

    entries: dict[str, _Seen] = field(default_factory=dict)

    @classmethod
    def take(cls, workspace: Path) -> Snapshot:
        """Walk `workspace` (never following links), at most `_MAX_ENTRIES` entries."""
        snapshot = cls()
        racy_after = time.time_ns() - _TICK_NS
        fd = os.open(workspace, _DIRECTORY)
        try:
            snapshot._walk(fd, "", racy_after)
        finally:
            os.close(fd)
        return snapshot

    def _walk(self, directory_fd: int, prefix: str, racy_after: int) -> None:
        if prefix.count("/") >= _MAX_DEPTH:
            return
        try:
            listing = list(os.scandir(directory_fd))
        except OSError:
            return
        for entry in listing:
            if len(self.entries) >= _MAX_ENTRIES:
                return
            name = entry.name
            try:
                info = entry.stat(follow_symlinks=False)
                seen = _seen(info, directory_fd, name, racy_after)
            except OSError:
                continue  # gone already, or unreadable: not seen
            if seen is None:
                continue
            path = prefix + name
            self.entries[path] = seen
            if stat.S_ISDIR(info.st_mode):
                try:
                    child = os.open(name, _DIRECTORY, dir_fd=directory_fd)
                except OSError:
                    continue
                try:
                    self._walk(child, path + "/", racy_after)
                finally:
                    os.close(child)

    def unchanged(self, path: str, directory_fd: int, name: str) -> bool:
        """Whether `name` in `directory_fd` is the entry the snapshot saw at `path`."""
        seen = self.entries.get(path)
        if seen is None:
            return False
        try:
            info = os.lstat(name, dir_fd=directory_fd)
        except OSError:
            return False
        kind, inode, size, mtime_ns, ctime_ns, digest = seen
        if stat.S_IFMT(info.st_mode) != kind or info.st_ino != inode:
            return False
        if stat.S_ISDIR(info.st_mode):
            return True  # its entries are compared one by one
        if (info.st_size, info.st_mtime_ns, info.st_ctime_ns) != (size, mtime_ns, ctime_ns):
            return False
        return digest is None or _digest(directory_fd, name) == digest

    def saw(self, path: str) -> bool:
        """Whether an entry existed at `path` when the run started."""
        return path in self.entries


def _seen(info: os.stat_result, directory_fd: int, name: str, racy_after: int) -> _Seen | None:
    """The entry's identity; None when it cannot be told apart from a later change."""
    digest = None
    if stat.S_ISREG(info.st_mode) and info.st_ctime_ns >= racy_after:
        if info.st_size > _HASH_BYTES:
            return None
        digest = _digest(directory_fd, name)
    kind = stat.S_IFMT(info.st_mode)
    return (kind, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns, digest)


def _digest(directory_fd: int, name: str) -> bytes:
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
    fd = os.open(name, flags, dir_fd=directory_fd)
    try:
        hasher = hashlib.sha256()
        while chunk := os.read(fd, 1 << 16):
            hasher.update(chunk)
        return hasher.digest()
    finally:
        os.close(fd)
