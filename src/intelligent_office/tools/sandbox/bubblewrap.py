"""Tier A: bubblewrap with every namespace unshared, no capabilities and a seccomp filter.

The command runs as uid/gid 65534 in new user, mount, PID, network, IPC, UTS and cgroup
namespaces, with nested user namespaces disabled and every capability dropped. It sees
read-only system directories, the interpreter's prefix read-only, a private /proc and
/dev, a size-limited private /tmp, and one writable bind of the workspace (bubblewrap
binds nosuid and nodev). bubblewrap itself starts with an empty environment, so the
sandbox's PID 1 holds nothing of ours; `--die-with-parent` and the per-run cgroup make
sure nothing outlives the run.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import resource
import shutil
import signal
import sys
from pathlib import Path

from intelligent_office.errors import ToolError
from intelligent_office.tools.sandbox import limits, seccomp
from intelligent_office.tools.sandbox._runner import Launch, launch
from intelligent_office.tools.sandbox.base import (
    Sandbox,
    SandboxCommand,
    SandboxRun,
    Tier,
    system_python,
)
from intelligent_office.tools.sandbox.cgroup import Cgroup, support
from intelligent_office.tools.sandbox.scrub import scrub_workspace
from intelligent_office.tools.sandbox.settings import SandboxSettings

__all__ = ["NOBODY", "BubblewrapSandbox"]

NOBODY = 65534
_SYSTEM_DIRS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
_ETC_FILES = ("/etc/ld.so.cache", "/etc/localtime", "/etc/nsswitch.conf")


class BubblewrapSandbox(Sandbox):
    """Tier A."""

    tier = Tier.A

    def __init__(self, settings: SandboxSettings) -> None:
        self.settings = settings
        found = shutil.which(settings.bwrap_path)
        if found is None:
            raise FileNotFoundError(f"{settings.bwrap_path} not found")
        self.bwrap = found
        interpreter = system_python(others_must_reach=False)
        if interpreter is None:
            raise FileNotFoundError("no Python interpreter to run snippets with")
        self._python = interpreter
        self._static_args = self._mount_args()
        self._filter = seccomp.compile_filter(block_udp=False)

    def python(self) -> str:
        return self._python

    def layers(self) -> dict[str, str]:
        return {
            "launcher": f"{self.bwrap} (empty environment, die-with-parent, new session)",
            "namespaces": "user (nested disabled), mount, pid, network, ipc, uts, cgroup",
            "identity": f"uid/gid {NOBODY}, all capabilities dropped",
            "filesystem": "system dirs read-only, workspace rw nosuid/nodev, "
            f"private /tmp of {self.settings.tmp_bytes} bytes",
            "seccomp": f"{len(seccomp.DENIED_SYSCALLS)} syscalls denied, clone3 ENOSYS, "
            "no namespace flags, no setuid chmod, no netlink",
            "rlimits": "memory, cpu, file size, open files, core 0",
            "cgroup": support().describe(),
        }

    def _mount_args(self) -> list[str]:
        args = ["--ro-bind", "/usr", "/usr"]
        for directory in _SYSTEM_DIRS:
            if os.path.islink(directory):
                args += ["--symlink", os.readlink(directory), directory]
            elif os.path.isdir(directory):
                args += ["--ro-bind", directory, directory]
        for name in _ETC_FILES:
            args += ["--ro-bind-try", name, name]
        prefix = os.path.realpath(sys.base_prefix)
        if not self._python.startswith("/usr/"):
            args += ["--ro-bind", prefix, prefix]
        args += ["--proc", "/proc", "--dev", "/dev"]
        args += ["--size", str(self.settings.tmp_bytes), "--tmpfs", "/tmp"]
        return args

    def _argv(self, command: SandboxCommand, workspace: str, filter_fd: int) -> list[str]:
        argv = [
            self.bwrap,
            "--unshare-all",
            "--unshare-user",
            "--disable-userns",
            "--uid", str(NOBODY),
            "--gid", str(NOBODY),
            "--cap-drop", "ALL",
            "--die-with-parent",
            "--new-session",
            "--hostname", "sandbox",
            *self._static_args,
            "--bind", workspace, workspace,
            "--chdir", workspace,
            "--remount-ro", "/",
            "--seccomp", str(filter_fd),
        ]  # fmt: skip
        for key, value in command.env.items():
            argv += ["--setenv", key, value]
        return [*argv, "--", *command.argv]

    async def run(self, command: SandboxCommand) -> SandboxRun:
        workspace = str(command.workspace.resolve())
        # The PID namespace ends the tree; the cgroup only caps processes (RLIMIT_NPROC
        # cannot: bubblewrap started by root maps the sandbox's uid to root outside).
        cgroup = Cgroup(self.settings.processes, kill=False)
        rlimits = limits.resource_limits(
            self.settings, command.timeout_seconds, command.cpu_seconds
        )
        handshake = _Handshake()

        async def started(pid: int) -> None:
            # bubblewrap waits on --block-fd before starting the command: limits and the
            # cgroup are set from here, so no preexec step forces a slow fork.
            sandbox_init = await asyncio.wait_for(handshake.child_pid(), command.timeout_seconds)
            for which, values in rlimits:
                resource.prlimit(sandbox_init, which, values)
            cgroup.add(sandbox_init)
            handshake.release()

        def kill_tree(pid: int) -> None:
            # bubblewrap's death kills PID 1 inside (die-with-parent), and the kernel ends
            # every process of a PID namespace whose PID 1 is gone.
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

        filter_fd = os.memfd_create("office-seccomp", 0)
        try:
            os.write(filter_fd, self._filter)
            os.lseek(filter_fd, 0, os.SEEK_SET)
            argv = self._argv(command, workspace, filter_fd)
            argv[1:1] = ["--info-fd", str(handshake.info_w), "--block-fd", str(handshake.block_r)]
            outcome = await launch(
                Launch(
                    argv=argv,
                    env={},
                    cwd="/",
                    stdin=command.stdin,
                    timeout_seconds=command.timeout_seconds,
                    output_bytes=self.settings.output_bytes,
                    kill_tree=kill_tree,
                    kill_blocks=False,
                    on_started=started,
                    pass_fds=(filter_fd, handshake.info_w, handshake.block_r),
                )
            )
        except OSError as error:
            raise ToolError(f"cannot start the sandbox: {error}", retryable=True) from None
        finally:
            os.close(filter_fd)
            handshake.close()
            cgroup.remove_later()
        report = scrub_workspace(Path(workspace))
        return SandboxRun(
            tier=self.tier,
            exit_code=outcome.exit_code,
            stdout=outcome.stdout,
            stderr=outcome.stderr,
            timed_out=outcome.timed_out,
            truncated=outcome.truncated,
            duration_seconds=outcome.duration_seconds,
            removed_files=report.removed,
            stripped_files=report.stripped,
        )


class _Handshake:
    """The pipes bubblewrap reports its sandbox's PID 1 on and waits on before exec."""

    def __init__(self) -> None:
        self.info_r, self.info_w = os.pipe()
        self.block_r, self.block_w = os.pipe()
        self._open = {self.info_r, self.info_w, self.block_r, self.block_w}

    def _close(self, fd: int) -> None:
        if fd in self._open:
            self._open.discard(fd)
            os.close(fd)

    async def child_pid(self) -> int:
        """The host pid of the sandbox's PID 1, read from --info-fd."""
        self._close(self.info_w)  # the launcher holds its own copies now
        self._close(self.block_r)
        data = await _read_to_end(self.info_r)
        try:
            return int(json.loads(data)["child-pid"])
        except (ValueError, KeyError, TypeError):
            raise OSError(f"bubblewrap did not report its sandbox: {data[:200]!r}") from None

    def release(self) -> None:
        """Let the sandbox start the command."""
        os.write(self.block_w, b"1")
        self._close(self.block_w)

    def close(self) -> None:
        for fd in list(self._open):
            self._close(fd)


async def _read_to_end(fd: int) -> bytes:
    """Read a pipe until its writer closes it, on the event loop (no thread hop)."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[None] = loop.create_future()
    chunks: list[bytes] = []

    def readable() -> None:
        try:
            chunk = os.read(fd, 4096)
        except BlockingIOError:
            return
        except OSError as error:
            chunk = b""
            if not done.done():
                done.set_exception(error)
        if chunk:
            chunks.append(chunk)
        elif not done.done():
            done.set_result(None)

    os.set_blocking(fd, False)
    loop.add_reader(fd, readable)
    try:
        await done
    finally:
        loop.remove_reader(fd)
    return b"".join(chunks)
