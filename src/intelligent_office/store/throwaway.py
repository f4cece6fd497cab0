"""A temporary state directory for an Office used once and thrown away, and a database in it.

Not SQLite in memory: that is one database per connection, and the store is used from
several threads at once (the journal writer, the worker's heartbeats). A file in a new
temporary directory is shared by all of them and removed with the directory. Each one is
a copy of a template migrated once per process, so a throwaway Office costs a file copy,
not the migrations (a quarter of a second).
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import tempfile
import weakref
from pathlib import Path

__all__ = ["ThrowawayHome"]

_DATABASE = "office.db"


@functools.cache
def _template() -> Path:
    """A database migrated to the newest revision, closed (so its WAL is checkpointed)."""
    from intelligent_office.store.store import Store

    directory = Path(tempfile.mkdtemp(prefix="office-template-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    Store.open(f"sqlite:///{directory / _DATABASE}").close()
    return directory / _DATABASE


class ThrowawayHome:
    """A new temporary directory; `remove()` (else garbage collection, or exit) deletes it."""

    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="office-"))
        self._remove = weakref.finalize(self, shutil.rmtree, self.directory, ignore_errors=True)

    @property
    def database_url(self) -> str:
        """The SQLAlchemy URL of the database in it (made by `create_database`)."""
        return f"sqlite:///{self.directory / _DATABASE}"

    def create_database(self) -> None:
        """Put a migrated, empty database at `database_url`."""
        path = self.directory / _DATABASE
        shutil.copyfile(_template(), path)
        os.chmod(path, 0o600)

    def remove(self) -> None:
        """Delete the directory and everything in it (idempotent)."""
        self._remove()
