"""Audit trail, session timeout and retention settings, end of work and anonymisation of a family.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""
from __future__ import annotations

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: Union[str, None] = "0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("office") as batch:
        batch.add_column(sa.Column("session_timeout_minutes", sa.Integer(), nullable=False, server_default="30"))
        batch.add_column(sa.Column("retention_years", sa.Integer(), nullable=False, server_default="10"))
    with op.batch_alter_table("office") as batch:
        batch.alter_column("session_timeout_minutes", server_default=None)
        batch.alter_column("retention_years", server_default=None)
    with op.batch_alter_table("family") as batch:
        batch.add_column(sa.Column("closed_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("object_type", sa.String(length=30), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=True),
        sa.Column("family_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
    )
    for column in ("at", "office_id", "user_id", "family_id"):
        op.create_index(op.f(f"ix_audit_entry_{column}"), "audit_entry", [column])


def downgrade() -> None:
    for column in ("at", "office_id", "user_id", "family_id"):
        op.drop_index(op.f(f"ix_audit_entry_{column}"), table_name="audit_entry")
    op.drop_table("audit_entry")
    with op.batch_alter_table("family") as batch:
        batch.drop_column("anonymised_at")
        batch.drop_column("closed_on")
    with op.batch_alter_table("office") as batch:
        batch.drop_column("retention_years")
        batch.drop_column("session_timeout_minutes")
