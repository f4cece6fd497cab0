"""MCP shapes to Office shapes: an argument model checking the JSON schema, and call results."""

from __future__ import annotations

import json
from typing import Any, ClassVar

import jsonschema
import mcp_types
from pydantic import BaseModel, ConfigDict, JsonValue, create_model, model_validator
from pydantic_core import PydanticCustomError

from intelligent_office.errors import ToolError

__all__ = ["arguments_model_for", "result_value"]


class _SchemaArguments(BaseModel):
    """Arguments kept as given, accepted only when they fit the tool's JSON schema."""

    model_config = ConfigDict(extra="allow")
    validator: ClassVar[jsonschema.protocols.Validator]

    @model_validator(mode="before")
    @classmethod
    def _fits_schema(cls, data: Any) -> Any:
        problems = sorted(cls.validator.iter_errors(data), key=lambda error: list(error.path))
        if problems:
            message = "; ".join(_describe(error) for error in problems)
            raise PydanticCustomError("json_schema", "{message}", {"message": message})
        return data


def arguments_model_for(tool_name: str, schema: dict[str, Any]) -> type[BaseModel]:
    """A model that accepts exactly the arguments `schema` (an MCP inputSchema) accepts.

    A schema the validator cannot read is refused with a ToolError at listing time.
    """
    validator_class = jsonschema.validators.validator_for(schema)
    try:
        validator_class.check_schema(schema)
    except jsonschema.SchemaError as error:
        raise ToolError(
            f"{tool_name}: the server's input schema is invalid: {error.message}"
        ) from None
    model = create_model(f"{tool_name}_arguments", __base__=_SchemaArguments)
    model.validator = validator_class(schema)
    return model


def result_value(tool_name: str, result: mcp_types.CallToolResult) -> JsonValue:
    """The structured content when the server sent it, else its contents as text.

    Raises:
        ToolError: the server marked the result as an error; its text is the message.
    """
    text = "\n".join(_content_text(block) for block in result.content)
    if result.is_error:
        raise ToolError(f"{tool_name}: {text or 'the MCP server reported an error'}")
    if result.structured_content is not None:
        structured: JsonValue = json.loads(json.dumps(result.structured_content))
        return structured
    return text


def _content_text(block: Any) -> str:
    if isinstance(block, mcp_types.TextContent):
        return block.text
    if isinstance(block, mcp_types.EmbeddedResource):
        resource = block.resource
        if isinstance(resource, mcp_types.TextResourceContents):
            return resource.text
        return f"[resource {resource.uri}]"
    if isinstance(block, mcp_types.ResourceLink):
        return f"[resource {block.uri}]"
    mime = getattr(block, "mime_type", "binary")
    return f"[{getattr(block, 'type', 'content')} {mime}]"


def _describe(error: jsonschema.ValidationError) -> str:
    where = ".".join(str(part) for part in error.path)
    return f"{where}: {error.message}" if where else error.message
