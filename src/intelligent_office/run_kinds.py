"""The three kinds of run, named by the workflow they run: one place maps the two.

Every run is stored the same way (a task row, a run row, its journal and its events);
its kind only says which workflow code it runs and how the CLI, the API and the UI
draw it: an Office task's subtasks and steps, a YAML graph's nodes, or an agent
workflow's agents and pattern.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["RunKind", "run_kind"]


class RunKind(StrEnum):
    """What a run is."""

    TASK = "task"
    """The Office loop on a plain-language task (`office run`, `POST /tasks`)."""
    GRAPH = "graph"
    """A YAML graph workflow (`office run-workflow`)."""
    AGENTS = "agents"
    """An agent workflow (`office workflows run`, `Office.run_workflow` with a store)."""

    @property
    def workflow(self) -> str:
        """The registered workflow name runs of this kind run."""
        return _WORKFLOWS[self]


# Literal names (not imports) so listing runs loads no workflow code.
_WORKFLOWS = {
    RunKind.TASK: "office.task",
    RunKind.GRAPH: "office.graph",
    RunKind.AGENTS: "agentkit.workflow",
}
_KINDS = {name: kind for kind, name in _WORKFLOWS.items()}


def run_kind(workflow: str) -> RunKind:
    """The kind of a run of `workflow` (an unknown name counts as a graph workflow)."""
    return _KINDS.get(workflow, RunKind.GRAPH)
