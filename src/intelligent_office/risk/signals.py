"""The observable signals a step's risk score is computed from, each a number in [0, 1].

declared_risk   the tool's declared risk (low 0, medium 0.5, high 1)
policy_risk     the risk the matching policy rule gives the call (same scale)
policy_asks     1 when the policy itself requires a human for the call
plan_doubt      1 - the plan's confidence
outside_out     a path argument that is not under out/ (the task's own output)
network         a URL or host in the arguments (or in code the step runs)
deletes         a delete: a tool named delete/remove, method DELETE, rm/unlink/rmtree in code
size            the arguments' size (1 at 100 kB and above)
failure_rate    this tool's failures among its calls for this tenant (audit log)
denial_rate     how often people denied this tool for this tenant (audit log)
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from pydantic import JsonValue

__all__ = ["LEVELS", "ToolHistory", "step_signals"]

LEVELS = {"low": 0.0, "medium": 0.5, "high": 1.0}
"""A risk level as a number."""

_PATH_NAMES = {"path", "paths", "file", "filename", "destination", "target", "dest", "directory"}
_URL = re.compile(r"\b(?:https?|ftp|wss?)://|\b(?:urllib|requests|httpx|socket)\b", re.I)
_DELETE = re.compile(
    r"\b(?:rmtree|unlink|rmdir|os\.remove|remove\(|rm\s+-|DELETE\s+FROM|DROP\s+TABLE|truncate)",
    re.I,
)
_FULL_SIZE = 100_000


@dataclass(frozen=True)
class ToolHistory:
    """What the audit log says about one tool for one tenant."""

    calls: int = 0
    failures: int = 0
    asked: int = 0
    denied: int = 0

    @property
    def failure_rate(self) -> float:
        """Failures over calls, shrunk towards 0 by two imaginary clean calls."""
        return self.failures / (self.calls + 2)

    @property
    def denial_rate(self) -> float:
        """Denials over human decisions, shrunk towards 0 the same way."""
        return self.denied / (self.asked + 2)


def _strings(value: JsonValue) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    return []


def _outside_out(arguments: dict[str, JsonValue], path_parameters: list[str]) -> bool:
    names = _PATH_NAMES | set(path_parameters)
    for name, value in arguments.items():
        if name.lower() not in names:
            continue
        for text in _strings(value):
            normalized = text.strip().removeprefix("./")
            if "${" in normalized:
                return True  # not known before the run: the worst case
            if not normalized.startswith("out/") and normalized != "out":
                return True
    return False


def _deletes(tool: str, arguments: dict[str, JsonValue]) -> bool:
    if re.search(r"delete|remove|unlink|purge", tool, re.I):
        return True
    method = arguments.get("method")
    if isinstance(method, str) and method.upper() == "DELETE":
        return True
    return any(_DELETE.search(text) for text in _strings(arguments))


def step_signals(
    *,
    tool: str,
    arguments: dict[str, JsonValue],
    declared_risk: str,
    policy_risk: str,
    policy_verdict: str,
    confidence: float,
    history: ToolHistory,
    path_parameters: list[str] | None = None,
) -> dict[str, float]:
    """The signals of one step, by name (the order of `risk.model.FEATURES`)."""
    texts = _strings(arguments)
    size = len(json.dumps(arguments, default=str))
    network = any(name.lower() in {"url", "host", "hostname"} for name in arguments) or any(
        _URL.search(text) for text in texts
    )
    return {
        "declared_risk": LEVELS.get(declared_risk, 1.0),
        "policy_risk": LEVELS.get(policy_risk, 1.0),
        "policy_asks": 1.0 if policy_verdict == "require_approval" else 0.0,
        "plan_doubt": round(min(1.0, max(0.0, 1.0 - confidence)), 4),
        "outside_out": 1.0 if _outside_out(arguments, path_parameters or []) else 0.0,
        "network": 1.0 if network else 0.0,
        "deletes": 1.0 if _deletes(tool, arguments) else 0.0,
        "size": round(min(1.0, size / _FULL_SIZE), 4),
        "failure_rate": round(history.failure_rate, 4),
        "denial_rate": round(history.denial_rate, 4),
    }
