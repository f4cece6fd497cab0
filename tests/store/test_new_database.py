"""A new database made from the table definitions is the one every migration makes.

Each test makes one database the new way (`Store.open` on an empty database) and, where it
compares, a second one by Alembic, on SQLite and on PostgreSQL, and compares what is in
them: tables, columns in order with their types, nullability and defaults, keys, indexes,
unique constraints, foreign keys, triggers and functions, and the stamped revision.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from intelligent_office.store import Store
from intelligent_office.store.db import MIGRATIONS, connect, head_revision, migrate
from intelligent_office.store.tables import Base
from tests.conftest import _create_database


@pytest.fixture
def second_url(database_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """Another fresh, empty database on the same kind of server as `database_url`."""
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'migrated.db'}"
    return _create_database(request.getfixturevalue("postgres_server_url"))


def _config(script_location: Path = MIGRATIONS) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    return config


def _alembic(engine: sa.Engine, verb: str, revision: str, config: Config | None = None) -> None:
    """Run `alembic upgrade|downgrade REVISION` on the engine's database."""
    config = config or _config()
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        if sqlite:  # as `migrate` does: batch mode rebuilds referenced tables
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        with connection.begin():
            config.attributes["connection"] = connection
            getattr(command, verb)(config, revision)


def _migrated(url: str) -> sa.Engine:
    """A database made by every migration: the first by hand, the rest by `migrate`."""
    engine = connect(url)
    _alembic(engine, "upgrade", "0001")
    migrate(engine)  # below head: its Alembic path
    return engine


def _stamp(engine: sa.Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _squeezed(sql: str | None) -> str:
    return re.sub(r"\s+", " ", sql or "").strip()


def _tables(inspector: sa.Inspector) -> dict[str, Any]:
    """Every table as reflected: what a comparison by eye would look at."""
    tables: dict[str, Any] = {}
    for name in sorted(inspector.get_table_names()):
        tables[name] = {
            "columns": [
                (c["name"], repr(c["type"]), c["nullable"], _squeezed(c.get("default")))
                for c in inspector.get_columns(name)
            ],
            "primary_key": inspector.get_pk_constraint(name)["constrained_columns"],
            "indexes": sorted(
                (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                for i in inspector.get_indexes(name)
            ),
            "unique": sorted(
                (str(u["name"]), tuple(u["column_names"]))
                for u in inspector.get_unique_constraints(name)
            ),
            "foreign_keys": sorted(
                (tuple(f["constrained_columns"]), f["referred_table"], tuple(f["referred_columns"]))
                for f in inspector.get_foreign_keys(name)
            ),
            "checks": sorted(
                _squeezed(c["sqltext"]) for c in inspector.get_check_constraints(name)
            ),
        }
    return tables


_POSTGRES_OBJECTS = {
    "triggers": "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal",
    "functions": "SELECT proname, pg_get_functiondef(p.oid) FROM pg_proc p "
    "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'",
    "sequences": "SELECT sequencename, data_type::text FROM pg_sequences",
    "extensions": "SELECT extname, extversion FROM pg_extension",
    "relations": "SELECT relname, relkind::text FROM pg_class c "
    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'",
}


def _objects(engine: sa.Engine) -> dict[str, Any]:
    """What reflection of tables does not show: triggers, functions, sequences, views..."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            rows = connection.exec_driver_sql(
                "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE type != 'table'"
            ).all()
            return {
                "sqlite_master": sorted(
                    (kind, name, table, _squeezed(sql) if kind == "trigger" else "")
                    for kind, name, table, sql in rows
                )
            }
        return {
            key: sorted(tuple(row) for row in connection.exec_driver_sql(query).all())
            for key, query in _POSTGRES_OBJECTS.items()
        }


def _snapshot(engine: sa.Engine) -> dict[str, Any]:
    return {"tables": _tables(sa.inspect(engine)), **_objects(engine)}


def _differences(engine: sa.Engine) -> list[Any]:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        return list(compare_metadata(context, Base.metadata))


@pytest.fixture
def new_store(database_url: str) -> Iterator[Store]:
    """A store opened on an empty database: made the new way."""
    store = Store.open(database_url)
    yield store
    store.close()


def test_the_head_revision_read_from_the_files_is_alembics() -> None:
    assert head_revision() == ScriptDirectory.from_config(_config()).get_current_head()


def test_a_new_database_is_the_one_every_migration_makes(new_store: Store, second_url: str) -> None:
    migrated = _migrated(second_url)
    try:
        assert _stamp(new_store.engine) == _stamp(migrated) == head_revision()
        assert _differences(new_store.engine) == []
        assert _differences(migrated) == []
        made, expected = _snapshot(new_store.engine), _snapshot(migrated)
        assert made["tables"].keys() == expected["tables"].keys()
        for table in expected["tables"]:
            assert made["tables"][table] == expected["tables"][table], table
        assert made == expected
        # The comparison sees what matters: the audit log's triggers are there, in both.
        triggers = json.dumps(made)
        assert "audit_log_no_update" in triggers or "audit_log_append_only" in triggers
    finally:
        migrated.dispose()


def test_the_audit_log_of_a_new_database_is_append_only(new_store: Store) -> None:
    with new_store.engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO audit_log (time, actor, action, subject, reason, detail) "
            "VALUES (CURRENT_TIMESTAMP, 'a', 'b', 'c', 'd', '{}')"
        )
    for statement in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):  # noqa: SIM117
            with new_store.engine.begin() as connection:
                connection.exec_driver_sql(statement)


def test_a_new_database_is_made_whole_or_not_at_all(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from intelligent_office.store import new_database

    engine = connect(database_url)
    try:
        # A statement that fails after the tables are made: the transaction takes them back.
        broken = (*new_database.AUDIT_LOG_TRIGGERS[engine.dialect.name], "SELECT no_such_thing")
        monkeypatch.setitem(new_database.AUDIT_LOG_TRIGGERS, engine.dialect.name, broken)
        with pytest.raises(sa.exc.DBAPIError, match="no_such_thing"):
            migrate(engine)
        assert sa.inspect(engine).get_table_names() == []
        monkeypatch.undo()
        migrate(engine)
        assert _stamp(engine) == head_revision()
        assert _differences(engine) == []
    finally:
        engine.dispose()


_NEXT = '''"""the next version's migration (a test's)"""

import sqlalchemy as sa
from alembic import op

revision = "next"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("next_column", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("next_column")
'''


def test_a_new_database_is_upgraded_and_downgraded_by_alembic(
    new_store: Store, tmp_path: Path
) -> None:
    new_store.tasks.create(task_id="t", user_id="u", description="kept")
    scripts = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "9999_next.py").write_text(_NEXT.format(head=head_revision()))
    engine = new_store.engine
    _alembic(engine, "upgrade", "head", _config(scripts))  # the next version opens it
    assert _stamp(engine) == "next"
    assert "next_column" in {c["name"] for c in sa.inspect(engine).get_columns("tasks")}
    task = new_store.tasks.get("t")
    assert task is not None and task.description == "kept"
    # Every migration's downgrade finds what it drops (the triggers too): down to nothing.
    with engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM tasks")
    _alembic(engine, "downgrade", "base", _config(scripts))
    assert sa.inspect(engine).get_table_names() == ["alembic_version"]
    _alembic(engine, "upgrade", "head")
    assert _stamp(engine) == head_revision()


def test_stores_opening_a_new_database_at_once_make_it_once(database_url: str) -> None:
    opened: list[Store] = []
    errors: list[BaseException] = []

    def open_store() -> None:
        try:
            opened.append(Store.open(database_url))
        except BaseException as error:  # reported below, with the others
            errors.append(error)

    threads = [threading.Thread(target=open_store) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert errors == []
        with opened[0].engine.connect() as connection:
            stamps = connection.exec_driver_sql("SELECT version_num FROM alembic_version").all()
        assert [row[0] for row in stamps] == [head_revision()]
        assert _differences(opened[0].engine) == []
    finally:
        for store in opened:
            store.close()


_PROBE = """
import json, sys
from intelligent_office.store import Store
store = Store.open(sys.argv[1])
with store.engine.connect() as connection:
    stamp = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
print(json.dumps({"stamp": stamp, "modules": sorted(sys.modules)}))
"""


def test_opening_a_new_sqlite_store_does_not_import_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, url], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["stamp"] == head_revision()
    loaded = {m.split(".")[0] for m in report["modules"]}
    assert loaded.isdisjoint({"alembic", "mako", "pygments"})
