"""The parts an Office's settings configure: the sandbox is probed when a tier is required,
else at the first snippet (most tasks never run one, and the probe starts processes)."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from intelligent_office import Office
from intelligent_office.errors import ConfigError
from intelligent_office.settings import load_settings
from intelligent_office.tools import ToolContext
from intelligent_office.tools.sandbox import Tier, probe
from intelligent_office.tools.sandbox.settings import SandboxSettings

probe_module = importlib.import_module("intelligent_office.tools.sandbox.probe")


async def test_without_a_required_tier_the_sandbox_is_probed_at_the_first_snippet(
    tmp_path: Path,
) -> None:
    sandbox = SandboxSettings(open_files=253)  # settings no other test has probed
    probe_module._probed.pop(sandbox, None)
    settings = load_settings(None, home=tmp_path / "home", sandbox=sandbox)
    with Office.from_settings(settings) as office:
        assert sandbox not in probe_module._probed  # not probed, not under way
        assert sandbox not in probe_module._probing
        run = office.tools.get("python_exec")
        result = await run(ToolContext(workspace=tmp_path), {"code": "print(6 * 7)"})
        assert result["exit_code"] == 0 and result["stdout"].strip() == "42"
        report = probe(sandbox)  # probed once, by the snippet, with the Office's settings
        assert report.sandbox is not None
        assert result["sandbox"]["tier"] == report.sandbox.tier.value


def test_a_required_tier_the_machine_lacks_stops_the_office_at_start(tmp_path: Path) -> None:
    sandbox = SandboxSettings(require_tier=Tier.A, bwrap_path=str(tmp_path / "no-bwrap"))
    settings = load_settings(None, home=tmp_path / "home", sandbox=sandbox)
    with pytest.raises(ConfigError, match="weaker than require_tier=A"):
        Office.from_settings(settings)
