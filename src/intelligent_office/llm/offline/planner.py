"""Offline planning: each intent has strategies, tried in order as feedback comes back.

The first plan uses the best strategy. A rejection or a review asking for a revision
moves the next iteration to the next strategy (e.g. when the code analyzer is not
allowed, find a definition with a regex search instead); when the strategies run out,
the last one is tried again.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from pydantic import JsonValue

from intelligent_office.llm.base import PlanningResult, PlanRequest
from intelligent_office.llm.offline.guidance import adjust_steps, guided_tool_steps
from intelligent_office.llm.offline.intents import Intent, IntentKind, parse_intent
from intelligent_office.llm.offline.search_pattern import search_pattern
from intelligent_office.llm.offline.understanding import understand
from intelligent_office.models import (
    MissingTool,
    Plan,
    PlanMetadata,
    RiskLevel,
    Step,
    ToolGapReport,
)

__all__ = ["OFFLINE", "plan_subtask", "strategies_for"]

OFFLINE = "offline"

_RISK_ORDER = [RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH]
# Rough wall-clock estimates per tool call, for the validator's resource layer.
_SECONDS = {"trace_calls": 5.0, "find_function": 5.0, "python_exec": 10.0}

Strategy = list[Step]


def _step(step_id: str, action: str, deps: list[str] | None = None, **inputs: JsonValue) -> Step:
    return Step(
        step_id=step_id,
        action=action,
        inputs=dict(inputs),
        dependencies=deps or [],
        timeout_seconds=120,
    )


def _trace(p: dict[str, str]) -> list[Strategy]:
    return [[_step("trace", "trace_calls", root=p["root"], start=p["start"], end=p["end"])]]


def _find(p: dict[str, str]) -> list[Strategy]:
    short = re.escape(p["name"].split(".")[-1])
    return [
        [_step("find", "find_function", root=p["root"], name=p["name"])],
        [
            _step(
                "definitions",
                "search_files",
                pattern=rf"^\s*(?:async\s+)?(?:def|class)\s+{short}\b",
                path=p["root"],
                glob="*.py",
            ),
            _step("calls", "search_files", pattern=rf"\b{short}\s*\(", path=p["root"], glob="*.py"),
        ],
    ]


def _search(p: dict[str, str]) -> list[Strategy]:
    # The pattern as typed: a regex when it is one, else literal text (search_pattern.py).
    # A regex that finds nothing, even ignoring case, is tried once more as literal text.
    typed = search_pattern(p["pattern"])
    strategies = [
        [_step("search", "search_files", pattern=typed.regex, path=p["path"])],
        [_step("search", "search_files", pattern=typed.regex, path=p["path"], ignore_case=True)],
    ]
    if typed.mode == "regex":
        literal = re.escape(typed.typed)
        strategies.append([_step("search", "search_files", pattern=literal, path=p["path"])])
    return strategies


def _write(p: dict[str, str]) -> list[Strategy]:
    # Writing outside out/ needs a human's approval under the default policy; when it is
    # denied (or fails), the next plan writes under out/ instead.
    where = [p["path"]]
    if not p["path"].startswith("out/"):
        where.append(f"out/{Path(p['path']).name}")
    return [[_step("write", "write_file", path=path, content=p["content"])] for path in where]


_STRATEGIES: dict[IntentKind, Callable[[dict[str, str]], list[Strategy]]] = {
    IntentKind.TRACE: _trace,
    IntentKind.FIND_FUNCTION: _find,
    IntentKind.SEARCH: _search,
    IntentKind.LIST_FILES: lambda p: [
        [_step("list", "list_files", path=p["path"], pattern=p["pattern"])]
    ],
    IntentKind.READ_FILE: lambda p: [[_step("read", "read_file", path=p["path"])]],
    IntentKind.SUMMARIZE: lambda p: [
        [_step("summarize", "summarize_file", path=p["path"], sentences=3)]
    ],
    IntentKind.CALCULATE: lambda p: [[_step("calculate", "calculate", expression=p["expression"])]],
    IntentKind.PYTHON: lambda p: [[_step("run", "python_exec", code=p["code"])]],
    IntentKind.WRITE_FILE: lambda p: _write(p),
    IntentKind.SEARCH_DOCUMENTS: lambda p: [
        [_step("search", "search_documents", query=p["query"], limit=5)]
    ],
}


def strategies_for(intent: Intent) -> list[Strategy]:
    """The plans the offline brain knows for an intent, best first."""
    return _STRATEGIES[intent.kind](intent.params)


def plan_subtask(request: PlanRequest) -> PlanningResult:
    """Plan a subtask with the rules, or say what is missing."""
    subtask = request.subtask
    intent = parse_intent(subtask.description)
    guided: list[str] = []
    if intent is None:
        found = guided_tool_steps(request)
        if found is None:
            return PlanningResult(gap=_gap_report(request))
        steps, used = found
        guided.append(used)
    else:
        strategies = strategies_for(intent)
        steps = strategies[min(request.iteration - 1, len(strategies) - 1)]
        steps, guided = adjust_steps(steps, strategies, request, intent.kind.value)
    available = {spec.name for spec in request.tools}
    if (
        intent is not None
        and intent.kind is IntentKind.SEARCH_DOCUMENTS
        and "search_documents" not in available
    ):
        return PlanningResult(gap=_gap_report(request, ["search_documents"]))
    risks = {spec.name: spec.risk_level for spec in request.tools}
    tools = sorted({step.action for step in steps})
    risk = max((risks.get(name, RiskLevel.LOW) for name in tools), key=_RISK_ORDER.index)
    plan = Plan(
        plan_id=f"{subtask.subtask_id}-plan-{request.iteration}",
        task_id=request.task.task_id,
        subtask_id=subtask.subtask_id,
        confidence=0.9 if request.iteration == 1 else 0.7,
        metadata=PlanMetadata(
            required_tools=tools,
            estimated_cost_tokens=0,
            estimated_duration_seconds=sum(_SECONDS.get(step.action, 1.0) for step in steps),
            model_used=OFFLINE,
            context_sources=[f"guidance:{gid}" for gid in guided]
            + (
                [past.memory_id for past in request.past_plans]
                or [f"memory:{plan.plan_id}" for plan in request.similar_plans]
            ),
            risk_level=risk,
        ),
        steps=[_inside(step, request.task.context.get("workspace")) for step in steps],
    )
    return PlanningResult(plan=plan)


_PLACES = ("root", "path")


def _inside(step: Step, workspace: object) -> Step:
    """The step, with a folder named like the workspace itself read as the workspace.

    "Trace ... in sample_app" asked of the workspace `sample_app` means its own files:
    when no `sample_app` lies inside it, the step looks at `.` (or `sample_app/app` at
    `app`) instead of failing on a folder that is not there.
    """
    step = step.model_copy(deep=True)
    if not isinstance(workspace, str) or not workspace:
        return step
    home = Path(workspace)
    for name in _PLACES:
        value = step.inputs.get(name)
        if not isinstance(value, str):
            continue
        first, _, rest = value.strip("/").partition("/")
        if first == home.name and not (home / first).exists():
            step.inputs[name] = rest or "."
    return step


# What a request probably needed, by the words it uses; for the tool-gap report only.
_CAPABILITY_WORDS = {
    "send_email": ("email", "e-mail", "mail "),
    "http_fetch": ("http", "url", "website", "web page", "download", "browse", "fetch"),
    "image_generation": ("image", "picture", "photo", "draw"),
    "calendar": ("calendar", "meeting", "schedule"),
    "translation": ("translate",),
}


# What each capability's tool would look like, and where one might come from.
_MISSING_TOOLS: dict[str, tuple[MissingTool, str]] = {
    "search_documents": (
        MissingTool(
            name="search_documents",
            description="Search the documents ingested into memory.",
            inputs={"query": "what to look for"},
            outputs={"results": "passages with their source and position"},
            estimated_risk=RiskLevel.LOW,
        ),
        "memory: install the `memory` extra and keep memory.enabled on, then office ingest",
    ),
    "send_email": (
        MissingTool(
            name="send_email",
            description="Send an email message.",
            inputs={"to": "recipient address", "subject": "subject line", "body": "text"},
            outputs={"message_id": "id of the sent message"},
            estimated_risk=RiskLevel.HIGH,
        ),
        "an email MCP server (SMTP or Gmail)",
    ),
    "http_fetch": (
        MissingTool(
            name="http_request",
            description="Fetch a web page or call an HTTP API on an allowed host.",
            inputs={"url": "the URL", "method": "GET or POST"},
            outputs={"status": "HTTP status", "body": "response text"},
            estimated_risk=RiskLevel.MEDIUM,
        ),
        "the built-in http tool with an allow-list (settings), or a fetch MCP server",
    ),
    "image_generation": (
        MissingTool(
            name="generate_image",
            description="Create an image from a text prompt.",
            inputs={"prompt": "what to draw"},
            outputs={"path": "the image file in the workspace"},
            estimated_risk=RiskLevel.LOW,
        ),
        "an image-generation MCP server",
    ),
    "calendar": (
        MissingTool(
            name="calendar_events",
            description="Read or create calendar events.",
            inputs={"start": "ISO time", "end": "ISO time", "title": "for new events"},
            outputs={"events": "list of events"},
            estimated_risk=RiskLevel.MEDIUM,
        ),
        "a calendar MCP server (CalDAV or Google Calendar)",
    ),
    "translation": (
        MissingTool(
            name="translate",
            description="Translate text between languages.",
            inputs={"text": "the text", "target_language": "e.g. fr"},
            outputs={"text": "the translation"},
            estimated_risk=RiskLevel.LOW,
        ),
        "an LLM provider (the ai_tool tool) or a translation MCP server",
    ),
}


def _gap_report(request: PlanRequest, missing: list[str] | None = None) -> ToolGapReport:
    text = request.subtask.description.lower()
    if missing is None:
        missing = [n for n, words in _CAPABILITY_WORDS.items() if any(w in text for w in words)]
    known = [_MISSING_TOOLS[name] for name in missing if name in _MISSING_TOOLS]
    clarification = understand(request.subtask.description).clarification
    if clarification is not None and not missing:
        return ToolGapReport(
            task_id=request.task.task_id,
            subtask_id=request.subtask.subtask_id,
            request=request.subtask.description,
            missing_capabilities=["understand the request for sure (asked back)"],
            available_tools=[spec.name for spec in request.tools],
            existing_tools_checked=[spec.name for spec in request.tools],
            planner=OFFLINE,
            suggestion=(
                f"I understood {clarification.understood or 'part of it'},"
                " but not for sure what you want done."
            ),
            proposed_request=clarification.proposal.describe(),
        )
    return ToolGapReport(
        missing_tools=[tool for tool, _ in known],
        existing_tools_checked=[spec.name for spec in request.tools],
        proposed_mcp_server="; ".join(server for _, server in known) or None,
        task_id=request.task.task_id,
        subtask_id=request.subtask.subtask_id,
        request=request.subtask.description,
        missing_capabilities=missing or ["understand free-form requests (no rule matches)"],
        available_tools=[spec.name for spec in request.tools],
        planner=OFFLINE,
        suggestion=(
            "The offline brain handles: trace the call sequence from A() to B() in DIR; "
            "find where F() is defined; list, read, search or summarize files; calculate "
            "an expression; run a given Python snippet. Rephrase the request as one of "
            "these, or configure an LLM provider to plan free-form requests."
        ),
    )
