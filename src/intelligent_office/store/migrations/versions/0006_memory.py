"""Memory: items (plan records, document chunks, feedback), ingested documents, embedding cache

The vector tables (sqlite-vec, pgvector) and keyword indexes (FTS5, tsvector) are
created by the memory when it first runs: their shape depends on the embedder.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import intelligent_office.store.tables

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_TIME = intelligent_office.store.tables.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "memory_items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=2048), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("location", sa.JSON(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=True),
        sa.Column("task_id", sa.String(length=64), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_memory_items_scope", "memory_items", ["tenant", "kind", "created_at"])
    op.create_index("ix_memory_items_source", "memory_items", ["source"])
    op.create_index("ix_memory_items_fingerprint", "memory_items", ["fingerprint"])
    op.create_index("ix_memory_items_task_id", "memory_items", ["task_id"])
    op.create_table(
        "memory_documents",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(length=128), nullable=False),
        sa.Column("path", sa.String(length=2048), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("chunks", sa.Integer(), nullable=False),
        sa.Column("ingested_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant", "path"),
    )
    op.create_index("ix_memory_documents_ingested_at", "memory_documents", ["ingested_at"])
    op.create_table(
        "embedding_cache",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=256), nullable=False),
        sa.Column("dimensions", sa.Integer(), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("embedding_cache")
    op.drop_index("ix_memory_documents_ingested_at", table_name="memory_documents")
    op.drop_table("memory_documents")
    for name in ("task_id", "fingerprint", "source", "scope"):
        op.drop_index(f"ix_memory_items_{name}", table_name="memory_items")
    op.drop_table("memory_items")
