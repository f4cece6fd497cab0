"""The MCP servers of registered tool drafts, which the next run starts beside the configured."""

from __future__ import annotations

import logging

from pydantic import ValidationError
from sqlalchemy.exc import OperationalError

from intelligent_office.store import Store
from intelligent_office.tools.builder.drafts import DraftStatus, ToolDraftRepository
from intelligent_office.tools.mcp.settings import MCPServerSettings

__all__ = ["registered_servers"]

_log = logging.getLogger(__name__)


def registered_servers(store: Store) -> list[MCPServerSettings]:
    """Each registered draft's server settings (disabled and removed ones are left out)."""
    try:
        drafts = ToolDraftRepository(store.engine).recent(status=DraftStatus.REGISTERED)
    except OperationalError:  # a database from before the builder: nothing registered
        return []
    servers = []
    for draft in drafts:
        try:
            servers.append(MCPServerSettings.model_validate(draft.spec.get("server") or {}))
        except ValidationError as error:
            _log.warning("tool draft %s has unusable server settings: %s", draft.id, error)
    return servers
