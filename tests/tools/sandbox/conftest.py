"""Fixtures for the sandbox suite: every working tier, a workspace beside an "outside"."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import textwrap
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from intelligent_office.tools.sandbox import (
    Sandbox,
    SandboxCommand,
    SandboxRun,
    SandboxSettings,
    Tier,
    probe_tier,
)

_SANDBOXES: dict[Tier, Sandbox | str] = {}


def running_with(marker: str) -> list[int]:
    """Host pids whose command line holds `marker`."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "cmdline").read_bytes():
                    pids.append(int(entry.name))
            except OSError:
                pass
    return pids


async def gone(marker: str, within: float = 2.0) -> bool:
    """Whether every process carrying `marker` has ended (waiting up to `within`)."""
    deadline = time.monotonic() + within
    while running_with(marker):
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True


@dataclass
class Arena:
    """A sandbox, a workspace inside `root`, and things outside it an attack may target."""

    sandbox: Sandbox
    root: Path
    workspace: Path
    outside: Path
    marker: str

    async def run(self, code: str, timeout: float = 5.0) -> SandboxRun:
        """Run a snippet; every process it starts carries the marker in its argv."""
        command = SandboxCommand(
            argv=[self.sandbox.python(), "-I", "-S", "-", self.marker],
            workspace=self.workspace,
            timeout_seconds=timeout,
            stdin=textwrap.dedent(code).encode(),
            env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(self.workspace)},
        )
        return await self.sandbox.run(command)


async def sandbox_for(tier: Tier) -> Sandbox:
    """The tier's sandbox (probed once per test session); skips the test when unavailable."""
    if tier not in _SANDBOXES:
        try:
            _SANDBOXES[tier] = await probe_tier(tier, SandboxSettings())
        except Exception as error:  # the probe's reason becomes the skip reason
            _SANDBOXES[tier] = f"tier {tier.value} unavailable here: {error}"
    found = _SANDBOXES[tier]
    if isinstance(found, str):
        pytest.skip(found)
    return found


@pytest.fixture(params=[Tier.A, Tier.B], ids=lambda tier: f"tier-{tier.value}")
async def sandbox(request: pytest.FixtureRequest) -> Sandbox:
    return await sandbox_for(request.param)


@pytest.fixture
async def arena(sandbox: Sandbox, tmp_path: Path) -> AsyncIterator[Arena]:
    """The arena, and after the test: the service is unaffected and nothing is left running."""
    workspace = tmp_path / "workspace"
    outside = tmp_path / "outside"
    workspace.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text("outside-secret")
    arena = Arena(sandbox, tmp_path, workspace, outside, f"office-adv-{uuid.uuid4().hex}")
    yield arena
    try:
        assert await gone(arena.marker), "a process of the attack outlived the call"
        assert (outside / "secret.txt").read_text() == "outside-secret"
        assert sorted(p.name for p in outside.iterdir()) == ["secret.txt"]
        after = await arena.run("print('still fine')")
        assert after.stdout == b"still fine\n", "the sandbox no longer works after the attack"
    finally:
        for pid in running_with(arena.marker):
            os.kill(pid, signal.SIGKILL)


@pytest.fixture
def canary() -> Iterator[subprocess.Popen[bytes]]:
    """A host process of our own (root, like the service) an attack must not kill."""
    process = subprocess.Popen(["sleep", "60"])
    yield process
    process.kill()
    process.wait()
