"""python_exec with real child processes: output, exit codes, timeouts, environment, limits."""

from __future__ import annotations

import asyncio
import os
import signal
import textwrap
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from intelligent_office.errors import ToolError
from intelligent_office.tools import ToolContext
from intelligent_office.tools.python_exec import python_exec_tool

python_exec = python_exec_tool()


@pytest.fixture
def ctx(tmp_path: Path) -> ToolContext:
    return ToolContext(workspace=tmp_path)


def running_with(marker: str) -> list[int]:
    """Host pids whose command line holds `marker` (pids inside a sandbox differ)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "cmdline").read_bytes():
                    pids.append(int(entry.name))
            except OSError:
                pass
    return pids


@pytest.fixture
def marker() -> Iterator[str]:
    """A token the snippet's children carry in their argv; any left are killed at the end."""
    token = f"office-test-{uuid.uuid4().hex}"
    yield token
    for pid in running_with(token):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


async def gone(marker: str, within: float = 2.0) -> bool:
    deadline = time.monotonic() + within
    while running_with(marker):
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True


SPAWN_SLEEPER = textwrap.dedent(
    """
    import subprocess, sys
    child = subprocess.Popen(
        [sys.executable, "-I", "-S", "-c", "import time; time.sleep(30)", "{marker}"], {options}
    )
    print(child.pid, flush=True)
    """
)


async def run(ctx: ToolContext, code: str, **arguments: Any) -> Any:
    return await python_exec(ctx, {"code": textwrap.dedent(code), **arguments})


async def test_captures_output_in_the_workspace(ctx: ToolContext, tmp_path: Path) -> None:
    result = await run(
        ctx,
        """
        import os, sys
        print("hello", os.getcwd())
        print("careful", file=sys.stderr)
        open("made.txt", "w").write("by the snippet")
        """,
    )
    assert result["exit_code"] == 0
    assert result["stdout"] == f"hello {tmp_path.resolve()}\n"
    assert result["stderr"] == "careful\n"
    assert result["timed_out"] is False
    assert result["truncated"] is False
    assert 0 < result["duration_seconds"] < 5
    assert (tmp_path / "made.txt").read_text() == "by the snippet"


async def test_reports_nonzero_exits(ctx: ToolContext) -> None:
    assert (await run(ctx, "raise SystemExit(3)"))["exit_code"] == 3
    failed = await run(ctx, "1 / 0")
    assert failed["exit_code"] == 1
    assert "ZeroDivisionError: division by zero" in failed["stderr"]


async def test_environment_is_clean(ctx: ToolContext, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OFFICE_SECRET", "hunter2")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-not-for-snippets")
    result = await run(
        ctx, "import os; os.environ.pop('PWD', None); print(sorted(os.environ.items()))"
    )
    assert "hunter2" not in result["stdout"]
    assert "sk-not-for-snippets" not in result["stdout"]
    assert (
        result["stdout"]
        == str(
            sorted(
                {
                    "HOME": str(ctx.workspace.resolve()),
                    "LANG": "C.UTF-8",
                    "PATH": "/usr/bin:/bin",
                }.items()
            )
        )
        + "\n"
    )


async def test_runs_isolated_without_site_packages(ctx: ToolContext) -> None:
    result = await run(ctx, "import sys; print(sys.flags.isolated, sys.flags.no_site)")
    assert result["stdout"] == "1 1\n"
    missing = await run(ctx, "import pydantic")
    assert "ModuleNotFoundError" in missing["stderr"]


async def test_timeout_kills_the_snippet_and_its_children(ctx: ToolContext, marker: str) -> None:
    code = SPAWN_SLEEPER.format(options="", marker=marker) + "import time; time.sleep(30)\n"
    started = time.monotonic()
    result = await run(ctx, code, timeout_seconds=0.5)
    assert time.monotonic() - started < 3
    assert result["timed_out"] is True
    assert result["exit_code"] == -signal.SIGKILL
    assert await gone(marker), "the child the snippet started was not killed"


async def test_children_do_not_outlive_a_snippet_that_exits(ctx: ToolContext, marker: str) -> None:
    result = await run(ctx, SPAWN_SLEEPER.format(options="", marker=marker))
    assert result["exit_code"] == 0
    assert result["timed_out"] is False
    assert await gone(marker)


async def test_a_child_in_its_own_session_does_not_outlive_the_call(
    ctx: ToolContext, marker: str
) -> None:
    started = time.monotonic()
    code = SPAWN_SLEEPER.format(options="start_new_session=True", marker=marker)
    result = await run(ctx, code)
    assert time.monotonic() - started < 3
    assert result["exit_code"] == 0
    assert await gone(marker)


async def test_the_call_time_limit_caps_the_timeout(tmp_path: Path) -> None:
    ctx = ToolContext(workspace=tmp_path, timeout_seconds=0.3)
    started = time.monotonic()
    result = await run(ctx, "import time; time.sleep(10)", timeout_seconds=10)
    assert result["timed_out"] is True
    assert time.monotonic() - started < 2


async def test_memory_limit_is_a_failure(ctx: ToolContext) -> None:
    result = await run(ctx, "data = bytearray(1024 ** 3)\nprint('allocated')")
    assert result["exit_code"] == 1
    assert "MemoryError" in result["stderr"]
    assert result["stdout"] == ""


async def test_file_size_limit(ctx: ToolContext, tmp_path: Path) -> None:
    result = await run(ctx, "open('big.bin', 'wb').write(bytes(17 * 1024 * 1024))")
    assert result["exit_code"] == 1
    assert "File too large" in result["stderr"]
    assert (tmp_path / "big.bin").stat().st_size <= 16 * 1024 * 1024


async def test_output_is_capped(ctx: ToolContext) -> None:
    result = await run(ctx, "print('x' * 200_000)")
    assert result["exit_code"] == -signal.SIGKILL  # more than the cap ends the run
    assert len(result["stdout"]) == 64 * 1024
    assert result["truncated"] is True


async def test_output_written_just_before_exit_is_kept(ctx: ToolContext) -> None:
    result = await run(ctx, "import sys\nfor i in range(5000): sys.stdout.write(f'{i:05d}\\n')")
    assert result["stdout"] == "".join(f"{i:05d}\n" for i in range(5000))
    assert result["truncated"] is False


async def test_endless_output_is_capped_and_ends_the_run(ctx: ToolContext) -> None:
    started = time.monotonic()
    result = await run(ctx, "while True: print('spam' * 1000)", timeout_seconds=5)
    assert time.monotonic() - started < 3
    assert result["timed_out"] is False
    assert result["exit_code"] == -signal.SIGKILL
    assert result["truncated"] is True
    assert len(result["stdout"]) == 64 * 1024


async def test_cancelling_the_call_kills_the_process(ctx: ToolContext, marker: str) -> None:
    code = SPAWN_SLEEPER.format(options="", marker=marker) + "import time; time.sleep(30)\n"
    call = asyncio.create_task(run(ctx, code))
    # The snippet's child is running (a file it wrote may reach the workspace only after
    # the call: tier A started by root copies writes back at the end).
    deadline = time.monotonic() + 10
    while not running_with(marker):
        assert time.monotonic() < deadline, "the snippet never started its child"
        await asyncio.sleep(0.02)
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    assert await gone(marker)


@pytest.mark.parametrize("timeout", [0, -1, float("nan")])
async def test_rejects_a_bad_timeout(ctx: ToolContext, timeout: float) -> None:
    with pytest.raises(ToolError, match="timeout_seconds must be a positive number"):
        await run(ctx, "print(1)", timeout_seconds=timeout)


async def test_reports_the_sandbox_tier(ctx: ToolContext) -> None:
    result = await run(ctx, "print(1)")
    assert result["sandbox"]["tier"] in {"A", "B", "process"}


def test_spec_is_high_risk_and_not_idempotent() -> None:
    assert python_exec.spec.risk_level == "high"
    assert python_exec.spec.idempotent is False
