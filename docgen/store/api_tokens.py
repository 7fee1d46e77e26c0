"""Users' API tokens: made (shown once), found by the bearer token, revoked.

A token is "dar_" and 43 random URL-safe characters (256 bits), so a leaked one is recognisable;
the database keeps only its SHA-256 (a token that random needs no slow hash) and its first
characters, to tell a user's tokens apart on the page. The token acts with its user's role and
office; a revoked token, or one of an account switched off, opens nothing.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .models import API_TOKEN_PREFIX, ROLE_ADMIN, ApiToken, User

NAME_MAX = ApiToken.__table__.c.name.type.length
TOKEN_MAX = 100  # anything longer is not one of ours, and is not hashed
# last use is written at most this often per token: a busy system does not write on every call
LAST_USED_STEP = dt.timedelta(minutes=1)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def name_problem(name: str) -> str | None:
    """The Polish reason a token's name is refused, or None."""
    if not name.strip():
        return "Podaj nazwę tokenu, np. nazwę systemu, który będzie go używał."
    if len(name.strip()) > NAME_MAX:
        return f"Nazwa tokenu może mieć najwyżej {NAME_MAX} znaków (ma {len(name.strip())})."
    return None


def create(session: Session, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token of the user: (its row, the token itself, to be shown once). The caller commits.
    Raises ValueError (Polish) for a name `name_problem` refuses."""
    problem = name_problem(name)
    if problem:
        raise ValueError(problem)
    token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken(office_id=user.office_id, user_id=user.id, name=" ".join(name.split()),
                      token_hash=token_hash(token), token_start=token[:10], created_at=_now())
    session.add(record)
    session.flush()
    return record, token


def of_user(session: Session, user: User) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(),
                                          ApiToken.id.desc())))


def of_office(session: Session, office_id: int) -> list[ApiToken]:
    """Every token of the office's people (for its admin)."""
    return list(session.scalars(select(ApiToken).where(ApiToken.office_id == office_id)
                                .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(),
                                          ApiToken.id.desc())))


def may_revoke(user: User, record: ApiToken | None) -> bool:
    """A user revokes their own tokens; the office's admin anyone's of the office."""
    if record is None or record.office_id != user.office_id:
        return False
    return record.user_id == user.id or user.role == ROLE_ADMIN


def revoke(session: Session, record: ApiToken, by: User) -> bool:
    """True when the token was still working. Two revokes at once: one of them does it."""
    done = session.execute(update(ApiToken).where(ApiToken.id == record.id, ApiToken.revoked_at.is_(None))
                           .values(revoked_at=_now(), revoked_by_id=by.id)).rowcount
    session.refresh(record)
    return bool(done)


def user_of_token(session: Session, token: str) -> tuple[User, ApiToken] | None:
    """The active user of this working token, and the token; notes its last use. The caller commits."""
    if not token or len(token) > TOKEN_MAX or not token.startswith(API_TOKEN_PREFIX):
        return None
    record = session.scalars(select(ApiToken).where(ApiToken.token_hash == token_hash(token))).one_or_none()
    if record is None or record.revoked_at is not None or not record.user.active:
        return None
    now = _now()
    last = record.last_used_at
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=dt.timezone.utc)
    if last is None or now - last >= LAST_USED_STEP:
        record.last_used_at = now
    return record.user, record
