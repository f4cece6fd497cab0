"""Tier A: bubblewrap with every namespace unshared, no capabilities and a seccomp filter.

The command runs as uid/gid 65534 in new user, mount, PID, network, IPC, UTS and cgroup
namespaces, with nested user namespaces disabled and every capability dropped. It sees
read-only system directories, the interpreter's prefix read-only, a private /proc and
/dev, a size-limited private /tmp, and one writable bind of the workspace (bubblewrap
binds nosuid and nodev). bubblewrap itself starts with an empty environment, so the
sandbox's PID 1 holds nothing of ours; `--die-with-parent` and the per-run cgroup make
sure nothing outlives the run.

Outside, the sandbox's uid is bubblewrap's own. A service running as root therefore
never starts bubblewrap as root: `setpriv` drops to a dedicated uid leased for the run
(bubblewrap then runs unprivileged, in a user namespace it may create), and the run
writes to a per-run overlay over the workspace (`overlay`) whose changes are copied back
as the workspace's owner afterwards (`copyback`). A service that is not root runs
bubblewrap as itself and binds the workspace directly.
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
from dataclasses import dataclass
from pathlib import Path

from intelligent_office.errors import ToolError
from intelligent_office.tools.sandbox import limits, seccomp
from intelligent_office.tools.sandbox._runner import Launch, Outcome, launch
from intelligent_office.tools.sandbox.base import (
    Sandbox,
    SandboxCommand,
    SandboxRun,
    Tier,
    system_python,
)
from intelligent_office.tools.sandbox.cgroup import Cgroup, support
from intelligent_office.tools.sandbox.copyback import CopyBackReport, Owner, copy_back
from intelligent_office.tools.sandbox.copyback import Limits as CopyLimits
from intelligent_office.tools.sandbox.overlay import Layer, prepare_base
from intelligent_office.tools.sandbox.scrub import scrub_workspace
from intelligent_office.tools.sandbox.settings import SandboxSettings
from intelligent_office.tools.sandbox.snapshot import Snapshot
from intelligent_office.tools.sandbox.uids import UidPool

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
        self._as_root: _AsRoot | None = None
        if os.geteuid() == 0:
            self._as_root = _AsRoot.for_settings(settings)
        interpreter = system_python(others_must_reach=self._as_root is not None)
        if interpreter is None:
            raise FileNotFoundError("no Python interpreter the sandbox uid can run")
        self._python = interpreter
        self._static_args = self._mount_args()
        self._filter = seccomp.compile_filter(block_udp=False)

    def python(self) -> str:
        return self._python

    def layers(self) -> dict[str, str]:
        settings = self.settings
        if self._as_root is not None:
            last = settings.uid_base + settings.uid_count - 1
            outside = f"a dedicated uid per run from {settings.uid_base}-{last}, never root"
            workspace = (
                "the workspace through a per-run overlay: writes land in a tmpfs owned by "
                f"the run's uid ({settings.write_bytes} bytes, {settings.write_files} "
                "inodes), copied back as the workspace's owner (regular files and "
                "directories, deletions; setuid bits stripped; links and special files "
                "refused), merged against the workspace as the run started (what changed "
                "meanwhile is kept and reported as a conflict)"
            )
        else:
            outside = f"uid {os.geteuid()}, the service's own"
            workspace = "the workspace writable"
        launcher = f"{self.bwrap} (empty environment, die-with-parent, new session)"
        if self._as_root is not None:
            launcher = f"{self._as_root.prlimit} and {self._as_root.setpriv}, then {launcher}"
        return {
            "launcher": launcher,
            "namespaces": "user (nested disabled), mount, pid, network, ipc, uts, cgroup",
            "identity": f"uid/gid {NOBODY} inside; outside: {outside}; all capabilities dropped",
            "filesystem": f"system dirs read-only, {workspace}, nosuid/nodev, "
            f"private /tmp of {settings.tmp_bytes} bytes",
            "seccomp": f"{len(seccomp.DENIED_SYSCALLS)} syscalls denied, clone3 ENOSYS, "
            "no namespace flags, no setuid chmod, no netlink",
            "rlimits": "memory, cpu, processes, file size, open files, core 0",
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

    def _argv(
        self, command: SandboxCommand, workspace: str, filter_fd: int, source: str | None = None
    ) -> list[str]:
        """bubblewrap's command line; `source` is bound as the workspace (default: itself)."""
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
            "--bind", source or workspace, workspace,
            "--chdir", workspace,
            "--remount-ro", "/",
            "--seccomp", str(filter_fd),
        ]  # fmt: skip
        for key, value in command.env.items():
            argv += ["--setenv", key, value]
        return [*argv, "--", *command.argv]

    async def run(self, command: SandboxCommand) -> SandboxRun:
        workspace = str(command.workspace.resolve())
        if self._as_root is None:
            outcome = await self._launch(command, workspace)
            copied = CopyBackReport()
            outside_uid = os.geteuid()
        else:
            outcome, copied, outside_uid = await self._run_as_dedicated_uid(
                command, workspace, self._as_root
            )
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
            stripped_files=copied.stripped + report.stripped,
            refused_files=copied.refused,
            conflicts=copied.conflicts,
            outside_uid=outside_uid,
        )

    async def _run_as_dedicated_uid(
        self, command: SandboxCommand, workspace: str, as_root: _AsRoot
    ) -> tuple[Outcome, CopyBackReport, int]:
        """Run as a leased uid over a per-run overlay, then copy its writes back as us."""
        settings = self.settings
        owner = os.stat(workspace)
        # As long as the run had again (at least a second): the disk sets the pace.
        copy_limits = CopyLimits(
            settings.file_size_bytes, settings.write_bytes, max(command.timeout_seconds, 1.0)
        )
        try:
            # What the run will see at its start: the base its changes are merged against.
            snapshot = await asyncio.to_thread(Snapshot.take, Path(workspace))
            with (
                # Nothing of the run outlives `_launch` (its PID namespace has ended).
                as_root.uids.lease(leaves_nothing=True) as uid,
                Layer(
                    Path(workspace), uid, as_root.layers, settings.write_bytes, settings.write_files
                ) as layer,
            ):
                outcome = await self._launch(command, workspace, str(layer.merged), uid)
                copied = CopyBackReport()
                if os.listdir(layer.upper):  # else nothing to copy: no thread hop
                    copied = await asyncio.to_thread(
                        copy_back,
                        layer.upper,
                        Path(workspace),
                        Owner(owner.st_uid, owner.st_gid),
                        copy_limits,
                        snapshot,
                    )
        except OSError as error:  # the layer's mounts or the copy-back as a whole
            raise ToolError(f"sandbox workspace layer: {error}", retryable=True) from None
        return outcome, copied, uid

    async def _launch(
        self,
        command: SandboxCommand,
        workspace: str,
        source: str | None = None,
        uid: int | None = None,
    ) -> Outcome:
        """Start bubblewrap (as `uid` when given) and return once the sandbox has ended."""
        # The PID namespace ends the tree; the cgroup caps processes, as does RLIMIT_NPROC
        # when the run has a uid of its own.
        cgroup = Cgroup(self.settings.processes, kill=False)
        rlimits = limits.resource_limits(
            self.settings, command.timeout_seconds, command.cpu_seconds
        )
        prefix = None
        if uid is not None and self._as_root is not None:
            prefix = self._as_root.launcher(uid, rlimits)
        handshake = _Handshake()
        sandbox_init: list[int] = []  # a pidfd for the sandbox's PID 1, once known

        async def started(pid: int) -> None:
            # bubblewrap waits on --block-fd before starting the command: limits and the
            # cgroup are set from here, so no preexec step forces a slow fork.
            child = await asyncio.wait_for(handshake.child_pid(), command.timeout_seconds)
            sandbox_init.append(os.pidfd_open(child))
            if prefix is None:  # else the launcher set them
                for which, values in rlimits:
                    resource.prlimit(child, which, values)
            cgroup.add(child)
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
            argv = self._argv(command, workspace, filter_fd, source)
            argv[1:1] = ["--info-fd", str(handshake.info_w), "--block-fd", str(handshake.block_r)]
            argv[:0] = prefix or []
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
            for pidfd in sandbox_init:
                await _ended(pidfd)
        except OSError as error:
            raise ToolError(f"cannot start the sandbox: {error}", retryable=True) from None
        finally:
            os.close(filter_fd)
            handshake.close()
            for pidfd in sandbox_init:
                os.close(pidfd)
            cgroup.remove_later()
        return outcome


@dataclass(frozen=True)
class _AsRoot:
    """What tier A needs when the service is root: never run the sandbox as root."""

    prlimit: str
    setpriv: str
    uids: UidPool
    layers: Path

    @classmethod
    def for_settings(cls, settings: SandboxSettings) -> _AsRoot:
        tools = {name: shutil.which(name) for name in ("prlimit", "setpriv")}
        missing = [name for name, path in tools.items() if path is None]
        if missing:
            raise FileNotFoundError(
                f"{' and '.join(missing)} not found (util-linux): tier A started by root "
                "needs them to drop to a dedicated uid"
            )
        prlimit, setpriv = (str(tools[name]) for name in ("prlimit", "setpriv"))
        pool = UidPool(settings.uid_base, settings.uid_count)
        return cls(prlimit, setpriv, pool, prepare_base())

    def launcher(self, uid: int, rlimits: limits.Limits) -> list[str]:
        """The prefix that starts bubblewrap as `uid` with the run's limits.

        Both exec in place (no fork, so vfork still starts them); the limits are set
        before the uid changes because setting them from outside on another uid's
        process takes CAP_SYS_RESOURCE.
        """
        return [
            self.prlimit,
            *limits.prlimit_options(rlimits),
            "--",
            self.setpriv,
            f"--reuid={uid}",
            f"--regid={uid}",
            "--clear-groups",
            "--",
        ]


async def _ended(pidfd: int, within: float = 5.0) -> None:
    """Wait until the sandbox's PID 1 has exited, which is after every process inside."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[None] = loop.create_future()

    def exited() -> None:
        if not done.done():
            done.set_result(None)

    loop.add_reader(pidfd, exited)
    try:
        for attempt in range(2):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(done), within)
                return
            if attempt == 0:  # bubblewrap is gone, so this is not expected: end it
                with contextlib.suppress(ProcessLookupError):
                    signal.pidfd_send_signal(pidfd, signal.SIGKILL)
        raise ToolError("the sandbox did not end; nothing it wrote was copied back")
    finally:
        loop.remove_reader(pidfd)


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
