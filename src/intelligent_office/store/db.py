"""Database connection: URL resolution, SQLite pragmas, and migrations at start.

Every string stored is valid UTF-8, whatever a tool or an argv handed over: a lone
surrogate (a file name's undecodable byte, PEP 383) is stored as its escape (`\\xff`),
in JSON columns by the engine's JSON serializer and in text columns by a hook on every
statement. This is the backstop behind the tools' own escaping: without it, one such
name makes a task's events, results and every view of them unreadable.

SQLite goes through `sqlean` (the sqlite3 module with a newer SQLite that can load
extensions; Python's own often cannot) so that the memory's vector index, sqlite-vec,
loads on every connection and lives in the same file and transactions as everything else.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import os
import re
import stat
from pathlib import Path
from typing import Any, Literal

import sqlean
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from intelligent_office.errors import ConfigError
from intelligent_office.python_ast import literal as python_literal
from intelligent_office.safe_text import dumps_json, escape_surrogates

__all__ = ["connect", "head_revision", "migrate", "normalize_url"]

MIGRATIONS = Path(__file__).parent / "migrations"
_ASSIGNMENT = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*(.+)$", re.MULTILINE)


def normalize_url(url: str) -> str:
    """Pick the project's drivers (psycopg 3 for PostgreSQL) and create SQLite's folder."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(
            f"OFFICE_DATABASE_URL {url!r} is not a database URL: use "
            "sqlite:///path/to/office.db or postgresql://user@host/db"
        ) from None
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    if backend == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            # 0700: the state directory holds every tenant's tasks and the API key rows.
            Path(parsed.database).expanduser().parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            parsed = parsed.set(database=str(Path(parsed.database).expanduser()))
        return parsed.render_as_string(hide_password=False)
    raise ConfigError(
        f"database {backend!r} is not supported: use a sqlite:/// or postgresql:// URL"
    )


def connect(url: str, *, sqlite_synchronous: Literal["NORMAL", "FULL"] = "NORMAL") -> Engine:
    """Create an engine for `url`; SQLite gets WAL mode, a busy timeout and foreign keys.

    `synchronous=NORMAL` in WAL mode survives a killed process (every commit is in the
    WAL before the call returns); FULL also survives a power cut, at a cost per commit.
    """
    resolved = normalize_url(url)
    if resolved.startswith("sqlite"):
        _private_database_file(make_url(resolved).database)
        engine = create_engine(
            resolved,
            module=sqlean,
            connect_args={"check_same_thread": False},
            json_serializer=dumps_json,
        )
        event.listen(engine, "before_cursor_execute", _escaped_parameters, retval=True)
        vec0 = _sqlite_vec_path()

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.enable_load_extension(True)
            dbapi_connection.load_extension(vec0)
            dbapi_connection.enable_load_extension(False)
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA synchronous={sqlite_synchronous}")
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.execute("PRAGMA foreign_keys=ON")
            # Deleted rows are zeroed, not left in free space (deleted secrets: store.erasure).
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.close()

        return engine
    engine = create_engine(
        resolved, pool_pre_ping=True, pool_size=10, max_overflow=10, json_serializer=dumps_json
    )
    event.listen(engine, "before_cursor_execute", _escaped_parameters, retval=True)
    return engine


def _escaped(value: Any) -> Any:
    """A parameter, or a row of them, with lone surrogates in its strings escaped."""
    if isinstance(value, str):
        # isascii() is O(1): almost every parameter is let through untouched.
        return value if value.isascii() else escape_surrogates(value)
    if isinstance(value, dict):
        return {key: _escaped(item) for key, item in value.items()}
    if type(value) in (tuple, list):  # not a named tuple or the like: left as it is
        return type(value)(_escaped(item) for item in value)
    return value


def _escaped_parameters(
    _connection: Any,
    _cursor: Any,
    statement: str,
    parameters: Any,
    _context: Any,
    _executemany: bool,
) -> tuple[str, Any]:
    """The statement's parameters with lone surrogates escaped (a driver cannot encode them).

    One row (a mapping or a sequence), or many (a sequence of them, or a flat sequence
    when rows are batched into one statement): escaping goes as deep as it has to.
    """
    return statement, _escaped(parameters)


def _sqlite_vec_path() -> str:
    """The sqlite-vec extension bundled in its package, found without importing the package.

    Its `__init__` imports numpy (a third of a second) for helpers the store does not use.
    """
    spec = importlib.util.find_spec("sqlite_vec")
    if spec is None or spec.origin is None:
        raise ConfigError("sqlite-vec is not installed: pip install sqlite-vec")
    return str(Path(spec.origin).parent / "vec0")


@functools.cache
def head_revision() -> str | None:
    """The newest migration's revision id, read from the files; None if there is no single head.

    Read as text, not through Alembic, so opening an up-to-date database does not import
    Alembic (a fifth of a second, paid by every CLI command before).
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        for name, value in _ASSIGNMENT.findall(path.read_text(encoding="utf-8")):
            literal = python_literal(value.strip())
            values = literal if isinstance(literal, tuple) else (literal,)
            ids = {item for item in values if isinstance(item, str)}
            (revisions if name == "revision" else parents).update(ids)
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def _at_head(engine: Engine) -> bool:
    head = head_revision()
    if head is None:
        return False
    try:
        with engine.connect() as connection:
            stamped = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    except DBAPIError:  # no alembic_version table: a new database
        return False
    return [row[0] for row in stamped] == [head]


def _private_database_file(database: str | None) -> None:
    """Create the SQLite file 0600 before SQLite does (its -wal and -shm copy the file's
    mode), and take group and other bits off an older file of ours and its companions."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    with contextlib.suppress(OSError):  # a read-only place: SQLite's own error says more
        os.close(os.open(database, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600))
    for path in (database, f"{database}-wal", f"{database}-shm"):
        with contextlib.suppress(OSError):  # missing, or not ours to change
            info = os.stat(path)
            if info.st_uid == os.geteuid() and stat.S_IMODE(info.st_mode) & 0o077:
                os.chmod(path, stat.S_IMODE(info.st_mode) & 0o600)


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (idempotent).

    An up-to-date database is left as it is and an empty one made from the table
    definitions (`store.new_database`), both without importing Alembic; an older one is
    migrated by Alembic.
    """
    if _at_head(engine):
        return  # the common case, without importing Alembic
    head = head_revision()
    # A brand-new database is made from the tables and stamped, without Alembic either.
    from intelligent_office.store.new_database import make_if_new

    if head is not None and make_if_new(engine, head):
        return
    # Imported here: Alembic is only needed when a store opens, not by every importer.
    from alembic import command
    from alembic.config import Config
    from alembic.migration import MigrationContext

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        if sqlite:
            # A migration that rebuilds a referenced table (batch mode) drops it first;
            # SQLite can stop checking foreign keys only outside a transaction.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        with connection.begin():
            before = MigrationContext.configure(connection).get_current_revision()
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            migrated = MigrationContext.configure(connection).get_current_revision() != before
        if sqlite:
            # Checked only after a migration ran: the check reads every referencing row.
            check = "PRAGMA foreign_key_check"
            broken = connection.exec_driver_sql(check).all() if migrated else []
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()
            if broken:
                raise RuntimeError(f"the migrations left broken references: {broken[:5]}")
        # Not handed back to the pool: it went through every revision's schema changes
        # and pragma toggles, and a fresh connection starts clean (statements on it were
        # once measured twice as slow; a pool's next checkout simply reconnects).
        connection.invalidate()
