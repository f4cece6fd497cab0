"""How pydantic-ai talks to a local llama.cpp server: JSON-schema output with bounded strings.

llama.cpp turns `response_format: json_schema` into a grammar, so a small model can only
produce JSON of the schema's shape. Bounds in the schema become bounds in the grammar: a
string without `maxLength` could run on until `max_tokens` cuts it (a truncated, invalid
answer), so every string and list gets a bound before the schema is sent. The bounds are
the sent schema's only: the draft models validate the reply as they always do.
"""

from __future__ import annotations

from typing import Any

from pydantic_ai.profiles import JsonSchemaTransformer
from pydantic_ai.profiles.openai import OpenAIModelProfile

from intelligent_office.models._fields import NOT_BLANK

__all__ = ["MAX_ITEMS", "MAX_STRING", "BoundedSchemaTransformer", "local_profile"]

MAX_STRING = 600
"""Characters of any string a local model writes in structured output."""
MAX_ITEMS = 12
"""Items of any list a local model writes in structured output."""


class BoundedSchemaTransformer(JsonSchemaTransformer):
    """Gives every string a `maxLength` and every array a `maxItems`, keeping tighter ones."""

    def transform(self, schema: dict[str, Any]) -> dict[str, Any]:
        """The schema with its bounds added (and no "not blank" pattern: llama.cpp's
        grammar takes only anchored patterns; the reply is validated for it anyway)."""
        if schema.get("pattern") == NOT_BLANK:
            del schema["pattern"]
        kind = schema.get("type")
        kinds = kind if isinstance(kind, list) else [kind]
        if "string" in kinds and "enum" not in schema and "const" not in schema:
            schema["maxLength"] = min(int(schema.get("maxLength", MAX_STRING)), MAX_STRING)
        if "array" in kinds:
            schema["maxItems"] = min(int(schema.get("maxItems", MAX_ITEMS)), MAX_ITEMS)
        return schema


def local_profile() -> OpenAIModelProfile:
    """The profile of any model a local llama.cpp server runs."""
    return OpenAIModelProfile(
        supports_json_schema_output=True,
        default_structured_output_mode="native",  # the grammar, not tool calls
        json_schema_transformer=BoundedSchemaTransformer,
        openai_supports_strict_tool_definition=False,
    )
