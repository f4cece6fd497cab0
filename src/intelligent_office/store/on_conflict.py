"""INSERT statements with ON CONFLICT, in the form of the database they run on.

SQLAlchemy spells ON CONFLICT in each dialect's own module. PostgreSQL's costs a few tens
of milliseconds to import, so it is imported when a statement for a PostgreSQL database is
first built, never by a process that only ever opens SQLite.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Insert
    from sqlalchemy.dialects import postgresql, sqlite

__all__ = ["IgnoringInserts", "dialect_insert"]


def dialect_insert(dialect_name: str, table: Any) -> postgresql.Insert | sqlite.Insert:
    """`INSERT INTO table` as the dialect builds it, with its `on_conflict_do_*` methods.

    Raises:
        KeyError: `dialect_name` is not one the store runs on.
    """
    if dialect_name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table)
    if dialect_name == "sqlite":
        from sqlalchemy.dialects import sqlite

        return sqlite.insert(table)
    raise KeyError(dialect_name)


class IgnoringInserts:
    """`INSERT ... ON CONFLICT DO NOTHING` into one table, by dialect name, built once each.

    Indexed like the dict of both statements it replaces: `inserts[engine.dialect.name]`.
    """

    def __init__(self, table: Any, finish: Callable[[Insert], Insert] | None = None) -> None:
        """Statements into `table`; `finish`, when given, completes each (e.g. RETURNING)."""
        self._table = table
        self._finish = finish
        self._built: dict[str, Insert] = {}

    def __getitem__(self, dialect_name: str) -> Insert:
        built = self._built.get(dialect_name)
        if built is None:
            built = dialect_insert(dialect_name, self._table).on_conflict_do_nothing()
            if self._finish is not None:
                built = self._finish(built)
            self._built[dialect_name] = built
        return built
