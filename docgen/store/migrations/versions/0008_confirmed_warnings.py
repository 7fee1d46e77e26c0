"""Warnings a user confirmed on a document (a deadline already passed, a gap left on purpose):
generating needs every warning of the data confirmed, and only the warnings, never a blocker.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""
from __future__ import annotations

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: Union[str, None] = "0007"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("document") as batch:
        batch.add_column(sa.Column("confirmed_warnings", sa.JSON(), nullable=False, server_default="[]"))
    with op.batch_alter_table("document") as batch:
        batch.alter_column("confirmed_warnings", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("document") as batch:
        batch.drop_column("confirmed_warnings")
