"""A child in foster care and the family's coordinator, and the date a generated document bears (deadlines run from it).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""
from __future__ import annotations

import calendar
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
    op.create_index("ix_document_office_status", "document", ["office_id", "status", "updated_at"])
    op.create_index("ix_person_foster_care", "person", ["foster_care", "family_id"])
    with op.batch_alter_table("family") as batch:
        batch.add_column(sa.Column("assessment_due", sa.Date(), nullable=True))
    op.create_index("ix_family_office_due", "family", ["office_id", "assessment_due"])
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
    # no assessment existed before this revision: the first one is due 6 months after the assignment
    family = sa.table("family", sa.column("id", sa.Integer()), sa.column("assignment_date", sa.Date()),
                      sa.column("assessment_due", sa.Date()))
    for row_id, assigned in bind.execute(sa.select(family.c.id, family.c.assignment_date)
                                         .where(family.c.assignment_date.is_not(None))).all():
        bind.execute(sa.update(family).where(family.c.id == row_id).values(assessment_due=_six_months_after(assigned)))


def _six_months_after(day: dt.date) -> dt.date:
    month = day.month + 6
    year, month = day.year + (month - 1) // 12, (month - 1) % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def downgrade() -> None:
    op.drop_index("ix_family_office_due", table_name="family")
    with op.batch_alter_table("family") as batch:
        batch.drop_column("assessment_due")
    op.drop_index("ix_person_foster_care", table_name="person")
    op.drop_index("ix_document_office_status", table_name="document")
    op.drop_index("ix_document_type_family", table_name="document")
    with op.batch_alter_table("document") as batch:
        batch.drop_column("document_date")
    with op.batch_alter_table("family") as batch:
        for name in ("coordinator_name", "coordinator_unit", "coordinator_contact"):
            batch.drop_column(name)
    with op.batch_alter_table("person") as batch:
        batch.drop_column("foster_care")
