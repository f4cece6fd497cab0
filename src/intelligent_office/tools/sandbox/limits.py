"""Resource limits (setrlimit) shared by every tier, applied in the child before exec."""

from __future__ import annotations

import math
import resource
from collections.abc import Callable

from intelligent_office.tools.sandbox.settings import SandboxSettings

__all__ = ["Limits", "apply", "resource_limits"]

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
