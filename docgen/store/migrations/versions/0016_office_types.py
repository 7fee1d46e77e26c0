"""The offices' own document types: the versions of their definitions and templates, the version each
office's new documents are made by, and the version a document was started on.

Revision ID: 0016
Revises: 0013
Create Date: 2026-12-04
"""
from __future__ import annotations

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: Union[str, None] = "0013"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "office_type_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("type_id", sa.String(length=50), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("storage_path", sa.String(length=500), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("based_on", sa.String(length=200), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["office_id"], ["office.id"], name=op.f("fk_office_type_version_office_id_office"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"],
                                name=op.f("fk_office_type_version_created_by_id_user_account"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["published_by_id"], ["user_account.id"],
                                name=op.f("fk_office_type_version_published_by_id_user_account"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office_type_version")),
        sa.UniqueConstraint("office_id", "type_id", "number", name="uq_office_type_version_number"),
        sa.UniqueConstraint("storage_path", name=op.f("uq_office_type_version_storage_path")),
    )
    op.create_table(
        "office_type",
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("type_id", sa.String(length=50), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["office.id"], name=op.f("fk_office_type_office_id_office"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["version_id"], ["office_type_version.id"],
                                name=op.f("fk_office_type_version_id_office_type_version"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["changed_by_id"], ["user_account.id"],
                                name=op.f("fk_office_type_changed_by_id_user_account"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("office_id", "type_id", name=op.f("pk_office_type")),
    )
    with op.batch_alter_table("document") as batch:
        batch.add_column(sa.Column("type_version_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_document_type_version_id_office_type_version"), "office_type_version",
                                 ["type_version_id"], ["id"], ondelete="SET NULL")


def downgrade() -> None:
    with op.batch_alter_table("document") as batch:
        batch.drop_constraint(op.f("fk_document_type_version_id_office_type_version"), type_="foreignkey")
        batch.drop_column("type_version_id")
    op.drop_table("office_type")
    op.drop_table("office_type_version")
