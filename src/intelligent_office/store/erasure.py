"""Secrets that stay gone: what a deleted webhook or a revoked key leaves in the files.

A row deleted in SQLite stays readable in the file's free space, and the write-ahead
log keeps every page version written since the last checkpoint, the row as inserted
included. Three things make a deleted secret unreadable: the repositories overwrite
the secret's column before they delete or revoke (on PostgreSQL too); SQLite runs with
`secure_delete` on (`store.db`), so freed cells and pages are zeroed; and after such a
change the log is checkpointed into the file and truncated here.
"""

from __future__ import annotations

from sqlalchemy import Engine

__all__ = ["erase_old_versions"]


def erase_old_versions(engine: Engine) -> bool:
    """On SQLite, checkpoint the WAL into the database file and truncate it.

    Returns:
        False when a reader still needed an old page version, so part of the log is
        kept until the next checkpoint; True otherwise (and always on PostgreSQL, whose
        dead row versions autovacuum reclaims).
    """
    if engine.dialect.name != "sqlite":
        return True
    with engine.connect() as connection:
        busy, _, _ = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
        connection.commit()
    return not busy
