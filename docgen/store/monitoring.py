"""Monitoring after work with a family ended (art. 15 ust. 1 pkt 16): who is in the period, until
when, and when the next contact is due.

The period is the one the latest generated closing report or monitoring note sets
(`Family.monitoring_until`, kept by the models). The contacts are the rows of the family's
monitoring notes, drafts included: an assistant records them there as they happen and may
plan one ahead. The next contact is the earliest planned one (dated today or later); with
none planned, one month after the last contact, or the first day of the period when there
was none yet. The Act fixes no frequency; monthly is what the closing report's example plans
("wizyta w domu raz w miesiącu") and what offices commonly do.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Iterable

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from ..rules import add_months, date_of, rows
from .models import MONITORING_TYPES, ROLE_HEAD, Document, Family, User, monitoring_period

CONTACT_EVERY_MONTHS = 1
NOTE = "monitoring_note"


@dataclass(frozen=True)
class NextContact:
    due: dt.date
    # True: a contact the assistant dated ahead in a monitoring note; False: reckoned from the last one
    planned: bool


@dataclass(frozen=True)
class Monitored:
    family_id: int
    family_name: str
    assistant_id: int | None
    assistant_name: str
    period_from: dt.date | None
    period_to: dt.date
    next_contact: NextContact | None
    # every contact date recorded or planned in the period, for the calendar
    contacts: tuple[dt.date, ...]


def next_contact(period_from: dt.date | None, period_to: dt.date | None, contacts: Iterable[dt.date],
                 today: dt.date) -> NextContact | None:
    """None when the period has no further contact to make."""
    contacts = sorted(contacts)
    upcoming = [day for day in contacts if day >= today]
    if upcoming:
        return NextContact(upcoming[0], planned=True)
    due = add_months(contacts[-1], CONTACT_EVERY_MONTHS) if contacts else period_from
    if due is None or (period_to is not None and due > period_to):
        return None
    return NextContact(due, planned=False)


def _contacts(documents: list[Any], start: dt.date | None, stop: dt.date | None) -> tuple[dt.date, ...]:
    days = {date_of(row, "date") for d in documents if d.doc_type == NOTE for row in rows(d.data or {}, "contacts")}
    return tuple(sorted(day for day in days if day is not None and (start is None or day >= start)
                        and (stop is None or day <= stop)))


def in_monitoring_condition(user: User, today: dt.date, assistant_id: int | None = None):
    """The families in the user's scope whose work ended and whose monitoring period is not over."""
    condition = and_(Family.office_id == user.office_id, Family.active.is_(False), Family.anonymised_at.is_(None),
                     Family.monitoring_until >= today)
    if user.role != ROLE_HEAD:
        return and_(condition, Family.assistant_id == user.id)
    if assistant_id is not None:
        return and_(condition, Family.assistant_id == assistant_id)
    return condition


def monitored(session: Session, user: User, today: dt.date, *, limit: int | None = None,
              assistant_id: int | None = None) -> tuple[list[Monitored], int]:
    """Families in the monitoring period, the soonest-ending first, with their next contact; and how many in all."""
    where = in_monitoring_condition(user, today, assistant_id)
    total = session.scalar(select(func.count(Family.id)).where(where)) or 0
    families = session.execute(
        select(Family.id, Family.family_name, Family.assistant_id, func.coalesce(User.full_name, ""),
               Family.monitoring_until)
        .outerjoin(User, User.id == Family.assistant_id).where(where)
        .order_by(Family.monitoring_until, Family.search_text, Family.id).limit(limit)).all()
    documents: dict[int, list[Any]] = {}
    if families:
        for document in session.execute(
                select(Document.id, Document.family_id, Document.doc_type, Document.version, Document.data,
                       Document.document_date)
                .where(Document.family_id.in_([f[0] for f in families]), Document.doc_type.in_(MONITORING_TYPES))):
            documents.setdefault(document.family_id, []).append(document)
    result = []
    for family_id, name, assistant_id_, assistant_name, until in families:
        own = documents.get(family_id, [])
        start, stop = monitoring_period(own)
        stop = stop or until
        contacts = _contacts(own, start, stop)
        result.append(Monitored(family_id, name, assistant_id_, assistant_name, start, stop,
                                next_contact(start, stop, contacts, today), contacts))
    return result, total
