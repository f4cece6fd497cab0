"""Acceptance criteria a task carries, and how the reviewer judged each one."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Self

from pydantic import ConfigDict, Field, model_validator

from intelligent_office.models._fields import Contract, NonEmptyStr

__all__ = ["Criterion", "CriterionKind", "CriterionResult"]


class CriterionKind(StrEnum):
    """A criterion in words for the reviewer, or a machine check."""

    TEXT = "text"
    REGEX = "regex"
    FILE = "file"
    COMMAND = "command"


_PREFIXES = tuple(f"{kind.value}:" for kind in CriterionKind)


class Criterion(Contract):
    """One acceptance criterion of a task.

    `text` is judged by the reviewer; the machine checks are computed: `regex` must
    match the answer, `file` must exist in the workspace, `command` must exit 0 in the
    sandbox (run in the workspace).
    """

    kind: CriterionKind = Field(
        default=CriterionKind.TEXT, description="text, regex, file or command."
    )
    value: NonEmptyStr = Field(
        description="The criterion in words, the pattern, the workspace path or the command."
    )

    # The schema says what the validator below checks: a regex criterion's value is a
    # pattern (Python's syntax), so a client or a fuzzer knows it before sending one.
    model_config = ConfigDict(
        json_schema_extra={
            "if": {"properties": {"kind": {"const": "regex"}}, "required": ["kind"]},
            "then": {"properties": {"value": {"format": "regex"}}},
        }
    )

    @model_validator(mode="after")
    def _check_pattern(self) -> Self:
        if self.kind is CriterionKind.REGEX:
            try:
                re.compile(self.value)
            except re.error as error:
                raise ValueError(
                    f"regex {self.value!r} does not compile: {error}; fix the pattern"
                ) from None
        return self

    @property
    def machine(self) -> bool:
        """Whether it is a computed check (regex, file, command) rather than words."""
        return self.kind is not CriterionKind.TEXT

    @classmethod
    def parse(cls, spec: str) -> Criterion:
        """Read `regex:PATTERN`, `file:PATH`, `command:CMD` or `text:WORDS` (plain words too).

        Raises:
            ValueError: the spec is empty or the regex does not compile.
        """
        text = spec.strip()
        if text.startswith(_PREFIXES):
            kind, _, value = text.partition(":")
            return cls(kind=CriterionKind(kind), value=value.strip())
        return cls(kind=CriterionKind.TEXT, value=text)

    def describe(self) -> str:
        """The criterion as one line, e.g. `file: out/report.md`."""
        return f"{self.kind.value}: {self.value}"


class CriterionResult(Contract):
    """How one criterion fared in a review."""

    criterion: Criterion = Field(description="The criterion judged.")
    passed: bool = Field(description="Whether it is met.")
    score: float = Field(ge=0, le=1, description="How well it is met, 0 to 1.")
    detail: str = Field(default="", description="Why: the match, the exit code, the reasoning.")
    judged_by: str = Field(
        default="check",
        description="check (computed), offline (word match) or the reviewer model's name.",
    )
