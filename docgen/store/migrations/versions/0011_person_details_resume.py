"""What documents ask about a person (work, a disability certificate, phone, e-mail), a child's
placement in foster care and the family's monitoring period on the family card, and the wizard
step a draft was left at.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""
from __future__ import annotations

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: Union[str, None] = "0010"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

PERSON_COLUMNS = (
    ("employment", sa.String(length=30)),
    ("disability", sa.String(length=30)),
    ("phone", sa.String(length=40)),
    ("email", sa.String(length=120)),
    ("care_form", sa.String(length=30)),
    ("care_name", sa.String(length=300)),
    ("placement_date", sa.Date()),
    ("placement_court", sa.String(length=300)),
    ("placement_case_number", sa.String(length=50)),
    ("placement_order_date", sa.Date()),
)


def upgrade() -> None:
    with op.batch_alter_table("person") as batch:
        for name, kind in PERSON_COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))
    with op.batch_alter_table("family") as batch:
        batch.add_column(sa.Column("monitoring_from", sa.Date(), nullable=True))
        batch.add_column(sa.Column("monitoring_to", sa.Date(), nullable=True))
    with op.batch_alter_table("document") as batch:
        batch.add_column(sa.Column("last_step", sa.String(length=50), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("document") as batch:
        batch.drop_column("last_step")
    with op.batch_alter_table("family") as batch:
        batch.drop_column("monitoring_to")
        batch.drop_column("monitoring_from")
    with op.batch_alter_table("person") as batch:
        for name, _ in reversed(PERSON_COLUMNS):
            batch.drop_column(name)
