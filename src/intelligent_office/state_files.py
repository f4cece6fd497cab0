"""The service's own files (state directory, database, settings file), kept out of reach.

The state directory holds the database with every tenant's tasks and the API key rows:
it is created 0700 (the database file itself 0600, see `store.db`), and no workspace may
contain it, the database file or the configuration file. The sandbox mounts only the
workspace, so refusing such a workspace also keeps them out of every sandbox.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from intelligent_office.errors import UserError

if TYPE_CHECKING:
    from intelligent_office.settings import Settings
    from intelligent_office.store import Store

__all__ = [
    "database_file",
    "open_store",
    "prepare_state_directory",
    "refuse_state_files",
    "state_files",
]


def _sqlite_file(url: str) -> Path | None:
    # Imported here: the CLI loads this module for every command, SQLAlchemy only on use.
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).expanduser()


def database_file(settings: Settings) -> Path | None:
    """The SQLite database file the settings name (not resolved), None for another database."""
    # The default (None, or empty as `resolved_database_url` takes it): no URL to parse,
    # no SQLAlchemy to load.
    if not settings.database_url:
        return settings.default_database_file
    return _sqlite_file(settings.database_url)


def state_files(settings: Settings) -> dict[str, Path]:
    """The service's own files by what they are, absolute and symlink-free."""
    found = {"state directory": settings.home.expanduser()}
    database = database_file(settings)
    if database is not None:
        found["database file"] = database
    if settings.config_file is not None:
        found["configuration file"] = settings.config_file.expanduser()
    return {what: path.resolve() for what, path in found.items()}


def refuse_state_files(settings: Settings, workspace: Path, *, what: str = "workspace") -> None:
    """Refuse a `workspace` that is, or contains, one of the service's own files.

    Raises:
        UserError: one line naming the file and what to do instead.
    """
    directory = workspace.expanduser().resolve()
    for name, path in state_files(settings).items():
        if path.is_relative_to(directory):
            raise UserError(
                f"{what} {directory} contains the service's {name} {path}: use a directory"
                " that does not hold Intelligent Office's own files"
            )


def prepare_state_directory(settings: Settings) -> Path:
    """The state directory, created 0700 (and tightened to 0700 when it is ours)."""
    home = settings.home.expanduser()
    # Not ours to make or change (a read-only image, another owner): whoever needs a file
    # there says so, clearly, when it is needed.
    with contextlib.suppress(OSError):
        home.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = home.stat()
        if info.st_uid == os.geteuid() and stat.S_IMODE(info.st_mode) & 0o077:
            os.chmod(home, stat.S_IMODE(info.st_mode) & 0o700)
    return home


def open_store(settings: Settings) -> Store:
    """The database the settings name, opened and migrated (the state directory made 0700)."""
    from intelligent_office.store import Store

    prepare_state_directory(settings)
    return Store.open(
        settings.resolved_database_url, sqlite_synchronous=settings.sqlite_synchronous
    )
