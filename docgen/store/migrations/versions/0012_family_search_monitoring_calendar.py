"""The family list's folded search text, the end of each family's monitoring period, a generated
plan's deadlines for the calendar, and the users' calendar feeds (only a hash of each secret address).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any, Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: Union[str, None] = "0011"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

MONITORING_TYPES = ("closing_report", "monitoring_note")
PLAN_TYPES = ("work_plan", "coordinated_plan")
PLAN_DEADLINE_ROWS = (("actions", "action"), ("return_conditions", "condition"))


def _fold(text: str | None) -> str:
    # the fold of docgen.store.models.fold_text as of this revision, so the migration stays as written
    decomposed = unicodedata.normalize("NFKD", (text or "").translate(str.maketrans({"ł": "l", "Ł": "l"})).casefold())
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).split())


def _day(data: Any, key: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat((data or {}).get(key) or "")
    except (TypeError, ValueError, AttributeError):
        return None


def upgrade() -> None:
    with op.batch_alter_table("family") as batch:
        batch.add_column(sa.Column("monitoring_until", sa.Date(), nullable=True))
        batch.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("family") as batch:
        batch.alter_column("search_text", server_default=None)
    op.create_index("ix_family_office_monitoring", "family", ["office_id", "monitoring_until"])
    with op.batch_alter_table("document") as batch:
        batch.add_column(sa.Column("deadlines", sa.JSON(), nullable=True))
    op.create_table(
        "calendar_feed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_calendar_feed_user_id_user_account"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feed")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_feed_token_hash")),
        sa.UniqueConstraint("user_id", name=op.f("uq_calendar_feed_user_id")),
    )
    _fill_existing()


def _fill_existing() -> None:
    bind = op.get_bind()
    family = sa.table("family", sa.column("id", sa.Integer()), sa.column("family_name", sa.String()),
                      sa.column("address", sa.String()), sa.column("court_case_number", sa.String()),
                      sa.column("referral_ref", sa.String()), sa.column("search_text", sa.Text()),
                      sa.column("monitoring_until", sa.Date()))
    person = sa.table("person", sa.column("family_id", sa.Integer()), sa.column("position", sa.Integer()),
                      sa.column("first_name", sa.String()), sa.column("last_name", sa.String()))
    document = sa.table("document", sa.column("id", sa.Integer()), sa.column("family_id", sa.Integer()),
                        sa.column("doc_type", sa.String()), sa.column("version", sa.Integer()),
                        sa.column("data", sa.JSON()), sa.column("document_date", sa.Date()))
    people: dict[int, list[str]] = {}
    for family_id, first, last in bind.execute(sa.select(person.c.family_id, person.c.first_name, person.c.last_name)
                                               .order_by(person.c.family_id, person.c.position)):
        people.setdefault(family_id, []).append(f"{first} {last}")
    for row in bind.execute(sa.select(family.c.id, family.c.family_name, family.c.address,
                                      family.c.court_case_number, family.c.referral_ref)).all():
        text = "\n".join(_fold(part) for part in (row.family_name, row.address, " ".join(people.get(row.id, [])),
                                                  row.court_case_number, row.referral_ref))
        bind.execute(sa.update(family).where(family.c.id == row.id).values(search_text=text))
    latest: dict[int, tuple] = {}
    for row in bind.execute(sa.select(document.c.id, document.c.family_id, document.c.data, document.c.document_date)
                            .where(document.c.doc_type.in_(MONITORING_TYPES), document.c.version > 0)).all():
        key = (row.document_date or dt.date.min, row.id)
        if row.family_id not in latest or key > latest[row.family_id][0]:
            latest[row.family_id] = (key, _day(row.data, "monitoring_to"))
    for family_id, (_, until) in latest.items():
        bind.execute(sa.update(family).where(family.c.id == family_id).values(monitoring_until=until))
    plans = sa.table("document", sa.column("id", sa.Integer()), sa.column("doc_type", sa.String()),
                     sa.column("version", sa.Integer()), sa.column("data", sa.JSON()),
                     sa.column("deadlines", sa.JSON()))
    for row in bind.execute(sa.select(plans.c.id, plans.c.data)
                            .where(plans.c.doc_type.in_(PLAN_TYPES), plans.c.version > 0)).all():
        found = []
        for group, text_field in PLAN_DEADLINE_ROWS:
            for index, item in enumerate((row.data or {}).get(group) or []):
                day = _day(item, "deadline") if isinstance(item, dict) else None
                if day is not None:
                    found.append({"day": day.isoformat(), "text": str(item.get(text_field) or "")[:300],
                                  "key": f"{group}-{index}"})
        bind.execute(sa.update(plans).where(plans.c.id == row.id).values(deadlines=found))


def downgrade() -> None:
    op.drop_table("calendar_feed")
    with op.batch_alter_table("document") as batch:
        batch.drop_column("deadlines")
    op.drop_index("ix_family_office_monitoring", table_name="family")
    with op.batch_alter_table("family") as batch:
        batch.drop_column("search_text")
        batch.drop_column("monitoring_until")
