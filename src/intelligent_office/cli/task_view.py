"""Live view of an Office task: subtasks, their plans, steps, tool calls and reviews.

Fed by the same events the store keeps, so `office run` shows it live and
`office show` rebuilds it afterwards from the stored events.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.text import Text
from rich.tree import Tree

if TYPE_CHECKING:
    from pydantic import JsonValue

__all__ = ["TaskView", "plain_line"]

_STEP_MARK = {
    "pending": ("·", "dim"),
    "running": ("…", "cyan"),
    "retrying": ("↻", "yellow"),
    "completed": ("✓", "green"),
    "succeeded": ("✓", "green"),
    "failed": ("✗", "bold red"),
    "timed_out": ("✗", "bold red"),
    "skipped": ("-", "magenta"),
    "cancelled": ("-", "magenta"),
}
_DECISION_STYLE = {"APPROVE": "green", "REVISE": "yellow", "ESCALATE": "magenta", "FAIL": "red"}
_SUBTASK_STYLE = {
    "running": "cyan",
    "completed": "green",
    "failed": "bold red",
    "unsupported": "yellow",
    "skipped": "magenta",
}


@dataclass
class _Step:
    action: str
    inputs: dict[str, Any]
    status: str = "pending"
    note: str = ""


@dataclass
class _Iteration:
    number: int
    plan_id: str = ""
    confidence: float | None = None
    model: str = ""
    steps: dict[str, _Step] = field(default_factory=dict)
    validation: str = ""
    rejections: list[str] = field(default_factory=list)
    decision: str = ""
    feedback: str = ""


@dataclass
class _Subtask:
    description: str
    status: str = "pending"
    iterations: dict[int, _Iteration] = field(default_factory=dict)
    reason: str = ""


def _short(value: Any, width: int = 60) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


@dataclass
class TaskView:
    """The task's progress as a tree; feed it events, render it with Rich."""

    title: str
    status: str = "queued"
    subtasks: dict[str, _Subtask] = field(default_factory=dict)
    footer: str = ""

    def on_event(self, event_type: str, payload: dict[str, JsonValue]) -> None:
        """Update from one event."""
        data: dict[str, Any] = dict(payload)
        handler = _HANDLERS.get(event_type)
        if handler is not None:
            handler(self, data)
        elif event_type.startswith("node."):
            self._on_node(event_type.removeprefix("node."), data)
        elif event_type.startswith("task."):
            self.status = event_type.removeprefix("task.")

    def _iteration(self, data: dict[str, Any]) -> _Iteration | None:
        subtask = self.subtasks.get(str(data.get("subtask_id")))
        number = data.get("iteration")
        if subtask is None or not isinstance(number, int):
            return None
        return subtask.iterations.setdefault(number, _Iteration(number))

    def _on_decomposed(self, data: dict[str, Any]) -> None:
        for item in data.get("subtasks") or []:
            self.subtasks[item["subtask_id"]] = _Subtask(item["description"])
        self.status = "running"

    def _on_subtask_started(self, data: dict[str, Any]) -> None:
        subtask = self.subtasks.setdefault(
            str(data.get("subtask_id")), _Subtask(str(data.get("description", "")))
        )
        subtask.status = "running"

    def _on_subtask_finished(self, status: str, data: dict[str, Any]) -> None:
        subtask = self.subtasks.get(str(data.get("subtask_id")))
        if subtask is not None:
            subtask.status = status
            subtask.reason = str(data.get("reason") or "")

    def _on_plan(self, data: dict[str, Any]) -> None:
        iteration = self._iteration(data)
        if iteration is None:
            return
        iteration.plan_id = str(data.get("plan_id", ""))
        iteration.confidence = data.get("confidence")
        iteration.model = str(data.get("model", ""))
        iteration.steps = {
            step["step_id"]: _Step(step["action"], step.get("inputs") or {})
            for step in data.get("steps") or []
        }

    def _on_validation(self, verdict: str, data: dict[str, Any]) -> None:
        iteration = self._iteration(data)
        if iteration is not None:
            iteration.validation = verdict
            iteration.rejections = [str(reason) for reason in data.get("reasons") or []]

    def _on_execution(self, data: dict[str, Any]) -> None:
        iteration = self._iteration(data)
        if iteration is None:
            return
        for item in data.get("steps") or []:
            step = iteration.steps.get(item["step_id"])
            if step is None:
                continue
            step.status = item["status"]
            if item.get("error"):
                step.note = _short(item["error"], 90)
            elif item.get("duration_seconds") is not None:
                seconds = float(item["duration_seconds"])
                step.note = f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"

    def _on_review(self, data: dict[str, Any]) -> None:
        iteration = self._iteration(data)
        if iteration is not None:
            iteration.decision = str(data.get("decision", ""))
            iteration.feedback = str(data.get("feedback") or "")

    def _on_node(self, kind: str, data: dict[str, Any]) -> None:
        scope = str(data.get("scope") or "")  # subtask/<id>/iter/<n>
        parts = scope.split("/")
        if len(parts) != 4 or parts[0] != "subtask":
            return
        iteration = self._iteration({"subtask_id": parts[1], "iteration": int(parts[3])})
        step = iteration.steps.get(str(data.get("node_id"))) if iteration else None
        if step is None:
            return
        step.status = "running" if kind == "started" else kind
        if kind in ("failed", "retrying"):
            step.note = _short(data.get("error", ""), 90)

    def __rich__(self) -> RenderableType:
        root = Tree(Text.assemble((self.title, "bold"), "  ", (self.status, "cyan")))
        for subtask_id, subtask in self.subtasks.items():
            style = _SUBTASK_STYLE.get(subtask.status, "dim")
            branch = root.add(
                Text.assemble(
                    (f"{subtask_id} ", "bold"), subtask.description, "  ", (subtask.status, style)
                )
            )
            for iteration in subtask.iterations.values():
                self._render_iteration(branch, iteration)
            if subtask.reason and subtask.status != "completed":
                branch.add(Text(_short(subtask.reason, 140), style="red"))
        return Group(root, Text(self.footer)) if self.footer else root

    @staticmethod
    def _render_iteration(branch: Tree, iteration: _Iteration) -> None:
        label = Text(f"iteration {iteration.number}: plan {iteration.plan_id}")
        if iteration.confidence is not None:
            label.append(f" (confidence {iteration.confidence:.2f}, {iteration.model})", "dim")
        if iteration.validation:
            style = "green" if iteration.validation == "validated" else "red"
            label.append(f" {iteration.validation}", style)
        node = branch.add(label)
        for reason in iteration.rejections:
            node.add(Text(reason, style="red"))
        for step_id, step in iteration.steps.items():
            mark, style = _STEP_MARK.get(step.status, ("?", ""))
            line = Text.assemble(
                (f"{mark} ", style),
                (step_id, "bold"),
                f" {step.action}({_short(step.inputs)})",
            )
            if step.note:
                line.append(
                    f"  {step.note}", "red" if step.status in ("failed", "timed_out") else "dim"
                )
            node.add(line)
        if iteration.decision:
            review = Text.assemble(
                "review: ", (iteration.decision, _DECISION_STYLE.get(iteration.decision, ""))
            )
            if iteration.feedback:
                review.append(f" {_short(iteration.feedback, 120)}", "dim")
            node.add(review)


def plain_line(event_type: str, payload: dict[str, JsonValue]) -> str | None:
    """What a terminal without the live view (a pipe, a log, `--json`) is told of this
    event: a task waiting for a human, and the decision, in plain text."""
    if event_type == "approval.requested":
        return waiting_text(payload)
    if event_type == "approval.decided":
        return f"approval {payload.get('approval_id')}: {payload.get('status')}"
    return None


def waiting_text(data: Mapping[str, Any]) -> str:
    """What a task waiting for a human waits for, and the command that answers it."""
    approval, kind = data.get("approval_id"), data.get("kind")
    if kind == "escalation":
        how = f"office escalations accept|revise --feedback ..|fail --reason .. {approval}"
    elif kind == "plan":
        how = f"office approval {approval}, then office approve [--edit STEP=JSON] or deny"
    else:
        how = f"office approve {approval}   or   office deny {approval}"
    risk = f" (risk {data['score']}/100)" if "score" in data else ""
    return f"waiting for a human: {data.get('subject')}{risk}\n  {how}   (in another terminal)"


def _on_approval_requested(view: TaskView, data: dict[str, Any]) -> None:
    view.footer = waiting_text(data)


def _on_approval(view: TaskView, event_type: str, data: dict[str, Any]) -> None:
    view.footer = plain_line(event_type, data) or ""


_HANDLERS: dict[str, Any] = {
    "approval.requested": lambda view, data: _on_approval(view, "approval.requested", data),
    "approval.decided": lambda view, data: _on_approval(view, "approval.decided", data),
    "task.decomposed": TaskView._on_decomposed,
    "subtask.started": TaskView._on_subtask_started,
    "subtask.completed": lambda view, data: view._on_subtask_finished("completed", data),
    "subtask.failed": lambda view, data: view._on_subtask_finished("failed", data),
    "subtask.unsupported": lambda view, data: view._on_subtask_finished("unsupported", data),
    "subtask.skipped": lambda view, data: view._on_subtask_finished("skipped", data),
    "plan.created": TaskView._on_plan,
    "plan.validated": lambda view, data: view._on_validation("validated", data),
    "plan.rejected": lambda view, data: view._on_validation("rejected", data),
    "execution.finished": TaskView._on_execution,
    "review.decided": TaskView._on_review,
}
