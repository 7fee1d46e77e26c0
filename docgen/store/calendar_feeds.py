"""A user's secret calendar address (an .ics feed): made, found by its token, revoked.

The token is shown once, when made; the database keeps only its SHA-256, so a copy of the
database does not give the feeds away. A 256-bit random token needs no slow hash. Making a
new address replaces the old one, which stops working at once.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .models import CalendarFeed, User


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def feed_of(session: Session, user: User) -> CalendarFeed | None:
    return session.scalars(select(CalendarFeed).where(CalendarFeed.user_id == user.id)).one_or_none()


def create_feed(session: Session, user: User) -> str:
    """A new secret token for the user's feed (the old one, if any, stops working). The caller commits.

    One row per user (a unique user_id): the row is updated, or inserted when there is none. Two
    requests at once (a double click) both succeed: the one whose insert loses to the other's
    updates the row the other made, so the token of the later commit is the one that works."""
    token = secrets.token_urlsafe(32)
    values = {"token_hash": token_hash(token), "created_at": dt.datetime.now(dt.timezone.utc), "last_used_at": None}
    replace = update(CalendarFeed).where(CalendarFeed.user_id == user.id).values(**values)
    if session.execute(replace).rowcount == 0:
        try:
            with session.begin_nested():
                session.add(CalendarFeed(user_id=user.id, **values))
        except IntegrityError:
            session.execute(replace)
    session.expire_all()
    return token


def revoke_feed(session: Session, user: User) -> bool:
    """True when there was a feed to revoke. The caller commits."""
    feed = feed_of(session, user)
    if feed is None:
        return False
    session.delete(feed)
    session.flush()
    return True


def user_of_token(session: Session, token: str) -> User | None:
    """The active user whose feed has this token; notes when it was last read. The caller commits."""
    if not token or len(token) > 100:
        return None
    feed = session.scalars(select(CalendarFeed).where(CalendarFeed.token_hash == token_hash(token))).one_or_none()
    if feed is None or not feed.user.active:
        return None
    feed.last_used_at = dt.datetime.now(dt.timezone.utc)
    return feed.user
