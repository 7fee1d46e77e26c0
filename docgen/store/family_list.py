"""The family list: search, status and assistant filters, one page at a time, counted by the database.

A word of the search matches a family when its folded name, address, members' names, court
case number or referral number hold it (`Family.search_text`, the same on SQLite and
PostgreSQL, with or without Polish letters), when one of its documents' case numbers holds
it, or, for digits, when a member's PESEL starts with it. Every word must match.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from .models import Document, Family, Person, User, fold_text

PAGE_SIZE = 100
MAX_WORDS = 10

ACTIVE = "aktywna"
MONITORING = "monitorowanie"
ENDED = "zakonczona"
# the filter's choices, in the order shown
STATUSES = {ACTIVE: "praca trwa", MONITORING: "w monitorowaniu", ENDED: "zakończona"}
NO_ASSISTANT = "brak"


def status_condition(status: str, today: dt.date):
    """SQL for a status: work goes on; work ended and the monitoring period is not over; ended."""
    in_monitoring = and_(Family.active.is_(False), Family.anonymised_at.is_(None), Family.monitoring_until >= today)
    if status == ACTIVE:
        return Family.active.is_(True)
    if status == MONITORING:
        return in_monitoring
    if status == ENDED:
        return and_(Family.active.is_(False), ~in_monitoring)
    raise ValueError(status)


def status_of(active: bool, monitoring_until: dt.date | None, anonymised: bool, today: dt.date) -> str:
    if active:
        return ACTIVE
    if not anonymised and monitoring_until is not None and monitoring_until >= today:
        return MONITORING
    return ENDED


def _matches(word: str):
    """A word's match; the tables of documents and people are searched only for words that can be a
    case number (they hold a digit) or the start of a PESEL (only digits), each in one pass."""
    options = [Family.search_text.contains(word, autoescape=True)]
    if any(ch.isdigit() for ch in word):
        options.append(Family.id.in_(select(Document.family_id).where(
            func.lower(Document.case_number).contains(word, autoescape=True))))
    if word.isdigit():
        options.append(Family.id.in_(select(Person.family_id).where(Person.pesel.startswith(word, autoescape=True))))
    return or_(*options)


@dataclass(frozen=True)
class FamilyRow:
    id: int
    family_name: str
    address: str
    assistant_name: str | None
    members: int
    documents: int
    status: str
    closed_on: dt.date | None
    monitoring_until: dt.date | None


@dataclass
class FamilyPage:
    rows: list[FamilyRow]
    total: int
    page: int
    pages: int


def filtered(visible: Select, *, query: str = "", status: str = "", assistant: str = "",
             today: dt.date | None = None) -> Select:
    """`visible` (a select of the families the user may see) narrowed by the search and filters."""
    today = today or dt.date.today()
    statement = visible
    for word in fold_text(query).split()[:MAX_WORDS]:
        statement = statement.where(_matches(word))
    if status in STATUSES:
        statement = statement.where(status_condition(status, today))
    if assistant == NO_ASSISTANT:
        statement = statement.where(Family.assistant_id.is_(None))
    elif assistant.isdigit():
        statement = statement.where(Family.assistant_id == int(assistant))
    return statement


def family_page(session: Session, visible: Select, *, query: str = "", status: str = "", assistant: str = "",
                page: int = 1, today: dt.date | None = None) -> FamilyPage:
    today = today or dt.date.today()
    chosen = filtered(visible, query=query, status=status, assistant=assistant, today=today).subquery()
    total = session.scalar(select(func.count()).select_from(chosen)) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    members = select(func.count(Person.id)).where(Person.family_id == Family.id).scalar_subquery()
    documents = select(func.count(Document.id)).where(Document.family_id == Family.id).scalar_subquery()
    result = session.execute(
        select(Family.id, Family.family_name, Family.address, User.full_name, members, documents, Family.active,
               Family.closed_on, Family.monitoring_until, Family.anonymised_at)
        .outerjoin(User, User.id == Family.assistant_id)
        .where(Family.id.in_(select(chosen.c.id)))
        .order_by(Family.search_text, Family.id).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
    rows = [FamilyRow(id=r[0], family_name=r[1], address=r[2], assistant_name=r[3], members=r[4], documents=r[5],
                      status=status_of(r[6], r[8], r[9] is not None, today), closed_on=r[7], monitoring_until=r[8])
            for r in result]
    return FamilyPage(rows=rows, total=total, page=page, pages=pages)
