"""The plan validator: four layers a plan must pass before anything runs.

1. schema: the plan parses as a Plan for this task and subtask, step ids are usable,
   and no steps depend on each other in a cycle (the cycle is named);
2. tools: every action is a registered tool, its inputs fit the tool's JSON schema, and
   every `${step.field}` reference names a step this one depends on;
3. policy: only allowed tools, and every path argument stays inside the workspace;
4. resources: estimated time and cost within the task's constraints.

A step's `when` and `for_each` are checked with the schema: they must parse in the
condition language (`agents/conditions.py`) and read only the step's dependencies.

Every layer that can run does, so the planner hears all of its mistakes at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import JsonValue, ValidationError

from intelligent_office.activities.conditions import ConditionError, parse_condition
from intelligent_office.activities.references import ITEM, find_references, is_whole_reference
from intelligent_office.errors import ToolError
from intelligent_office.models import (
    Plan,
    Step,
    Task,
    ValidationDecision,
    ValidationIssue,
    ValidationLayer,
    ValidationReport,
)
from intelligent_office.models._dependencies import find_cycle
from intelligent_office.tools.base import ToolRegistry
from intelligent_office.tools.workspace import resolve_in_workspace

__all__ = ["MAX_STEPS", "PlanValidator"]

MAX_STEPS = 50
"""Most steps one plan may have (a resource limit against runaway plans)."""


@dataclass(frozen=True)
class PlanValidator:
    """Checks plans against the tools, the task's policy and its constraints."""

    tools: ToolRegistry

    def validate(
        self, raw_plan: dict[str, JsonValue], task: Task, workspace: Path
    ) -> ValidationReport:
        """Check a plan (as JSON, so schema mistakes are reported, not raised)."""
        plan_id = str(raw_plan.get("plan_id") or "unknown")
        plan, issues = self._schema(raw_plan, task)
        if plan is not None:
            issues += self._tools_layer(plan)
            issues += self._policy(plan, task, workspace)
            issues += self._resources(plan, task)
        decision = ValidationDecision.REJECTED if issues else ValidationDecision.APPROVED
        return ValidationReport(plan_id=plan_id, decision=decision, issues=issues)

    def _schema(
        self, raw_plan: dict[str, JsonValue], task: Task
    ) -> tuple[Plan | None, list[ValidationIssue]]:
        try:
            plan = Plan.model_validate(raw_plan)
        except ValidationError as error:
            return None, [
                _issue(
                    ValidationLayer.SCHEMA,
                    f"{'.'.join(str(p) for p in item['loc']) or 'plan'}: {item['msg']}",
                )
                for item in error.errors()
            ]
        issues = []
        if plan.task_id != task.task_id:
            issues.append(
                _issue(ValidationLayer.SCHEMA, f"task_id {plan.task_id!r} is not this task's")
            )
        for step in plan.steps:
            if "/" in step.step_id:
                issues.append(
                    _issue(ValidationLayer.SCHEMA, "step ids may not contain '/'", step.step_id)
                )
            issues += _branch_issues(step)
        cycle = find_cycle([(step.step_id, step.dependencies) for step in plan.steps])
        if cycle is not None:
            issues.append(
                _issue(
                    ValidationLayer.SCHEMA,
                    f"the steps depend on each other in a cycle: {' -> '.join(cycle)};"
                    " remove one of these dependencies so the steps can run in order",
                    cycle[0],
                )
            )
        return plan, issues

    def _tools_layer(self, plan: Plan) -> list[ValidationIssue]:
        issues = []
        for step in plan.steps:
            if step.action not in self.tools:
                known = ", ".join(self.tools.names())
                issues.append(
                    _issue(
                        ValidationLayer.TOOLS,
                        f"unknown tool {step.action!r}: use one of {known}",
                        step.step_id,
                    )
                )
                continue
            references = find_references(step.inputs)
            for reference in references:
                if step.for_each is not None and reference.step_id == ITEM:
                    continue  # the loop's current item
                if reference.step_id not in step.dependencies:
                    issues.append(
                        _issue(
                            ValidationLayer.TOOLS,
                            f"{reference.text} does not resolve: step {reference.step_id!r} is"
                            " one of this step's dependencies; add it to them",
                            step.step_id,
                        )
                    )
            referenced = {key for key, value in step.inputs.items() if is_whole_reference(value)}
            checked = {k: v for k, v in step.inputs.items() if k not in referenced}
            for error in self.tools.argument_errors(step.action, checked):
                if error.split(":", 1)[0] in referenced:
                    continue  # filled in from an earlier step at run time
                issues.append(
                    _issue(
                        ValidationLayer.TOOLS,
                        f"{step.action} input {error}",
                        step.step_id,
                    )
                )
        return issues

    def _policy(self, plan: Plan, task: Task, workspace: Path) -> list[ValidationIssue]:
        issues = []
        allowed = task.constraints.allowed_tools
        for step in plan.steps:
            if allowed is not None and step.action not in allowed:
                issues.append(
                    _issue(
                        ValidationLayer.POLICY,
                        f"tool {step.action!r} is not allowed for this task"
                        f" (allowed: {', '.join(allowed) or 'none'})",
                        step.step_id,
                    )
                )
            if step.action not in self.tools:
                continue
            for name in self.tools.get(step.action).spec.path_parameters:
                value = step.inputs.get(name)
                if not isinstance(value, str) or find_references({name: value}):
                    continue  # absent, or resolved later (the tool confines it again)
                try:
                    resolve_in_workspace(workspace, value)
                except ToolError as error:
                    issues.append(_issue(ValidationLayer.POLICY, str(error), step.step_id))
        return issues

    def _resources(self, plan: Plan, task: Task) -> list[ValidationIssue]:
        issues = []
        if len(plan.steps) > MAX_STEPS:
            issues.append(
                _issue(
                    ValidationLayer.RESOURCES,
                    f"{len(plan.steps)} steps is more than {MAX_STEPS}: plan fewer, larger steps",
                )
            )
        limit = task.constraints.max_duration
        estimate = plan.metadata.estimated_duration_seconds
        if limit is not None and estimate is not None and estimate > limit:
            issues.append(
                _issue(
                    ValidationLayer.RESOURCES,
                    f"estimated {estimate:g} s is over the task's limit of {limit:g} s",
                )
            )
        budget = task.constraints.max_cost
        cost = _estimated_cost(plan)
        if budget is not None and cost is not None and cost > budget:
            issues.append(
                _issue(
                    ValidationLayer.RESOURCES,
                    f"estimated cost ${cost:.4f} is over the task's budget of ${budget:.4f}",
                )
            )
        return issues


def _estimated_cost(plan: Plan) -> float | None:
    # Offline plans spend nothing; model prices arrive with the LLM layer.
    if plan.metadata.model_used == "offline":
        return 0.0
    return None


def _branch_issues(step: Step) -> list[ValidationIssue]:
    """A `when` or `for_each` must parse and read only the step's own dependencies."""
    issues = []
    for name, text in (("when", step.when), ("for_each", step.for_each)):
        if text is None:
            continue
        try:
            condition = parse_condition(text)
        except ConditionError as error:
            issues.append(_issue(ValidationLayer.SCHEMA, f"{name}: {error}", step.step_id))
            continue
        for step_id in sorted(condition.steps - set(step.dependencies)):
            issues.append(
                _issue(
                    ValidationLayer.SCHEMA,
                    f"{name} {text!r} reads steps.{step_id}, which is not one of this step's"
                    f" dependencies: add {step_id!r} to them",
                    step.step_id,
                )
            )
    return issues


def _issue(layer: ValidationLayer, message: str, step_id: str | None = None) -> ValidationIssue:
    return ValidationIssue(layer=layer, step_id=step_id, message=message)
