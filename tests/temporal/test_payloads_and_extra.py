"""Payloads stay small on Temporal (large ones live in the SQL store), and temporalio stays
optional: the project imports without it, and asking for it says how to install it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from intelligent_office.activities import MemoryRecords, OfficeActivities
from intelligent_office.llm import OfflineBrain
from intelligent_office.models import Task
from intelligent_office.office import OfficeInput, OfficeOutput, TaskStatus
from intelligent_office.runtime.temporal import (
    RunOptions,
    TemporalSubmitter,
    WorkerOptions,
    build_worker,
    connect,
)
from intelligent_office.runtime.temporal.payloads import CLAIM_CHECK_ENCODING
from intelligent_office.store import Store
from intelligent_office.store.tables import PayloadBlobRow
from intelligent_office.tools.builtin import builtin_tools

REPO = Path(__file__).resolve().parents[2]
THRESHOLD = 16 * 1024


@pytest.mark.temporal
async def test_a_large_step_output_travels_by_reference(
    temporal_server: str, tmp_path: Path
) -> None:
    (tmp_path / "big.txt").write_text("".join(f"line {n} of a long file\n" for n in range(20_000)))
    store = Store.open(f"sqlite:///{tmp_path / 'office.db'}")
    client = await connect(temporal_server, store=store, threshold_bytes=THRESHOLD)
    agents = OfficeActivities(brain=OfflineBrain(), tools=builtin_tools(), records=MemoryRecords())
    task = Task(description="Read the file big.txt", context={"workspace": str(tmp_path)})
    store.tasks.create(task_id=task.task_id, user_id="t", description=task.description)
    queue = f"payloads-{tmp_path.name}"
    async with build_worker(client, agents, store, WorkerOptions(task_queue=queue)):
        submitter = TemporalSubmitter(client, store, RunOptions(task_queue=queue))
        run = await submitter.submit(OfficeInput(task=task))
        handle = client.get_workflow_handle(run.run_id, result_type=OfficeOutput)
        output = await handle.result()
    history = await handle.fetch_history()

    assert output.status is TaskStatus.COMPLETED
    (outcome,) = output.subtasks.values()
    execution = outcome.iterations[-1].execution
    assert execution is not None
    content = str(execution.steps[0].outputs["content"])
    assert len(content) > 100_000 and "line 8000 of a long file" in content  # all of it came back
    payloads = [
        payload
        for event in history.events
        for field in (
            "activity_task_scheduled_event_attributes",
            "activity_task_completed_event_attributes",
        )
        if event.HasField(field)
        for payload in getattr(
            getattr(event, field), "input" if "scheduled" in field else "result"
        ).payloads
    ]
    assert max(payload.ByteSize() for payload in payloads) <= THRESHOLD
    assert any(p.metadata.get("encoding") == CLAIM_CHECK_ENCODING for p in payloads)
    with store.engine.connect() as connection:
        largest = connection.scalar(select(func.max(PayloadBlobRow.size)))
    assert largest is not None and largest > 400_000
    store.close()


def run_without_temporalio(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run Python code in a process where `import temporalio` fails."""
    hide = "import sys; sys.modules['temporalio'] = None\n"
    return subprocess.run(
        [sys.executable, "-c", hide + code, *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=False,
    )


COMMANDS = [
    ["worker", "--runtime", "temporal"],
    ["serve", "--runtime", "temporal"],
    ["temporal-dev"],
]

WITHOUT_TEMPORALIO = """
import contextlib, io, json, sys
import intelligent_office, intelligent_office.runtime, intelligent_office.front_door
import intelligent_office.runtime.temporal as temporal
from intelligent_office.cli.main import main
results = {"installed": temporal.temporalio_installed(), "commands": []}
for command in json.loads(sys.argv[1]):
    sys.argv = ["office", *command]
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        try:
            main()
        except SystemExit as exit:
            results["commands"].append([exit.code, err.getvalue()])
print(json.dumps(results))
"""


def test_without_temporalio_the_project_works_and_temporal_says_how_to_install_it(
    tmp_path: Path,
) -> None:
    config = ["--config", str(tmp_path / "none.yaml")]
    commands = json.dumps([[*command, *config] for command in COMMANDS])
    done = run_without_temporalio(WITHOUT_TEMPORALIO, commands)
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    assert results["installed"] is False  # and everything above imported without it
    line = (
        "office: the temporal runtime needs the Temporal SDK:"
        " pip install 'intelligent-office[temporal]'\n"
    )
    assert results["commands"] == [[2, line]] * len(COMMANDS)
