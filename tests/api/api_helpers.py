"""Shared by the REST API tests: a user's own directory holding a copy of sample_app, settings
with overrides, waiting for an approval, and a small Server-Sent Events reader."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2 as httpx

from intelligent_office.settings import Settings, load_settings
from tests.api.conftest import SAMPLE_APP

WRITE_TASK = 'Write "hello" to the file notes.md'
"""A task that waits for a human: writing outside out/ needs an approval."""


def workspace_root(tmp_path: Path, user: str = "alice") -> Path:
    """The user's own directory tmp_path/workspace/<user>, holding a copy of examples/sample_app.

    The workspace root is its parent (`settings_for` makes it the only one).
    """
    directory = tmp_path / "workspace" / user
    shutil.copytree(SAMPLE_APP, directory / "sample_app")
    return directory


def trace_task(root: Path) -> str:
    """The trace task on the copy of sample_app under `root`."""
    return f"Trace the call sequence from main() to process_data() in {root / 'sample_app'}"


def settings_for(tmp_path: Path, workspace: Path, **overrides: Any) -> Settings:
    """Settings on this test's own SQLite file; `workspace` is a user's own directory (from
    `workspace_root`), its parent the only workspace root."""
    return load_settings(
        None,
        home=tmp_path / "home",
        database_url=f"sqlite:///{tmp_path / 'office.db'}",
        workspace_roots=[workspace.parent],
        **overrides,
    )


def pending_approval(client: httpx.Client, task_id: str, timeout: float = 30.0) -> dict[str, Any]:
    """Poll `/approvals` until the task asks for one; that approval."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for approval in client.get("/approvals").json():
            if approval["task_id"] == task_id:
                found: dict[str, Any] = approval
                return found
        time.sleep(0.05)
    raise AssertionError(f"task {task_id} asked for no approval within {timeout} s")


def wait_for_status(
    client: httpx.Client, task_id: str, wanted: str, timeout: float = 30.0
) -> dict[str, Any]:
    """Poll the task's status until it is `wanted`."""
    deadline = time.monotonic() + timeout
    while True:
        body: dict[str, Any] = client.get(f"/tasks/{task_id}/status").json()
        if body["status"] == wanted:
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"task {task_id} is {body['status']}, not {wanted}")
        time.sleep(0.05)


@dataclass(frozen=True)
class SSEMessage:
    """One Server-Sent Events message."""

    id: str | None
    event: str | None
    data: dict[str, Any]


def read_sse(response: httpx.Response) -> Iterator[SSEMessage]:
    """The messages of an event stream, as they arrive; comments (pings) are skipped."""
    fields: dict[str, str] = {}
    for line in response.iter_lines():
        if line == "":
            if "data" in fields:
                yield SSEMessage(fields.get("id"), fields.get("event"), json.loads(fields["data"]))
            fields = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")
