"""How the sandbox is configured: the tier floor and the resource limits of every run."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from intelligent_office.tools.sandbox.base import Tier

__all__ = ["SandboxSettings"]


class SandboxSettings(BaseModel):
    """Sandbox configuration (nest it in the service settings as `sandbox`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    require_tier: Tier | None = Field(
        default=None,
        description="Refuse to start with a weaker tier than this (A strongest, then B, "
        "then process). None takes the strongest tier the machine allows.",
    )
    memory_bytes: int = Field(default=512 * 1024 * 1024, gt=0, description="RLIMIT_AS.")
    file_size_bytes: int = Field(default=16 * 1024 * 1024, gt=0, description="RLIMIT_FSIZE.")
    open_files: int = Field(default=256, gt=16, description="RLIMIT_NOFILE.")
    processes: int = Field(default=64, gt=1, description="Processes and threads per run.")
    output_bytes: int = Field(
        default=64 * 1024, gt=0, description="Bytes kept per stream; more kills the run."
    )
    tmp_bytes: int = Field(default=64 * 1024 * 1024, gt=0, description="Size of the private /tmp.")
    uid_base: int = Field(
        default=61000,
        ge=1000,
        description="First of the dedicated unprivileged uids (one per concurrent run).",
    )
    uid_count: int = Field(default=1000, gt=0, le=60000)
    bwrap_path: str = Field(default="bwrap", description="The bubblewrap executable.")
    write_bytes: int = Field(
        default=128 * 1024 * 1024,
        gt=0,
        description="Tier A started by root: the most one run may write into the "
        "workspace (the size of its writable layer; also the cap on what is copied back).",
    )
    write_files: int = Field(
        default=10_000,
        gt=16,
        description="Tier A started by root: files, directories and deletions one run may "
        "make in the workspace (inodes of its writable layer).",
    )
