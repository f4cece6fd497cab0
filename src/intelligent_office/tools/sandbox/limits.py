"""Resource limits (setrlimit) shared by every tier, applied in the child before exec.

Tiers B and process set them in a preexec step; tier A sets them on the sandbox's PID 1
from outside, or, when it starts bubblewrap as another uid (which needs CAP_SYS_RESOURCE
to do from outside), through util-linux `prlimit` ahead of the command.
"""

from __future__ import annotations

import math
import resource
from collections.abc import Callable

from intelligent_office.tools.sandbox.settings import SandboxSettings

__all__ = ["Limits", "apply", "prlimit_options", "resource_limits"]

Limits = list[tuple[int, tuple[int, int]]]


def resource_limits(
    settings: SandboxSettings, timeout_seconds: float, cpu_seconds: int | None = None
) -> Limits:
    """The (resource, (soft, hard)) limits of a run, never above our own hard limits."""
    cpu = cpu_seconds if cpu_seconds is not None else math.ceil(timeout_seconds) + 1
    wanted = [
        (resource.RLIMIT_AS, settings.memory_bytes, settings.memory_bytes),
        # SIGXCPU at the soft limit, SIGKILL at the hard one.
        (resource.RLIMIT_CPU, cpu, cpu + 1),
        (resource.RLIMIT_FSIZE, settings.file_size_bytes, settings.file_size_bytes),
        (resource.RLIMIT_NOFILE, settings.open_files, settings.open_files),
        (resource.RLIMIT_CORE, 0, 0),
        # Counted per real uid: only meaningful with a dedicated uid (tiers B and process
        # as root); tier A relies on the pids cgroup as well.
        (resource.RLIMIT_NPROC, settings.processes, settings.processes),
    ]
    limits: Limits = []
    for which, soft, hard in wanted:
        _, current_hard = resource.getrlimit(which)
        if current_hard != resource.RLIM_INFINITY:
            soft, hard = min(soft, current_hard), min(hard, current_hard)
        limits.append((which, (soft, hard)))
    return limits


def apply(limits: Limits) -> Callable[[], None]:
    """A preexec step that sets the limits (only async-signal-safe-ish calls)."""

    def set_limits() -> None:
        for which, values in limits:
            resource.setrlimit(which, values)

    return set_limits


_PRLIMIT_NAMES = {
    resource.RLIMIT_AS: "as",
    resource.RLIMIT_CPU: "cpu",
    resource.RLIMIT_FSIZE: "fsize",
    resource.RLIMIT_NOFILE: "nofile",
    resource.RLIMIT_CORE: "core",
    resource.RLIMIT_NPROC: "nproc",
}


def prlimit_options(limits: Limits) -> list[str]:
    """The limits as util-linux `prlimit` options (`--as=SOFT:HARD` ...)."""

    def value(number: int) -> str:
        return "unlimited" if number == resource.RLIM_INFINITY else str(number)

    return [
        f"--{_PRLIMIT_NAMES[which]}={value(soft)}:{value(hard)}" for which, (soft, hard) in limits
    ]
