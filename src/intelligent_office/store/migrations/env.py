"""Alembic environment: runs migrations on the connection the store hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from intelligent_office.store.new_database import SCHEMA_LOCK
from intelligent_office.store.tables import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    if connection.dialect.name == "postgresql":
        # Two processes starting at once must not both create the tables.
        connection.execute(text(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK})"))
    context.run_migrations()
