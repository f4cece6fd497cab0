"""Forking a run: a new run whose journal is the original's up to one step.

A run's journal is the record of every activity it finished, in the order they
finished. A fork copies the entries recorded before the chosen step into a new run;
the workflow code then runs from the top as after a crash, every copied key is
replayed from the journal (never called again, so a non-idempotent tool before the
fork point does not run twice) and the chosen step and everything after it run anew.

The chosen step's input may be edited: the patch is stored in the new run's journal
under `fork/input/<key>` and merged into the input the workflow computes for that key
(JSON merge: objects merge key by key, anything else replaces).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, JsonValue, ValidationError

from intelligent_office.errors import UserError
from intelligent_office.store.records import JournalEntry

__all__ = [
    "FORK_INPUT_ACTIVITY",
    "FORK_INPUT_PREFIX",
    "FORK_REPLACE_KEY",
    "ForkCut",
    "cut_journal",
    "input_patch_entry",
    "is_step",
    "merge_patch",
    "patched_input",
    "replace_entry",
    "replace_text",
    "step_label",
]

InT = TypeVar("InT", bound=BaseModel)

FORK_INPUT_PREFIX = "fork/input/"
FORK_INPUT_ACTIVITY = "fork.input"
FORK_REPLACE_KEY = "fork/replace"
"""The journal key of a fork's text edit, applied to every step the new run executes."""

# Journal keys that are bookkeeping, not steps a person would fork at.
_NOT_STEPS = ("now", "sleep", "signal.deadline", FORK_INPUT_ACTIVITY)
_FORK_KEYS = (FORK_INPUT_PREFIX, FORK_REPLACE_KEY)
_ATTEMPT = re.compile(r"/attempt/\d+$")


@dataclass(frozen=True)
class ForkCut:
    """Where a run is forked: the step's journal entry and what is kept before it."""

    step: JournalEntry
    kept: list[JournalEntry]


def step_label(key: str) -> str:
    """A step's key without the attempt suffix the Office's agent calls add."""
    return _ATTEMPT.sub("", key)


def is_step(entry: JournalEntry) -> bool:
    """Whether an entry is a step (an activity or a signal), not a clock reading."""
    return entry.activity not in _NOT_STEPS


def cut_journal(entries: Sequence[JournalEntry], at: str) -> ForkCut:
    """Split a run's journal (in recorded order) at the step `at`.

    `at` is a step's key (with or without its `/attempt/N` suffix) or its number in
    `office steps` (1 is the first step). Entries recorded before the step are kept;
    entries finished in the same instant as it (parallel branches) are redone with it.

    Raises:
        UserError: no step matches `at`.
    """
    steps = [entry for entry in entries if is_step(entry)]
    chosen = _find(steps, at)
    if chosen is None:
        raise UserError(
            f"run has no step {at!r}: `office steps RUN` lists its {len(steps)} steps"
            " (pass a number or a key)"
        )
    boundary = chosen.recorded_at
    kept = [
        entry
        for entry in entries
        if entry.key != chosen.key
        and not entry.key.startswith(_FORK_KEYS)
        and boundary is not None
        and entry.recorded_at is not None
        and entry.recorded_at < boundary
    ]
    return ForkCut(step=chosen, kept=kept)


def _find(steps: Sequence[JournalEntry], at: str) -> JournalEntry | None:
    if at.isdigit():
        index = int(at) - 1
        return steps[index] if 0 <= index < len(steps) else None
    for entry in steps:
        if entry.key == at or step_label(entry.key) == at.rstrip("/"):
            return entry
    return None


def merge_patch(base: JsonValue, patch: JsonValue) -> JsonValue:
    """`patch` applied to `base`: objects merge key by key, anything else replaces."""
    if isinstance(base, dict) and isinstance(patch, dict):
        merged = dict(base)
        for name, value in patch.items():
            merged[name] = merge_patch(base.get(name), value)
        return merged
    return patch


def replace_text(value: JsonValue, old: str, new: str) -> JsonValue:
    """Every string in `value` with `old` replaced by `new`, ignoring case.

    Case is ignored because the Office's decomposition capitalises a subtask it copies
    from the task's text ("read ..." becomes "Read ...").
    """
    pattern = re.compile(re.escape(old.strip()), re.IGNORECASE)
    return _replace(value, pattern, new.strip())


def _replace(value: JsonValue, pattern: re.Pattern[str], new: str) -> JsonValue:
    if isinstance(value, str):
        return pattern.sub(lambda _: new, value)
    if isinstance(value, dict):
        return {name: _replace(item, pattern, new) for name, item in value.items()}
    if isinstance(value, list):
        return [_replace(item, pattern, new) for item in value]
    return value


def input_patch_entry(key: str, patch: JsonValue) -> JournalEntry:
    """The journal entry that carries an edited input for the step `key` in a fork."""
    return JournalEntry(
        key=f"{FORK_INPUT_PREFIX}{key}",
        activity=FORK_INPUT_ACTIVITY,
        ok=True,
        output={"value": patch},
    )


def replace_entry(old: str, new: str) -> JournalEntry:
    """The journal entry of a fork that edits the task's text from `old` to `new`.

    Steps replayed from before the fork point keep what they produced; every step the
    new run executes reads `new` wherever its input held `old` (a subtask the
    decomposition copied from the task's text, the task itself).
    """
    return JournalEntry(
        key=FORK_REPLACE_KEY, activity=FORK_INPUT_ACTIVITY, ok=True, output={"value": [old, new]}
    )


def patched_input(
    value: InT, patch_entry: JournalEntry | None, replace: JournalEntry | None = None
) -> InT:
    """The activity input with a fork's text edit and input patch applied.

    Unchanged when the run is not a fork (both entries None).

    Raises:
        UserError: the patched input is not valid for the activity.
    """
    edits = replace.output.get("value") if replace is not None and replace.output else None
    patch: Any = patch_entry.output.get("value") if patch_entry and patch_entry.output else None
    if patch is None and not edits:
        return value
    merged: JsonValue = value.model_dump(mode="json")
    if isinstance(edits, list) and len(edits) == 2 and all(isinstance(t, str) for t in edits):
        merged = replace_text(merged, edits[0], edits[1])
    if patch is not None:
        merged = merge_patch(merged, patch)
    try:
        return type(value).model_validate(merged)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "input"
        raise UserError(
            f"the edited input of the forked step is invalid at {where}: {first['msg']}"
        ) from None
