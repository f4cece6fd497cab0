"""The sandbox contract: tiers, what a run asks for and what it returns, the Sandbox base.

A Sandbox runs one command confined to a workspace directory and returns its capped
output. Implementations: `bubblewrap.BubblewrapSandbox` (tier A),
`restricted.RestrictedSandbox` (tier B), `process.ProcessSandbox` (the weakest, labelled
"process"), and `fake.FakeSandbox` for tests of the tools that use one.
"""

from __future__ import annotations

import abc
import enum
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict

__all__ = [
    "Sandbox",
    "SandboxCommand",
    "SandboxReport",
    "SandboxRun",
    "Tier",
    "system_python",
]


class Tier(enum.StrEnum):
    """How strongly a run is confined; A is the strongest."""

    A = "A"
    B = "B"
    PROCESS = "process"

    @property
    def strength(self) -> int:
        """Higher is stronger."""
        return {Tier.A: 3, Tier.B: 2, Tier.PROCESS: 1}[self]

    @property
    def label(self) -> str:
        """A human-readable description of the tier."""
        return {
            Tier.A: "A: bubblewrap namespaces + seccomp + rlimits",
            Tier.B: "B: dedicated uid + Landlock + seccomp + rlimits",
            Tier.PROCESS: "process: resource limits only, NOT a sandbox",
        }[self]


class SandboxReport(TypedDict):
    """The `sandbox` field of a tool result: the tier, the host uid, what the run lost."""

    tier: str
    outside_uid: int | None
    removed_files: list[str]
    stripped_files: list[str]
    refused_files: list[str]
    conflicts: list[str]


@dataclass(frozen=True)
class SandboxCommand:
    """One confined run.

    Attributes:
        argv: the command as seen inside the sandbox (argv[0] an absolute path).
        workspace: the only directory the command may write; its working directory.
        timeout_seconds: wall-clock limit; the whole process tree is killed after it.
        stdin: bytes fed to the command's standard input.
        env: the command's whole environment (nothing else is inherited).
        cpu_seconds: RLIMIT_CPU; the timeout plus one when None.
    """

    argv: list[str]
    workspace: Path
    timeout_seconds: float
    stdin: bytes = b""
    env: dict[str, str] = field(default_factory=dict)
    cpu_seconds: int | None = None


@dataclass
class SandboxRun:
    """What a run produced. `exit_code` is negative when a signal ended it (-9 on timeout)."""

    tier: Tier
    exit_code: int
    stdout: bytes
    stderr: bytes
    timed_out: bool
    truncated: bool
    duration_seconds: float
    removed_files: list[str] = field(default_factory=list)
    """Workspace paths that were FIFOs, devices or sockets, deleted after the run."""
    stripped_files: list[str] = field(default_factory=list)
    """Workspace paths whose setuid/setgid bits were removed after the run."""
    refused_files: list[str] = field(default_factory=list)
    """"path: reason" for what the run wrote but the workspace did not receive (tier A
    started by root: symlinks, hard links, FIFOs, sockets, devices, past the size cap)."""
    conflicts: list[str] = field(default_factory=list)
    """"path: what was kept" for workspace entries another writer changed while the run
    ran, which the run deleted or wrote too (tier A started by root): the other writer's
    version is kept, the run's written beside it as NAME.conflict-XXXXXXXX."""
    outside_uid: int | None = None
    """The uid the command ran as, seen from the host (never 0)."""

    def report(self) -> SandboxReport:
        """The `sandbox` field of a tool result."""
        return {
            "tier": self.tier.value,
            "outside_uid": self.outside_uid,
            "removed_files": self.removed_files,
            "stripped_files": self.stripped_files,
            "refused_files": self.refused_files,
            "conflicts": self.conflicts,
        }


class Sandbox(abc.ABC):
    """Runs commands confined to a workspace."""

    tier: Tier

    @abc.abstractmethod
    async def run(self, command: SandboxCommand) -> SandboxRun:
        """Run `command` to completion or timeout; never leaves a process behind."""

    @abc.abstractmethod
    def python(self) -> str:
        """An interpreter path usable inside this sandbox."""

    def layers(self) -> dict[str, str]:
        """Each confinement layer and its state, for `office doctor`."""
        return {}


def system_python(others_must_reach: bool) -> str | None:
    """The interpreter to run snippets with; one every user can reach when asked to.

    Our own interpreter is preferred (same version as the service); a private install
    (under /root, say) is unreachable for an unprivileged uid, so /usr/bin/python3 then.
    """
    own = os.path.realpath(sys.executable) if sys.executable else ""
    if own and (not others_must_reach or _reachable_by_others(Path(own))):
        return own
    found = shutil.which("python3", path="/usr/bin:/bin")
    return os.path.realpath(found) if found else None


def _reachable_by_others(path: Path) -> bool:
    try:
        if not path.stat().st_mode & 0o005:
            return False
        return all(parent.stat().st_mode & 0o001 for parent in path.parents)
    except OSError:
        return False
