"""The local embedder for a command about to run a task: loading already, when it will recall.

A task's first plan recalls similar past plans, and the recall embeds (`PlanMemory`): in a
short command such as `office run` the model's load (numpy, the tokenizer, the weights:
about 0.2 s of CPU) would sit on the path to the answer. When memory is on with the
local numpy model and the tenant's SQLite database already holds plans to recall, the
model starts loading in a helper process (`embedder_process`) before the command loads
its own modules, and is ready by the time the plan is recalled. With nothing to recall (a
new home, memory off) nothing starts; the server never starts one (it loads the model on
first use, in its own process).
"""

from __future__ import annotations

import contextlib
import sqlite3
from typing import TYPE_CHECKING

from intelligent_office.state_files import state_files

if TYPE_CHECKING:
    from intelligent_office.memory.embeddings.local import LocalMiniLM
    from intelligent_office.settings import Settings

__all__ = ["PLAN_KIND", "early_embedder"]

PLAN_KIND = "plan"
"""`ItemKind.PLAN`, spelled here: its module loads the ORM, which this check does without."""


def early_embedder(settings: Settings, tenant: str) -> LocalMiniLM | None:
    """The settings' local embedder with its model loading in a helper process, or None.

    None unless memory is on with the local numpy model installed and the tenant's plans
    are in an existing SQLite database: then the caller's memory uses the embedder this
    returns (`Office.from_settings(memory_embedder=...)`) as it would its own.
    """
    memory = settings.memory
    if not memory.enabled or memory.embedder.kind != "local" or memory.embedder.runtime != "numpy":
        return None
    database = state_files(settings).get("database file")
    if database is None or not database.is_file() or not _has_plans(database.as_uri(), tenant):
        return None
    from intelligent_office.memory.embeddings.local import LocalMiniLM, local_embedder_missing

    if local_embedder_missing("numpy") is not None:
        return None  # the memory reports it when it opens
    from intelligent_office.memory.embeddings.embedder_process import EmbedderProcess

    return LocalMiniLM(
        batch_size=memory.embedder.batch_size, runtime="numpy", helper=EmbedderProcess()
    )


def _has_plans(uri: str, tenant: str) -> bool:
    """Whether the database holds a plan of the tenant (read-only; no table: no plans)."""
    try:
        with contextlib.closing(sqlite3.connect(f"{uri}?mode=ro", uri=True)) as connection:
            found = connection.execute(
                "SELECT 1 FROM memory_items WHERE tenant = ? AND kind = ? LIMIT 1",
                (tenant, PLAN_KIND),
            ).fetchone()
    except sqlite3.Error:
        return False
    return found is not None
