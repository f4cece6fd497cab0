"""The weakest tier, "process": a child process with resource limits, NOT a sandbox.

It can read what its uid can read and use the network. What it gets: a dedicated
unprivileged uid when the service is root (never root itself), resource limits, its
own session, a per-run cgroup when one can be made (process cap and tree kill), else a
kill of everything its uid runs, and the workspace scrub. `RestrictedSandbox` (tier B)
adds Landlock and seccomp on top.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Callable
from pathlib import Path

from intelligent_office.errors import ToolError
from intelligent_office.tools.sandbox import limits
from intelligent_office.tools.sandbox._runner import Launch, Outcome, launch
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
from intelligent_office.tools.sandbox.uids import UidPool, kill_uid

__all__ = ["ProcessSandbox"]


class ProcessSandbox(Sandbox):
    """Tier "process"."""

    tier = Tier.PROCESS

    def __init__(self, settings: SandboxSettings) -> None:
        self.settings = settings
        self.switch_uid = os.geteuid() == 0
        interpreter = system_python(others_must_reach=self.switch_uid)
        if interpreter is None:
            raise FileNotFoundError("no Python interpreter the sandbox uid can run")
        self._python = interpreter
        self._uids = UidPool(settings.uid_base, settings.uid_count)

    def python(self) -> str:
        return self._python

    def layers(self) -> dict[str, str]:
        identity = "a dedicated uid per run" if self.switch_uid else "the service's own uid"
        return {
            "identity": identity,
            "rlimits": "memory, cpu, processes, file size, open files, core 0",
            "cgroup": support().describe(),
            "filesystem": "NOT confined",
            "network": "NOT confined",
        }

    def _confinement(self, workspace: str) -> tuple[Callable[[], None] | None, tuple[int, ...]]:
        """Extra preexec step run after the uid switch, and fds it needs (tier B)."""
        return None, ()

    def _release(self, fds: tuple[int, ...]) -> None:
        for fd in fds:
            os.close(fd)

    async def run(self, command: SandboxCommand) -> SandboxRun:
        workspace = str(command.workspace.resolve())
        owner = os.stat(workspace)
        with self._uids.lease() as uid:
            if self.switch_uid:
                # The run writes here as its own uid; what it makes, the scrub checks.
                os.chown(workspace, uid, uid)
            try:
                outcome = await self._launch(command, workspace, uid)
            finally:
                if self.switch_uid:
                    os.chown(workspace, owner.st_uid, owner.st_gid)
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
            outside_uid=uid if self.switch_uid else os.geteuid(),
        )

    async def _launch(self, command: SandboxCommand, workspace: str, uid: int) -> Outcome:
        cgroup = Cgroup(self.settings.processes)
        set_limits = limits.apply(
            limits.resource_limits(self.settings, command.timeout_seconds, command.cpu_seconds)
        )
        confine, fds = self._confinement(workspace)
        switch_uid = self.switch_uid

        def preexec() -> None:
            cgroup.join()
            set_limits()
            if switch_uid:
                os.setgroups([])
                os.setresgid(uid, uid, uid)
                os.setresuid(uid, uid, uid)
            if confine is not None:
                confine()

        def kill_tree(pid: int) -> None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
            cgroup.kill()
            if switch_uid:
                kill_uid(uid)

        try:
            return await launch(
                Launch(
                    argv=command.argv,
                    env=dict(command.env),
                    cwd=workspace,
                    stdin=command.stdin,
                    timeout_seconds=command.timeout_seconds,
                    output_bytes=self.settings.output_bytes,
                    kill_tree=kill_tree,
                    preexec=preexec,
                    pass_fds=fds,
                )
            )
        except OSError as error:
            raise ToolError(f"cannot start the sandbox: {error}", retryable=True) from None
        finally:
            self._release(fds)
            cgroup.remove_later()
