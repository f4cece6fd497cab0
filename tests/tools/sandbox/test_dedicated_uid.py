"""Tier A started by root never runs the child as root, and its writes come back sanitized.

The service runs as root here (and in CI). Seen from the host, every process of the run
is a dedicated uid from the pool; it writes to a per-run overlay, and after the run only
regular files, directories and deletions reach the workspace, owned by its owner.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import site
import stat
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

import intelligent_office
from intelligent_office.tools.sandbox import (
    SandboxSettings,
    Tier,
    doctor_status,
    probe,
)
from intelligent_office.tools.sandbox.overlay import default_base
from tests.tools.sandbox.conftest import Arena, gone, running_with, sandbox_for

pytestmark = pytest.mark.timeout(60)

SETTINGS = SandboxSettings()
OWNER = 4321  # the workspace's owner: not root, not a sandbox uid


@pytest.fixture
async def root_arena(tmp_path: Path) -> AsyncIterator[Arena]:
    """Tier A with the service as root, and a workspace owned by OWNER."""
    if os.geteuid() != 0:
        pytest.skip("the service is not root here")
    sandbox = await sandbox_for(Tier.A)
    workspace, outside = tmp_path / "workspace", tmp_path / "outside"
    workspace.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text("outside-secret")
    os.chown(workspace, OWNER, OWNER)
    arena = Arena(sandbox, tmp_path, workspace, outside, f"office-uid-{uuid.uuid4().hex}")
    yield arena
    assert await gone(arena.marker), "a process of the run outlived the call"
    await _wait_for("every layer of ours is unmounted", lambda: _our_layers() == [])


def _our_layers() -> list[str]:
    prefix = f"{default_base()}/{os.getpid()}-"
    with open("/proc/self/mountinfo") as mountinfo:
        return [line for line in mountinfo if f" {prefix}" in line]


def _ids(pid: int) -> set[int]:
    """Real, effective, saved and filesystem uids and gids of a host pid, as the host sees them."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return {int(x) for x in fields["Uid"].split() + fields["Gid"].split()}


def _in_upper(name: str) -> Path | None:
    """The file in this process's layer (the run's writable layer), once the run made it."""
    return next(default_base().glob(f"{os.getpid()}-*/upper/{name}"), None)


async def _wait_for(condition: str, check: Callable[[], object], within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while not check():
        assert time.monotonic() < deadline, f"never happened: {condition}"
        await asyncio.sleep(0.02)


async def test_every_process_of_the_run_is_a_dedicated_uid_seen_from_the_host(
    root_arena: Arena,
) -> None:
    python = root_arena.sandbox.python().encode()
    call = asyncio.create_task(
        root_arena.run("open('made.txt', 'w').write('x')\nimport time; time.sleep(30)", 30)
    )

    def snippet_running() -> bool:
        return any(
            Path(f"/proc/{pid}/cmdline").read_bytes().startswith(python)
            for pid in running_with(root_arena.marker)
        )

    await _wait_for("the snippet runs", snippet_running)
    await _wait_for("the snippet wrote its file", lambda: _in_upper("made.txt"))
    made = _in_upper("made.txt")
    assert made is not None
    # bubblewrap, the sandbox's PID 1 and the snippet: one uid, not root, from the pool.
    pids = running_with(root_arena.marker)
    ids = set().union(*(_ids(pid) for pid in pids))
    assert len(pids) >= 3 and len(ids) == 1, (pids, ids)
    (uid,) = ids
    assert SETTINGS.uid_base <= uid < SETTINGS.uid_base + SETTINGS.uid_count
    assert (made.stat().st_uid, made.stat().st_gid) == (uid, uid)  # written as that uid
    assert not (root_arena.workspace / "made.txt").exists()  # not yet in the workspace
    snippet = [p for p in pids if Path(f"/proc/{p}/cmdline").read_bytes().startswith(python)]
    os.kill(snippet[0], signal.SIGKILL)  # the run ends with it
    run = await call
    assert run.outside_uid == uid
    assert run.report()["outside_uid"] == uid
    made_here = (root_arena.workspace / "made.txt").stat()
    assert (made_here.st_uid, made_here.st_gid) == (OWNER, OWNER)


async def test_writes_reach_the_workspace_owned_by_its_owner(root_arena: Arena) -> None:
    run = await root_arena.run(
        """
        import os
        open('top.txt', 'w').write('top')
        os.makedirs('new/deeper')
        open('new/deeper/f.txt', 'w').write('deep')
        os.chmod('new/deeper/f.txt', 0o640)
        """
    )
    assert run.exit_code == 0, run.stderr
    workspace = root_arena.workspace
    assert (workspace / "top.txt").read_text() == "top"
    assert (workspace / "new/deeper/f.txt").read_text() == "deep"
    assert stat.S_IMODE((workspace / "new/deeper/f.txt").stat().st_mode) == 0o640
    for path in ("top.txt", "new", "new/deeper", "new/deeper/f.txt"):
        info = (workspace / path).stat()
        assert (info.st_uid, info.st_gid) == (OWNER, OWNER), path
    assert run.refused_files == []
    assert run.outside_uid not in (0, OWNER)


async def test_what_the_snippet_deletes_is_deleted(root_arena: Arena) -> None:
    workspace = root_arena.workspace
    (workspace / "gone.txt").write_text("delete me")
    (workspace / "empty_dir").mkdir()
    (workspace / "becomes_dir").write_text("a file now")
    (workspace / "keep.txt").write_text("kept")
    run = await root_arena.run(
        """
        import os
        os.remove('gone.txt')
        os.rmdir('empty_dir')
        os.remove('becomes_dir')
        os.makedirs('becomes_dir/inner')
        print(sorted(os.listdir('.')))
        """
    )
    assert run.stdout == b"['becomes_dir', 'keep.txt']\n", run.stderr
    assert sorted(p.name for p in workspace.iterdir()) == ["becomes_dir", "keep.txt"]
    assert (workspace / "becomes_dir/inner").is_dir()
    assert (workspace / "keep.txt").read_text() == "kept"


async def test_links_special_files_and_setuid_never_reach_the_workspace(
    root_arena: Arena,
) -> None:
    run = await root_arena.run(
        f"""
        import os, shutil, socket
        shutil.copy('/usr/bin/true', 'tool')
        try:
            os.chmod('tool', 0o4755)
        except OSError as error:
            print('chmod refused', error.errno)
        os.mkfifo('fifo')
        os.symlink('/etc/shadow', 'shadow')
        os.symlink('{root_arena.outside}/secret.txt', 'escape')
        socket.socket(socket.AF_UNIX).bind('sock')
        open('plain', 'w').write('linked')
        os.link('plain', 'alias')
        """
    )
    assert b"chmod refused 1" in run.stdout, run.stderr
    workspace = root_arena.workspace
    assert sorted(p.name for p in workspace.iterdir()) == ["tool"]
    assert not (workspace / "tool").stat().st_mode & (stat.S_ISUID | stat.S_ISGID)
    assert sorted(run.refused_files) == [
        "alias: a hard link",
        "escape: a symlink",
        "fifo: a FIFO",
        "plain: a hard link",
        "shadow: a symlink",
        "sock: a socket",
    ]


async def test_a_cancelled_run_writes_nothing_and_leaves_no_layer(root_arena: Arena) -> None:
    call = asyncio.create_task(
        root_arena.run("open('partial.txt', 'w').write('x')\nimport time; time.sleep(30)", 30)
    )
    await _wait_for("the snippet wrote its file", lambda: _in_upper("partial.txt"))
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    assert not (root_arena.workspace / "partial.txt").exists()
    # the fixture checks that no process and no mounted layer is left


def test_the_doctor_says_which_uid_runs_the_child() -> None:
    if os.geteuid() != 0:
        pytest.skip("the service is not root here")
    report = probe(SETTINGS)
    if report.tier is not Tier.A:
        pytest.skip(f"tier A unavailable here: {report.results}")
    last = SETTINGS.uid_base + SETTINGS.uid_count - 1
    identity = f"outside: a dedicated uid per run from {SETTINGS.uid_base}-{last}, never root"
    assert any(identity in line for line in doctor_status(report))


NOT_ROOT_SERVICE = """
import asyncio, sys
from pathlib import Path
from intelligent_office.tools.sandbox import BubblewrapSandbox, SandboxCommand, SandboxSettings

async def main():
    sandbox = BubblewrapSandbox(SandboxSettings())
    code = "import os; open('w.txt', 'w').write('x'); print(os.getuid())"
    command = SandboxCommand([sandbox.python(), "-I", "-S", "-c", code], Path(sys.argv[1]), 10)
    run = await sandbox.run(command)
    print(run.exit_code, run.outside_uid, sandbox.layers()["identity"], sep="|")

asyncio.run(main())
"""


def test_a_service_that_is_not_root_runs_bubblewrap_as_itself(tmp_path: Path) -> None:
    """Today's behaviour there: the outside uid is the service's own, the workspace bound."""
    system_python = Path("/usr/bin/python3")
    if os.geteuid() != 0 or not system_python.exists():
        pytest.skip("needs root to start a service as another uid, and /usr/bin/python3")
    found = subprocess.run(
        [system_python, "-c", "import sys; print(sys.version_info[:2])"],
        capture_output=True,
        text=True,
        check=True,
    )
    if found.stdout.strip() != str(sys.version_info[:2]):
        pytest.skip("the system Python cannot import this environment's packages")
    nobody = 65534
    workspace = Path(tempfile.mkdtemp(prefix="office-not-root-"))  # reachable by nobody
    try:
        os.chown(workspace, nobody, nobody)
        packages = [str(Path(intelligent_office.__file__).parents[1]), *site.getsitepackages()]
        service = subprocess.run(
            ["setpriv", f"--reuid={nobody}", f"--regid={nobody}", "--clear-groups", "--"]
            + [system_python, "-c", NOT_ROOT_SERVICE, str(workspace)],
            env={"PYTHONPATH": os.pathsep.join(packages), "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert service.returncode == 0, service.stderr
        exit_code, outside_uid, identity = service.stdout.strip().split("|")
        assert (exit_code, outside_uid) == ("0", str(nobody))
        assert f"outside: uid {nobody}, the service's own" in identity
        written = (workspace / "w.txt").stat()
        assert (written.st_uid, written.st_gid) == (nobody, nobody)
    finally:
        shutil.rmtree(workspace)
