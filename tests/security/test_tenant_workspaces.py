"""Tenants apart: on a real server on 127.0.0.1 with the machine's real sandbox, one API
user's tasks never read, change or delete another's files (issue 16, part 1)."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from intelligent_office.settings import load_settings
from tests.api.api_helpers import pending_approval
from tests.api.conftest import LiveServer, running

SECRET = "alice's secret plan"
BOB_NOTES = "bob's notes, not alice's to delete"


def _settings(tmp_path: Path, **overrides: Any) -> Any:
    return load_settings(
        None,
        home=tmp_path / "home",
        database_url=f"sqlite:///{tmp_path / 'home' / 'office.db'}",
        workspace_roots=[tmp_path / "workspace"],
        **overrides,
    )


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    """The server with default settings: each tenant on its own."""
    with running(_settings(tmp_path)) as server:
        yield server


@pytest.fixture
def live_with_team(tmp_path: Path) -> Iterator[LiveServer]:
    """A server where alice and bob share the workspace `team` (and carol does not)."""
    shared = [{"name": "team", "tenants": ["alice", "bob"]}]
    with running(_settings(tmp_path, shared_workspaces=shared)) as server:
        yield server


def _submit(live: LiveServer, key: str, description: str, workspace: str | None = None) -> str:
    body = {"description": description} | ({"workspace": workspace} if workspace else {})
    answer = live.client(key).post("/tasks", json=body)
    assert answer.status_code == 202, answer.text
    task_id: str = answer.json()["task_id"]
    return task_id


def _finished(live: LiveServer, key: str, task_id: str) -> str:
    """Everything the tenant can read about the finished task: detail and logs, as text."""
    client = live.client(key)
    live.wait_for_task(client, task_id)
    detail = client.get(f"/tasks/{task_id}").json()
    logs = client.get(f"/tasks/{task_id}/logs").json()
    return json.dumps([detail, logs])


def test_bob_cannot_read_the_file_alice_wrote(live: LiveServer, tmp_path: Path) -> None:
    alice, bob = live.key("alice"), live.key("bob")
    written = _submit(live, alice, f'Write "{SECRET}" to the file out/alice.txt')
    _finished(live, alice, written)
    own = tmp_path / "workspace" / "alice"
    assert (own / "out" / "alice.txt").read_text() == SECRET
    assert stat.S_IMODE(own.stat().st_mode) == 0o700  # made on first use, for the service only

    # Bob asks for the same relative path: his own directory has no such file.
    read = _submit(live, bob, "Read the file out/alice.txt")
    assert SECRET not in _finished(live, bob, read)
    # Alice reads her own file (the read itself works).
    assert SECRET in _finished(live, alice, _submit(live, alice, "Read the file out/alice.txt"))


@pytest.mark.parametrize(
    "workspace",
    ["../alice", "{root}/alice", "{root}/alice/out", "link-to-alice", "/etc", "{root}"],
)
def test_a_workspace_pointing_at_another_tenant_is_a_400_naming_the_problem(
    live: LiveServer, tmp_path: Path, workspace: str
) -> None:
    root = tmp_path / "workspace"
    (root / "alice" / "out").mkdir(parents=True)
    (root / "bob").mkdir(parents=True)
    (root / "bob" / "link-to-alice").symlink_to(root / "alice")
    requested = workspace.format(root=root)

    answer = live.client(live.key("bob")).post(
        "/tasks", json={"description": "List the files", "workspace": requested}
    )
    assert answer.status_code == 400, answer.text
    detail = answer.json()["detail"]
    assert f"workspace {requested!r} is outside the directory of user bob" in detail
    assert live.store.tasks.search(user_id="bob", limit=5) == []


def _python(code: str) -> str:
    return f"Run this Python code:\n```python\n{code}\n```"


def test_alice_python_cannot_delete_bobs_file(live: LiveServer, tmp_path: Path) -> None:
    root = tmp_path / "workspace"
    alice, bob = live.key("alice"), live.key("bob")
    # Bob's own snippet writes his notes where his tasks work.
    made = _submit(live, bob, _python(f"open('bob-notes.md', 'w').write({BOB_NOTES!r})"))
    _finished(live, bob, made)
    (bob_notes,) = root.rglob("bob-notes.md")

    targets = ["bob-notes.md", "../bob/bob-notes.md", str(bob_notes), str(root / "bob-notes.md")]
    snippet = "\n".join(
        [
            "import os",
            f"for path in {targets!r}:",
            "    try:",
            "        os.unlink(path)",
            "        print('DELE' + 'TED', path)",
            "    except OSError as error:",
            "        print('KE' + 'PT', path, type(error).__name__)",
            "open('mine.txt', 'w').write('alice was here')",
        ]
    )
    deleting = _submit(live, alice, _python(snippet))
    # Deleting files scores as risky: alice is asked first, and says yes; the sandbox,
    # not the person, is what keeps bob's file.
    client = live.client(alice)
    approval = pending_approval(client, deleting)
    assert approval["kind"] == "tool" and approval["detail"]["score"] >= 60
    assert client.post(f"/approvals/{approval['id']}/approve", json={}).status_code == 200
    seen = _finished(live, alice, deleting)

    assert bob_notes.read_text() == BOB_NOTES
    assert bob_notes == root / "bob" / "bob-notes.md"
    assert "DELETED" not in seen and seen.count("KEPT") >= len(targets)
    # The snippet did run, in alice's own directory (0700) with the real sandbox.
    assert (root / "alice" / "mine.txt").read_text() == "alice was here"


def test_a_shared_workspace_is_open_to_its_listed_tenants_only(
    live_with_team: LiveServer, tmp_path: Path
) -> None:
    live = live_with_team
    alice, bob, carol = live.key("alice"), live.key("bob"), live.key("carol")
    written = _submit(live, alice, 'Write "the team plan" to the file out/plan.md', "@team")
    _finished(live, alice, written)
    team = tmp_path / "workspace" / "_shared" / "team"
    assert (team / "out" / "plan.md").read_text() == "the team plan"
    assert stat.S_IMODE(team.stat().st_mode) == 0o700

    answer = live.client(bob).post(
        "/tasks", json={"description": "Read the file out/plan.md", "workspace": "@team/out/.."}
    )
    assert answer.status_code == 202, answer.text
    assert answer.json()["workspace"] == str(team.resolve())
    assert "the team plan" in _finished(live, bob, answer.json()["task_id"])

    for requested in ("@team", str(team), "../_shared/team", "@team/../../alice"):
        refused = live.client(carol).post(
            "/tasks", json={"description": "Read the file out/plan.md", "workspace": requested}
        )
        assert refused.status_code == 400, (requested, refused.text)
        assert "carol" in refused.json()["detail"]
    unknown = live.client(alice).post("/tasks", json={"description": "x", "workspace": "@ops"})
    assert unknown.status_code == 400
    assert "no shared workspace @ops is open to user alice" in unknown.json()["detail"]


def test_a_dead_letter_of_an_old_task_in_the_shared_root_is_not_run_there(
    live: LiveServer, tmp_path: Path
) -> None:
    """A task stored before per-tenant workspaces names the old shared root: it stays
    readable, but retrying it would give its tools every tenant's files."""
    root = tmp_path / "workspace"
    (root / "alice").mkdir(parents=True)
    bob = live.key("bob")
    task_id = _submit(live, bob, "List the files")
    record = live.store.tasks.get(task_id)
    assert record is not None
    old_body = {**record.body, "context": {"workspace": str(root.resolve())}}
    live.wait_for_task(live.client(bob), task_id)
    letter = live.store.dead_letters.add(
        dead_letter_id=f"dl-{task_id}",
        task_id=task_id,
        run_id=None,
        category="validation",
        reason="old",
        history={"task": old_body},
    )
    with live.store.engine.begin() as connection:  # as today's main stored it
        connection.execute(
            text("UPDATE tasks SET body = :body WHERE task_id = :id"),
            {"body": json.dumps(old_body), "id": task_id},
        )
    client = live.client(bob)
    assert client.get(f"/tasks/{task_id}").status_code == 200  # still readable
    retried = client.post(f"/dlq/{letter.id}/retry")
    assert retried.status_code == 400, retried.text
    assert "outside the directory of user bob" in retried.json()["detail"]
