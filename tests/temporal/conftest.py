"""Temporal-only tests share the Office tests' workspace fixture (and the session's dev server)."""

from __future__ import annotations

from tests.office.conftest import workspace  # noqa: F401
