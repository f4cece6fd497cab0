"""The tool policy: which calls run, which wait for a human, which are refused.

Policy is code, in YAML. Rules are tried in order and the first that matches decides;
a call no rule matches gets the decision for its tool's declared risk:

    defaults: {low: allow, medium: allow, high: require_approval}
    rules:
      - name: writes-outside-out
        tool: write_file                      # a glob on the tool's name
        arguments: {path: {not_match: "out/**"}}
        risk: high
        decision: require_approval            # allow | require_approval | deny
        reason: writing outside out/ needs a human

An argument pattern is a glob on the argument's value as text. A value that refers to
another step's output (`${step.field}`) is not known before the run, so it is taken as
matching the pattern's worst case: it never satisfies `match` and always `not_match`.
"""

from __future__ import annotations

import fnmatch
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from intelligent_office.errors import ConfigError
from intelligent_office.models import RiskLevel
from intelligent_office.yaml_files import load_yaml_text, read_yaml_text

__all__ = [
    "ArgumentPattern",
    "Policy",
    "PolicyDecision",
    "PolicyRule",
    "Verdict",
    "default_policy",
    "load_policy",
]


class Verdict(StrEnum):
    """What happens to a tool call."""

    ALLOW = "allow"
    REQUIRE_APPROVAL = "require_approval"
    DENY = "deny"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ArgumentPattern(_Strict):
    """A glob the argument's value must match, or must not match."""

    match: str | None = None
    not_match: str | None = None

    @model_validator(mode="after")
    def _one(self) -> Self:
        if (self.match is None) == (self.not_match is None):
            raise ValueError("an argument pattern has exactly one of match or not_match")
        return self

    def holds(self, value: Any) -> bool:
        """Whether the value satisfies the pattern (an unknown value: the worst case)."""
        text = value if isinstance(value, str) else None
        if text is None or "${" in text:
            return self.match is None  # unknown: fails `match`, satisfies `not_match`
        normalized = text.removeprefix("./")
        if self.match is not None:
            return fnmatch.fnmatchcase(normalized, self.match)
        assert self.not_match is not None
        return not fnmatch.fnmatchcase(normalized, self.not_match)


class PolicyRule(_Strict):
    """One rule: which calls it covers, and what it decides."""

    name: str = Field(min_length=1)
    tool: str = Field(default="*", description="Glob on the tool name.")
    arguments: dict[str, ArgumentPattern] = Field(default_factory=dict)
    risk: RiskLevel = RiskLevel.MEDIUM
    decision: Verdict
    reason: str = ""

    def covers(self, tool: str, arguments: dict[str, Any]) -> bool:
        """Whether this rule applies to the call."""
        if not fnmatch.fnmatchcase(tool, self.tool):
            return False
        return all(pattern.holds(arguments.get(name)) for name, pattern in self.arguments.items())


class PolicyDecision(_Strict):
    """The policy's decision on one call, with the rule that made it."""

    verdict: Verdict
    risk: RiskLevel
    rule: str
    reason: str


class Policy(_Strict):
    """Rules in order, and a decision per risk level for calls no rule covers."""

    defaults: dict[RiskLevel, Verdict] = Field(
        default_factory=lambda: {
            RiskLevel.LOW: Verdict.ALLOW,
            RiskLevel.MEDIUM: Verdict.ALLOW,
            RiskLevel.HIGH: Verdict.REQUIRE_APPROVAL,
        }
    )
    rules: list[PolicyRule] = Field(default_factory=list)
    source: str = Field(default="", description="Where the policy was loaded from.")

    def decide(
        self, tool: str, declared_risk: RiskLevel, arguments: dict[str, Any]
    ) -> PolicyDecision:
        """The first covering rule's decision, else the default for the tool's risk."""
        for rule in self.rules:
            if rule.covers(tool, arguments):
                reason = rule.reason or f"rule {rule.name}"
                return PolicyDecision(
                    verdict=rule.decision, risk=rule.risk, rule=rule.name, reason=reason
                )
        verdict = self.defaults.get(declared_risk, Verdict.REQUIRE_APPROVAL)
        return PolicyDecision(
            verdict=verdict,
            risk=declared_risk,
            rule=f"defaults.{declared_risk.value}",
            reason=f"{tool} is {declared_risk.value} risk",
        )


def _parse(text: str, source: str) -> Policy:
    raw = load_yaml_text(text, label=f"policy file {source}", error=ConfigError)
    if not isinstance(raw, dict):
        raise ConfigError(f"policy file {source}: expected a mapping with defaults and rules")
    try:
        return Policy.model_validate({**raw, "source": source})
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        message = str(first["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"policy file {source}: {where}: {message}") from None


def default_policy() -> Policy:
    """The policy shipped with the package (`tools/default_policy.yaml`)."""
    text = resources.files("intelligent_office.tools").joinpath("default_policy.yaml")
    return _parse(text.read_text(encoding="utf-8"), "default_policy.yaml (shipped)")


def load_policy(path: Path | None) -> Policy:
    """The policy in `path`, or the shipped default when None.

    Raises:
        ConfigError: the file is missing, not YAML, or not a valid policy (one line).
    """
    if path is None:
        return default_policy()
    text = read_yaml_text(path, label=f"policy file {path}", error=ConfigError)
    return _parse(text, str(path))
