"""Run a Python snippet in a child process with resource limits.

This is process isolation with resource limits, NOT a sandbox. The snippet runs as the
same user as the office, so it can read whatever that user can read, write anywhere that
user can write (not only the workspace), and open network connections. What it does get:

- a separate interpreter, `python -I -S` (isolated mode, no site-packages: standard
  library only), reading the snippet from stdin, with the workspace as its working
  directory;
- a clean environment: only PATH=/usr/bin:/bin, LANG=C.UTF-8 and HOME=<workspace>, so
  none of the office's settings or secrets are inherited;
- resource limits (`setrlimit` in the child before exec): 512 MiB of address space, CPU
  seconds of the timeout plus one, 16 MiB per written file, 256 open files, no core
  dumps, and at most 64 processes more than the user already runs (Linux counts
  RLIMIT_NPROC per user, so a fixed small number would break on a busy machine; root
  is exempt from it);
- its own session and process group, killed as a whole on timeout and when the snippet
  ends, so processes it starts do not outlive it (a process that starts a new session
  of its own escapes this);
- output capped at 64 KiB per stream, with `truncated` set when more was written.

Hardening into a real sandbox (namespaces, seccomp, a container) is a later issue.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypedDict

from intelligent_office.errors import ToolError
from intelligent_office.models.risk import RiskLevel
from intelligent_office.tools.base import ToolContext, tool

__all__ = [
    "FILE_SIZE_LIMIT_BYTES",
    "MAX_CODE_BYTES",
    "MAX_OUTPUT_BYTES",
    "MAX_TIMEOUT_SECONDS",
    "MEMORY_LIMIT_BYTES",
    "PythonExecResult",
    "python_exec",
]

MAX_OUTPUT_BYTES = 64 * 1024
"""Bytes kept from each of stdout and stderr."""
MAX_TIMEOUT_SECONDS = 300.0
MAX_CODE_BYTES = 1024 * 1024
MEMORY_LIMIT_BYTES = 512 * 1024 * 1024
FILE_SIZE_LIMIT_BYTES = 16 * 1024 * 1024
OPEN_FILES_LIMIT = 256
EXTRA_PROCESSES = 64
"""How many processes the snippet may add to those its user already runs."""
_DRAIN_GRACE_SECONDS = 0.5
"""How long to wait for a killed process to exit, and for its pipes to close (a process
that escaped the group may hold them open forever)."""
_CHILD_PATH = "/usr/bin:/bin"

_Limits = list[tuple[int, tuple[int, int]]]


class PythonExecResult(TypedDict):
    """What python_exec returns."""

    exit_code: int
    stdout: str
    stderr: str
    timed_out: bool
    duration_seconds: float
    truncated: bool


@tool(risk=RiskLevel.HIGH, idempotent=False)
async def python_exec(
    ctx: ToolContext, code: str, timeout_seconds: float = 10.0
) -> PythonExecResult:
    """Run Python code (standard library only) in a separate, resource-limited process.

    The working directory is the workspace. `exit_code` is negative when a signal ended
    the process (-9 after a timeout). This is not a sandbox: see the module docs.

    Args:
        code: the Python source to run; print what you want to see.
        timeout_seconds: seconds before the process and its children are killed
            (at most 300, and at most the call's own time limit).
    """
    timeout = _effective_timeout(timeout_seconds, ctx.timeout_seconds)
    source = code.encode("utf-8")
    if len(source) > MAX_CODE_BYTES:
        raise ToolError(f"code is {len(source)} bytes; the limit is {MAX_CODE_BYTES}")
    workspace = ctx.workspace.resolve()
    if not workspace.is_dir():
        raise ToolError(f"workspace {workspace} is not a directory")
    if not sys.executable:
        raise ToolError("cannot find the Python interpreter to run the code")
    limits = await asyncio.to_thread(_resource_limits, timeout)
    loop = asyncio.get_running_loop()
    started = time.monotonic()
    try:
        transport, child = await loop.subprocess_exec(
            lambda: _Child(loop),
            sys.executable,
            "-I",
            "-S",
            "-",
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=workspace,
            env={"PATH": _CHILD_PATH, "LANG": "C.UTF-8", "HOME": str(workspace)},
            start_new_session=True,
            preexec_fn=_set_limits(limits),
        )
    except OSError as error:
        raise ToolError(f"cannot start Python: {error}", retryable=True) from None
    try:
        timed_out = await _run(transport, child, source, timeout)
    except BaseException:  # cancelled: still leave no process behind
        _kill_group(transport.get_pid())
        with contextlib.suppress(BaseException):  # let the watcher reap it first
            await asyncio.wait([child.exited], timeout=_DRAIN_GRACE_SECONDS)
        transport.close()
        raise
    _kill_group(transport.get_pid())  # whatever the snippet started ends with it
    # Read what is left in the pipes; a process that left the group may hold them open
    # forever, so stop waiting soon.
    await asyncio.wait([child.closed], timeout=_DRAIN_GRACE_SECONDS)
    transport.close()
    exit_code = transport.get_returncode()
    return {
        "exit_code": -signal.SIGKILL if exit_code is None else exit_code,
        "stdout": child.stdout.text(),
        "stderr": child.stderr.text(),
        "timed_out": timed_out,
        "duration_seconds": round(time.monotonic() - started, 3),
        "truncated": child.stdout.truncated or child.stderr.truncated,
    }


async def _run(
    transport: asyncio.SubprocessTransport, child: _Child, source: bytes, timeout: float
) -> bool:
    """Feed the code and wait for the interpreter to exit; True when it ran out of time.

    Waits for the process to exit, not for its pipes to close: a child it started may
    keep them open.
    """
    stdin = transport.get_pipe_transport(0)
    assert isinstance(stdin, asyncio.WriteTransport)
    stdin.write(source)  # an interpreter that exits early just leaves it unread
    stdin.close()
    await asyncio.wait([child.exited], timeout=timeout)
    if child.exited.done():
        return False
    _kill_group(transport.get_pid())
    await asyncio.wait([child.exited], timeout=_DRAIN_GRACE_SECONDS)
    return True


class _CappedOutput:
    """Keeps the first MAX_OUTPUT_BYTES of a stream and drops the rest."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.truncated = False

    def add(self, chunk: bytes) -> None:
        room = MAX_OUTPUT_BYTES - len(self.data)
        if len(chunk) > room:
            self.truncated = True
        if room > 0:
            self.data += chunk[:room]

    def text(self) -> str:
        return self.data.decode("utf-8", errors="replace")


class _Child(asyncio.SubprocessProtocol):
    """Collects the child's capped output and says when it exited and when its pipes closed."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.stdout = _CappedOutput()
        self.stderr = _CappedOutput()
        self.exited: asyncio.Future[None] = loop.create_future()
        self.closed: asyncio.Future[None] = loop.create_future()

    def pipe_data_received(self, fd: int, data: bytes) -> None:
        (self.stdout if fd == 1 else self.stderr).add(data)

    def process_exited(self) -> None:
        if not self.exited.done():
            self.exited.set_result(None)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed.done():
            self.closed.set_result(None)


def _effective_timeout(requested: float, call_limit: float | None) -> float:
    if not math.isfinite(requested) or requested <= 0:
        raise ToolError(f"timeout_seconds must be a positive number, got {requested}")
    limits = [requested, MAX_TIMEOUT_SECONDS]
    if call_limit is not None and call_limit > 0:
        limits.append(call_limit)
    return min(limits)


def _resource_limits(timeout: float) -> _Limits:
    """The (resource, (soft, hard)) limits for the child, never above our own hard limits."""
    cpu_seconds = math.ceil(timeout) + 1
    wanted = [
        (resource.RLIMIT_AS, MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES),
        # SIGXCPU at the soft limit, SIGKILL at the hard one.
        (resource.RLIMIT_CPU, cpu_seconds, cpu_seconds + 1),
        (resource.RLIMIT_FSIZE, FILE_SIZE_LIMIT_BYTES, FILE_SIZE_LIMIT_BYTES),
        (resource.RLIMIT_NOFILE, OPEN_FILES_LIMIT, OPEN_FILES_LIMIT),
        (resource.RLIMIT_CORE, 0, 0),
    ]
    running = _user_task_count()
    if running is not None:
        processes = running + EXTRA_PROCESSES
        wanted.append((resource.RLIMIT_NPROC, processes, processes))
    limits: _Limits = []
    for which, soft, hard in wanted:
        _, current_hard = resource.getrlimit(which)
        if current_hard != resource.RLIM_INFINITY:
            soft, hard = min(soft, current_hard), min(hard, current_hard)
        limits.append((which, (soft, hard)))
    return limits


def _set_limits(limits: _Limits) -> Callable[[], None]:
    """The preexec_fn: runs in the forked child before exec, so it only calls setrlimit."""

    def set_limits() -> None:
        for which, values in limits:
            resource.setrlimit(which, values)

    return set_limits


def _user_task_count() -> int | None:
    """Processes and threads of our user (what RLIMIT_NPROC counts); None without /proc."""
    uid = os.getuid()
    count = 0
    try:
        entries = list(os.scandir("/proc"))
    except OSError:
        return None
    for entry in entries:
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):  # the process may have ended meanwhile
            if entry.stat().st_uid == uid:
                count += len(os.listdir(Path(entry.path, "task")))
    return count


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
