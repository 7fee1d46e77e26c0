"""The offices' own Word templates: their versions, the one in use per type, and which one a
generated document was made from.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24
"""
from __future__ import annotations

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: Union[str, None] = "0006"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "template_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("doc_type", sa.String(length=50), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("storage_path", sa.String(length=500), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("checked", sa.Boolean(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["office.id"], name=op.f("fk_template_version_office_id_office"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["user_account.id"],
                                name=op.f("fk_template_version_uploaded_by_id_user_account"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_template_version")),
        sa.UniqueConstraint("office_id", "doc_type", "number", name="uq_template_version_number"),
        sa.UniqueConstraint("storage_path", name=op.f("uq_template_version_storage_path")),
    )
    op.create_table(
        "active_template",
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("doc_type", sa.String(length=50), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["office.id"], name=op.f("fk_active_template_office_id_office"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["version_id"], ["template_version.id"],
                                name=op.f("fk_active_template_version_id_template_version"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["changed_by_id"], ["user_account.id"],
                                name=op.f("fk_active_template_changed_by_id_user_account"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("office_id", "doc_type", name=op.f("pk_active_template")),
    )
    with op.batch_alter_table("generated_file") as batch:
        batch.add_column(sa.Column("template_version_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("template_version_number", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_generated_file_template_version_id_template_version"), "template_version",
                                 ["template_version_id"], ["id"], ondelete="SET NULL")


def downgrade() -> None:
    with op.batch_alter_table("generated_file") as batch:
        batch.drop_constraint(op.f("fk_generated_file_template_version_id_template_version"), type_="foreignkey")
        batch.drop_column("template_version_number")
        batch.drop_column("template_version_id")
    op.drop_table("active_template")
    op.drop_table("template_version")
