"""The family's name in running text (genitive plural), a person's sex, the social worker as an account, the
caseload limit of the Act (art. 15 ust. 4: never above 15), and the monitoring note's "Wnioski".

Revision ID: 0010
Revises: 0014
Create Date: 2026-11-25
"""
from __future__ import annotations

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: Union[str, None] = "0014"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

MAX_CASELOAD = 15


def upgrade() -> None:
    with op.batch_alter_table("family") as batch:
        batch.add_column(sa.Column("family_name_gen", sa.String(length=200), nullable=False, server_default=""))
        batch.add_column(sa.Column("social_worker_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_family_social_worker_id_user_account"), "user_account",
                                 ["social_worker_id"], ["id"], ondelete="SET NULL")
    with op.batch_alter_table("family") as batch:
        batch.alter_column("family_name_gen", server_default=None)
    with op.batch_alter_table("person") as batch:
        batch.add_column(sa.Column("sex", sa.String(length=1), nullable=True))

    bind = op.get_bind()
    # the forms of the families already recorded, as the family card would suggest them
    from docgen.polish import family_name_forms

    family = sa.table("family", sa.column("id", sa.Integer()), sa.column("family_name", sa.String()),
                      sa.column("family_name_gen", sa.String()))
    for row_id, name in bind.execute(sa.select(family.c.id, family.c.family_name)).all():
        forms = family_name_forms(name or "")
        bind.execute(sa.update(family).where(family.c.id == row_id)
                     .values(family_name_gen=forms.genitive))

    # the monitoring note concludes ("Wnioski"), it decides nothing: its field "decision" is "conclusion"
    document = sa.table("document", sa.column("id", sa.Integer()), sa.column("doc_type", sa.String()),
                        sa.column("data", sa.JSON()))
    for row_id, data in bind.execute(sa.select(document.c.id, document.c.data)
                                     .where(document.c.doc_type == "monitoring_note")).all():
        if isinstance(data, dict) and "decision" in data:
            renamed = {("conclusion" if key == "decision" else key): value for key, value in data.items()}
            bind.execute(sa.update(document).where(document.c.id == row_id).values(data=renamed))

    # a limit set above the Act's 15 becomes 15, then the database holds it there
    office = sa.table("office", sa.column("caseload_limit", sa.Integer()))
    bind.execute(sa.update(office).where(office.c.caseload_limit > MAX_CASELOAD)
                 .values(caseload_limit=MAX_CASELOAD))
    bind.execute(sa.update(office).where(office.c.caseload_limit < 1).values(caseload_limit=1))
    with op.batch_alter_table("office") as batch:
        batch.create_check_constraint("caseload_limit", f"caseload_limit BETWEEN 1 AND {MAX_CASELOAD}")


def downgrade() -> None:
    bind = op.get_bind()
    document = sa.table("document", sa.column("id", sa.Integer()), sa.column("doc_type", sa.String()),
                        sa.column("data", sa.JSON()))
    for row_id, data in bind.execute(sa.select(document.c.id, document.c.data)
                                     .where(document.c.doc_type == "monitoring_note")).all():
        if isinstance(data, dict) and "conclusion" in data:
            renamed = {("decision" if key == "conclusion" else key): value for key, value in data.items()}
            bind.execute(sa.update(document).where(document.c.id == row_id).values(data=renamed))
    with op.batch_alter_table("office") as batch:
        batch.drop_constraint(op.f("ck_office_caseload_limit"), type_="check")
    with op.batch_alter_table("person") as batch:
        batch.drop_column("sex")
    with op.batch_alter_table("family") as batch:
        batch.drop_constraint(op.f("fk_family_social_worker_id_user_account"), type_="foreignkey")
        batch.drop_column("social_worker_id")
        batch.drop_column("family_name_gen")
