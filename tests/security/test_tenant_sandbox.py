"""Every sandbox tier of this machine works in a tenant's directory (0700, under a 0700
state directory when the root is the default one) and reaches nothing beside it."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from intelligent_office.tools.sandbox import SandboxCommand, Tier
from intelligent_office.workspaces import tenant_directory
from tests.tools.sandbox.conftest import sandbox_for

SNIPPET = """
import os, sys
for path in ("../bob/notes.md", sys.argv[1]):
    try:
        print("READ", open(path).read())
    except OSError as error:
        print("REFUSED", type(error).__name__)
    try:
        os.unlink(path)
        print("DELETED")
    except OSError as error:
        print("KEPT", type(error).__name__)
open("mine.txt", "w").write("alice was here")
print(sorted(os.listdir(".")))
"""


@pytest.mark.parametrize("tier", [Tier.A, Tier.B, Tier.PROCESS], ids=lambda t: f"tier-{t.value}")
async def test_a_snippet_in_alices_directory_works_there_and_not_in_bobs(
    tier: Tier, tmp_path: Path
) -> None:
    sandbox = await sandbox_for(tier)
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    root = home / "workspace"  # the default root, inside the 0700 state directory
    alice, bob = tenant_directory(root, "alice"), tenant_directory(root, "bob")
    (bob / "notes.md").write_text("bob's notes")
    (alice / "todo.md").write_text("alice's todo")

    run = await sandbox.run(
        SandboxCommand(
            argv=[sandbox.python(), "-I", "-S", "-", str(bob / "notes.md")],
            workspace=alice,
            timeout_seconds=20,
            stdin=textwrap.dedent(SNIPPET).encode(),
            env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(alice)},
        )
    )
    output = run.stdout.decode()
    assert run.exit_code == 0, run.stderr.decode()
    assert "bob's notes" not in output and "DELETED" not in output
    assert (bob / "notes.md").read_text() == "bob's notes"
    assert (alice / "mine.txt").read_text() == "alice was here"
    assert "todo.md" in output  # the run saw its own workspace
