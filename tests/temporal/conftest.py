"""Temporal-only tests: they share the Office tests' workspace fixture and the session's
dev server, and need the temporal extra (`make setup` installs it)."""

from __future__ import annotations

from intelligent_office.runtime.temporal.availability import temporalio_installed
from tests.office.conftest import workspace  # noqa: F401

if not temporalio_installed():
    collect_ignore_glob = ["test_*.py"]
