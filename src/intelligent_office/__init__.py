"""Intelligent Office: takes a task in plain language and gets it done with a team of AI agents.

The library API, loaded on first use:

    from intelligent_office import Agent, Office, Workflow

`Office` is the one front door: tasks (`run_task`, `submit`, approvals, dead letters) and
agent workflows (`run_workflow`), every run stored in its database.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from intelligent_office.agentkit import Agent, AgentFactory, AgentState, Workflow
    from intelligent_office.front_door import Office
    from intelligent_office.task_outcome import TaskOutcome

_HOMES = {
    "Agent": "intelligent_office.agentkit",
    "AgentFactory": "intelligent_office.agentkit",
    "AgentState": "intelligent_office.agentkit",
    "Workflow": "intelligent_office.agentkit",
    "Office": "intelligent_office.front_door",
    "TaskOutcome": "intelligent_office.task_outcome",
}


def __getattr__(name: str) -> Any:
    # Lazy so that `import intelligent_office.x` stays as light as the module x.
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Agent",
    "AgentFactory",
    "AgentState",
    "Office",
    "TaskOutcome",
    "Workflow",
    "__version__",
]
