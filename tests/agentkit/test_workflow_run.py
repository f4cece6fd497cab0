"""The run book of an Office: runs as they go, the latest finished ones, totals over all."""

from __future__ import annotations

from datetime import UTC, datetime

from intelligent_office.agentkit import AgentState, RunStatus, WorkflowRun
from intelligent_office.agentkit.runner import AgentRecord
from intelligent_office.agentkit.workflow_run import RunBook

STARTED = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


def a_run(run_id: str, status: RunStatus = RunStatus.RUNNING, calls: int = 1) -> WorkflowRun:
    record = AgentRecord(
        state=AgentState.COMPLETED if status is RunStatus.COMPLETED else AgentState.RUNNING,
        calls=calls,
        input_tokens=10,
        output_tokens=5,
        cost_usd=0.01,
        seconds=2.0,
    )
    return WorkflowRun(
        id=run_id, workflow="w", status=status, agents={"a": record}, started_at=STARTED
    )


def test_a_running_run_is_shown_as_it_goes_and_counted_once_when_it_ends() -> None:
    book = RunBook()
    running = a_run("r1")
    book.start(running)
    assert book.get("r1") is running
    assert book.status().workflows[RunStatus.RUNNING] == 1

    done = a_run("r1", RunStatus.COMPLETED)
    book.finish(done)
    book.finish(done)  # handed in again (a replay, the stored copy): not counted twice
    status = book.status()
    assert book.get("r1") is done
    assert status.workflows == {
        RunStatus.RUNNING: 0,
        RunStatus.COMPLETED: 1,
        RunStatus.PARTIAL: 0,
        RunStatus.FAILED: 0,
    }
    assert (status.calls, status.tokens, status.mean_agent_seconds) == (1, 15, 2.0)


def test_only_the_latest_finished_runs_are_kept_but_the_totals_count_all() -> None:
    book = RunBook(keep=2)
    for n in range(5):
        book.finish(a_run(f"r{n}", RunStatus.COMPLETED, calls=2))
    assert [book.get(f"r{n}") is not None for n in range(5)] == [False, False, False, True, True]
    status = book.status()
    assert status.workflows[RunStatus.COMPLETED] == 5 and status.calls == 10
    assert status.agents[AgentState.COMPLETED] == 5
    assert round(status.cost_usd, 6) == 0.05
