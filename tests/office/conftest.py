"""Fixtures for the Office loop: a workspace holding the sample app and a few text files,
and a helper that runs one task on the inline runtime with the real built-in tools."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from intelligent_office.agents import MemoryRecords, OfficeAgents
from intelligent_office.llm import Brain, OfflineBrain
from intelligent_office.models import Task, TaskConstraints
from intelligent_office.office import OfficeInput, OfficeOutput, run_office
from intelligent_office.runtime.inline import InlineRuntime
from intelligent_office.tools.builtin import builtin_tools

REPO = Path(__file__).resolve().parents[2]

NOTES = """# Release notes

The new importer reads orders from CSV files and skips rows without an amount.
Customers are grouped by their normalized name, so "ACME" and "acme " count as one.
A ToDo for the next release is to support JSON input as well.
Reports list the top customers by total spent, with the number of orders.
Performance stayed the same on the large sample file.
"""


@dataclass
class Finished:
    """A finished Office run: its output, the events it emitted and the records it left."""

    output: OfficeOutput
    events: list[tuple[str, dict[str, object]]]
    records: MemoryRecords

    def types(self) -> list[str]:
        return [kind for kind, _ in self.events]

    def payloads(self, kind: str) -> list[dict[str, object]]:
        return [payload for event, payload in self.events if event == kind]


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "workspace"
    shutil.copytree(REPO / "examples" / "sample_app", root / "examples" / "sample_app")
    (root / "notes").mkdir()
    (root / "notes" / "todos.txt").write_text("buy milk\nTODO: write the report\n")
    (root / "notes" / "release.md").write_text(NOTES)
    return root


async def run_task(
    description: str,
    workspace: Path,
    *,
    brain: Brain | None = None,
    allowed_tools: list[str] | None = None,
    max_iterations: int = 3,
) -> Finished:
    """Run one task to its end on the inline runtime with the real built-in tools."""
    records = MemoryRecords()
    agents = OfficeAgents(brain=brain or OfflineBrain(), tools=builtin_tools(), records=records)
    runtime = InlineRuntime()
    task = Task(
        description=description,
        context={"workspace": str(workspace)},
        constraints=TaskConstraints(allowed_tools=allowed_tools),
    )
    office = OfficeInput(task=task, max_iterations=max_iterations)
    output = await run_office(runtime, agents, office)
    return Finished(output=output, events=list(runtime.events), records=records)
