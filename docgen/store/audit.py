"""The audit trail (RODO art. 5 ust. 2 and art. 32): who did what with which record, and when.

Entries carry ids, document types and version numbers, never personal data, so they may
outlive the families they mention. They are append-only: the guards below refuse, through
the ORM, any change to or deletion of an entry (see `_refuse_*`). What they cannot stop is
SQL written by hand (`text("DELETE FROM audit_entry")`, Core statements on a Connection,
a database console); that needs database permissions or triggers.

    from docgen.store import audit
    audit.record(session, user=user, action=audit.GENERATE, object_type="document",
                 object_id=document.id, family_id=document.family_id, detail="work_plan v2")
    session.commit()
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Iterable

from sqlalchemy import event, func, select
from sqlalchemy.orm import Mapper, ORMExecuteState, Session

from .models import AuditEntry

VIEW = "view"
CREATE = "create"
UPDATE = "update"
GENERATE = "generate"
DOWNLOAD = "download"
DELETE = "delete"
EXPORT = "export"
ANONYMISE = "anonymise"
CLOSE = "close"
REOPEN = "reopen"
LOGIN = "login"
LOGIN_FAILED = "login_failed"
LOGOUT = "logout"
# the two-person rule for the head's access (docgen/store/approvals.py)
REQUEST = "request"
CONFIRM = "confirm"
REFUSE = "refuse"
CANCEL = "cancel"

ACTIONS = (VIEW, CREATE, UPDATE, GENERATE, DOWNLOAD, DELETE, EXPORT, ANONYMISE, CLOSE, LOGIN, LOGIN_FAILED,
           LOGOUT, REOPEN, REQUEST, CONFIRM, REFUSE, CANCEL)

# who acts when no user does: the `docgen anonymise` command, scheduled jobs
SYSTEM = "system"

APPEND_ONLY = "Dziennik zdarzeń jest tylko do dopisywania."

_USERNAME_MAX = AuditEntry.__table__.c.username.type.length
_DETAIL_MAX = AuditEntry.__table__.c.detail.type.length
_OBJECT_TYPE_MAX = AuditEntry.__table__.c.object_type.type.length
# eleven digits in a row look like a PESEL: refused, whatever they are
_PESEL_LIKE = re.compile(r"\d{11}")


def record(session: Session, *, user: Any, action: str, object_type: str = "", object_id: int | None = None,
           family_id: int | None = None, office_id: int | None = None, detail: str = "",
           username: str = "") -> AuditEntry:
    """Add an entry to the session (the caller commits it, normally with the change it logs).

    `user` is the acting User (or anything with .id, .username and .office_id, such as a login
    library's proxy); None when nobody is logged in (a failed login, a scheduled job), and then
    `username` says who it was (the name typed into the login form, or SYSTEM). The username
    is a snapshot: the entry keeps it after the account is renamed or deleted. `office_id`
    defaults to the user's office. `detail` must not carry personal data: ids, document
    types, version numbers, endpoint names."""
    if action not in ACTIONS:
        raise ValueError(f"Nieznany rodzaj zdarzenia w dzienniku: {action!r}.")
    detail = detail or ""
    if _PESEL_LIKE.search(detail):
        raise ValueError("Opis zdarzenia w dzienniku nie może zawierać danych osobowych (wygląda na numer PESEL).")
    if user is not None:
        user_id = user.id
        name = user.username
        if office_id is None:
            office_id = user.office_id
    else:
        user_id = None
        name = username or ""
    entry = AuditEntry(office_id=office_id, user_id=user_id, username=name[:_USERNAME_MAX], action=action,
                       object_type=(object_type or "")[:_OBJECT_TYPE_MAX], object_id=object_id,
                       family_id=family_id, detail=detail[:_DETAIL_MAX])
    session.add(entry)
    return entry


def entries_for_family(session: Session, office_id: int, family_id: int, limit: int = 500) -> list[AuditEntry]:
    """The family's entries in the office, newest first."""
    return list(session.execute(
        select(AuditEntry).where(AuditEntry.office_id == office_id, AuditEntry.family_id == family_id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    ).scalars())


def entries_for_user(session: Session, office_id: int, user_id: int, limit: int = 500) -> list[AuditEntry]:
    """What the user did in the office, newest first."""
    return list(session.execute(
        select(AuditEntry).where(AuditEntry.office_id == office_id, AuditEntry.user_id == user_id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    ).scalars())


def search(session: Session, office_id: int, *, user_id: int | None = None,
           family_ids: Iterable[int] | None = None, action: str | None = None,
           since: dt.datetime | None = None, before: dt.datetime | None = None,
           limit: int = 50, offset: int = 0) -> tuple[list[AuditEntry], int]:
    """One page of the office's entries, newest first, that meet every filter given, and how many do
    in all. `family_ids` narrows to those families (an empty list finds nothing); `since` is
    included, `before` is not."""
    statement = select(AuditEntry).where(AuditEntry.office_id == office_id)
    if user_id is not None:
        statement = statement.where(AuditEntry.user_id == user_id)
    if family_ids is not None:
        statement = statement.where(AuditEntry.family_id.in_(list(family_ids)))
    if action:
        statement = statement.where(AuditEntry.action == action)
    if since is not None:
        statement = statement.where(AuditEntry.at >= since)
    if before is not None:
        statement = statement.where(AuditEntry.at < before)
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    entries = session.scalars(statement.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                              .limit(limit).offset(offset)).all()
    return list(entries), total


# --- append-only guards -----------------------------------------------------------------
#
# Registered when this module is imported; docgen/store/__init__.py imports it, so any code
# that uses the store has them.

@event.listens_for(AuditEntry, "before_update")
def _refuse_update(_mapper: Mapper, _connection: Any, _target: AuditEntry) -> None:
    raise RuntimeError(APPEND_ONLY)


@event.listens_for(AuditEntry, "before_delete")
def _refuse_delete(_mapper: Mapper, _connection: Any, _target: AuditEntry) -> None:
    raise RuntimeError(APPEND_ONLY)


@event.listens_for(Session, "before_flush")
def _refuse_changed_entries(session: Session, _context: Any, _instances: Any) -> None:
    """Caught before any SQL is sent, so the flush leaves nothing half done."""
    for entry in session.deleted:
        if isinstance(entry, AuditEntry):
            raise RuntimeError(APPEND_ONLY)
    for entry in session.dirty:
        if isinstance(entry, AuditEntry) and session.is_modified(entry, include_collections=False):
            raise RuntimeError(APPEND_ONLY)


def _targets_audit_table(statement: Any) -> bool:
    # update(AuditEntry), delete(AuditEntry), the same on AuditEntry.__table__ or an alias of it
    table = getattr(statement, "table", None)
    return table is not None and table.is_derived_from(AuditEntry.__table__)


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_statements(state: ORMExecuteState) -> None:
    """session.execute(update(AuditEntry)...) and session.execute(delete(AuditEntry)...)."""
    if (state.is_update or state.is_delete) and _targets_audit_table(state.statement):
        raise RuntimeError(APPEND_ONLY)
