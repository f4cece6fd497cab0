"""The plan validator's four layers, each with the reasons a planner can act on."""

from __future__ import annotations

from pathlib import Path

from intelligent_office.activities.validator import MAX_STEPS, PlanValidator
from intelligent_office.models import Task, TaskConstraints, ValidationLayer
from intelligent_office.tools.builtin import builtin_tools


def plan(*steps: dict[str, object], **metadata: object) -> dict[str, object]:
    return {
        "plan_id": "p1",
        "task_id": "t1",
        "confidence": 0.8,
        "metadata": {"model_used": "offline", **metadata},
        "steps": list(steps),
    }


def task(**constraints: object) -> Task:
    return Task(task_id="t1", description="anything", constraints=TaskConstraints(**constraints))


def layers(report: object) -> list[str]:
    return [issue.layer.value for issue in report.issues]  # type: ignore[attr-defined]


def test_a_good_plan_is_approved(tmp_path: Path) -> None:
    report = PlanValidator(builtin_tools()).validate(
        plan(
            {"step_id": "list", "action": "list_files", "inputs": {"path": "."}},
            {
                "step_id": "read",
                "action": "read_file",
                "inputs": {"path": "${list.files.0}"},
                "dependencies": ["list"],
            },
        ),
        task(),
        tmp_path,
    )
    assert report.decision == "APPROVED" and report.issues == []


def test_schema_layer_reports_unparseable_plans_without_raising(tmp_path: Path) -> None:
    report = PlanValidator(builtin_tools()).validate(
        {
            "plan_id": "p1",
            "task_id": "t1",
            "steps": [{"step_id": "a", "action": "x", "timeout": 3}],
        },
        task(),
        tmp_path,
    )
    assert report.decision == "REJECTED"
    assert set(layers(report)) == {"schema"}
    text = " ".join(report.reasons())
    assert "confidence: Field required" in text and "steps.0.timeout: Extra inputs" in text


def test_schema_layer_checks_the_task_and_step_ids(tmp_path: Path) -> None:
    raw = plan({"step_id": "a/b", "action": "calculate", "inputs": {"expression": "1"}})
    raw["task_id"] = "other"
    report = PlanValidator(builtin_tools()).validate(raw, task(), tmp_path)
    assert layers(report) == ["schema", "schema"]


def test_tools_layer_checks_names_schemas_and_references(tmp_path: Path) -> None:
    report = PlanValidator(builtin_tools()).validate(
        plan(
            {"step_id": "a", "action": "teleport"},
            {"step_id": "b", "action": "calculate", "inputs": {"expression": 5}},
            {"step_id": "c", "action": "read_file", "inputs": {"path": "${b.value}"}},
            {
                "step_id": "d",
                "action": "read_file",
                "inputs": {"path": "${nope}"},
                "dependencies": ["b"],
            },
        ),
        task(),
        tmp_path,
    )
    reasons = report.reasons()
    assert all(issue.layer is ValidationLayer.TOOLS for issue in report.issues)
    assert any("unknown tool 'teleport'" in r for r in reasons)
    assert any(
        "step b: calculate input expression: Input should be a valid string" in r for r in reasons
    )
    assert any("${b.value} does not resolve" in r for r in reasons)
    assert any("${nope} does not resolve" in r for r in reasons)


def test_policy_layer_enforces_allowed_tools_and_the_workspace(tmp_path: Path) -> None:
    outside = tmp_path.parent / "elsewhere"
    outside.mkdir(exist_ok=True)
    (tmp_path / "link").symlink_to(outside)
    report = PlanValidator(builtin_tools()).validate(
        plan(
            {"step_id": "a", "action": "python_exec", "inputs": {"code": "print(1)"}},
            {"step_id": "b", "action": "read_file", "inputs": {"path": "../etc/passwd"}},
            {"step_id": "c", "action": "read_file", "inputs": {"path": "/etc/passwd"}},
            {"step_id": "d", "action": "write_file", "inputs": {"path": "link/x", "content": "hi"}},
        ),
        task(allowed_tools=["read_file", "write_file"]),
        tmp_path,
    )
    assert layers(report) == ["policy"] * 4
    assert "tool 'python_exec' is not allowed" in report.reasons()[0]
    assert all("outside the workspace" in r for r in report.reasons()[1:])


def test_resources_layer_checks_time_cost_and_size(tmp_path: Path) -> None:
    steps = [
        {"step_id": f"s{i}", "action": "calculate", "inputs": {"expression": "1"}}
        for i in range(MAX_STEPS + 1)
    ]
    report = PlanValidator(builtin_tools()).validate(
        plan(*steps, estimated_duration_seconds=600),
        task(max_duration=60, max_cost=0.0),
        tmp_path,
    )
    assert layers(report) == ["resources", "resources"]
    assert "estimated 600 s is over the task's limit of 60 s" in report.reasons()[1]
