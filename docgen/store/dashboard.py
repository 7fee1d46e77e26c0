"""What needs attention: caseloads, drafts, assessment deadlines, foster care without a coordinated plan
and families in monitoring.

An assistant sees their own families; the head of the centre sees every family of
the office. A periodic assessment is due 6 months (art. 15 ust. 1) after the last
generated assessment, or after the assignment of the assistant when there is none
yet: `Family.assessment_due`, which the models keep from those stored dates. Every
query is bounded and indexed, so the page stays fast with tens of thousands of
families in the database.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session

from .models import ROLE_ASSISTANT, ROLE_HEAD, STATUS_DRAFT, Document, Family, Person, User
from .monitoring import monitored

DUE_SOON_DAYS = 30
LIST_LIMIT = 50


@dataclass(frozen=True)
class Caseload:
    assistant_id: int
    assistant_name: str
    families: int
    limit: int


@dataclass(frozen=True)
class Deadline:
    family_id: int
    family_name: str
    assistant_name: str
    due: dt.date

    def days_left(self, today: dt.date) -> int:
        return (self.due - today).days


@dataclass(frozen=True)
class Draft:
    document_id: int
    family_id: int
    family_name: str
    doc_type: str
    updated_at: dt.datetime
    # False once work with the family ended: its drafts stay on the dashboard until finished or deleted
    family_active: bool = True


@dataclass(frozen=True)
class FamilyRef:
    family_id: int
    family_name: str
    assistant_name: str


@dataclass
class Listing:
    """A list cut at LIST_LIMIT entries, with the full count."""

    items: list = field(default_factory=list)
    total: int = 0


@dataclass
class Dashboard:
    today: dt.date
    caseloads: list[Caseload]
    overdue: Listing
    due_soon: Listing
    drafts: Listing
    foster_without_plan: Listing
    # active families whose assessment deadline cannot be computed: no assignment date yet
    undated: Listing
    # an assistant's own families with the next assessment's due date
    families: list[tuple[int, str, dt.date | None]]
    # families in the monitoring period after work ended, with the next contact due
    monitoring: Listing = field(default_factory=Listing)


def _scope(user: User, *, active_only: bool = True):
    """The families a user's dashboard covers (with `active_only=False` also those whose work ended)."""
    condition = and_(Family.office_id == user.office_id, Family.anonymised_at.is_(None))
    if active_only:
        condition = and_(condition, Family.active.is_(True))
    if user.role == ROLE_HEAD:
        return condition
    return and_(condition, Family.assistant_id == user.id)


def caseloads(session: Session, user: User) -> list[Caseload]:
    limit = user.office.caseload_limit
    counted = (select(Family.assistant_id, func.count(Family.id).label("families"))
               .where(Family.office_id == user.office_id, Family.active.is_(True))
               .group_by(Family.assistant_id))
    if user.role != ROLE_HEAD:
        counted = counted.where(Family.assistant_id == user.id)
    counted = counted.subquery()
    query = (select(User.id, User.full_name, func.coalesce(counted.c.families, 0))
             .outerjoin(counted, counted.c.assistant_id == User.id)
             .where(User.office_id == user.office_id, User.role == ROLE_ASSISTANT, User.active.is_(True))
             .order_by(User.full_name))
    if user.role != ROLE_HEAD:
        query = query.where(User.id == user.id)
    return [Caseload(row[0], row[1], row[2], limit) for row in session.execute(query)]


def _assistant_name():
    return func.coalesce(User.full_name, "")


def _deadlines(session: Session, user: User, *condition, limit: int | None = LIST_LIMIT) -> Listing:
    """Families in scope whose due date meets `condition`, soonest first, counted in full."""
    where = and_(_scope(user), *condition)
    total = session.scalar(select(func.count(Family.id)).where(where))
    rows = session.execute(
        select(Family.id, Family.family_name, _assistant_name(), Family.assessment_due)
        .outerjoin(User, User.id == Family.assistant_id).where(where)
        .order_by(Family.assessment_due, Family.family_name).limit(limit))
    return Listing([Deadline(*row) for row in rows], total or 0)


def assessment_deadlines(session: Session, user: User, today: dt.date) -> tuple[Listing, Listing]:
    """(overdue, due within 30 days)."""
    horizon = today + dt.timedelta(days=DUE_SOON_DAYS)
    return (_deadlines(session, user, Family.assessment_due < today),
            _deadlines(session, user, Family.assessment_due >= today, Family.assessment_due <= horizon))


def own_families(session: Session, user: User) -> list[tuple[int, str, dt.date | None]]:
    """An assistant's active families (at most the caseload limit) with their next assessment's due date."""
    return [tuple(row) for row in session.execute(
        select(Family.id, Family.family_name, Family.assessment_due).where(_scope(user))
        .order_by(Family.family_name).limit(LIST_LIMIT))]



def drafts(session: Session, user: User) -> Listing:
    """Every draft in scope, also of families whose work ended (a closing report is often finished after)."""
    condition = and_(Document.status == STATUS_DRAFT, _scope(user, active_only=False))
    if user.role == ROLE_HEAD:
        # the office's drafts through their index; an assistant's through their families (by the
        # assistant's index: a document is always of its family's office, so nothing else is needed)
        condition = and_(condition, Document.office_id == user.office_id)
    base = select(Document.id).join(Family, Family.id == Document.family_id).where(condition)
    total = session.scalar(select(func.count()).select_from(base.subquery()))
    rows = session.execute(
        select(Document.id, Family.id, Family.family_name, Document.doc_type, Document.updated_at, Family.active)
        .join(Family, Family.id == Document.family_id).where(condition)
        .order_by(Document.updated_at.desc()).limit(LIST_LIMIT))
    return Listing([Draft(*row) for row in rows], total or 0)


def _families(session: Session, user: User, condition) -> Listing:
    where = and_(_scope(user), condition)
    total = session.scalar(select(func.count(Family.id)).where(where))
    rows = session.execute(
        select(Family.id, Family.family_name, _assistant_name())
        .outerjoin(User, User.id == Family.assistant_id).where(where)
        .order_by(Family.family_name).limit(LIST_LIMIT))
    return Listing([FamilyRef(*row) for row in rows], total or 0)


def foster_without_plan(session: Session, user: User) -> Listing:
    """art. 15 ust. 1 pkt 2: a child in foster care and no generated coordinated plan."""
    in_care = Family.id.in_(select(Person.family_id).where(Person.foster_care.is_(True)))
    planned = exists().where(Document.family_id == Family.id, Document.doc_type == "coordinated_plan",
                             Document.version > 0)
    return _families(session, user, and_(in_care, ~planned))


def undated(session: Session, user: User) -> Listing:
    """Active families whose first assessment cannot be dated: no assignment date yet."""
    return _families(session, user, Family.assessment_due.is_(None))


def dashboard(session: Session, user: User, today: dt.date | None = None) -> Dashboard:
    today = today or dt.date.today()
    overdue, soon = assessment_deadlines(session, user, today)
    return Dashboard(today=today, caseloads=caseloads(session, user), overdue=overdue, due_soon=soon,
                     drafts=drafts(session, user), foster_without_plan=foster_without_plan(session, user),
                     undated=undated(session, user),
                     families=own_families(session, user) if user.role == ROLE_ASSISTANT else [],
                     monitoring=Listing(*monitored(session, user, today, limit=LIST_LIMIT)))
