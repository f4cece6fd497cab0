"""Field types and the base class shared by the contracts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationInfo, WithJsonSchema
from pydantic_core import PydanticCustomError

__all__ = [
    "NON_EMPTY_SCHEMA",
    "NOT_BLANK",
    "Contract",
    "NonEmptyItem",
    "NonEmptyStr",
    "UtcDatetime",
    "strip_non_empty",
    "utc_now",
]


class Contract(BaseModel):
    """Base of the contract models: unknown fields are errors, not silently dropped.

    A planner that writes `timeout` instead of `timeout_seconds` must hear about it
    rather than run with the default.
    """

    model_config = ConfigDict(extra="forbid")


NOT_BLANK = (
    r"[^\u0009-\u000d\u001c-\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f"
    r"\u3000]"
)
"""The pattern of a string with some character that is not whitespace: JSON Schema's
patterns match anywhere in the string, so this says "not blank". The whitespace is
spelled out (Python's `str.isspace`, which `strip` uses) because `\\S` means different
things to ECMAScript, Python and the Rust regex pydantic validates with (U+0085, U+FEFF)."""


def strip_non_empty(
    template: str = "{field} must not be empty or only whitespace",
) -> AfterValidator:
    """Build a validator that strips a string and rejects it when nothing is left."""

    def validate(value: str, info: ValidationInfo) -> str:
        stripped = value.strip()
        if not stripped:
            field = info.field_name or "value"
            raise PydanticCustomError("string_empty", template, {"field": field})
        return stripped

    return AfterValidator(validate)


NON_EMPTY_SCHEMA = WithJsonSchema({"type": "string", "minLength": 1, "pattern": NOT_BLANK})
"""JSON Schema of a string validated by `strip_non_empty`: some character not whitespace."""

NonEmptyStr = Annotated[str, strip_non_empty(), NON_EMPTY_SCHEMA]
"""A string, stripped, that must not be empty."""

NonEmptyItem = Annotated[
    str,
    strip_non_empty("{field} must not contain empty or whitespace-only entries"),
    NON_EMPTY_SCHEMA,
]
"""A list entry (an id, a tool name), stripped, that must not be empty."""


def _as_utc(value: datetime) -> datetime:
    # Naive datetimes are taken as UTC so every datetime in a contract compares safely.
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_as_utc)]
"""A timezone-aware datetime in UTC; naive input is taken as UTC."""


def utc_now() -> datetime:
    """Return the current time in UTC (a default factory; not for workflow code)."""
    return datetime.now(UTC)
