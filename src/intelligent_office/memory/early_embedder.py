"""The local embedder for a command about to run a task: loading already, when it will recall.

A task's first plan recalls similar past plans, and the recall embeds (`PlanMemory`): in a
short command such as `office run` the model's load (numpy, the tokenizer, the weights:
about 0.2 s of CPU) would sit on the path to the answer. When memory is on with the
local numpy model and the tenant's SQLite database already holds plans to recall, the
model starts loading in a helper process (`embedder_process`) before the command loads
its own modules, and is ready by the time the plan is recalled. With nothing to recall (a
new home, memory off) nothing starts; nor when every text the recall would embed is in the
embedding cache already (the same task again): the plans stored since the last recall,
feedback not yet in memory, and the task's subtasks, taken to be those an earlier run of
the same description had. If that guess is wrong the model loads in-process, as it would
without a helper (the vectors are the same). The server never starts one (it loads the
model on first use, in its own process).
"""

from __future__ import annotations

import contextlib
import sqlite3
from typing import TYPE_CHECKING

from intelligent_office.memory.embeddings.base import cache_key
from intelligent_office.state_files import database_file

if TYPE_CHECKING:
    from intelligent_office.memory.embeddings.local import LocalMiniLM
    from intelligent_office.settings import Settings

__all__ = ["FEEDBACK_KIND", "PLAN_KIND", "early_embedder"]

PLAN_KIND = "plan"
"""`ItemKind.PLAN`, spelled here: its module loads SQLAlchemy, which this check does without."""
FEEDBACK_KIND = "feedback"
"""`ItemKind.FEEDBACK`, likewise."""
_MOST_TEXTS = 2000
"""Past this many stored texts, checking each against the cache is not cheap: start it."""
_CHUNK = 500  # keys per IN (...): under SQLite's parameter limit


def early_embedder(settings: Settings, tenant: str, description: str) -> LocalMiniLM | None:
    """The settings' local embedder with its model loading in a helper process, or None.

    None unless memory is on with the local numpy model installed, the tenant's plans are
    in an existing SQLite database, and the recall of a task described so would embed a
    text the cache does not hold: then the caller's memory uses the embedder this returns
    (`Office.from_settings(memory_embedder=...)`) as it would its own.
    """
    memory = settings.memory
    if not memory.enabled or memory.embedder.kind != "local" or memory.embedder.runtime != "numpy":
        return None
    database = database_file(settings)  # before SQLAlchemy loads: the helper starts sooner
    if database is None or not database.is_file():
        return None
    from intelligent_office.memory.embeddings.local import LocalMiniLM, local_embedder_missing

    uri = database.resolve().as_uri()
    if not _has_plans(uri, tenant) or not _will_compute(uri, tenant, description, LocalMiniLM.name):
        return None
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


def _will_compute(uri: str, tenant: str, description: str, model: str) -> bool:
    """Whether the recall would send a text to the model: one not in the embedding cache.

    The texts: every plan and feedback item's (those stored since the last recall are
    among them), feedback not yet copied into memory (always new), and the subtasks
    of the earlier runs described so (none: unknown, so yes). Any doubt says yes.
    """
    try:
        with contextlib.closing(sqlite3.connect(f"{uri}?mode=ro", uri=True)) as connection:
            if connection.execute(
                "SELECT 1 FROM feedback WHERE id NOT IN"
                " (SELECT position FROM memory_items WHERE kind = ?) LIMIT 1",
                (FEEDBACK_KIND,),
            ).fetchone():
                return True
            subtasks = connection.execute(
                "SELECT DISTINCT text FROM memory_items"
                " WHERE tenant = ? AND kind = ? AND title = ?",
                (tenant, PLAN_KIND, description),
            ).fetchall()
            stored = connection.execute(
                "SELECT DISTINCT text FROM memory_items WHERE kind IN (?, ?) LIMIT ?",
                (PLAN_KIND, FEEDBACK_KIND, _MOST_TEXTS + 1),
            ).fetchall()
            if not subtasks or len(stored) > _MOST_TEXTS:
                return True
            keys = sorted({cache_key(model, text) for (text,) in [*subtasks, *stored]})
            cached = 0
            for start in range(0, len(keys), _CHUNK):
                chunk = keys[start : start + _CHUNK]
                marks = ", ".join("?" * len(chunk))
                query = f"SELECT COUNT(*) FROM embedding_cache WHERE key IN ({marks})"
                cached += connection.execute(query, chunk).fetchone()[0]
    except sqlite3.Error:
        return True
    return cached < len(keys)
