"""Initial schema: offices, users, families and their members, case counters, documents and
their generated files. Written to match docgen/store/models.py exactly (checked by
tests/test_store.py::test_migrations_match_models).

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""
from __future__ import annotations

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: Union[str, None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _created_at() -> sa.Column:
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "office",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("phone", sa.String(length=50), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("case_prefix", sa.String(length=50), nullable=False),
        sa.Column("jrwa_symbol", sa.String(length=20), nullable=False),
        sa.Column("caseload_limit", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office")),
    )

    op.create_table(
        "case_counter",
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["office.id"], name=op.f("fk_case_counter_office_id_office"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("office_id", "year", name=op.f("pk_case_counter")),
    )

    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("password_hash", sa.String(length=300), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        _created_at(),
        sa.ForeignKeyConstraint(["office_id"], ["office.id"], name=op.f("fk_user_account_office_id_office"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
        sa.UniqueConstraint("username", name=op.f("uq_user_account_username")),
    )
    with op.batch_alter_table("user_account") as batch:
        batch.create_index(batch.f("ix_user_account_office_id"), ["office_id"], unique=False)

    op.create_table(
        "family",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("assistant_id", sa.Integer(), nullable=True),
        sa.Column("family_name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("social_worker_name", sa.String(length=200), nullable=False),
        sa.Column("assignment_date", sa.Date(), nullable=True),
        sa.Column("referral_ref", sa.String(length=100), nullable=False),
        sa.Column("basis", sa.String(length=20), nullable=False),
        sa.Column("consent_date", sa.Date(), nullable=True),
        sa.Column("court_name", sa.String(length=300), nullable=False),
        sa.Column("court_case_number", sa.String(length=50), nullable=False),
        sa.Column("court_order_date", sa.Date(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        _created_at(),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["assistant_id"], ["user_account.id"],
                                name=op.f("fk_family_assistant_id_user_account"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["office_id"], ["office.id"], name=op.f("fk_family_office_id_office"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_family")),
    )
    with op.batch_alter_table("family") as batch:
        batch.create_index(batch.f("ix_family_assistant_id"), ["assistant_id"], unique=False)
        batch.create_index(batch.f("ix_family_office_id"), ["office_id"], unique=False)

    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("pesel", sa.String(length=11), nullable=True),
        sa.Column("relation", sa.String(length=20), nullable=False),
        sa.Column("in_household", sa.Boolean(), nullable=False),
        sa.Column("took_part", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["family_id"], ["family.id"], name=op.f("fk_person_family_id_family"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
    )
    with op.batch_alter_table("person") as batch:
        batch.create_index(batch.f("ix_person_family_id"), ["family_id"], unique=False)

    op.create_table(
        "document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("doc_type", sa.String(length=50), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("case_number", sa.String(length=100), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        _created_at(),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"],
                                name=op.f("fk_document_created_by_id_user_account"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["family_id"], ["family.id"], name=op.f("fk_document_family_id_family"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["office_id"], ["office.id"], name=op.f("fk_document_office_id_office"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document")),
        # a case number is given once per office
        sa.UniqueConstraint("office_id", "case_number", name="uq_document_case_number"),
    )
    with op.batch_alter_table("document") as batch:
        batch.create_index(batch.f("ix_document_family_id"), ["family_id"], unique=False)
        batch.create_index(batch.f("ix_document_office_id"), ["office_id"], unique=False)

    op.create_table(
        "generated_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("storage_path", sa.String(length=500), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("template_name", sa.String(length=255), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        _created_at(),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"],
                                name=op.f("fk_generated_file_created_by_id_user_account"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"], name=op.f("fk_generated_file_document_id_document"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_generated_file")),
        sa.UniqueConstraint("storage_path", name=op.f("uq_generated_file_storage_path")),
    )
    with op.batch_alter_table("generated_file") as batch:
        batch.create_index(batch.f("ix_generated_file_document_id"), ["document_id"], unique=False)


def downgrade() -> None:
    for table in ("generated_file", "document", "person", "family", "user_account", "case_counter", "office"):
        op.drop_table(table)
