"""Probing tiers, refusing weaker ones, the doctor's lines, the fake and the public names."""

from __future__ import annotations

import asyncio
import importlib
import os
import subprocess
import time
from pathlib import Path

import pytest

from intelligent_office.errors import ConfigError
from intelligent_office.tools import sandbox as sandbox_package
from intelligent_office.tools.sandbox import (
    FakeSandbox,
    ProbeReport,
    SandboxCommand,
    SandboxSettings,
    Tier,
    doctor_status,
    for_machine,
    probe,
)
from intelligent_office.tools.sandbox.uids import UidPool

# The package re-exports the function `probe`, which hides the module of that name.
probe_module = importlib.import_module("intelligent_office.tools.sandbox.probe")


def test_public_names() -> None:
    assert sorted(sandbox_package.__all__) == [
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


def test_probe_picks_the_strongest_working_tier_and_the_doctor_shows_it() -> None:
    report = probe()
    assert report.sandbox is not None
    assert report.results[report.sandbox.tier].startswith("ok")
    lines = doctor_status(report)
    assert lines[0] == f"sandbox: tier {report.sandbox.tier.label}"
    assert any(line.strip().startswith("rlimits:") for line in lines)


def test_require_tier_refuses_a_weaker_tier(monkeypatch: pytest.MonkeyPatch) -> None:
    weak = ProbeReport(
        sandbox=FakeSandbox(tier=Tier.PROCESS),
        results={Tier.A: "unavailable: bwrap not found", Tier.PROCESS: "ok (3 ms)"},
    )
    monkeypatch.setattr(probe_module, "probe", lambda settings=None: weak)
    with pytest.raises(ConfigError, match="weaker than require_tier=A.*bwrap not found"):
        for_machine(SandboxSettings(require_tier=Tier.A))
    assert for_machine(SandboxSettings(require_tier=Tier.PROCESS)).tier is Tier.PROCESS


def test_no_working_tier_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    nothing = ProbeReport(sandbox=None, results={Tier.A: "unavailable: no"})
    monkeypatch.setattr(probe_module, "probe", lambda settings=None: nothing)
    with pytest.raises(ConfigError, match="no sandbox tier works"):
        for_machine(SandboxSettings())
    assert doctor_status(nothing)[0] == "sandbox: NONE works"


def test_settings_take_the_tier_by_name() -> None:
    assert SandboxSettings.model_validate({"require_tier": "A"}).require_tier is Tier.A
    with pytest.raises(ValueError):
        SandboxSettings.model_validate({"require_tier": "C"})


async def test_fake_sandbox_records_commands(tmp_path: Path) -> None:
    fake = FakeSandbox(stdout=b"42\n")
    run = await fake.run(SandboxCommand(["/bin/true"], tmp_path, 1.0))
    assert (run.stdout, run.report()["tier"]) == (b"42\n", "A")
    assert fake.commands[0].argv == ["/bin/true"]


def test_uid_leases_are_exclusive_across_pools(tmp_path: Path) -> None:
    first, second = UidPool(62000, 2, tmp_path), UidPool(62000, 2, tmp_path)
    with first.lease() as a, second.lease() as b:
        assert a != b
        with pytest.raises(RuntimeError, match="no free sandbox uid"), first.lease():
            pass


def test_a_uid_with_processes_is_skipped_unless_released_clean(tmp_path: Path) -> None:
    """The /proc scan for leftovers is skipped only after a holder that left nothing."""
    if os.geteuid() != 0:
        pytest.skip("starting a process as another uid needs root")
    uid = 62010
    pool = UidPool(uid, 1, tmp_path)
    leftover = subprocess.Popen(
        ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "sleep", "60"]
    )
    try:
        deadline = time.monotonic() + 5
        while f"\t{uid}\t" not in Path(f"/proc/{leftover.pid}/status").read_text():
            assert time.monotonic() < deadline
            time.sleep(0.01)
        with pytest.raises(RuntimeError, match="no free sandbox uid"), pool.lease():
            pass  # a process of the uid is running: skipped
        (tmp_path / str(uid)).write_bytes(b"clean")  # as a tier A run leaves it
        with pool.lease(leaves_nothing=True) as leased:
            assert leased == uid  # trusted: no scan
        assert (tmp_path / str(uid)).read_bytes() == b"clean"
        with pytest.raises(ValueError), pool.lease(leaves_nothing=True):
            raise ValueError("the run failed")
        assert (tmp_path / str(uid)).read_bytes() == b"inuse"
        with pytest.raises(RuntimeError, match="no free sandbox uid"), pool.lease():
            pass  # after a failed run: scanned again
    finally:
        leftover.kill()
        leftover.wait()


def test_probe_soon_probes_in_a_thread_and_probe_takes_its_report() -> None:
    settings = SandboxSettings(open_files=255)  # settings no other test has probed
    probe_module._probed.pop(settings, None)
    probe_module.probe_soon(settings)
    assert settings in probe_module._probing  # under way, off the caller's thread
    report = probe(settings)
    assert settings not in probe_module._probing  # taken, not probed a second time
    assert report.sandbox is not None
    assert report.results[report.sandbox.tier].startswith("ok")
    assert report.sandbox.tier is probe(SandboxSettings(), fresh=True).tier
    assert probe(settings) is report  # kept for the process
    probe_module.probe_soon(settings)  # already known: nothing starts
    assert settings not in probe_module._probing


async def test_first_snippets_at_once_share_one_probe_and_one_sandbox() -> None:
    """An Office without `require_tier` probes at its first snippet: a fan-out's first
    snippets, all at once, wait for one probe and run in the one sandbox it chose (not a
    probe each, whose children crowd the machine, each free to settle on another tier)."""
    from intelligent_office.tools.sandbox import SandboxProvider

    # Settings of this test alone: no probe of another test is kept for them.
    settings = SandboxSettings(open_files=4321)
    assert settings not in probe_module._probed
    provider = SandboxProvider(settings=settings)
    sandboxes = await asyncio.gather(*(provider.get() for _ in range(4)))
    assert all(sandbox is sandboxes[0] for sandbox in sandboxes)
    assert probe_module._probed[settings].sandbox is sandboxes[0]


async def test_a_failed_first_probe_is_reported_to_the_snippet_and_tried_again_next(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from intelligent_office.tools.sandbox import SandboxProvider

    nothing = ProbeReport(sandbox=None, results={Tier.A: "unavailable: no"})
    monkeypatch.setattr(probe_module, "probe", lambda settings=None: nothing)
    provider = SandboxProvider(settings=SandboxSettings())
    for outcome in await asyncio.gather(provider.get(), provider.get(), return_exceptions=True):
        assert isinstance(outcome, ConfigError) and "no sandbox tier works" in str(outcome)
    monkeypatch.undo()
    assert (await provider.get()).tier is probe().tier
