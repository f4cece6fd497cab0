"""Copy-back never destroys what the run did not see (tier A started by root, real sandbox).

While a snippet runs, another writer (another task, a person) changes the workspace. The
run's changes are merged against the workspace as it was when the call started: what
the run deleted is deleted only if it is unchanged since, and what changed meanwhile is
kept and reported in `sandbox.conflicts`.
"""

from __future__ import annotations

import asyncio
import os
import signal
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from intelligent_office.tools.sandbox import SandboxRun, Tier
from intelligent_office.tools.sandbox.overlay import default_base
from tests.tools.sandbox.conftest import Arena, gone, running_with, sandbox_for

pytestmark = pytest.mark.timeout(60)

OWNER = 4321  # the workspace's owner: not root, not a sandbox uid


@pytest.fixture
async def root_arena(tmp_path: Path) -> AsyncIterator[Arena]:
    """Tier A with the service as root (so the run writes through an overlay)."""
    if os.geteuid() != 0:
        pytest.skip("the copy-back runs only when the service is root")
    sandbox = await sandbox_for(Tier.A)
    workspace, outside = tmp_path / "workspace", tmp_path / "outside"
    workspace.mkdir()
    outside.mkdir()
    os.chown(workspace, OWNER, OWNER)
    arena = Arena(sandbox, tmp_path, workspace, outside, f"office-merge-{uuid.uuid4().hex}")
    yield arena
    assert await gone(arena.marker), "a process of the run outlived the call"


async def _wait_for(condition: str, check: Callable[[], object], within: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not check():
        assert asyncio.get_running_loop().time() < deadline, f"never happened: {condition}"
        await asyncio.sleep(0.02)


def make_directories(*directories: Path) -> None:
    """Directories the run may change (its uid is neither root nor the owner)."""
    for directory in directories:
        directory.mkdir(parents=True)
        directory.chmod(0o777)


async def run_while_another_writes(
    arena: Arena, snippet: str, other_writer: Callable[[Path], None]
) -> SandboxRun:
    """Run `snippet`; once it has made its changes, `other_writer` changes the workspace,
    then the snippet ends (killed while it waits) and its changes are copied back."""
    python = arena.sandbox.python().encode()
    code = f"{snippet}\nopen('.changes-made', 'w').close()\nimport time; time.sleep(30)\n"
    call = asyncio.create_task(arena.run(code, 30))
    done = f"{os.getpid()}-*/upper/.changes-made"

    def changes_made() -> bool:
        if call.done():  # the snippet failed before it was done: show why
            raise AssertionError(call.result().stderr.decode())
        return next(default_base().glob(done), None) is not None

    await _wait_for("the snippet made its changes", changes_made)
    other_writer(arena.workspace)
    snippet_pids = [
        pid
        for pid in running_with(arena.marker)
        if Path(f"/proc/{pid}/cmdline").read_bytes().startswith(python)
    ]
    os.kill(snippet_pids[0], signal.SIGKILL)  # the run ends; its writes are copied back
    run = await call
    (arena.workspace / ".changes-made").unlink()
    return run


async def test_rmdir_and_mkdir_keep_a_file_another_writer_made_meanwhile(
    root_arena: Arena,
) -> None:
    out = root_arena.workspace / "out"
    make_directories(out)
    (out / "old.txt").write_text("from before the call")

    def another_task(workspace: Path) -> None:
        (workspace / "out/theirs.txt").write_text("written during the call")

    run = await run_while_another_writes(
        root_arena,
        "import os\nos.remove('out/old.txt')\nos.rmdir('out')\nos.mkdir('out')\n"
        "open('out/new.txt', 'w').write('from the run')",
        another_task,
    )
    assert sorted(p.name for p in out.iterdir()) == ["new.txt", "theirs.txt"]
    assert (out / "theirs.txt").read_text() == "written during the call"
    assert (out / "new.txt").read_text() == "from the run"
    assert run.report()["conflicts"] == [
        "out/theirs.txt: kept: made by another writer during the run"
    ]


async def test_an_unchanged_file_the_snippet_deleted_is_deleted(root_arena: Arena) -> None:
    (root_arena.workspace / "gone.txt").write_text("delete me")
    make_directories(root_arena.workspace / "tree", root_arena.workspace / "tree/inner")
    (root_arena.workspace / "tree/inner/f.txt").write_text("delete me too")
    (root_arena.workspace / "kept.txt").write_text("keep me")
    run = await run_while_another_writes(
        root_arena,
        "import os, shutil\nos.remove('gone.txt')\nshutil.rmtree('tree')",
        lambda workspace: None,
    )
    assert sorted(p.name for p in root_arena.workspace.iterdir()) == ["kept.txt"]
    assert run.report()["conflicts"] == []


async def test_a_file_changed_meanwhile_and_deleted_by_the_snippet_is_kept(
    root_arena: Arena,
) -> None:
    (root_arena.workspace / "notes.txt").write_text("version 1")  # same size as version 2
    make_directories(root_arena.workspace / "tree")
    (root_arena.workspace / "tree/a.txt").write_text("unchanged")
    (root_arena.workspace / "tree/b.txt").write_text("version 1")

    def another_task(workspace: Path) -> None:
        (workspace / "notes.txt").write_text("version 2")
        (workspace / "tree/b.txt").write_text("version 2")

    run = await run_while_another_writes(
        root_arena,
        "import os, shutil\nos.remove('notes.txt')\nshutil.rmtree('tree')",
        another_task,
    )
    assert (root_arena.workspace / "notes.txt").read_text() == "version 2"
    assert sorted(p.name for p in (root_arena.workspace / "tree").iterdir()) == ["b.txt"]
    assert (root_arena.workspace / "tree/b.txt").read_text() == "version 2"
    assert sorted(run.report()["conflicts"]) == [
        "notes.txt: kept: changed by another writer during the run",
        "tree/b.txt: kept: changed by another writer during the run",
    ]


async def test_a_file_both_wrote_keeps_theirs_and_puts_the_runs_beside_it(
    root_arena: Arena,
) -> None:
    (root_arena.workspace / "report.md").write_text("before")
    (root_arena.workspace / "report.md").chmod(0o666)  # the run's uid may write it

    def another_task(workspace: Path) -> None:
        (workspace / "report.md").write_text("theirs")

    run = await run_while_another_writes(
        root_arena, "open('report.md', 'w').write('the run')", another_task
    )
    assert (root_arena.workspace / "report.md").read_text() == "theirs"
    (beside,) = root_arena.workspace.glob("report.md.conflict-*")
    assert beside.read_text() == "the run"
    assert beside.stat().st_uid == OWNER
    assert run.report()["conflicts"] == [
        f"report.md: kept: changed by another writer during the run; the run's version is "
        f"{beside.name}"
    ]
