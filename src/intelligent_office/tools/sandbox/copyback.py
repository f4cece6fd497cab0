"""Apply a run's overlay upper layer to the real workspace, as the service.

Only what a user's workspace should receive from an untrusted run gets through: regular
files and directories, and deletions (overlay whiteouts and opaque directories).
Symlinks, hard links, FIFOs, sockets and devices are refused and reported; setuid and
setgid bits are stripped; what is written belongs to the workspace's owner, not to the
run's uid; a file past the per-file limit or the run's total is refused, and so is what
is left when the time limit is up. Every path is
opened beneath the workspace without following symlinks, and each file is written to a
new inode and renamed into place (never written through an existing link).

Other tasks may write the workspace while the run runs, so the run's changes are applied
as a three-way merge against the `Snapshot` taken when it started. A deletion (a
whiteout, an opaque directory, a file or directory replaced by the other kind) removes
only entries the snapshot saw and that are unchanged since; anything else is kept and
reported as a conflict. A file the run wrote over an entry that changed meanwhile (or
appeared, or was deleted) is a conflict too: the other writer's version stays, and the
run's is written beside it as `NAME.conflict-XXXXXXXX`. Nothing the run did not see is
ever deleted or replaced.

Call it only after every process of the run has ended: the upper layer must be still.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from intelligent_office.safe_text import escape_surrogates
from intelligent_office.tools.sandbox.snapshot import Snapshot

__all__ = ["CopyBackReport", "Limits", "Owner", "copy_back"]

_OPAQUE = "trusted.overlay.opaque"
_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_REPORTED = 100
"""Refusals listed one by one; past this many, a count."""
_MAX_DEPTH = 64
"""Directories nested deeper are refused (the walk recurses; it must not run out)."""


@dataclass(frozen=True)
class Owner:
    """Who the workspace's new files and directories belong to."""

    uid: int
    gid: int


@dataclass
class CopyBackReport:
    """Workspace-relative paths, by what happened to them."""

    written: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    stripped: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    """"path: reason", the first 100; then one "... and N more" line."""
    refused_count: int = 0
    conflicts: list[str] = field(default_factory=list)
    """"path: what was kept", for what changed in the workspace during the run; capped
    like `refused`."""
    conflict_count: int = 0

    def refuse(self, path: str, reason: str) -> None:
        self.refused_count += 1
        _listed(self.refused, self.refused_count, path, reason)

    def conflict(self, path: str, reason: str) -> None:
        self.conflict_count += 1
        _listed(self.conflicts, self.conflict_count, path, reason)


def _listed(lines: list[str], count: int, path: str, reason: str) -> None:
    """Add "path: reason" as the `count`th line, or count it past `_REPORTED`."""
    if count <= _REPORTED:
        lines.append(f"{escape_surrogates(path)}: {reason}")
    else:
        lines[_REPORTED:] = [f"... and {count - _REPORTED} more"]


@dataclass(frozen=True)
class Limits:
    """How much one copy-back may write, and for how long."""

    file_bytes: int
    total_bytes: int
    seconds: float
    """Creating files costs what the disk makes it cost: past this, the rest is refused."""


def copy_back(
    upper: Path, workspace: Path, owner: Owner, limits: Limits, snapshot: Snapshot
) -> CopyBackReport:
    """Merge what the run left in `upper` into the workspace, as it was at `snapshot`."""
    copier = _CopyBack(owner, limits, snapshot)
    upper_fd = os.open(upper, _DIRECTORY)
    try:
        workspace_fd = os.open(workspace, _DIRECTORY)
        try:
            copier.merge(upper_fd, workspace_fd, "", opaque=False)
        finally:
            os.close(workspace_fd)
    finally:
        os.close(upper_fd)
    return copier.report


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symlink"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device"


def _beside(name: str) -> str:
    """A new name beside `name` for the run's version of a conflicting entry."""
    return f"{name}.conflict-{secrets.token_hex(4)}"


class _CopyBack:
    def __init__(self, owner: Owner, limits: Limits, snapshot: Snapshot) -> None:
        self.owner = owner
        self.max_file_bytes = limits.file_bytes
        self.budget = limits.total_bytes
        self.deadline = time.monotonic() + limits.seconds
        self.snapshot = snapshot
        self.report = CopyBackReport()

    def merge(self, source_fd: int, target_fd: int, prefix: str, *, opaque: bool) -> None:
        """Apply the upper directory `source_fd` onto the workspace directory `target_fd`.

        `opaque`: the run deleted what the directory held (and saw none of it since), so
        whatever it did not write again is deleted, as far as the snapshot allows.
        """
        names = sorted(os.listdir(source_fd))
        if opaque:
            written = set(names)
            for name in sorted(os.listdir(target_fd)):
                if name not in written:
                    self._guarded(self._delete, target_fd, name, prefix + name)
        for name in names:
            path = prefix + name
            if time.monotonic() > self.deadline:
                self.report.refuse(path, "not copied back: out of time")
                continue
            self._guarded(
                lambda fd, n, p: self._entry(source_fd, fd, n, p, opaque), target_fd, name, path
            )

    def _guarded(
        self, step: Callable[[int, str, str], object], target_fd: int, name: str, path: str
    ) -> None:
        try:
            step(target_fd, name, path)
        except OSError as error:  # this entry only; the rest still gets through
            self.report.refuse(path, f"not copied back: {error.strerror or error}")

    def _entry(self, source_fd: int, target_fd: int, name: str, path: str, opaque: bool) -> None:
        info = os.lstat(name, dir_fd=source_fd)
        mode = info.st_mode
        if stat.S_ISCHR(mode) and info.st_rdev == 0:  # a whiteout: deleted by the run
            self._delete(target_fd, name, path)
        elif stat.S_ISDIR(mode):
            self._directory(source_fd, target_fd, name, path, mode, opaque)
        elif stat.S_ISREG(mode):
            self._file(source_fd, target_fd, name, path)
        else:
            self.report.refuse(path, _kind(mode))

    def _delete(self, target_fd: int, name: str, path: str) -> bool:
        """Delete what the run deleted, where unchanged since the snapshot; True if all gone.

        A directory wholly gone is reported as itself; one that keeps entries is reported
        entry by entry.
        """
        try:
            info = os.lstat(name, dir_fd=target_fd)
        except FileNotFoundError:
            return True
        if not stat.S_ISDIR(info.st_mode):
            if self.snapshot.unchanged(path, target_fd, name):
                os.unlink(name, dir_fd=target_fd)
                self.report.deleted.append(path)
                return True
            self._kept(path)
            return False
        if path.count("/") >= _MAX_DEPTH:  # the snapshot saw nothing this deep either
            self.report.conflict(path, f"kept: nested deeper than {_MAX_DEPTH} directories")
            return False
        reported = len(self.report.deleted)
        child = os.open(name, _DIRECTORY, dir_fd=target_fd)
        try:
            gone = [self._delete(child, entry, f"{path}/{entry}") for entry in os.listdir(child)]
        finally:
            os.close(child)
        if not all(gone):
            return False
        if not self.snapshot.unchanged(path, target_fd, name):
            self._kept(path)
            return False
        os.rmdir(name, dir_fd=target_fd)
        self.report.deleted[reported:] = [path]
        return True

    def _kept(self, path: str) -> None:
        if self.snapshot.saw(path):
            self.report.conflict(path, "kept: changed by another writer during the run")
        else:
            self.report.conflict(path, "kept: made by another writer during the run")

    def _replaceable(self, target_fd: int, name: str, path: str) -> bool:
        """Whether the run's entry may take `name`'s place: what is there is what it saw."""
        try:
            info = os.lstat(name, dir_fd=target_fd)
        except FileNotFoundError:
            return not self.snapshot.saw(path)  # else deleted by another writer meanwhile
        if stat.S_ISDIR(info.st_mode):
            return self._delete(target_fd, name, path)
        return self.snapshot.unchanged(path, target_fd, name)

    def _directory(
        self, source_fd: int, target_fd: int, name: str, path: str, mode: int, opaque: bool
    ) -> None:
        if path.count("/") >= _MAX_DEPTH:
            self.report.refuse(path, f"nested deeper than {_MAX_DEPTH} directories")
            return
        child_source = os.open(name, _DIRECTORY, dir_fd=source_fd)
        try:
            # Opaque: the run deleted what was there and made a new directory. Inside an
            # opaque directory the run saw nothing of the workspace, so its children are too.
            if not opaque:
                try:
                    opaque = os.getxattr(child_source, _OPAQUE) == b"y"
                except OSError:
                    opaque = False
            child_target, shown = self._open_or_make_directory(target_fd, name, path, mode)
            try:
                self.merge(child_source, child_target, shown + "/", opaque=opaque)
            finally:
                os.close(child_target)
        finally:
            os.close(child_source)

    def _open_or_make_directory(
        self, target_fd: int, name: str, path: str, mode: int
    ) -> tuple[int, str]:
        """The workspace directory the run's `path` merges into, and its path."""
        prefix = path[: len(path) - len(name)]
        try:
            info: os.stat_result | None = os.lstat(name, dir_fd=target_fd)
        except FileNotFoundError:
            info = None
        if info is not None and stat.S_ISDIR(info.st_mode):
            return os.open(name, _DIRECTORY, dir_fd=target_fd), path
        if info is not None:  # a file or symlink where the run made a directory
            if self.snapshot.unchanged(path, target_fd, name):
                os.unlink(name, dir_fd=target_fd)
            else:
                name = _beside(name)
                self.report.conflict(
                    path,
                    f"kept: changed by another writer during the run; the run's "
                    f"directory is {escape_surrogates(prefix + name)}",
                )
        os.mkdir(name, 0o700, dir_fd=target_fd)
        child = os.open(name, _DIRECTORY, dir_fd=target_fd)
        os.fchown(child, self.owner.uid, self.owner.gid)
        os.fchmod(child, stat.S_IMODE(mode) & 0o777)
        self.report.written.append(prefix + name + "/")
        return child, prefix + name

    def _file(self, source_fd: int, target_fd: int, name: str, path: str) -> None:
        source = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=source_fd)
        try:
            info = os.fstat(source)
            if info.st_nlink > 1:
                self.report.refuse(path, "a hard link")
                return
            if info.st_size > self.max_file_bytes or info.st_size > self.budget:
                self.report.refuse(path, f"{info.st_size} bytes, past the size limit")
                return
            self.budget -= info.st_size
            mode = stat.S_IMODE(info.st_mode)
            if mode & (stat.S_ISUID | stat.S_ISGID):
                self.report.stripped.append(path)
            if not self._replaceable(target_fd, name, path):
                prefix = path[: len(path) - len(name)]
                name = _beside(name)
                self.report.conflict(
                    path,
                    f"kept: changed by another writer during the run; the run's "
                    f"version is {escape_surrogates(prefix + name)}",
                )
                path = prefix + name
            self._write(source, info, target_fd, name, mode & 0o777)
        finally:
            os.close(source)
        self.report.written.append(path)

    def _write(
        self, source: int, info: os.stat_result, target_fd: int, name: str, mode: int
    ) -> None:
        # A new name is created in place; an existing one is replaced by a rename, so
        # nothing is ever written through what was there (a link, say).
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        try:
            target = os.open(name, flags, 0o600, dir_fd=target_fd)
            temporary = None
        except FileExistsError:
            temporary = f".office-copy-back-{secrets.token_hex(8)}"
            target = os.open(temporary, flags, 0o600, dir_fd=target_fd)
        try:
            try:
                _copy_data(source, target, info.st_size)
                os.fchown(target, self.owner.uid, self.owner.gid)
                os.fchmod(target, mode)
                os.utime(target, ns=(info.st_atime_ns, info.st_mtime_ns))
            finally:
                os.close(target)
            if temporary is not None:
                # A directory made there meanwhile fails this (EISDIR): refused, not removed.
                os.rename(temporary, name, src_dir_fd=target_fd, dst_dir_fd=target_fd)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary or name, dir_fd=target_fd)
            raise


def _copy_data(source: int, target: int, size: int) -> None:
    offset = 0
    while offset < size:
        sent = os.sendfile(target, source, offset, size - offset)
        if sent == 0:
            break  # the file shrank: a still upper layer does not, but never loop
        offset += sent
