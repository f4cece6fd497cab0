"""Tests for SubtaskGraph."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from intelligent_office.models import Subtask, SubtaskGraph


def _graph(*subtasks: dict[str, object]) -> SubtaskGraph:
    return SubtaskGraph.model_validate({"task_id": "t-1", "subtasks": list(subtasks)})


def test_round_trip_through_json() -> None:
    graph = SubtaskGraph(
        task_id="t-1",
        subtasks=[
            Subtask(subtask_id="s1", description="find", tool_hints=["search_code"]),
            Subtask(
                subtask_id="s2",
                description="trace",
                dependencies=["s1"],
                estimated_cost_tokens=100,
                estimated_duration_seconds=2.5,
            ),
        ],
    )

    assert SubtaskGraph.model_validate_json(graph.model_dump_json()) == graph


def test_graph_needs_at_least_one_subtask() -> None:
    with pytest.raises(ValidationError, match="subtasks"):
        SubtaskGraph(task_id="t-1", subtasks=[])


def test_duplicate_subtask_ids_are_rejected() -> None:
    with pytest.raises(ValidationError, match="duplicate subtask id\\(s\\) 's1'"):
        _graph(
            {"subtask_id": "s1", "description": "a"},
            {"subtask_id": "s1", "description": "b"},
        )


def test_unknown_dependency_is_rejected() -> None:
    with pytest.raises(ValidationError) as caught:
        _graph({"subtask_id": "s1", "description": "a", "dependencies": ["s9"]})

    assert "subtask 's1' depends on unknown subtask(s) 's9' (known: 's1')" in str(caught.value)


def test_self_dependency_is_rejected() -> None:
    with pytest.raises(ValidationError, match="subtask 's1' depends on itself"):
        _graph({"subtask_id": "s1", "description": "a", "dependencies": ["s1"]})


def test_cycles_are_left_to_the_engine() -> None:
    graph = _graph(
        {"subtask_id": "a", "description": "a", "dependencies": ["b"]},
        {"subtask_id": "b", "description": "b", "dependencies": ["a"]},
    )

    assert [subtask.subtask_id for subtask in graph.subtasks] == ["a", "b"]
