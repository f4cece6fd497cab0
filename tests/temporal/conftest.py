"""Temporal-only tests: they share the Office tests' workspace fixture and the session's
dev server, and need the temporal extra (`make setup` installs it).

`store` is a fresh SQLite store; `client` connects to the dev server with a worker (and
its bridge) serving the test's own queue meanwhile, for the module's `service`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from intelligent_office.runtime.temporal.availability import temporalio_installed
from intelligent_office.store import Store
from tests.office.conftest import workspace  # noqa: F401

if TYPE_CHECKING:
    from temporalio.client import Client

    from intelligent_office.front_door import Office

if not temporalio_installed():
    collect_ignore_glob = ["test_*.py"]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A migrated SQLite store in the test's directory."""
    opened = Store.open(f"sqlite:///{tmp_path / 'office.db'}")
    yield opened
    opened.close()


@pytest.fixture
async def client(
    temporal_server: str, store: Store, service: Office, tmp_path: Path
) -> AsyncIterator[Client]:
    """A client, with a worker (and its bridge) serving this test's queue meanwhile."""
    from intelligent_office.runtime.temporal import connect
    from tests.temporal.workers import worker_serving

    connected = await connect(temporal_server, store=store)
    async with worker_serving(connected, service, store, f"queue-{tmp_path.name}"):
        yield connected
