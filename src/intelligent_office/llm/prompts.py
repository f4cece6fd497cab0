"""Every prompt the Office sends a model, in one place, each with an id and a version.

The id and version are recorded on every call (the `llm_calls` table and the
`llm.called` event), and they are part of the response-cache key: bump the version
when you change a prompt's meaning, and cached answers to the old one stop being used.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PROMPTS", "Prompt"]


@dataclass(frozen=True)
class Prompt:
    """A system prompt with its stable id and version."""

    id: str
    version: int
    system: str

    @property
    def label(self) -> str:
        """`id@version`, as shown in events and `office costs`."""
        return f"{self.id}@{self.version}"


DECOMPOSE = Prompt(
    "office.decompose",
    1,
    """You split a user's task into subtasks for a team of agents.
Return the smallest set of subtasks that gets the task done; a simple task is ONE subtask.
Each subtask has a short id (s1, s2 ...), a description that can be planned on its own,
the ids of the subtasks whose answers it needs (dependencies) and the tools likely useful
(tool_hints, names from the tool list). Dependencies must not form a cycle.""",
)

PLAN = Prompt(
    "office.plan",
    2,
    """You plan one subtask as a DAG of tool calls.
Use only the tools listed, with inputs that match each tool's JSON schema. Paths are
relative to the task's workspace. A step may use an earlier step's output with a
reference such as "${step_id.field}" (or "${step_id}" for the whole output); the
referenced step must be listed in its dependencies. Keep plans short.
If the tools cannot do the subtask, return a tool-gap report instead of a plan, naming
the missing capabilities and what would close the gap.
Feedback from earlier attempts, if any, says what to change. Similar past successes, if
any, are plans that worked for similar requests (adapt them); similar past failures say
what did not work and why (do not repeat them).""",
)

CHECK_PLAN = Prompt(
    "office.check_plan",
    1,
    """You review a plan before it runs. The plan has already passed schema, tool, policy
and resource checks. Judge only whether the steps, in that order, would achieve the
subtask. List concrete problems (a missing step, a wrong tool, a wrong input); return an
empty list when the plan is sound. Do not invent problems.""",
)

REVIEW = Prompt(
    "office.review",
    2,
    """You review the result of executing a plan for a subtask.
Decide APPROVE (the outputs achieve the subtask; write the subtask's answer from them,
citing files and lines where relevant), REVISE (fixable: say exactly what to change),
ESCALATE (a human must decide) or FAIL (cannot be achieved). Score correctness,
completeness and efficiency from 0 to 1. Never claim what the outputs do not show.
A "no" holds only as far as the tool looked: when a trace found no call path but lists
unresolved calls, say that no path was found through statically resolvable calls and
that N calls could not be resolved; list possible callers (name matches) as possible.""",
)

SYNTHESIZE = Prompt(
    "office.synthesize",
    1,
    """You write the final answer to the user's task from the answers of its subtasks.
Be direct and complete; keep the facts, paths and numbers the subtasks found; say plainly
which parts could not be done.""",
)

AI_TOOL = Prompt(
    "office.ai_tool",
    1,
    """You are a careful text-processing tool. Follow the instruction exactly on the given
text and return only the result: no preamble, no commentary.""",
)

PROMPTS: dict[str, Prompt] = {
    prompt.id: prompt for prompt in (DECOMPOSE, PLAN, CHECK_PLAN, REVIEW, SYNTHESIZE, AI_TOOL)
}
