"""One znak sprawy per family's case (instrukcja kancelaryjna): the cases of the spis spraw, their
counter per office, JRWA class and year, and the office's types that open a case of their own.

Existing data keep every number already printed on a generated version:
- a family's case takes the number of its earliest generated document that carries one;
- every other number stays on its document as printed, as a case of that document's own (it was
  one under the old rule), so the spis spraw keeps each number that was ever given;
- a letter's or a CV's number, which no template ever printed, is given up, and their files are
  offered under neutral names ("CV_Anna_Zawadzka.docx") instead of the family's name and number;
- each new counter starts after the highest number its office, class and year has used, and
  after the old counter of that office and year, so no number is ever given twice.

Revision ID: 0009
Revises: 0012
Create Date: 2026-12-04
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any, Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: Union[str, None] = "0012"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# as of this revision: the family member's own documents, and the field naming their person
OWN_DOCUMENTS = {"letter": ("Pismo", "sender_name"), "cv": ("CV", "full_name")}
# "MOPS.AR" . "4101" . 7 . 2026, as docgen.store.documents.allocate_case_number composed it
REFERENCE = re.compile(r"^(?P<prefix>.+)\.(?P<jrwa>[^.]+)\.(?P<number>\d+)\.(?P<year>\d{4})$")

office = sa.table("office", sa.column("id", sa.Integer()), sa.column("jrwa_symbol", sa.String()))
document = sa.table("document", sa.column("id", sa.Integer()), sa.column("office_id", sa.Integer()),
                    sa.column("family_id", sa.Integer()), sa.column("doc_type", sa.String()),
                    sa.column("data", sa.JSON()), sa.column("case_number", sa.String()),
                    sa.column("case_file_id", sa.Integer()), sa.column("created_at", sa.DateTime(timezone=True)))
generated_file = sa.table("generated_file", sa.column("id", sa.Integer()), sa.column("document_id", sa.Integer()),
                          sa.column("version", sa.Integer()), sa.column("filename", sa.String()),
                          sa.column("created_at", sa.DateTime(timezone=True)))
case_file = sa.table("case_file", sa.column("id", sa.Integer()), sa.column("office_id", sa.Integer()),
                     sa.column("family_id", sa.Integer()), sa.column("family_case", sa.Boolean()),
                     sa.column("jrwa_symbol", sa.String()), sa.column("year", sa.Integer()),
                     sa.column("number", sa.Integer()), sa.column("reference", sa.String()),
                     sa.column("opened_on", sa.Date()), sa.column("opened_by", sa.String()))


def _counter_table(with_class: bool) -> sa.Table:
    columns = [sa.Column("office_id", sa.Integer(), nullable=False)]
    if with_class:
        columns.append(sa.Column("jrwa_symbol", sa.String(length=20), nullable=False))
    columns += [sa.Column("year", sa.Integer(), nullable=False), sa.Column("last_number", sa.Integer(), nullable=False)]
    key = ["office_id", "jrwa_symbol", "year"] if with_class else ["office_id", "year"]
    return op.create_table(
        "case_counter", *columns,
        sa.ForeignKeyConstraint(["office_id"], ["office.id"], name=op.f("fk_case_counter_office_id_office"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint(*key, name=op.f("pk_case_counter")),
    )


def _neutral_name(prefix: str, person: Any, version: int) -> str:
    """'CV_Anna_Zawadzka.docx' (ASCII letters, as docgen.store.documents names such files)."""
    text = unicodedata.normalize("NFKD", str(person or "").replace("ł", "l").replace("Ł", "L"))
    text = re.sub(r"[^A-Za-z0-9]+", "_", "".join(ch for ch in text if not unicodedata.combining(ch))).strip("_")
    return f"{prefix}_{text[:80]}.docx" if text else f"{prefix}_v{version}.docx"


def _as_day(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):  # SQLite through a plain table: the stored text
        return dt.date.fromisoformat(value[:10])
    return value


def upgrade() -> None:
    with op.batch_alter_table("office") as batch:
        batch.add_column(sa.Column("own_case_types", sa.JSON(), nullable=False, server_default="{}"))
    with op.batch_alter_table("office") as batch:
        batch.alter_column("own_case_types", server_default=None)

    op.create_table(
        "case_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=True),
        sa.Column("family_case", sa.Boolean(), nullable=False),
        sa.Column("jrwa_symbol", sa.String(length=20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("opened_by", sa.String(length=50), nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["office.id"], name=op.f("fk_case_file_office_id_office"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["family_id"], ["family.id"], name=op.f("fk_case_file_family_id_family"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_file")),
        sa.UniqueConstraint("office_id", "jrwa_symbol", "year", "number", name="uq_case_file_number"),
    )
    op.create_index(op.f("ix_case_file_office_id"), "case_file", ["office_id"])
    op.create_index("uq_case_file_family_case", "case_file", ["family_id"], unique=True,
                    sqlite_where=sa.text("family_case"), postgresql_where=sa.text("family_case"))

    # documents of one family now share their case's number
    with op.batch_alter_table("document") as batch:
        batch.drop_constraint("uq_document_case_number", type_="unique")
        batch.add_column(sa.Column("case_file_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_document_case_file_id_case_file"), "case_file", ["case_file_id"], ["id"],
                                 ondelete="SET NULL")
        batch.create_index(op.f("ix_document_case_file_id"), ["case_file_id"])

    bind = op.get_bind()
    old_counters = bind.execute(sa.text("SELECT office_id, year, last_number FROM case_counter")).all()
    op.drop_table("case_counter")
    counter = _counter_table(with_class=True)

    _letters_and_cvs_give_up_their_numbers(bind)
    cases = _cases_of_existing_numbers(bind)

    # each counter continues after every number its office, class and year has used
    office_class = dict(bind.execute(sa.select(office.c.id, office.c.jrwa_symbol)).all())
    last: dict[tuple[int, str, int], int] = {}
    for office_id, year, number in old_counters:
        classes = {office_class.get(office_id, "")} | {jrwa for (o, jrwa, y) in cases if (o, y) == (office_id, year)}
        for jrwa in classes:
            last[(office_id, jrwa, year)] = max(last.get((office_id, jrwa, year), 0), number)
    for key, number in cases.items():
        last[key] = max(last.get(key, 0), number)
    if last:
        bind.execute(sa.insert(counter), [{"office_id": o, "jrwa_symbol": jrwa, "year": y, "last_number": n}
                                          for (o, jrwa, y), n in sorted(last.items())])


def _letters_and_cvs_give_up_their_numbers(bind) -> None:
    """Their templates never printed the number: it goes, and so do the family's name and the number
    from the names their files are offered under."""
    rows = bind.execute(sa.select(document.c.id, document.c.doc_type, document.c.data)
                        .where(document.c.doc_type.in_(OWN_DOCUMENTS))).all()
    for row_id, doc_type, data in rows:
        prefix, person_field = OWN_DOCUMENTS[doc_type]
        person = (data or {}).get(person_field) if isinstance(data, dict) else None
        bind.execute(sa.update(document).where(document.c.id == row_id).values(case_number=None))
        for file_id, version in bind.execute(sa.select(generated_file.c.id, generated_file.c.version)
                                             .where(generated_file.c.document_id == row_id)).all():
            bind.execute(sa.update(generated_file).where(generated_file.c.id == file_id)
                         .values(filename=_neutral_name(prefix, person, version)))


def _cases_of_existing_numbers(bind) -> dict[tuple[int, str, int], int]:
    """A case for every number printed so far; returns the highest number per (office, class, year)."""
    first_file = (sa.select(generated_file.c.document_id, sa.func.min(generated_file.c.created_at).label("at"),
                            sa.func.min(generated_file.c.id).label("file_id"))
                  .group_by(generated_file.c.document_id).subquery())
    rows = bind.execute(
        sa.select(document.c.id, document.c.office_id, document.c.family_id, document.c.doc_type,
                  document.c.case_number, document.c.created_at, first_file.c.at, first_file.c.file_id)
        .outerjoin(first_file, first_file.c.document_id == document.c.id)
        .where(document.c.case_number.is_not(None))
    ).all()
    # in the order they were first generated (file ids grow with it); one without a file (none should exist) last
    rows = sorted(rows, key=lambda row: (row.file_id is None, row.file_id or 0, row.id))
    highest: dict[tuple[int, str, int], int] = {}
    families_with_case: set[int] = set()
    for row in rows:
        parsed = REFERENCE.match(row.case_number)
        if parsed is None:  # not a number this program gave: it stays on its document, outside the spis
            continue
        jrwa, number, year = parsed["jrwa"], int(parsed["number"]), int(parsed["year"])
        family_case = row.family_id not in families_with_case
        families_with_case.add(row.family_id)
        case_id = bind.execute(sa.insert(case_file).values(
            office_id=row.office_id, family_id=row.family_id, family_case=family_case, jrwa_symbol=jrwa, year=year,
            number=number, reference=row.case_number, opened_on=_as_day(row.at or row.created_at),
            opened_by=row.doc_type,
        ).returning(case_file.c.id)).scalar_one()
        bind.execute(sa.update(document).where(document.c.id == row.id).values(case_file_id=case_id))
        key = (row.office_id, jrwa, year)
        highest[key] = max(highest.get(key, 0), number)
    return highest


def downgrade() -> None:
    bind = op.get_bind()
    shared = bind.execute(sa.select(document.c.office_id, document.c.case_number)
                          .where(document.c.case_number.is_not(None))
                          .group_by(document.c.office_id, document.c.case_number)
                          .having(sa.func.count() > 1)).first()
    if shared is not None:
        raise RuntimeError(f"Nie można cofnąć migracji 0009: kilka dokumentów ma wspólny znak sprawy "
                           f"{shared.case_number}, a wcześniejszy schemat dopuszcza tylko jeden dokument na znak.")
    counters = bind.execute(sa.text("SELECT office_id, year, MAX(last_number) FROM case_counter "
                                    "GROUP BY office_id, year")).all()
    op.drop_table("case_counter")
    counter = _counter_table(with_class=False)
    if counters:
        bind.execute(sa.insert(counter), [{"office_id": o, "year": y, "last_number": n} for o, y, n in counters])
    with op.batch_alter_table("document") as batch:
        batch.drop_index(op.f("ix_document_case_file_id"))
        batch.drop_constraint(op.f("fk_document_case_file_id_case_file"), type_="foreignkey")
        batch.drop_column("case_file_id")
        batch.create_unique_constraint("uq_document_case_number", ["office_id", "case_number"])
    op.drop_index("uq_case_file_family_case", table_name="case_file")
    op.drop_index(op.f("ix_case_file_office_id"), table_name="case_file")
    op.drop_table("case_file")
    with op.batch_alter_table("office") as batch:
        batch.drop_column("own_case_types")
