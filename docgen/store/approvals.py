"""The two-person rule for the head's access. The administrator manages accounts but must not see
family data; a head (kierownik) sees every family of the office. So whatever would give an
account the head's access, and could be done by the admin alone, waits for a second person:

- a new head account (created switched off),
- making an existing account a head,
- a head's new password (the old one keeps working until then).

Another active head of the office confirms or refuses it. In an office with no other head the
admin confirms it with their second factor (docgen/store/second_factor.py), and every head is
shown the change at their next login. Deciding is one conditional UPDATE of a pending change, so
two people deciding at once cannot both win. The caller writes the audit entries and commits.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from . import second_factor, sessions
from .models import (CHANGE_CANCELLED, CHANGE_CONFIRMED, CHANGE_PENDING, CHANGE_REFUSED, ROLE_ADMIN, ROLE_HEAD,
                     AccountChange, User)

NEW_HEAD = "new_head"
PROMOTION = "promotion"
PASSWORD = "password"
KIND_LABELS = {NEW_HEAD: "nowe konto kierownika", PROMOTION: "nadanie roli kierownika",
               PASSWORD: "nowe hasło kierownika"}
STATUS_LABELS = {CHANGE_PENDING: "czeka na potwierdzenie", CHANGE_CONFIRMED: "potwierdzona",
                 CHANGE_REFUSED: "odrzucona", CHANGE_CANCELLED: "wycofana przez administratora"}


class NotAllowed(ValueError):
    """A decision this user may not take; the message is Polish."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def request(session: Session, admin: User, account: User, kind: str, *, password_hash: str | None = None
            ) -> AccountChange:
    """The admin's change, waiting. An earlier pending change of the same kind for the account is withdrawn."""
    if kind not in KIND_LABELS:
        raise ValueError(f"Nieznany rodzaj zmiany konta: {kind!r}.")
    if admin.role != ROLE_ADMIN or admin.office_id != account.office_id:
        raise NotAllowed("Zmianę konta zleca administrator tego ośrodka.")
    if (kind == PASSWORD) != (password_hash is not None):
        raise ValueError("Nowe hasło należy podać dokładnie przy zmianie hasła.")
    for earlier in session.scalars(select(AccountChange).where(
            AccountChange.user_id == account.id, AccountChange.kind == kind,
            AccountChange.status == CHANGE_PENDING)):
        earlier.status, earlier.password_hash, earlier.decided_at = CHANGE_CANCELLED, None, _now()
    change = AccountChange(office_id=account.office_id, user_id=account.id, kind=kind, password_hash=password_hash,
                           requested_by_id=admin.id, requested_at=_now(), status=CHANGE_PENDING,
                           second_factor=False)
    session.add(change)
    session.flush()
    return change


def pending(session: Session, office_id: int) -> list[AccountChange]:
    return list(session.scalars(select(AccountChange).where(
        AccountChange.office_id == office_id, AccountChange.status == CHANGE_PENDING).order_by(AccountChange.id)))


def pending_for(session: Session, account: User) -> list[AccountChange]:
    return [change for change in pending(session, account.office_id) if change.user_id == account.id]


def history(session: Session, office_id: int, limit: int = 50) -> list[AccountChange]:
    return list(session.scalars(select(AccountChange).where(
        AccountChange.office_id == office_id, AccountChange.status != CHANGE_PENDING)
        .order_by(AccountChange.decided_at.desc(), AccountChange.id.desc()).limit(limit)))


def confirmers(session: Session, change: AccountChange) -> list[User]:
    """The heads who may confirm: active heads of the office, other than the account changed."""
    return list(session.scalars(select(User).where(
        User.office_id == change.office_id, User.role == ROLE_HEAD, User.active.is_(True),
        User.id != change.user_id).order_by(User.id)))


def _decide(session: Session, change: AccountChange, user: User, status: str, *, by_second_factor: bool = False
            ) -> bool:
    """Moves a pending change to `status`; False when someone else decided it first."""
    moment = _now()
    won = session.execute(
        update(AccountChange).where(AccountChange.id == change.id, AccountChange.status == CHANGE_PENDING)
        .values(status=status, decided_by_id=user.id, decided_at=moment, second_factor=by_second_factor,
                password_hash=None if status != CHANGE_CONFIRMED else AccountChange.password_hash)
        .execution_options(synchronize_session=False)).rowcount
    session.refresh(change)
    return bool(won)


def _apply(session: Session, change: AccountChange) -> None:
    account = change.user
    if change.kind == NEW_HEAD:
        account.role, account.active = ROLE_HEAD, True
    elif change.kind == PROMOTION:
        account.role = ROLE_HEAD
    elif change.kind == PASSWORD:
        account.password_hash = change.password_hash
    change.password_hash = None
    # whatever the account could open before, it opens again only with a new login
    sessions.close_all(session, account)
    session.flush()


def confirm(session: Session, change: AccountChange, head: User) -> bool:
    """A head confirms. NotAllowed when this user may not; False when it was decided already."""
    if head not in confirmers(session, change) or head.office_id != change.office_id:
        raise NotAllowed("Zmianę konta potwierdza inny aktywny kierownik tego ośrodka.")
    if not _decide(session, change, head, CHANGE_CONFIRMED):
        return False
    _apply(session, change)
    return True


def refuse(session: Session, change: AccountChange, head: User) -> bool:
    if head not in confirmers(session, change):
        raise NotAllowed("Zmianę konta może odrzucić inny aktywny kierownik tego ośrodka.")
    return _decide(session, change, head, CHANGE_REFUSED)


def cancel(session: Session, change: AccountChange, admin: User) -> bool:
    if admin.role != ROLE_ADMIN or admin.office_id != change.office_id:
        raise NotAllowed("Zmianę konta może wycofać administrator tego ośrodka.")
    return _decide(session, change, admin, CHANGE_CANCELLED)


def confirm_with_second_factor(session: Session, change: AccountChange, admin: User, code: str,
                               now: dt.datetime) -> bool:
    """The admin alone, where no other head can: with a current code of their second factor.
    NotAllowed when a head could confirm; ValueError when the code is wrong or used."""
    if admin.role != ROLE_ADMIN or admin.office_id != change.office_id:
        raise NotAllowed("Kodem z aplikacji potwierdza administrator tego ośrodka.")
    if confirmers(session, change):
        raise NotAllowed("W ośrodku jest aktywny kierownik: to on potwierdza tę zmianę (strona „Zmiany kont”). "
                         "Kod z aplikacji wystarcza tylko tam, gdzie nie ma innego kierownika.")
    second_factor.verify(session, admin, code, now)
    if not _decide(session, change, admin, CHANGE_CONFIRMED, by_second_factor=True):
        return False
    _apply(session, change)
    return True


def notices_for(session: Session, head: User, since: dt.datetime | None) -> list[AccountChange]:
    """What the admin confirmed alone in the head's office after `since` (all of it when None)."""
    query = select(AccountChange).where(AccountChange.office_id == head.office_id,
                                        AccountChange.second_factor.is_(True),
                                        AccountChange.status == CHANGE_CONFIRMED)
    if since is not None:
        query = query.where(AccountChange.decided_at > since)
    return list(session.scalars(query.order_by(AccountChange.decided_at)))
