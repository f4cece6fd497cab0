"""The Temporal dev server for the whole test session, started by `office temporal-dev`.

Imported by tests/conftest.py so that the Office tests and the Temporal tests share one
server. It starts on first use, on a free port with a database file in a temporary
directory, and stops at the end of the session.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest

from intelligent_office.runtime.temporal.availability import temporalio_installed


@pytest.fixture(scope="session")
def temporal_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """HOST:PORT of a tuned dev server (`office temporal-dev`) for the session."""
    if not temporalio_installed():
        pytest.skip("the temporal extra is not installed (make setup installs it)")
    from intelligent_office.runtime.temporal.dev_server import DevServer, free_port

    port = free_port()
    db_file = tmp_path_factory.mktemp("temporal") / "temporal.db"
    command = [sys.executable, "-m", "intelligent_office.cli", "temporal-dev"]
    command += ["--port", str(port), "--db-filename", str(db_file)]
    server = DevServer(db_file, port=port, command=command).start()
    yield server.address
    server.stop()
