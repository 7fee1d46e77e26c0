"""One file per version of a document: unique (document_id, version) on generated_file; the
assistant's dashboard index (assistant, office, due date) in place of the one on assistant_id.

Two simultaneous generations of one document could both take the same version number before
generation locked the document's row. A database that holds such a pair is repaired first:
the files of that document are renumbered in the order they were made (by id), and the document
points at its last version, so the constraint can be added and no file is lost.

Revision ID: 0013
Revises: 0009
Create Date: 2026-11-25
"""
from __future__ import annotations

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: Union[str, None] = "0009"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_files = sa.table("generated_file", sa.column("id", sa.Integer), sa.column("document_id", sa.Integer),
                  sa.column("version", sa.Integer))
_documents = sa.table("document", sa.column("id", sa.Integer), sa.column("version", sa.Integer))


def _renumber_duplicate_versions() -> None:
    connection = op.get_bind()
    clashing = connection.execute(
        sa.select(_files.c.document_id).group_by(_files.c.document_id, _files.c.version)
        .having(sa.func.count() > 1).distinct()).scalars().all()
    for document_id in clashing:
        ids = connection.execute(sa.select(_files.c.id).where(_files.c.document_id == document_id)
                                 .order_by(_files.c.id)).scalars().all()
        for number, file_id in enumerate(ids, start=1):
            connection.execute(sa.update(_files).where(_files.c.id == file_id).values(version=number))
        connection.execute(sa.update(_documents).where(_documents.c.id == document_id).values(version=len(ids)))


def upgrade() -> None:
    _renumber_duplicate_versions()
    with op.batch_alter_table("generated_file") as batch:
        batch.create_unique_constraint("uq_generated_file_version", ["document_id", "version"])
    op.create_index("ix_family_assistant_due", "family", ["assistant_id", "office_id", "assessment_due"])
    op.drop_index("ix_family_assistant_id", table_name="family")


def downgrade() -> None:
    op.create_index("ix_family_assistant_id", "family", ["assistant_id"])
    op.drop_index("ix_family_assistant_due", table_name="family")
    with op.batch_alter_table("generated_file") as batch:
        batch.drop_constraint("uq_generated_file_version", type_="unique")
