"""Landlock (Linux 5.13+) through raw syscalls: confine files, TCP and signals.

A ruleset is built in the service (paths opened there) and enforced by the child in its
preexec step with `restrict_self`, after no_new_privs. Files: read and execute beneath
the system directories, everything but device/FIFO/socket creation beneath the
workspace. TCP bind and connect are denied outright (ABI 4+). Signals and abstract Unix
sockets are scoped to the sandbox (ABI 6+), so kill(-1) reaches nothing outside.
"""

from __future__ import annotations

import ctypes
import functools
import os
import platform
from collections.abc import Iterable

__all__ = ["abi_version", "build_ruleset", "restrict_self"]

_SYSCALLS = {"x86_64": (444, 445, 446), "aarch64": (444, 445, 446)}
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38

_EXECUTE, _WRITE_FILE, _READ_FILE, _READ_DIR = 1, 2, 4, 8
_REMOVE_DIR, _REMOVE_FILE, _MAKE_CHAR, _MAKE_DIR = 16, 32, 64, 128
_MAKE_REG, _MAKE_SOCK, _MAKE_FIFO, _MAKE_BLOCK, _MAKE_SYM = 256, 512, 1024, 2048, 4096
_REFER, _TRUNCATE, _IOCTL_DEV = 8192, 16384, 32768
_READ = _EXECUTE | _READ_FILE | _READ_DIR
_NET_ALL = 1 | 2  # BIND_TCP | CONNECT_TCP
_SCOPE_ALL = 1 | 2  # ABSTRACT_UNIX_SOCKET | SIGNAL

_libc = ctypes.CDLL(None, use_errno=True)


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _numbers() -> tuple[int, int, int] | None:
    return _SYSCALLS.get(platform.machine())


@functools.cache
def abi_version() -> int:
    """The kernel's Landlock ABI version; 0 when Landlock is unavailable."""
    numbers = _numbers()
    if numbers is None:
        return 0
    version = _libc.syscall(numbers[0], None, ctypes.c_size_t(0), _CREATE_RULESET_VERSION)
    return max(0, int(version))


def _handled_fs(abi: int) -> int:
    handled = (1 << 13) - 1
    if abi >= 2:
        handled |= _REFER
    if abi >= 3:
        handled |= _TRUNCATE
    if abi >= 5:
        handled |= _IOCTL_DEV
    return handled


def build_ruleset(read_only: Iterable[str], writable: Iterable[str], devices: Iterable[str]) -> int:
    """A ruleset fd for `restrict_self`; the caller closes it. Raises OSError."""
    numbers = _numbers()
    abi = abi_version()
    if numbers is None or abi == 0:
        raise OSError("Landlock is not available on this kernel")
    create, add_rule, _ = numbers
    handled = _handled_fs(abi)
    size = ctypes.sizeof(_RulesetAttr) if abi >= 6 else (16 if abi >= 4 else 8)
    attr = _RulesetAttr(handled, _NET_ALL if abi >= 4 else 0, _SCOPE_ALL if abi >= 6 else 0)
    ruleset = int(_libc.syscall(create, ctypes.byref(attr), ctypes.c_size_t(size), 0))
    if ruleset < 0:
        raise OSError(ctypes.get_errno(), "landlock_create_ruleset failed")
    no_special_files = _MAKE_CHAR | _MAKE_BLOCK | _MAKE_FIFO | _MAKE_SOCK
    grants = [(path, _READ) for path in read_only]
    grants += [(path, handled & ~no_special_files) for path in writable]
    grants += [(path, _READ_FILE | _WRITE_FILE) for path in devices]
    try:
        for path, access in grants:
            try:
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except FileNotFoundError:
                continue
            try:
                if not os.path.isdir(path):
                    access &= _EXECUTE | _WRITE_FILE | _READ_FILE | _TRUNCATE | _IOCTL_DEV
                rule = _PathBeneath(access & handled, fd)
                if _libc.syscall(add_rule, ruleset, _RULE_PATH_BENEATH, ctypes.byref(rule), 0):
                    raise OSError(ctypes.get_errno(), f"landlock_add_rule failed for {path}")
            finally:
                os.close(fd)
    except BaseException:
        os.close(ruleset)
        raise
    return ruleset


def restrict_self(ruleset: int) -> None:
    """Enforce the ruleset on the calling process and its future children (preexec)."""
    numbers = _numbers()
    assert numbers is not None
    if _libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0):
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
    if _libc.syscall(numbers[2], ruleset, 0):
        raise OSError(ctypes.get_errno(), "landlock_restrict_self failed")
