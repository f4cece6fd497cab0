"""MCPServerSettings: how to start or reach one MCP server, and how risky its tools are."""

from __future__ import annotations

import os
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from intelligent_office.errors import ConfigError
from intelligent_office.models.risk import RiskLevel
from intelligent_office.tools.mcp.paths import DEFAULT_PATH_ARGUMENTS

__all__ = ["MCPServerSettings"]

_SERVER_NAME = r"^[A-Za-z][A-Za-z0-9_-]*$"
_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class MCPServerSettings(BaseModel):
    """One configured MCP server: a command spoken to over stdio, or a streamable HTTP URL.

    Its tools join the registry as `<name>.<tool>`. A stdio server gets only the
    environment variables listed in `env` (plus the MCP SDK's baseline: HOME, LOGNAME,
    PATH, SHELL, TERM, USER), never the service's whole environment.
    """

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=_SERVER_NAME, description="Prefix of the server's tool names.")
    transport: Literal["stdio", "http"] = "stdio"
    command: str | None = Field(default=None, description="stdio: the program to run.")
    args: list[str] = Field(default_factory=list, description="stdio: its arguments.")
    env: dict[str, str] = Field(
        default_factory=dict,
        description="stdio: the only variables passed; values may reference ${ENV_NAME}.",
    )
    cwd: str | None = Field(default=None, description="stdio: the working directory.")
    url: str | None = Field(default=None, description="http: the streamable HTTP endpoint.")
    headers: dict[str, str] = Field(
        default_factory=dict, description="http: request headers; values may reference ${ENV_NAME}."
    )
    risk: RiskLevel = Field(default=RiskLevel.MEDIUM, description="Risk of the server's tools.")
    tool_risks: dict[str, RiskLevel] = Field(
        default_factory=dict, description="Risk per tool (the MCP name, without the prefix)."
    )
    timeout_seconds: float = Field(default=30.0, gt=0, description="Limit per call and listing.")
    path_arguments: list[str] = Field(
        default_factory=lambda: list(DEFAULT_PATH_ARGUMENTS),
        description=(
            "Arguments that name a file or directory: each is resolved inside the calling"
            " task's workspace (refused when outside) and sent as an absolute path; [] for a"
            " server whose arguments are not paths on this machine."
        ),
    )

    @model_validator(mode="after")
    def _transport_fields(self) -> MCPServerSettings:
        if self.transport == "stdio" and not self.command:
            raise ValueError(f"MCP server {self.name!r}: a stdio server needs `command`")
        if self.transport == "http" and not self.url:
            raise ValueError(f"MCP server {self.name!r}: an http server needs `url`")
        return self

    def risk_of(self, tool_name: str) -> RiskLevel:
        """The risk of one of the server's tools (by its MCP name)."""
        return self.tool_risks.get(tool_name, self.risk)

    def resolved_env(self) -> dict[str, str]:
        """`env` with every `${ENV_NAME}` replaced from the service's environment."""
        return {key: self._expand(value, f"env.{key}") for key, value in self.env.items()}

    def resolved_headers(self) -> dict[str, str]:
        """`headers` with every `${ENV_NAME}` replaced from the service's environment."""
        return {key: self._expand(value, f"headers.{key}") for key, value in self.headers.items()}

    def _expand(self, value: str, where: str) -> str:
        def substitute(match: re.Match[str]) -> str:
            variable = match.group(1)
            if variable not in os.environ:
                raise ConfigError(
                    f"MCP server {self.name!r}: {where} references ${{{variable}}}, "
                    "which is not set in the environment; set it or remove the reference"
                )
            return os.environ[variable]

        return _REFERENCE.sub(substitute, value)
