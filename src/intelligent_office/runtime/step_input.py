"""What a step saw: its input as journaled, compact JSON text with very large inputs capped.

The journal keeps each activity's input beside its outcome so a run's steps can be read
back ("what each step saw and produced"). The input is encoded once, straight from the
model to compact JSON (`model_dump_json`); an input longer than `INPUT_CAP_CHARS` keeps
its first characters inside a marker object, so a huge document handed to a step does
not make every journal row huge.
"""

from __future__ import annotations

import json

from pydantic import BaseModel, JsonValue

__all__ = ["INPUT_CAP_CHARS", "TRUNCATED_MARKER", "input_value", "recorded_input"]

INPUT_CAP_CHARS = 16_000
TRUNCATED_MARKER = "_truncated_input"
"""The key of the marker object a capped input is stored as."""


def recorded_input(value: BaseModel) -> str:
    """`value` as the journal keeps it: compact JSON, or a marker holding its head."""
    text = value.model_dump_json()
    if len(text) <= INPUT_CAP_CHARS:
        return text
    marker = {TRUNCATED_MARKER: True, "chars": len(text), "head": text[:INPUT_CAP_CHARS]}
    return json.dumps(marker, ensure_ascii=False, separators=(",", ":"))


def input_value(text: str | None) -> JsonValue:
    """A journaled input as JSON (None: the step was recorded without one)."""
    if text is None:
        return None
    value: JsonValue = json.loads(text)
    return value
