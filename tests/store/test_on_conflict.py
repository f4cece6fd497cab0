"""INSERT ... ON CONFLICT in each database's own form, built on first use: the statements
are the ones each dialect builds, and SQLite's never loads PostgreSQL's dialect."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from intelligent_office.store.on_conflict import IgnoringInserts, dialect_insert
from intelligent_office.store.tables import EventRow, LLMCacheRow, WebhookDeliveryRow


@pytest.mark.parametrize("name", ["postgresql", "sqlite"])
def test_the_statements_are_the_dialects_own(name: str) -> None:
    module = postgresql if name == "postgresql" else sqlite
    compile_for = module.dialect()
    inserts = IgnoringInserts(EventRow)
    theirs = module.insert(EventRow).on_conflict_do_nothing()
    assert str(inserts[name].compile(dialect=compile_for)) == str(
        theirs.compile(dialect=compile_for)
    )
    assert inserts[name] is inserts[name]  # built once

    returning = IgnoringInserts(WebhookDeliveryRow, lambda i: i.returning(WebhookDeliveryRow.id))
    expected = module.insert(WebhookDeliveryRow).on_conflict_do_nothing()
    expected = expected.returning(WebhookDeliveryRow.id)
    assert str(returning[name].compile(dialect=compile_for)) == str(
        expected.compile(dialect=compile_for)
    )

    upsert = dialect_insert(name, LLMCacheRow).values(key="k", model="m")
    replaced = upsert.on_conflict_do_update(
        index_elements=["key"], set_={"model": upsert.excluded["model"]}
    )
    sql = str(replaced.compile(dialect=compile_for))
    assert re.search(r'ON CONFLICT \("?key"?\) DO UPDATE', sql)


def test_a_database_the_store_does_not_run_on_is_a_key_error() -> None:
    with pytest.raises(KeyError, match="mysql"):
        IgnoringInserts(EventRow)["mysql"]
    with pytest.raises(KeyError, match="oracle"):
        dialect_insert("oracle", EventRow)


def test_sqlite_statements_leave_the_postgresql_dialect_unloaded() -> None:
    probe = (
        "import sys\n"
        "from intelligent_office.store import Store\n"
        "from intelligent_office.store.on_conflict import IgnoringInserts\n"
        "from intelligent_office.store.tables import JournalRow\n"
        "IgnoringInserts(JournalRow)['sqlite']\n"
        "print('sqlalchemy.dialects.postgresql' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip() == "False"
