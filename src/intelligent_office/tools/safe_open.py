"""Open files beneath a directory so that no symlink, `..` or rename race can lead out of it.

A realpath check followed by `open(path)` is a time-of-check/time-of-use race: between the
two, a directory on the path can be swapped for a symlink to `/`. Here the kernel enforces
the boundary while it resolves the path:

- openat2(2) with RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS (Linux 5.6 and later): the
  kernel refuses (EXDEV) any resolution that would leave the directory, whatever races.
- elsewhere, a walk one component at a time with openat(dir_fd, name, O_NOFOLLOW):
  every symlink met is refused (ELOOP) and `..` is refused (EXDEV).

Errors are plain `OSError`s with the errno the kernel gave; callers turn them into
messages. Paths given here are relative to the directory and should already be free of
symlinks (the tools resolve them first), so the two ways differ only under a race.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import os
import platform
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

__all__ = [
    "RESOLVE_BENEATH",
    "RESOLVE_NO_MAGICLINKS",
    "RESOLVE_NO_SYMLINKS",
    "open_beneath",
    "open_directory_beneath",
    "openat2_supported",
    "opened",
]

RESOLVE_NO_MAGICLINKS = 0x02
RESOLVE_NO_SYMLINKS = 0x04
RESOLVE_BENEATH = 0x08

_OPENAT2_SYSCALL = {"x86_64": 437, "aarch64": 437}
_DIRECTORY_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC


class _OpenHow(ctypes.Structure):
    _fields_ = [
        ("flags", ctypes.c_uint64),
        ("mode", ctypes.c_uint64),
        ("resolve", ctypes.c_uint64),
    ]


@functools.cache
def _syscall() -> tuple[Any, int] | None:
    number = _OPENAT2_SYSCALL.get(platform.machine())
    if number is None or not hasattr(os, "O_PATH"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        function = libc.syscall
    except (OSError, AttributeError):
        return None
    function.restype = ctypes.c_long
    function.argtypes = [
        ctypes.c_long,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.POINTER(_OpenHow),
        ctypes.c_size_t,
    ]
    return function, number


def _openat2(dir_fd: int, path: str, flags: int, mode: int, resolve: int) -> int:
    found = _syscall()
    if found is None:
        raise OSError(errno.ENOSYS, os.strerror(errno.ENOSYS))
    function, number = found
    how = _OpenHow(flags=flags | os.O_CLOEXEC, mode=mode, resolve=resolve)
    while True:
        result = int(
            function(number, dir_fd, os.fsencode(path), ctypes.byref(how), ctypes.sizeof(how))
        )
        if result >= 0:
            return result
        code = ctypes.get_errno()
        if code not in (errno.EINTR, errno.EAGAIN):  # EAGAIN: a rename raced the lookup
            raise OSError(code, os.strerror(code), path)


@functools.cache
def openat2_supported() -> bool:
    """Whether this kernel has openat2(2) and lets us call it (probed once, then cached)."""
    try:
        root = os.open("/", _DIRECTORY_FLAGS)
    except OSError:
        return False
    try:
        os.close(_openat2(root, ".", _DIRECTORY_FLAGS, 0, RESOLVE_BENEATH))
    except OSError:  # ENOSYS on old kernels, EPERM under some seccomp filters
        return False
    finally:
        os.close(root)
    return True


def open_beneath(
    directory: int | Path, path: str | PurePosixPath, flags: int, mode: int = 0, *, resolve: int = 0
) -> int:
    """A file descriptor for `path`, resolved beneath `directory` (a path or an open fd).

    Args:
        directory: the boundary: a directory path or a descriptor of one.
        path: relative to `directory`; "" or "." opens the directory itself.
        flags: `os.open` flags; O_CLOEXEC is always added.
        mode: the mode of a file O_CREAT creates.
        resolve: extra RESOLVE_* flags, e.g. RESOLVE_NO_SYMLINKS.

    Raises:
        OSError: EXDEV when the path would leave `directory`, ELOOP for a refused
            symlink, and whatever else opening fails with (ENOENT, ENOTDIR, ...).
    """
    relative = PurePosixPath(path)
    if relative.is_absolute():
        raise OSError(errno.EXDEV, "absolute path", str(path))
    with _directory_fd(directory) as dir_fd:
        if openat2_supported():
            return _openat2(
                dir_fd,
                str(relative),
                flags,
                mode,
                RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | resolve,
            )
        return _open_by_walking(dir_fd, relative.parts, flags, mode)


def open_directory_beneath(
    directory: int | Path, path: str | PurePosixPath, *, create: bool
) -> int:
    """A descriptor of the directory `path` beneath `directory`, creating missing ones if asked.

    Raises:
        OSError: as `open_beneath`; ENOENT when a directory is missing and `create` is false.
    """
    try:
        return open_beneath(directory, path, _DIRECTORY_FLAGS)
    except FileNotFoundError:
        if not create:
            raise
    with _directory_fd(directory) as start:
        current = os.dup(start)
    try:
        for name in PurePosixPath(path).parts:
            try:
                child = open_beneath(current, name, _DIRECTORY_FLAGS)
            except FileNotFoundError:
                with contextlib.suppress(FileExistsError):  # another writer made it
                    os.mkdir(name, 0o755, dir_fd=current)
                child = open_beneath(current, name, _DIRECTORY_FLAGS)
            os.close(current)
            current = child
    except BaseException:
        os.close(current)
        raise
    return current


@contextlib.contextmanager
def opened(fd: int) -> Iterator[int]:
    """Close `fd` when the block ends."""
    try:
        yield fd
    finally:
        os.close(fd)


@contextlib.contextmanager
def _directory_fd(directory: int | Path) -> Iterator[int]:
    if isinstance(directory, int):
        yield directory
        return
    with opened(os.open(directory, _DIRECTORY_FLAGS)) as fd:
        yield fd


def _open_by_walking(dir_fd: int, parts: tuple[str, ...], flags: int, mode: int) -> int:
    """openat(2) one component at a time, refusing every symlink and every `..`."""
    names = [name for name in parts if name != "."]
    if any(name == ".." for name in names):
        raise OSError(errno.EXDEV, "'..' leaves the directory", "/".join(parts))
    if not names:
        return os.open(".", flags | os.O_CLOEXEC, mode, dir_fd=dir_fd)
    current = os.dup(dir_fd)
    try:
        for name in names[:-1]:
            child = os.open(name, _DIRECTORY_FLAGS | os.O_NOFOLLOW, dir_fd=current)
            os.close(current)
            current = child
        return os.open(names[-1], flags | os.O_NOFOLLOW | os.O_CLOEXEC, mode, dir_fd=current)
    finally:
        os.close(current)
