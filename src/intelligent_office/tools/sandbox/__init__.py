"""Confined execution for python_exec, shell-like tools and every untrusted tool.

Tiers, strongest first (chosen at start-up by `for_machine`, which runs `true` under each):

- A `BubblewrapSandbox`: bubblewrap, all namespaces, no capabilities, seccomp, uid 65534
  inside; started by root, a dedicated uid outside and a per-run overlay over the
  workspace whose changes are copied back sanitized;
- B `RestrictedSandbox`: a dedicated uid, Landlock (files, TCP, signals), seccomp (UDP too);
- process `ProcessSandbox`: resource limits and a dedicated uid only, NOT a sandbox.

Every tier: never root, an empty launcher environment, rlimits, a per-run cgroup or uid
kill for the whole tree, capped output, and a scrub of the workspace afterwards.
"""

from __future__ import annotations

from intelligent_office.tools.sandbox.base import Sandbox, SandboxCommand, SandboxRun, Tier
from intelligent_office.tools.sandbox.bubblewrap import BubblewrapSandbox
from intelligent_office.tools.sandbox.fake import FakeSandbox
from intelligent_office.tools.sandbox.probe import (
    ProbeReport,
    SandboxProvider,
    doctor_status,
    for_machine,
    probe,
    probe_tier,
)
from intelligent_office.tools.sandbox.process import ProcessSandbox
from intelligent_office.tools.sandbox.restricted import RestrictedSandbox
from intelligent_office.tools.sandbox.settings import SandboxSettings

__all__ = [
    "BubblewrapSandbox",
    "FakeSandbox",
    "ProbeReport",
    "ProcessSandbox",
    "RestrictedSandbox",
    "Sandbox",
    "SandboxCommand",
    "SandboxProvider",
    "SandboxRun",
    "SandboxSettings",
    "Tier",
    "doctor_status",
    "for_machine",
    "probe",
    "probe_tier",
]
