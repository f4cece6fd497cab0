"""Tests for Task and TaskConstraints."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from intelligent_office.models import Task, TaskConstraints


def test_minimal_task_gets_defaults() -> None:
    task = Task(description="  Summarise the report  ")

    assert task.description == "Summarise the report"
    assert len(task.task_id) == 32
    assert task.priority == 5
    assert task.constraints == TaskConstraints()
    assert task.context == {}
    assert task.user_id is None and task.deadline is None and task.idempotency_key is None


def test_task_ids_are_unique_by_default() -> None:
    assert Task(description="a").task_id != Task(description="a").task_id


def test_round_trip_through_json() -> None:
    task = Task(
        description="Trace the calls",
        user_id="alice",
        priority=9,
        deadline=datetime(2026, 11, 21, 18, tzinfo=UTC),
        constraints=TaskConstraints(max_cost=0.5, max_duration=300, allowed_tools=["trace"]),
        context={"files": ["a.py", "b.py"], "depth": 3, "nested": {"ok": True}},
        idempotency_key="k-1",
    )

    assert Task.model_validate_json(task.model_dump_json()) == task


@pytest.mark.parametrize("description", ["", "   ", "\n\t"])
def test_empty_description_is_rejected_with_a_clear_message(description: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Task(description=description)

    (error,) = caught.value.errors()
    assert error["loc"] == ("description",)
    assert error["msg"].startswith("description must not be empty or only whitespace")
    assert "plain language" in error["msg"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("priority", -1), ("priority", 11), ("task_id", " "), ("user_id", "")],
)
def test_constraint_violations_name_the_field(field: str, value: object) -> None:
    with pytest.raises(ValidationError) as caught:
        Task.model_validate({"description": "x", field: value})

    assert [error["loc"] for error in caught.value.errors()] == [(field,)]
    assert field in str(caught.value)


@pytest.mark.parametrize(
    ("constraints", "loc"),
    [
        ({"max_cost": -0.01}, ("constraints", "max_cost")),
        ({"max_duration": 0}, ("constraints", "max_duration")),
        ({"allowed_tools": ["ok", " "]}, ("constraints", "allowed_tools", 1)),
    ],
)
def test_bad_constraints_are_rejected(constraints: dict[str, object], loc: tuple[object]) -> None:
    with pytest.raises(ValidationError) as caught:
        Task.model_validate({"description": "x", "constraints": constraints})

    assert [error["loc"] for error in caught.value.errors()] == [loc]


def test_empty_allowed_tools_means_no_tools_not_no_limit() -> None:
    assert TaskConstraints(allowed_tools=[]).allowed_tools == []
    assert TaskConstraints().allowed_tools is None


def test_unknown_fields_are_rejected() -> None:
    with pytest.raises(ValidationError) as caught:
        Task.model_validate({"description": "x", "prority": 3})

    assert caught.value.errors()[0]["loc"] == ("prority",)


def test_deadline_is_normalised_to_utc() -> None:
    eastern = timezone(timedelta(hours=-5))
    aware = Task(description="x", deadline=datetime(2026, 1, 1, 7, tzinfo=eastern))
    naive = Task(description="x", deadline=datetime(2026, 1, 1, 12))

    assert aware.deadline == naive.deadline == datetime(2026, 1, 1, 12, tzinfo=UTC)
    assert aware.deadline is not None and aware.deadline.tzinfo is UTC
