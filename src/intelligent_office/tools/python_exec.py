"""Run a Python snippet in the sandbox (see `intelligent_office.tools.sandbox`).

The snippet runs in a separate interpreter, `python -I -S` (isolated mode, no
site-packages: standard library only), reading the snippet from stdin, with the
workspace as its working directory and an environment of only PATH, LANG and HOME.
How strongly it is confined depends on the tier the machine allows, reported in the
result's `sandbox` field: tier A (bubblewrap namespaces + seccomp), tier B (dedicated
uid + Landlock + seccomp) or "process" (resource limits only). Every tier applies the
resource limits (512 MiB of address space, CPU seconds of the timeout plus one, 16 MiB
per file, 256 open files, 64 processes, no core dumps), kills the whole process tree at
the end or after the timeout, and caps output at 64 KiB per stream (more kills the run
and sets `truncated`). With the service running as root the snippet never runs as root:
under tier A it writes to a per-call layer over the workspace, copied back when the call
ends (a cancelled call writes nothing; what was refused is in `sandbox.refused_files`),
merged against the workspace as the call started: what another writer changed meanwhile
is kept, and listed in `sandbox.conflicts`.

`python_exec_tool(provider)` builds the tool around the provider's sandbox: probed for at
start when the settings require a tier, else at the first snippet.
"""

from __future__ import annotations

import math
from typing import TypedDict

from intelligent_office.errors import ToolError
from intelligent_office.models.risk import RiskLevel
from intelligent_office.tools.base import Tool, ToolContext, tool
from intelligent_office.tools.sandbox import SandboxCommand, SandboxProvider
from intelligent_office.tools.sandbox.base import SandboxReport

__all__ = ["MAX_CODE_BYTES", "MAX_TIMEOUT_SECONDS", "PythonExecResult", "python_exec_tool"]

MAX_TIMEOUT_SECONDS = 300.0
MAX_CODE_BYTES = 1024 * 1024
_CHILD_PATH = "/usr/bin:/bin"


class PythonExecResult(TypedDict):
    """What python_exec returns."""

    exit_code: int
    stdout: str
    stderr: str
    timed_out: bool
    duration_seconds: float
    truncated: bool
    sandbox: SandboxReport


def python_exec_tool(provider: SandboxProvider | None = None) -> Tool:
    """The python_exec tool, running snippets in the provider's sandbox."""
    sandboxes = provider or SandboxProvider()

    @tool(risk=RiskLevel.HIGH, idempotent=False)
    async def python_exec(
        ctx: ToolContext, code: str, timeout_seconds: float = 10.0
    ) -> PythonExecResult:
        """Run Python code (standard library only) in a sandboxed, resource-limited process.

        The working directory is the workspace; no network (tiers A and B). `exit_code` is
        -9 after a timeout or when output passed the cap; under tier A a signal inside shows
        as 128 + its number. `sandbox.tier` says how the run was confined.

        Args:
            code: the Python source to run; print what you want to see.
            timeout_seconds: seconds before the process and its children are killed
                (at most 300, and at most the call's own time limit).
        """
        timeout = _effective_timeout(timeout_seconds, ctx.timeout_seconds)
        source = code.encode("utf-8")
        if len(source) > MAX_CODE_BYTES:
            raise ToolError(f"code is {len(source)} bytes; the limit is {MAX_CODE_BYTES}")
        workspace = ctx.workspace.resolve()
        if not workspace.is_dir():
            raise ToolError(f"workspace {workspace} is not a directory")
        sandbox = await sandboxes.get()
        run = await sandbox.run(
            SandboxCommand(
                argv=[sandbox.python(), "-I", "-S", "-"],
                workspace=workspace,
                timeout_seconds=timeout,
                stdin=source,
                env={"PATH": _CHILD_PATH, "LANG": "C.UTF-8", "HOME": str(workspace)},
            )
        )
        return {
            "exit_code": run.exit_code,
            "stdout": run.stdout.decode("utf-8", errors="replace"),
            "stderr": run.stderr.decode("utf-8", errors="replace"),
            "timed_out": run.timed_out,
            "duration_seconds": run.duration_seconds,
            "truncated": run.truncated,
            "sandbox": run.report(),
        }

    return python_exec


def _effective_timeout(requested: float, call_limit: float | None) -> float:
    if not math.isfinite(requested) or requested <= 0:
        raise ToolError(f"timeout_seconds must be a positive number, got {requested}")
    limits = [requested, MAX_TIMEOUT_SECONDS]
    if call_limit is not None and call_limit > 0:
        limits.append(call_limit)
    return min(limits)
