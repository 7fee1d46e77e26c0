"""Login sessions kept in the database, so that a session can be ended on the server.

The browser's (signed) cookie carries a random token; the `login_session` row keyed by the
token's SHA-256 is what makes it valid. Logging out deletes the row, so a copied cookie stops
working; a password change, a deactivation, an admin's reset or "log out everywhere" delete
all of a user's rows. A database copy holds only hashes, which open nothing.

    token = open_session(session, user, now)      # after a right password
    login = find(session, token)                  # on every request: None once ended
    close_all(session, user)                      # ends every session of the user
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session, joinedload

from .models import LoginSession, User


def _key(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def aware(moment: dt.datetime) -> dt.datetime:
    """SQLite gives stored UTC times back without their zone."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.timezone.utc)


def open_session(session: Session, user: User, now: dt.datetime, *, forget_before: dt.datetime | None = None) -> str:
    """A new session of `user`; returns the token for the cookie. Sessions started before
    `forget_before` (past any lifetime) are deleted on the way."""
    if forget_before is not None:
        session.execute(delete(LoginSession).where(LoginSession.created_at < forget_before))
    token = secrets.token_urlsafe(32)
    session.add(LoginSession(id=_key(token), user_id=user.id, created_at=now))
    session.flush()
    return token


# every request runs it: its user comes with the office (the idle-session check and most pages
# read it); built once, since building a statement costs about as much as running it
_FIND = (select(LoginSession).options(joinedload(LoginSession.user).joinedload(User.office))
         .where(LoginSession.id == bindparam("key")))


def find(session: Session, token: str | None) -> LoginSession | None:
    """The live session of this token, with its user and the user's office (one query), or None."""
    if not token or not isinstance(token, str):
        return None
    return session.scalars(_FIND, {"key": _key(token)}).first()


def close(session: Session, token: str | None) -> None:
    if token and isinstance(token, str):
        session.execute(delete(LoginSession).where(LoginSession.id == _key(token)))


def close_all(session: Session, user: User) -> int:
    """Ends every session of the user, wherever it was opened; returns how many there were."""
    return session.execute(delete(LoginSession).where(LoginSession.user_id == user.id)).rowcount or 0
