"""What each step saw: the journal keeps an activity's input and its measured start time

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import intelligent_office.store.tables

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_TIME = intelligent_office.store.tables.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("journal") as batch:
        batch.add_column(sa.Column("input", sa.Text(), nullable=True))
        batch.add_column(sa.Column("started_at", _TIME, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("journal") as batch:
        batch.drop_column("started_at")
        batch.drop_column("input")
