"""Seccomp filters built with libseccomp through ctypes: the syscalls a sandbox denies.

Tier A hands bubblewrap the compiled filter (`--seccomp FD`); tier B loads it in the
child before exec. Denied calls fail with EPERM so programs see an ordinary error;
clone3 fails with ENOSYS so libc falls back to clone, whose flags the filter can inspect.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import functools
import os
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass

__all__ = ["SeccompUnavailable", "available", "compile_filter", "loader"]

_ALLOW = 0x7FFF0000
_CMP_EQ = 4
_CMP_MASKED_EQ = 7
_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2

_CLONE_NAMESPACES = (
    0x00020000,  # CLONE_NEWNS
    0x02000000,  # CLONE_NEWCGROUP
    0x04000000,  # CLONE_NEWUTS
    0x08000000,  # CLONE_NEWIPC
    0x10000000,  # CLONE_NEWUSER
    0x20000000,  # CLONE_NEWPID
    0x40000000,  # CLONE_NEWNET
    0x00000080,  # CLONE_NEWTIME
)
_SETUID_BITS = 0o6000
_TIOCSTI = 0x5412
_TIOCLINUX = 0x541C
_SOCK_TYPE_MASK = 0xF

DENIED_SYSCALLS = (
    "mount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree", "fsopen",
    "fsconfig", "fsmount", "fspick", "mount_setattr", "ptrace", "process_vm_readv",
    "process_vm_writev", "bpf", "io_uring_setup", "io_uring_enter", "io_uring_register",
    "keyctl", "add_key", "request_key", "unshare", "setns", "perf_event_open",
    "userfaultfd", "kexec_load", "kexec_file_load", "init_module", "finit_module",
    "delete_module", "open_by_handle_at", "name_to_handle_at", "swapon", "swapoff",
    "reboot", "acct", "syslog", "settimeofday", "clock_settime", "clock_adjtime",
    "adjtimex", "quotactl", "lookup_dcookie", "vhangup", "personality",
)  # fmt: skip
"""Denied outright (EPERM)."""


class SeccompUnavailable(RuntimeError):
    """libseccomp is missing or refused to build the filter."""


class _ArgCmp(ctypes.Structure):
    _fields_ = [
        ("arg", ctypes.c_uint),
        ("op", ctypes.c_int),
        ("datum_a", ctypes.c_uint64),
        ("datum_b", ctypes.c_uint64),
    ]


@dataclass(frozen=True)
class _Rule:
    syscall: str
    action: int
    conditions: tuple[tuple[int, int, int, int], ...] = ()


@functools.cache
def _library() -> ctypes.CDLL:
    name = ctypes.util.find_library("seccomp") or "libseccomp.so.2"
    try:
        lib = ctypes.CDLL(name, use_errno=True)
    except OSError as error:
        raise SeccompUnavailable(f"libseccomp not found: {error}") from None
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = [ctypes.c_uint32]
    lib.seccomp_release.argtypes = [ctypes.c_void_p]
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    lib.seccomp_rule_add_array.argtypes = [
        ctypes.c_void_p,
        ctypes.c_uint32,
        ctypes.c_int,
        ctypes.c_uint,
        ctypes.POINTER(_ArgCmp),
    ]
    lib.seccomp_export_bpf.argtypes = [ctypes.c_void_p, ctypes.c_int]
    return lib


def available() -> bool:
    """Whether libseccomp can be loaded here."""
    try:
        _library()
    except SeccompUnavailable:
        return False
    return True


def _errno_action(code: int) -> int:
    return 0x00050000 | (code & 0xFFFF)


def _rules(block_udp: bool) -> list[_Rule]:
    eperm = _errno_action(errno.EPERM)
    rules = [_Rule(name, eperm) for name in DENIED_SYSCALLS]
    rules.append(_Rule("clone3", _errno_action(errno.ENOSYS)))
    rules += [
        _Rule("clone", eperm, ((0, _CMP_MASKED_EQ, flag, flag),)) for flag in _CLONE_NAMESPACES
    ]
    rules.append(
        _Rule("socket", _errno_action(errno.EAFNOSUPPORT), ((0, _CMP_EQ, socket.AF_NETLINK, 0),))
    )
    for name, mode_arg in (("chmod", 1), ("fchmod", 1), ("fchmodat", 2), ("fchmodat2", 2)):
        for bit in (0o4000, 0o2000):
            rules.append(_Rule(name, eperm, ((mode_arg, _CMP_MASKED_EQ, bit, bit),)))
    for request in (_TIOCSTI, _TIOCLINUX):
        rules.append(_Rule("ioctl", eperm, ((1, _CMP_MASKED_EQ, 0xFFFFFFFF, request),)))
    if block_udp:
        for family in (socket.AF_INET, socket.AF_INET6):
            dgram = (1, _CMP_MASKED_EQ, _SOCK_TYPE_MASK, socket.SOCK_DGRAM)
            rules.append(_Rule("socket", eperm, ((0, _CMP_EQ, family, 0), dgram)))
    return rules


def _build(rules: Iterable[_Rule]) -> int:
    lib = _library()
    context = lib.seccomp_init(_ALLOW)
    if not context:
        raise SeccompUnavailable("seccomp_init failed")
    try:
        for rule in rules:
            number = lib.seccomp_syscall_resolve_name(rule.syscall.encode())
            if number < 0:
                continue  # not on this architecture or this libseccomp: nothing to deny
            array = (_ArgCmp * max(1, len(rule.conditions)))(
                *(_ArgCmp(*condition) for condition in rule.conditions)
            )
            result = lib.seccomp_rule_add_array(
                context, rule.action, number, len(rule.conditions), array
            )
            if result < 0:
                raise SeccompUnavailable(f"cannot add a rule for {rule.syscall}: {-result}")
    except BaseException:
        lib.seccomp_release(context)
        raise
    return int(context)


@functools.cache
def compile_filter(block_udp: bool = False) -> bytes:
    """The BPF program (as bubblewrap's `--seccomp FD` reads it), built once per process."""
    lib = _library()
    context = _build(_rules(block_udp))
    fd = os.memfd_create("office-seccomp", 0)
    try:
        if lib.seccomp_export_bpf(context, fd) < 0:
            raise SeccompUnavailable("seccomp_export_bpf failed")
        os.lseek(fd, 0, os.SEEK_SET)
        chunks = []
        while chunk := os.read(fd, 65536):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)
        lib.seccomp_release(context)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def loader(block_udp: bool) -> Callable[[], None]:
    """A preexec step that installs the compiled filter (no_new_privs must already be set).

    Everything is prepared here in the service; the child only calls prctl.
    """
    program = compile_filter(block_udp)
    buffer = ctypes.create_string_buffer(program, len(program))
    fprog = _SockFprog(len(program) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    libc = ctypes.CDLL(None, use_errno=True)

    def install() -> None:
        _ = buffer  # kept alive with the closure
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0):
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
        if libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0):
            raise OSError(ctypes.get_errno(), "installing the seccomp filter failed")

    return install
