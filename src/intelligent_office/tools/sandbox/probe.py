"""Find the strongest tier this machine allows by running `true` under each; pick one.

`for_machine(settings)` probes once, enforces `require_tier`, logs the choice and returns
the sandbox; `doctor_status(report)` renders the result for `office doctor`.
`SandboxProvider` is what tools hold: a given sandbox, or one probed for on first use.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import tempfile
import threading
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from intelligent_office.errors import ConfigError
from intelligent_office.tools.sandbox.base import Sandbox, SandboxCommand, Tier
from intelligent_office.tools.sandbox.bubblewrap import BubblewrapSandbox
from intelligent_office.tools.sandbox.process import ProcessSandbox
from intelligent_office.tools.sandbox.restricted import RestrictedSandbox
from intelligent_office.tools.sandbox.settings import SandboxSettings

__all__ = [
    "ProbeReport",
    "SandboxProvider",
    "doctor_status",
    "for_machine",
    "probe",
    "probe_soon",
    "probe_tier",
]

logger = logging.getLogger(__name__)

_T = TypeVar("_T")
_FACTORIES: dict[Tier, Callable[[SandboxSettings], Sandbox]] = {
    Tier.A: BubblewrapSandbox,
    Tier.B: RestrictedSandbox,
    Tier.PROCESS: ProcessSandbox,
}
_PROBE_TIMEOUT_SECONDS = 10.0


@dataclass
class ProbeReport:
    """Which tiers work here, why the others do not, and the one chosen."""

    sandbox: Sandbox | None
    results: dict[Tier, str] = field(default_factory=dict)
    """"ok" or why the tier failed, for each tier tried."""

    @property
    def tier(self) -> Tier | None:
        """The chosen tier, None when nothing works."""
        return self.sandbox.tier if self.sandbox else None


def _run_sync(coroutine: Coroutine[Any, Any, _T]) -> _T:
    """Run a coroutine to completion from sync code, even inside a running event loop."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def probe_tier(tier: Tier, settings: SandboxSettings) -> Sandbox:
    """Build the tier's sandbox and run `true` and the snippet interpreter under it.

    Raises with the reason when the tier does not work here.
    """
    sandbox = _FACTORIES[tier](settings)
    with tempfile.TemporaryDirectory(prefix="office-sandbox-probe-") as workspace:
        for argv in (["/bin/true"], [sandbox.python(), "-I", "-S", "-c", "pass"]):
            run = await sandbox.run(SandboxCommand(argv, Path(workspace), _PROBE_TIMEOUT_SECONDS))
            if run.exit_code != 0:
                detail = run.stderr.decode(errors="replace").strip().splitlines()
                last = detail[-1] if detail else ""
                raise OSError(f"`{' '.join(argv)}` exited {run.exit_code}: {last}")
    return sandbox


async def _probe(settings: SandboxSettings) -> ProbeReport:
    report = ProbeReport(sandbox=None)
    for tier in Tier:
        try:
            started = time.monotonic()
            report.sandbox = await probe_tier(tier, settings)
        except Exception as error:  # any failure means: not this tier
            report.results[tier] = f"unavailable: {error}"
            continue
        report.results[tier] = f"ok ({(time.monotonic() - started) * 1000:.0f} ms)"
        break
    return report


_probed: dict[SandboxSettings, ProbeReport] = {}
_probing: dict[SandboxSettings, concurrent.futures.Future[ProbeReport]] = {}
_probing_lock = threading.Lock()


def probe_soon(settings: SandboxSettings | None = None) -> None:
    """Start probing in a background thread; the next `probe` with these settings waits
    for it instead of probing again.

    The probe is mostly waiting on sandboxed children (70-180 ms on a 2-core machine):
    started before the service's modules load, it costs a command almost nothing.
    """
    settings = settings or SandboxSettings()
    with _probing_lock:
        if settings in _probed or settings in _probing:
            return
        pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="sandbox-probe")
        _probing[settings] = pool.submit(asyncio.run, _probe(settings))
        pool.shutdown(wait=False)  # the thread ends with the probe


def probe(settings: SandboxSettings | None = None, fresh: bool = False) -> ProbeReport:
    """Try tiers strongest first and stop at the first that runs `true`.

    The result is kept per settings for the life of the process (every service start
    would otherwise pay for it again); `fresh=True` probes anew.
    """
    settings = settings or SandboxSettings()
    if not fresh and settings in _probed:
        return _probed[settings]
    with _probing_lock:
        started = _probing.pop(settings, None)
    report = started.result() if started is not None else _run_sync(_probe(settings))
    for tier, result in report.results.items():
        logger.debug("sandbox tier %s: %s", tier.value, result)
    if report.sandbox is not None:
        _probed[settings] = report
    return report


def for_machine(settings: SandboxSettings | None = None) -> Sandbox:
    """The strongest working sandbox; ConfigError when it is weaker than `require_tier`."""
    settings = settings or SandboxSettings()
    report = probe(settings)
    sandbox = report.sandbox
    if sandbox is None:
        raise ConfigError(f"no sandbox tier works on this machine: {_reasons(report)}")
    required = settings.require_tier
    if required is not None and sandbox.tier.strength < required.strength:
        raise ConfigError(
            f"sandbox tier {sandbox.tier.value} is weaker than require_tier={required.value} "
            f"({_reasons(report)}); install bubblewrap (scripts/install-system-deps.sh) "
            "or lower sandbox.require_tier"
        )
    if sandbox.tier is Tier.PROCESS:
        logger.warning("sandbox: tier %s", sandbox.tier.label)
    else:  # the strong tiers are the expected case: `office doctor` shows which
        logger.debug("sandbox: tier %s", sandbox.tier.label)
    return sandbox


def _reasons(report: ProbeReport) -> str:
    return "; ".join(f"{tier.value}: {result}" for tier, result in report.results.items())


def doctor_status(report: ProbeReport) -> list[str]:
    """Lines for `office doctor`: the tier in use, each tier's probe and each layer's state."""
    if report.sandbox is None:
        lines = ["sandbox: NONE works"]
    else:
        lines = [f"sandbox: tier {report.sandbox.tier.label}"]
    lines += [f"  tier {tier.value}: {result}" for tier, result in report.results.items()]
    if report.sandbox is not None:
        lines += [f"  {layer}: {state}" for layer, state in report.sandbox.layers().items()]
    return lines


class SandboxProvider:
    """The sandbox a tool runs in: the one given, else the machine's, probed on first use.

    An Office whose settings require a tier probes at start (`for_machine`) and passes
    the result in; otherwise its tools (and tools built without one: tests,
    `builtin_tools()` with no arguments) probe when first called, with these settings.
    """

    def __init__(
        self, sandbox: Sandbox | None = None, settings: SandboxSettings | None = None
    ) -> None:
        self._sandbox = sandbox
        self._settings = settings
        self._probing: concurrent.futures.Future[Sandbox] | None = None
        self._probing_lock = threading.Lock()

    async def get(self) -> Sandbox:
        """The sandbox; probing (off the event loop) the first time when none was given."""
        if self._sandbox is None:
            # Shielded: a cancelled snippet must not cancel the probe the others wait on.
            self._sandbox = await asyncio.shield(asyncio.wrap_future(self._probe()))
        return self._sandbox

    def _probe(self) -> concurrent.futures.Future[Sandbox]:
        """The probe under way, else a new one (after none, or one that failed).

        A fan-out's first snippets come at once: they share one probe, and so one tier,
        rather than each probing (children crowding the machine, each free to settle on
        a weaker tier than the others when a probe times out).
        """
        with self._probing_lock:
            probing = self._probing
            if probing is None or (probing.done() and probing.exception() is not None):
                pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="sandbox-probe")
                probing = self._probing = pool.submit(for_machine, self._settings)
                pool.shutdown(wait=False)  # the thread ends with the probe
            return probing
