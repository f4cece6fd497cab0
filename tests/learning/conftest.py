"""An Office on a real SQLite store (offline brain, no plan memory) and a src-layout
package to trace, for the learning tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from intelligent_office.front_door import Office
from intelligent_office.office import OfficeOutput
from intelligent_office.settings import Settings, load_settings
from intelligent_office.store import Store
from intelligent_office.task_input import new_task

SRC_LAYOUT = {
    "proj/pyproject.toml": '[project]\nname = "pkg"\n',
    "proj/src/pkg/__init__.py": "",
    "proj/src/pkg/main.py": (
        "from pkg.core import process\n\n\ndef main():\n    return process(1)\n"
    ),
    "proj/src/pkg/core.py": (
        "from pkg.util import helper\n\n\ndef process(x):\n    return helper(x)\n"
    ),
    "proj/src/pkg/util.py": "def helper(x):\n    return x + 1\n",
}


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Write `files` (relative path -> text) under root."""
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


@dataclass
class OfficeUnderTest:
    """An Office and its store, and a way to run one task to its end."""

    settings: Settings
    store: Store
    office: Office

    async def run(self, description: str, workspace: Path) -> tuple[OfficeOutput, str]:
        """Run a task to its end; its output and its id."""
        worker = self.office.worker()
        try:
            task = new_task(description, workspace=workspace)
            record, submitted = self.office.submit(worker, task)
            finished = await worker.run(submitted.run_id)
        finally:
            await worker.shutdown()
        return OfficeOutput.model_validate(finished.result), record.task_id

    def events(self, task_id: str, kind: str) -> list[dict[str, Any]]:
        """The payloads of the task's events of one kind."""
        return [e.payload for e in self.store.events.read(task_id, limit=10_000) if e.type == kind]


def open_office(home: Path, **overrides: Any) -> OfficeUnderTest:
    """A fresh Office on a SQLite file under `home`."""
    settings = load_settings(home=home, memory={"enabled": False}, **overrides)
    store = Store.open(settings.resolved_database_url)
    return OfficeUnderTest(settings, store, Office.from_settings(settings, store))


@pytest.fixture
async def office(tmp_path: Path) -> AsyncIterator[OfficeUnderTest]:
    opened = open_office(tmp_path / "home")
    yield opened
    opened.store.close()


@pytest.fixture
def src_workspace(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "workspace", SRC_LAYOUT)
