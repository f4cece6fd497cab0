"""References from a step's inputs to earlier steps' outputs.

Syntax, inside any string of a step's `inputs` (nested lists and objects included):

    ${step_id}              the step's whole output
    ${step_id.field}        one field of it; dots go deeper: ${trace.paths.0.functions}

A string that is exactly one reference takes the referenced value with its JSON type
(a list stays a list); a reference inside longer text is replaced by its text (JSON
for lists and objects). Write `$${` for a literal `${`. The referenced step must be
one of the step's own dependencies, so it has finished first and its output is at hand.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping

from pydantic import JsonValue

from intelligent_office.errors import ToolError

__all__ = ["ITEM", "Reference", "find_references", "is_whole_reference", "resolve_references"]

ITEM = "item"
"""In a `for_each` step, `${item}` (or `${item.field}`) is the current item of the loop."""

_REFERENCE = re.compile(r"(?<!\$)\$\{(?P<step>[A-Za-z0-9_\-]+)(?P<path>(?:\.[^.}\s]+)*)\}")


class Reference:
    """One `${step.path}` found in a step's inputs."""

    def __init__(self, text: str, step_id: str, path: tuple[str, ...]) -> None:
        self.text = text
        self.step_id = step_id
        self.path = path

    def __repr__(self) -> str:
        return f"Reference({self.text!r})"


def _strings(value: JsonValue) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)


def find_references(inputs: Mapping[str, JsonValue]) -> list[Reference]:
    """Every reference in the inputs, in order."""
    found = []
    for text in _strings(dict(inputs)):
        for match in _REFERENCE.finditer(text):
            path = tuple(part for part in match.group("path").split(".") if part)
            found.append(Reference(match.group(0), match.group("step"), path))
    return found


def is_whole_reference(value: JsonValue) -> bool:
    """Whether `value` is exactly one reference (so it takes the referenced JSON type)."""
    return isinstance(value, str) and _REFERENCE.fullmatch(value) is not None


def _lookup(reference: Reference, outputs: Mapping[str, JsonValue]) -> JsonValue:
    if reference.step_id not in outputs:
        raise ToolError(
            f"{reference.text}: step {reference.step_id!r} has no output here;"
            " make it a dependency of this step"
        )
    value = outputs[reference.step_id]
    walked = reference.step_id
    for part in reference.path:
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            have = ", ".join(sorted(value)) if isinstance(value, dict) else type(value).__name__
            raise ToolError(f"{reference.text}: {walked} has no {part!r} (it has: {have})")
        walked += f".{part}"
    return value


def _as_text(value: JsonValue) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _resolve(value: JsonValue, outputs: Mapping[str, JsonValue]) -> JsonValue:
    if isinstance(value, list):
        return [_resolve(item, outputs) for item in value]
    if isinstance(value, dict):
        return {key: _resolve(item, outputs) for key, item in value.items()}
    if not isinstance(value, str):
        return value
    if is_whole_reference(value):
        return _lookup(find_references({"v": value})[0], outputs)

    def replace(match: re.Match[str]) -> str:
        return _as_text(_lookup(find_references({"v": match.group(0)})[0], outputs))

    return _REFERENCE.sub(replace, value).replace("$${", "${")


def resolve_references(
    inputs: Mapping[str, JsonValue], outputs: Mapping[str, JsonValue]
) -> dict[str, JsonValue]:
    """The inputs with every reference replaced by the output it names.

    Raises:
        ToolError: a reference names a step without output here or a missing field.
    """
    return {key: _resolve(value, outputs) for key, value in inputs.items()}
