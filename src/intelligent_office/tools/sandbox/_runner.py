"""Start a launcher, feed stdin, read capped output, enforce the wall clock, kill the tree."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

__all__ = ["Launch", "Outcome", "launch"]

_DRAIN_GRACE_SECONDS = 0.5
"""How long to wait for a killed process to exit and for its pipes to close."""


@dataclass(frozen=True)
class Launch:
    """How to start the launcher process on the host."""

    argv: Sequence[str]
    env: dict[str, str]
    cwd: str
    stdin: bytes
    timeout_seconds: float
    output_bytes: int
    kill_tree: Callable[[int], None]
    """Given the launcher's pid, kills it and all it started; called after every run."""
    kill_blocks: bool = True
    """Whether kill_tree may block (waits for a group to empty): then it runs in a thread."""
    preexec: Callable[[], None] | None = None
    """Runs in the child before exec; forces fork instead of vfork, so avoid when possible."""
    on_started: Callable[[int], Awaitable[None]] | None = None
    """Awaited with the launcher's pid before stdin is written (limits set from outside)."""
    pass_fds: tuple[int, ...] = ()


@dataclass
class Outcome:
    """The raw result of a launch."""

    exit_code: int
    stdout: bytes
    stderr: bytes
    timed_out: bool
    truncated: bool
    duration_seconds: float


class _CappedOutput:
    """Keeps the first `limit` bytes of a stream; says when more arrived."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.data = bytearray()
        self.truncated = False

    def add(self, chunk: bytes) -> None:
        room = self.limit - len(self.data)
        if len(chunk) > room:
            self.truncated = True
        if room > 0:
            self.data += chunk[:room]


class _Child(asyncio.SubprocessProtocol):
    def __init__(self, loop: asyncio.AbstractEventLoop, limit: int) -> None:
        self.stdout = _CappedOutput(limit)
        self.stderr = _CappedOutput(limit)
        self.exited: asyncio.Future[None] = loop.create_future()
        self.closed: asyncio.Future[None] = loop.create_future()
        self.overflowed: asyncio.Future[None] = loop.create_future()

    def pipe_data_received(self, fd: int, data: bytes) -> None:
        stream = self.stdout if fd == 1 else self.stderr
        stream.add(data)
        if stream.truncated and not self.overflowed.done():
            self.overflowed.set_result(None)  # stop reading: the tree is killed

    def process_exited(self) -> None:
        if not self.exited.done():
            self.exited.set_result(None)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed.done():
            self.closed.set_result(None)


async def _kill(spec: Launch, pid: int) -> None:
    if spec.kill_blocks:
        await asyncio.to_thread(spec.kill_tree, pid)
    else:
        spec.kill_tree(pid)


async def launch(spec: Launch) -> Outcome:
    """Run the launcher; raises OSError when it cannot start."""
    loop = asyncio.get_running_loop()
    started = time.monotonic()
    transport, child = await loop.subprocess_exec(
        lambda: _Child(loop, spec.output_bytes),
        *spec.argv,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=spec.cwd,
        env=spec.env,
        start_new_session=True,
        preexec_fn=spec.preexec,
        pass_fds=spec.pass_fds,
    )
    try:
        if spec.on_started is not None:
            await spec.on_started(transport.get_pid())
        stdin = transport.get_pipe_transport(0)
        assert isinstance(stdin, asyncio.WriteTransport)
        stdin.write(spec.stdin)  # a command that exits early just leaves it unread
        stdin.close()
        await asyncio.wait(
            [child.exited, child.overflowed], timeout=spec.timeout_seconds,
            return_when=asyncio.FIRST_COMPLETED,
        )  # fmt: skip
        timed_out = not child.exited.done() and not child.overflowed.done()
    except BaseException:  # cancelled: still leave no process behind
        await _kill(spec, transport.get_pid())
        with contextlib.suppress(BaseException):
            await asyncio.wait([child.exited], timeout=_DRAIN_GRACE_SECONDS)
        transport.close()
        raise
    await _kill(spec, transport.get_pid())
    await asyncio.wait([child.exited], timeout=_DRAIN_GRACE_SECONDS)
    # What is left in the pipes; a process the kill missed may hold them open forever.
    await asyncio.wait([child.closed], timeout=_DRAIN_GRACE_SECONDS)
    transport.close()
    code = transport.get_returncode()
    return Outcome(
        exit_code=-9 if code is None else code,
        stdout=bytes(child.stdout.data),
        stderr=bytes(child.stderr.data),
        timed_out=timed_out,
        truncated=child.stdout.truncated or child.stderr.truncated,
        duration_seconds=round(time.monotonic() - started, 3),
    )
