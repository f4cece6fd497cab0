"""Apply a run's overlay upper layer to the real workspace, as the service.

Only what a user's workspace should receive from an untrusted run gets through: regular
files and directories, and deletions (overlay whiteouts and opaque directories).
Symlinks, hard links, FIFOs, sockets and devices are refused and reported; setuid and
setgid bits are stripped; what is written belongs to the workspace's owner, not to the
run's uid; a file past the per-file limit or the run's total is refused, and so is what
is left when the time limit is up. Every path is
opened beneath the workspace without following symlinks, and each file is written to a
new inode and renamed into place (never written through an existing link).

Call it only after every process of the run has ended: the upper layer must be still.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path

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

    def refuse(self, path: str, reason: str) -> None:
        self.refused_count += 1
        if self.refused_count <= _REPORTED:
            # A name that is not UTF-8 is shown with replacement characters.
            shown = path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            self.refused.append(f"{shown}: {reason}")
        else:
            more = f"... and {self.refused_count - _REPORTED} more"
            self.refused[_REPORTED:] = [more]


@dataclass(frozen=True)
class Limits:
    """How much one copy-back may write, and for how long."""

    file_bytes: int
    total_bytes: int
    seconds: float
    """Creating files costs what the disk makes it cost: past this, the rest is refused."""


def copy_back(upper: Path, workspace: Path, owner: Owner, limits: Limits) -> CopyBackReport:
    """Make the workspace show what the run left in `upper`, within the rules above."""
    copier = _CopyBack(owner, limits)
    upper_fd = os.open(upper, _DIRECTORY)
    try:
        workspace_fd = os.open(workspace, _DIRECTORY)
        try:
            copier.merge(upper_fd, workspace_fd, "")
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


class _CopyBack:
    def __init__(self, owner: Owner, limits: Limits) -> None:
        self.owner = owner
        self.max_file_bytes = limits.file_bytes
        self.budget = limits.total_bytes
        self.deadline = time.monotonic() + limits.seconds
        self.report = CopyBackReport()

    def merge(self, source_fd: int, target_fd: int, prefix: str) -> None:
        """Apply the upper directory `source_fd` onto the workspace directory `target_fd`."""
        for name in sorted(os.listdir(source_fd)):
            path = prefix + name
            if time.monotonic() > self.deadline:
                self.report.refuse(path, "not copied back: out of time")
                continue
            try:
                self._entry(source_fd, target_fd, name, path)
            except OSError as error:  # this entry only; the rest still gets through
                self.report.refuse(path, f"not copied back: {error.strerror or error}")

    def _entry(self, source_fd: int, target_fd: int, name: str, path: str) -> None:
        info = os.lstat(name, dir_fd=source_fd)
        mode = info.st_mode
        if stat.S_ISCHR(mode) and info.st_rdev == 0:  # a whiteout: deleted by the run
            if _remove(target_fd, name):
                self.report.deleted.append(path)
        elif stat.S_ISDIR(mode):
            self._directory(source_fd, target_fd, name, path, mode)
        elif stat.S_ISREG(mode):
            self._file(source_fd, target_fd, name, path)
        else:
            self.report.refuse(path, _kind(mode))

    def _directory(self, source_fd: int, target_fd: int, name: str, path: str, mode: int) -> None:
        if path.count("/") >= _MAX_DEPTH:
            self.report.refuse(path, f"nested deeper than {_MAX_DEPTH} directories")
            return
        child_source = os.open(name, _DIRECTORY, dir_fd=source_fd)
        try:
            try:
                opaque = os.getxattr(child_source, _OPAQUE) == b"y"
            except OSError:
                opaque = False
            # Opaque: the run deleted what was there and made a new directory.
            if opaque and _remove(target_fd, name):
                self.report.deleted.append(path)
            child_target = self._open_or_make_directory(target_fd, name, path, mode)
            try:
                self.merge(child_source, child_target, path + "/")
            finally:
                os.close(child_target)
        finally:
            os.close(child_source)

    def _open_or_make_directory(self, target_fd: int, name: str, path: str, mode: int) -> int:
        with contextlib.suppress(FileNotFoundError):
            try:
                return os.open(name, _DIRECTORY, dir_fd=target_fd)
            except OSError as error:
                if error.errno not in (errno.ENOTDIR, errno.ELOOP):
                    raise
                _remove(target_fd, name)  # a file or symlink where the run made a directory
        os.mkdir(name, 0o700, dir_fd=target_fd)
        child = os.open(name, _DIRECTORY, dir_fd=target_fd)
        os.fchown(child, self.owner.uid, self.owner.gid)
        os.fchmod(child, stat.S_IMODE(mode) & 0o777)
        self.report.written.append(path + "/")
        return child

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
                try:
                    os.rename(temporary, name, src_dir_fd=target_fd, dst_dir_fd=target_fd)
                except IsADirectoryError:  # the run replaced a directory with a file
                    _remove(target_fd, name)
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


def _remove(directory_fd: int, name: str) -> bool:
    """Delete `name` (a whole tree for a directory, never following links); False if absent."""
    try:
        info = os.lstat(name, dir_fd=directory_fd)
    except FileNotFoundError:
        return False
    if stat.S_ISDIR(info.st_mode):
        shutil.rmtree(name, dir_fd=directory_fd)
    else:
        os.unlink(name, dir_fd=directory_fd)
    return True
