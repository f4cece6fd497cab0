"""Learning: planner guidance, prompt versions and drafted tools

Revision ID: 0013
Revises: 0010
Create Date: 2026-12-04 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import intelligent_office.store.tables

revision = "0013"
down_revision = "0010"
branch_labels = None
depends_on = None

_TIME = intelligent_office.store.tables.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "learning_guidance",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("cause", sa.String(length=512), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("intent", sa.String(length=64), nullable=True),
        sa.Column("tool", sa.String(length=256), nullable=True),
        sa.Column("adjustment", sa.JSON(), nullable=False),
        sa.Column("examples", sa.JSON(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_learning_guidance_cause", "learning_guidance", ["cause"])
    op.create_table(
        "prompt_versions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("tier", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("model", sa.String(length=256), nullable=True),
        sa.Column("parent_id", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("evaluation", sa.JSON(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("decided_at", _TIME, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tier", "version"),
    )
    op.create_index("ix_prompt_versions_tier", "prompt_versions", ["tier"])
    op.create_table(
        "tool_drafts",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("gap_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("shape", sa.String(length=32), nullable=False),
        sa.Column("risk", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_tool_drafts_gap_id", "tool_drafts", ["gap_id"])
    op.create_index("ix_tool_drafts_status", "tool_drafts", ["status"])


def downgrade() -> None:
    op.drop_index("ix_tool_drafts_status", table_name="tool_drafts")
    op.drop_index("ix_tool_drafts_gap_id", table_name="tool_drafts")
    op.drop_table("tool_drafts")
    op.drop_index("ix_prompt_versions_tier", table_name="prompt_versions")
    op.drop_table("prompt_versions")
    op.drop_index("ix_learning_guidance_cause", table_name="learning_guidance")
    op.drop_table("learning_guidance")
