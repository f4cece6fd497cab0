"""Intelligent Office: takes a task in plain language and gets it done with a team of AI agents.

The library API for agent workflows, loaded on first use:

    from intelligent_office import Agent, Workflow, Office
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from intelligent_office.agentkit import Agent, AgentFactory, AgentState, Office, Workflow

_AGENTKIT = frozenset({"Agent", "AgentFactory", "AgentState", "Office", "Workflow"})


def __getattr__(name: str) -> Any:
    # Lazy so that `import intelligent_office.x` stays as light as the module x.
    if name in _AGENTKIT:
        return getattr(importlib.import_module("intelligent_office.agentkit"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["Agent", "AgentFactory", "AgentState", "Office", "Workflow", "__version__"]
