"""The calendar of deadlines: periodic assessments due, the deadlines of the plan in force, monitoring
contacts and the end of each monitoring period, for one assistant's families or the whole office.

Assessments come from `Family.assessment_due` (indexed); plan deadlines from the action rows
(and a coordinated plan's conditions for the child's return) of each active family's latest
generated plan, as `Document.deadlines` keeps them (never the whole plan); monitoring from
`docgen.store.monitoring`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from .models import PLAN_TYPES, ROLE_ASSISTANT, ROLE_HEAD, Document, Family, User
from .monitoring import monitored

ASSESSMENT = "ocena"
PLAN_DEADLINE = "termin"
CONTACT = "kontakt"
MONITORING_END = "koniec-monitorowania"
KINDS = {ASSESSMENT: "ocena okresowa", PLAN_DEADLINE: "termin z planu", CONTACT: "kontakt – monitorowanie",
         MONITORING_END: "koniec monitorowania"}


@dataclass(frozen=True)
class Event:
    day: dt.date
    kind: str
    family_id: int
    family_name: str
    assistant_name: str
    # the plan's own words (an action, a condition): shown on the page only, never in the feed
    detail: str
    # stable across fetches while the deadline stands: the calendar event's UID
    key: str
    # a contact the assistant planned (True), or one reckoned from the last contact (False)
    planned: bool = True

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]


def _scope(user: User, assistant_id: int | None):
    condition = and_(Family.office_id == user.office_id, Family.active.is_(True), Family.anonymised_at.is_(None))
    if user.role == ROLE_HEAD:
        return condition if assistant_id is None else and_(condition, Family.assistant_id == assistant_id)
    if user.role == ROLE_ASSISTANT:
        return and_(condition, Family.assistant_id == user.id)
    return and_(condition, False)


def _assessments(session: Session, user: User, start: dt.date, end: dt.date, assistant_id: int | None) -> list[Event]:
    result = session.execute(
        select(Family.id, Family.family_name, func.coalesce(User.full_name, ""), Family.assessment_due)
        .outerjoin(User, User.id == Family.assistant_id)
        .where(_scope(user, assistant_id), Family.assessment_due >= start, Family.assessment_due <= end))
    return [Event(due, ASSESSMENT, family_id, name, assistant, "", f"{ASSESSMENT}-{family_id}-{due.isoformat()}")
            for family_id, name, assistant, due in result]


def _latest_plans(session: Session, user: User, assistant_id: int | None) -> list[Any]:
    """The latest generated plan of each family in scope. The families are looked up first: an
    assistant has 15, and the plans are then found through their family's index."""
    families = {row[0]: (row[1], row[2]) for row in session.execute(
        select(Family.id, Family.family_name, func.coalesce(User.full_name, ""))
        .outerjoin(User, User.id == Family.assistant_id).where(_scope(user, assistant_id)))}
    if not families:
        return []
    plans = session.execute(
        select(Document.id, Document.family_id, Document.deadlines, Document.document_date, Document.updated_at)
        .where(Document.family_id.in_(select(Family.id).where(_scope(user, assistant_id))),
               Document.doc_type.in_(PLAN_TYPES), Document.version > 0)
    ).all()
    latest: dict[int, Any] = {}
    for plan in plans:
        current = latest.get(plan.family_id)
        if current is None or (plan.document_date or dt.date.min, plan.updated_at) > \
                (current.document_date or dt.date.min, current.updated_at):
            latest[plan.family_id] = plan
    return [(plan, *families[family_id]) for family_id, plan in latest.items()]


def _plan_deadlines(session: Session, user: User, start: dt.date, end: dt.date,
                    assistant_id: int | None) -> list[Event]:
    events = []
    first, last = start.isoformat(), end.isoformat()
    for plan, family_name, assistant_name in _latest_plans(session, user, assistant_id):
        for row in plan.deadlines or []:
            if first <= row["day"] <= last:
                events.append(Event(dt.date.fromisoformat(row["day"]), PLAN_DEADLINE, plan.family_id, family_name,
                                    assistant_name, row["text"], f"{PLAN_DEADLINE}-{plan.id}-{row['key']}"))
    return events


def _monitoring(session: Session, user: User, start: dt.date, end: dt.date, today: dt.date,
                assistant_id: int | None) -> list[Event]:
    if user.role not in (ROLE_HEAD, ROLE_ASSISTANT):
        return []
    events = []
    for family in monitored(session, user, today, assistant_id=assistant_id)[0]:
        days = set(family.contacts)
        base = (family.family_id, family.family_name, family.assistant_name, "")
        for day in sorted(days):
            if start <= day <= end:
                events.append(Event(day, CONTACT, *base, f"{CONTACT}-{family.family_id}-{day.isoformat()}"))
        following = family.next_contact
        if following is not None and not following.planned and start <= following.due <= end:
            events.append(Event(following.due, CONTACT, *base, f"{CONTACT}-{family.family_id}-{following.due.isoformat()}",
                                planned=False))
        if start <= family.period_to <= end:
            events.append(Event(family.period_to, MONITORING_END, *base,
                                f"{MONITORING_END}-{family.family_id}-{family.period_to.isoformat()}"))
    return events


def overdue_assessments(session: Session, user: User, before: dt.date, assistant_id: int | None = None) -> list[Event]:
    """Assessments due before `before` and not made yet: they stay due until made."""
    return sorted(_assessments(session, user, dt.date.min, before - dt.timedelta(days=1), assistant_id),
                  key=lambda e: (e.day, e.family_name))


def deadlines(session: Session, user: User, start: dt.date, end: dt.date, *, today: dt.date | None = None,
              assistant_id: int | None = None, with_overdue: bool = False) -> list[Event]:
    """Every deadline from `start` to `end` (both included) in the user's scope, by day, then family.
    `assistant_id` narrows a head's office to one assistant's families; `with_overdue` adds the
    assessments due before `start` and still not made."""
    today = today or dt.date.today()
    events = ((overdue_assessments(session, user, start, assistant_id) if with_overdue else [])
              + _assessments(session, user, start, end, assistant_id)
              + _plan_deadlines(session, user, start, end, assistant_id)
              + _monitoring(session, user, start, end, today, assistant_id))
    return sorted(events, key=lambda e: (e.day, e.family_name, e.kind, e.key))
