"""`office stats` and `office show` on a store with finished tasks."""

from __future__ import annotations

import json
import sys
import uuid

import pytest

from intelligent_office.cli.main import main
from intelligent_office.observability.stats import percentile
from intelligent_office.store import Store
from tests.observability.conftest import Traced
from tests.records import llm_call


def office(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["office", *args])
    with pytest.raises(SystemExit) as exited:
        main()
    out, err = capsys.readouterr()
    code = exited.value.code
    return (code if isinstance(code, int) else 1), out, err


def dead_lettered_task(store: Store) -> str:
    """A task that failed on a tool and spent on a model, stored as the Office stores it."""
    task_id = uuid.uuid4().hex
    store.tasks.create(task_id=task_id, user_id="alice", description="fetch a page", body={})
    store.events.append(
        task_id=task_id,
        run_id=None,
        type="execution.finished",
        payload={
            "subtask_id": "s1",
            "status": "failed",
            "steps": [
                {"step_id": "a", "status": "completed", "tool": "read_file"},
                {"step_id": "b", "status": "failed", "tool": "http_get", "error": "refused"},
                {"step_id": "c", "status": "timed_out", "tool": "http_get", "error": "slow"},
            ],
        },
        dedup_key="exec/1",
    )
    store.llm_calls.add(
        llm_call(
            task_id=task_id,
            provider="main",
            input_tokens=1000,
            output_tokens=200,
            cost_usd=0.5,
            duration_seconds=0.3,
        )
    )
    store.tasks.set_status(task_id, "dead_lettered")
    return task_id


async def test_office_stats_reports_success_rate_durations_cost_and_failing_tools(
    traced: Traced, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(3):
        assert (await traced.run()).status == "completed"
    dead_lettered_task(traced.store)
    traced.store.tasks.create(task_id="waiting", user_id="bob", description="later", body={})
    monkeypatch.setenv("OFFICE_DATABASE_URL", traced.settings.resolved_database_url)
    monkeypatch.setenv("OFFICE_HOME", str(traced.settings.home))

    code, out, err = office(["stats", "--json"], capsys, monkeypatch)

    assert code == 0, err
    stats = json.loads(out)
    assert stats["tasks"] == 5 and stats["finished"] == 4
    assert stats["by_status"] == {"completed": 3, "dead_lettered": 1, "queued": 1}
    assert stats["success_rate"] == 0.75
    assert 0 <= stats["duration_p50_seconds"] <= stats["duration_p95_seconds"] < 60
    assert stats["cost_usd"] == pytest.approx(0.5)
    assert stats["cost_per_task_usd"] == pytest.approx(0.125)
    assert stats["top_failing_tools"][0] == {"tool": "http_get", "failures": 2, "calls": 2}

    code, out, err = office(["stats"], capsys, monkeypatch)
    assert code == 0, err
    assert "75%" in out and "http_get" in out


async def test_office_show_prints_the_trace_id(
    traced: Traced, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    task = await traced.run()
    assert task.trace_id is not None
    monkeypatch.setenv("OFFICE_DATABASE_URL", traced.settings.resolved_database_url)
    monkeypatch.setenv("OFFICE_HOME", str(traced.settings.home))

    code, out, err = office(["show", task.task_id], capsys, monkeypatch)

    assert code == 0, err
    assert f"trace {task.trace_id}" in out


def test_bad_days_is_one_readable_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = office(["stats", "--days", "-1"], capsys, monkeypatch)
    assert code == 2
    assert err.strip() == (
        "office: --days must be more than 0 and at most 36500, got -1: pass e.g. --days 7"
    )


def test_percentiles_are_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 50.0
    assert percentile(values, 0.95) == 95.0
    assert percentile([3.0], 0.95) == 3.0
    assert percentile([], 0.5) is None
