"""A sandbox for tests of tools that use one: records commands, returns scripted runs."""

from __future__ import annotations

from dataclasses import dataclass, field

from intelligent_office.tools.sandbox.base import Sandbox, SandboxCommand, SandboxRun, Tier

__all__ = ["FakeSandbox"]


@dataclass
class FakeSandbox(Sandbox):
    """Returns `stdout` with exit code 0 (or the scripted runs, in order) and never runs."""

    stdout: bytes = b""
    scripted: list[SandboxRun] = field(default_factory=list)
    commands: list[SandboxCommand] = field(default_factory=list)
    tier: Tier = Tier.A

    async def run(self, command: SandboxCommand) -> SandboxRun:
        self.commands.append(command)
        if self.scripted:
            return self.scripted.pop(0)
        return SandboxRun(self.tier, 0, self.stdout, b"", False, False, 0.0)

    def python(self) -> str:
        return "/usr/bin/python3"

    def layers(self) -> dict[str, str]:
        return {"fake": "runs nothing"}
