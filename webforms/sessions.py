"""Who is logged in: Flask-Login over the server-side sessions of docgen/store/sessions.py.

A request is logged in only while its session's row exists, its account is active and it
began less than SESSION_HOURS ago (12 by default): busy or not, a session then ends, so a
stolen cookie cannot be kept alive by using it. The idle limit (the office's setting) is
checked in webforms/security.py.
"""
from __future__ import annotations

import datetime as dt
import time

from flask import current_app, flash, g, redirect, request, session
from flask_login import LoginManager, login_url, login_user, logout_user

from docgen.store import sessions as stored
from docgen.store.models import User

from . import db

TOKEN = "sid"
REVOKED = ("Sesja została zakończona (wylogowanie, zmiana hasła albo zmiana konta przez administratora). "
           "Zaloguj się ponownie.")
EXPIRED = "Sesja wygasła po {hours} godzinach od zalogowania. Zaloguj się ponownie."


def now() -> dt.datetime:
    return dt.datetime.fromtimestamp(time.time(), dt.timezone.utc)


def _lifetime() -> dt.timedelta:
    return dt.timedelta(hours=current_app.config["SESSION_HOURS"])


def log_in(user: User) -> None:
    """A new session for this browser: the old cookie's content (and token) is dropped first."""
    session.clear()
    moment = now()
    token = stored.open_session(db.session(), user, moment, forget_before=moment - _lifetime())
    login_user(user)
    session[TOKEN] = token


def log_out() -> None:
    """Ends this browser's session on the server too, so a copy of its cookie opens nothing."""
    stored.close(db.session(), session.get(TOKEN))
    logout_user()
    session.clear()


def end_everywhere(user: User) -> None:
    """Every session of the user ends at its next request (the caller commits)."""
    stored.close_all(db.session(), user)


def _load_user(user_id: str) -> User | None:
    login = stored.find(db.session(), session.get(TOKEN))
    if login is None or str(login.user_id) != user_id:
        g.session_ended = REVOKED
    elif now() - stored.aware(login.created_at) > _lifetime():
        g.session_ended = EXPIRED.format(hours=current_app.config["SESSION_HOURS"])
    elif not login.user.active:
        g.session_ended = REVOKED
    else:
        return login.user
    session.clear()
    return None


def _unauthorized():
    flash(g.pop("session_ended", None) or "Zaloguj się, aby zobaczyć tę stronę.", "info")
    return redirect(login_url("auth.login", next_url=request.url))


def install(login_manager: LoginManager) -> None:
    login_manager.user_loader(_load_user)
    login_manager.unauthorized_handler(_unauthorized)
