"""A child in foster care and the family's coordinator, and the date a generated document bears (deadlines run from it).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""
from __future__ import annotations

import datetime as dt
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: Union[str, None] = "0003"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.add_column(sa.Column("foster_care", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("person") as batch:
        batch.alter_column("foster_care", server_default=None)
    with op.batch_alter_table("family") as batch:
        for name, length in (("coordinator_name", 200), ("coordinator_unit", 300), ("coordinator_contact", 300)):
            batch.add_column(sa.Column(name, sa.String(length=length), nullable=False, server_default=""))
    with op.batch_alter_table("family") as batch:
        for name in ("coordinator_name", "coordinator_unit", "coordinator_contact"):
            batch.alter_column(name, server_default=None)
    with op.batch_alter_table("document") as batch:
        batch.add_column(sa.Column("document_date", sa.Date(), nullable=True))
    op.create_index("ix_document_type_family", "document", ["doc_type", "family_id", "document_date"])
    # the plans generated before this revision (the only type there was) get their plan date
    bind = op.get_bind()
    document = sa.table("document", sa.column("id", sa.Integer()), sa.column("doc_type", sa.String()),
                        sa.column("version", sa.Integer()), sa.column("data", sa.JSON()),
                        sa.column("document_date", sa.Date()))
    rows = bind.execute(sa.select(document.c.id, document.c.data)
                        .where(document.c.doc_type == "work_plan", document.c.version > 0)).all()
    for row_id, data in rows:
        try:
            day = dt.date.fromisoformat((data or {}).get("plan_date") or "")
        except (TypeError, ValueError):
            continue
        bind.execute(sa.update(document).where(document.c.id == row_id).values(document_date=day))


def downgrade() -> None:
    op.drop_index("ix_document_type_family", table_name="document")
    with op.batch_alter_table("document") as batch:
        batch.drop_column("document_date")
    with op.batch_alter_table("family") as batch:
        for name in ("coordinator_name", "coordinator_unit", "coordinator_contact"):
            batch.drop_column(name)
    with op.batch_alter_table("person") as batch:
        batch.drop_column("foster_care")
