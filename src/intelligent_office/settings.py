"""Settings: one object built at the edge (CLI, server) and passed down.

Sources, strongest first: keyword arguments, `OFFICE_*` environment variables, a YAML
file (`--config FILE` or `OFFICE_CONFIG_FILE`), then the defaults below.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, PrivateAttr, ValidationError, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

from intelligent_office.errors import ConfigError
from intelligent_office.learning.settings import LearningSettings
from intelligent_office.limits import (
    MAX_APPROVAL_TIMEOUT_SECONDS,
    MAX_CONCURRENCY,
    MAX_LEASE_SECONDS,
)
from intelligent_office.llm.config import BudgetSettings, LLMSettings
from intelligent_office.memory.settings import MemorySettings
from intelligent_office.observability.config import ObservabilitySettings
from intelligent_office.risk.settings import RiskSettings, SignoffSettings
from intelligent_office.tools.mcp.settings import MCPServerSettings
from intelligent_office.tools.sandbox.settings import SandboxSettings
from intelligent_office.webhooks.settings import WebhookSettings
from intelligent_office.workspaces import SharedWorkspace
from intelligent_office.yaml_files import load_yaml_file

__all__ = ["ApiSettings", "Settings", "load_settings"]


class ApiSettings(BaseModel):
    """Per-user limits of the HTTP API; a request past one is answered 429 with Retry-After."""

    model_config = {"extra": "forbid"}

    requests_per_minute: int = Field(
        default=600, ge=1, description="Requests one user may make per minute (token bucket)."
    )
    max_concurrent_tasks: int = Field(
        default=20, ge=1, description="Queued or running tasks one user may have at once."
    )
    daily_cost_usd: float | None = Field(
        default=None, ge=0, description="Most one user's tasks may spend on models per UTC day."
    )


class Settings(BaseSettings):
    """Everything configurable about Intelligent Office."""

    model_config = SettingsConfigDict(env_prefix="OFFICE_", extra="forbid")

    home: Path = Field(
        default=Path.home() / ".office", description="Where local state lives by default."
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default sqlite:///<home>/office.db. PostgreSQL: postgresql://...",
    )
    sqlite_synchronous: Literal["NORMAL", "FULL"] = Field(
        default="NORMAL",
        description="NORMAL survives a killed process; FULL also survives a power cut.",
    )
    max_concurrent_runs: int = Field(
        default=4, ge=1, le=MAX_CONCURRENCY, description="Runs one worker runs at once."
    )
    max_parallel_nodes: int = Field(
        default=16, ge=1, le=MAX_CONCURRENCY, description="Default DAG parallelism."
    )
    max_iterations: int = Field(
        default=3, ge=1, le=20, description="Plans per subtask before a task is dead-lettered."
    )
    max_parallel_subtasks: int = Field(
        default=4, ge=1, le=MAX_CONCURRENCY, description="Subtasks of one task worked on at once."
    )
    lease_seconds: float = Field(
        default=30.0,
        gt=0,
        le=MAX_LEASE_SECONDS,
        allow_inf_nan=False,
        description="A crashed worker's runs are taken over after this.",
    )
    llm: LLMSettings = Field(
        default_factory=LLMSettings, description="Model providers and tiers; none: offline brain."
    )
    budgets: BudgetSettings = Field(
        default_factory=BudgetSettings, description="Money and tokens per task and per agent."
    )
    sandbox: SandboxSettings = Field(
        default_factory=SandboxSettings, description="The sandbox for untrusted tools."
    )
    webhooks: WebhookSettings = Field(
        default_factory=WebhookSettings,
        description="Delivery attempts, backoff and timeouts of webhooks.",
    )
    mcp_servers: list[MCPServerSettings] = Field(
        default_factory=list, description="MCP servers whose tools join the registry."
    )
    http_allow: list[str] = Field(
        default_factory=list,
        description='Exact "host:port" entries the http_request tool may reach; none: no tool.',
    )
    policy_file: Path | None = Field(
        default=None, description="The tool policy (YAML); the shipped default when unset."
    )
    approval_timeout_seconds: float = Field(
        default=86400.0,
        gt=0,
        le=MAX_APPROVAL_TIMEOUT_SECONDS,
        allow_inf_nan=False,
        description="A task waiting for a human decision gives up after this.",
    )
    risk: RiskSettings = Field(
        default_factory=RiskSettings,
        description="Risk score thresholds: a step runs, waits for a person, or is refused.",
    )
    signoff: SignoffSettings = Field(
        default_factory=SignoffSettings,
        description="When a validated plan waits for a person's sign-off before it runs.",
    )
    stall_grace_seconds: float | None = Field(
        default=30.0,
        ge=0,
        le=MAX_APPROVAL_TIMEOUT_SECONDS,
        description=(
            "An activity with no progress (no event) for longer than its timeout plus this is"
            " stalled: cancelled and retried, then re-planned, then escalated. None: no watch."
        ),
    )
    stall_default_timeout_seconds: float = Field(
        default=900.0,
        gt=0,
        le=MAX_APPROVAL_TIMEOUT_SECONDS,
        allow_inf_nan=False,
        description="The timeout the stall watch assumes for an activity without one (agents).",
    )
    loop_repeats: int = Field(
        default=3,
        ge=2,
        le=100,
        description="The same plan, or the same tool call with the same arguments, this many"
        " times in one subtask is a loop: the subtask stops (dead letter `loop`).",
    )
    max_for_each_items: int = Field(
        default=20, ge=1, le=1000, description="Most items one plan step's for_each runs over."
    )
    api: ApiSettings = Field(
        default_factory=ApiSettings, description="Per-user rate limits and quotas of the HTTP API."
    )
    memory: MemorySettings = Field(
        default_factory=MemorySettings,
        description="Plan memory, documents and the embedder (MiniLM, offline, by default).",
    )
    observability: ObservabilitySettings = Field(
        default_factory=ObservabilitySettings,
        description="Trace exporters (OTLP, console; none by default) and the log format.",
    )
    agent_workflows_dir: Path = Field(
        default=Path("workflows"),
        description="Where agent workflow YAML files are (`office workflows`, the scheduler).",
    )
    agent_scheduler: bool = Field(
        default=False,
        description="`office serve` runs the agent workflows that have a cron `schedule`.",
    )
    workspace_roots: list[Path] = Field(
        default_factory=list,
        description=(
            "Where API users' files live: each user works in <root>/<user id>/ (made 0700 on"
            " first use) and nowhere else; default: [<home>/workspace]. The first holds the"
            " default workspace. No root may contain the state directory, the database or the"
            " settings file."
        ),
    )
    shared_workspaces: list[SharedWorkspace] = Field(
        default_factory=list,
        description=(
            "Workspaces several users share, each a name and the user ids allowed: it lives at"
            " <first root>/_shared/<name>/ and is requested as workspace @name; nobody else"
            " can use it. None by default: every user sees only their own directory."
        ),
    )
    learning: LearningSettings = Field(
        default_factory=LearningSettings,
        description="Failure analysis (`office learn`), guidance retrieval and the prompt gate.",
    )
    tools_dir: Path | None = Field(
        default=None,
        description="Where tools built from gap reports live (`office tools build`); "
        "default <home>/tools.",
    )
    _config_file: Path | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _default_workspace_roots(self) -> Settings:
        if not self.workspace_roots:
            self.workspace_roots = [self.home / "workspace"]
        names = [shared.name for shared in self.shared_workspaces]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"shared workspace {repeated[0]!r} is declared twice: name it once")
        return self

    @property
    def config_file(self) -> Path | None:
        """The YAML file these settings were read from, if any (never a workspace)."""
        return self._config_file

    @property
    def risk_weights_file(self) -> Path:
        """Where fitted risk weights are saved and read (`office risk calibrate --save`)."""
        return self.risk.weights_file or self.home.expanduser() / "risk_weights.json"

    @property
    def default_database_file(self) -> Path:
        """The SQLite file used when no database URL is set (None or empty)."""
        return self.home.expanduser() / "office.db"

    @property
    def resolved_database_url(self) -> str:
        """The database URL in use."""
        return self.database_url or f"sqlite:///{self.default_database_file}"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings)


def _read_yaml(path: Path) -> dict[str, Any]:
    loaded = load_yaml_file(path, what="config file", error=ConfigError)
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise ConfigError(f"config file {path}: expected a mapping of setting: value")
    return loaded


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Build the settings; a bad value raises ConfigError naming the setting."""

    file = config_file or (
        Path(os.environ["OFFICE_CONFIG_FILE"]) if os.environ.get("OFFICE_CONFIG_FILE") else None
    )
    from_file = _read_yaml(file) if file is not None else {}
    env_names = {name for name in Settings.model_fields if f"OFFICE_{name.upper()}" in os.environ}
    # Environment beats the file: drop file values the environment sets.
    values = {k: v for k, v in from_file.items() if k not in env_names} | overrides
    try:
        settings = Settings(**values)
    except SettingsError as error:  # an OFFICE_* variable that is not the JSON it must be
        raise ConfigError(f"{error}: a list or mapping setting must be JSON") from None
    except RecursionError:  # JSON nested thousands deep in an OFFICE_* variable
        raise ConfigError("an OFFICE_* variable is nested too deeply to read") from None
    except ValidationError as error:
        first = error.errors()[0]
        name = ".".join(str(part) for part in first["loc"]) or "settings"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"setting {name}: {message}") from None
    settings._config_file = file.expanduser().resolve() if file is not None else None
    return settings
