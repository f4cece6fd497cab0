"""Tier B, for machines without user namespaces: tier "process" plus Landlock and seccomp.

The child drops to a dedicated uid, then enforces a Landlock ruleset (system
directories read-only, the workspace writable without special files, TCP denied,
signals scoped to the sandbox) and a seccomp filter that also refuses UDP sockets.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from intelligent_office.tools.sandbox import landlock, seccomp
from intelligent_office.tools.sandbox.base import Tier
from intelligent_office.tools.sandbox.process import ProcessSandbox
from intelligent_office.tools.sandbox.settings import SandboxSettings

__all__ = ["RestrictedSandbox"]

_READ_ONLY = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc/ld.so.cache",
              "/etc/localtime")  # fmt: skip
_DEVICES = ("/dev/null", "/dev/zero", "/dev/urandom")


class RestrictedSandbox(ProcessSandbox):
    """Tier B."""

    tier = Tier.B

    def __init__(self, settings: SandboxSettings) -> None:
        super().__init__(settings)
        if not self.switch_uid:
            raise PermissionError("tier B needs root to switch to a dedicated uid")
        if landlock.abi_version() < 4:
            raise OSError("tier B needs Landlock ABI 4 or later (files and TCP)")
        self._filter_ready = seccomp.available()
        if not self._filter_ready:
            raise OSError("tier B needs libseccomp")

    def layers(self) -> dict[str, str]:
        return {
            **super().layers(),
            "filesystem": "Landlock: system dirs read-only, workspace writable",
            "network": f"Landlock ABI {landlock.abi_version()}: TCP denied; seccomp: UDP denied",
            "seccomp": "dangerous syscalls, namespaces, setuid chmod, netlink and UDP denied",
        }

    def _confinement(self, workspace: str) -> tuple[Callable[[], None] | None, tuple[int, ...]]:
        read_only = [*_READ_ONLY, os.path.realpath(sys.base_prefix)]
        ruleset = landlock.build_ruleset(read_only, [workspace], _DEVICES)

        install_filter = seccomp.loader(block_udp=True)

        def confine() -> None:
            landlock.restrict_self(ruleset)
            install_filter()

        return confine, (ruleset,)
