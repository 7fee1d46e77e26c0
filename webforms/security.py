"""Web hardening in one place: headers, login throttling, session expiry, cookie flags."""
from __future__ import annotations

import os
import time

from flask import Flask, flash, g, has_request_context, jsonify, redirect, render_template, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user
from limits import parse_many

from . import db, proxy, sessions

# no inline script or style and no outside hosts: everything comes from this server
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
                           "object-src 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
LAST_SEEN = "last_seen"



def _account() -> str:
    return "konto:" + (request.form.get("username") or "").strip().lower()


def _this_user() -> str:
    return f"uzytkownik:{current_user.get_id()}"


def count_failed_attempt() -> None:
    """Called by a view when a password did not match: only such failures use up the allowance."""
    g.failed_attempt = True


def _failed(_response) -> bool:
    return bool(g.get("failed_attempt"))


def _headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.endpoint != "static":
        # nothing but the stylesheet and scripts is kept by the browser or a proxy: pages and
        # downloads (send_file says no-cache, which still stores a copy on a shared office PC)
        response.headers["Cache-Control"] = "no-store"
    return response


SESSION_STATE = "auth.session_state"  # the pages' question "does my session still live?" (static/session.js)


def _expire_idle_session():
    """Logs out after the office's inactivity limit; the next page asks to log in again."""
    if request.endpoint == "static" or not current_user.is_authenticated or request.path.startswith("/api/"):
        return None  # an API call has no login session (bearer tokens, webforms/api)
    now = time.time()
    limit = current_user.office.session_timeout_minutes * 60
    seen = session.get(LAST_SEEN)
    if seen is not None and now - seen > limit:
        sessions.log_out()
        db.session().commit()
        if request.endpoint == SESSION_STATE:
            return jsonify(alive=False), 401  # the page keeps its form and offers the login in a new tab
        flash("Sesja wygasła z powodu braku aktywności. Zaloguj się ponownie.", "info")
        return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
    # a page's own timer only asks (passive): it must not keep an unattended computer logged in
    if not (request.endpoint == SESSION_STATE and request.args.get("bierne")):
        session[LAST_SEEN] = now
    return None


def _too_many_attempts(_error):
    return render_template(
        "errors/error.html", code=429, title="Zbyt wiele prób logowania",
        text="Ze względów bezpieczeństwa po kilku błędnych hasłach logowanie na to konto albo z tego "
             "komputera jest chwilowo zablokowane. Odczekaj minutę i spróbuj ponownie."), 429


def _limit_setting(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip() or default
    try:
        parse_many(value)
    except ValueError:
        raise SystemExit(f"Ustawienie {name}={value!r}: podaj limit w postaci np. „5 per minute” "
                         "albo „20 per hour”.") from None
    return value


class _SessionInterface(SecureCookieSessionInterface):
    """The session cookie is marked Secure whenever the page came over https."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or (has_request_context() and request.is_secure))


def install(app: Flask) -> None:
    app.config.setdefault("SESSION_COOKIE_SECURE", os.environ.get("DOCGEN_HTTPS") == "1")
    app.session_interface = _SessionInterface()
    proxy.install(app)  # behind nginx or IIS: whose X-Forwarded-* to believe, and by which layer
    # only wrong passwords count, per account (from anywhere) and per address (any account): a
    # guess is slowed down, while 35 colleagues behind one office NAT all log in
    app.config.setdefault("LOGIN_RATE_LIMIT", _limit_setting("DOCGEN_LOGIN_LIMIT", "5 per minute"))
    app.config.setdefault("LOGIN_RATE_LIMIT_PER_ADDRESS",
                          _limit_setting("DOCGEN_LOGIN_LIMIT_PER_ADDRESS", "30 per minute"))
    redis_url = os.environ.get("DOCGEN_REDIS_URL", "").strip()
    if redis_url:  # several processes or machines count together; a Redis away for a while: each counts alone
        app.config.setdefault("RATELIMIT_STORAGE_URI", redis_url)
        app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", {"socket_connect_timeout": 1, "socket_timeout": 1})
        app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
        app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")  # one process; a shared store when configured
    limiter = Limiter(key_func=get_remote_address, app=app, default_limits=[])
    login = app.view_functions["auth.login"]
    login = limiter.limit(lambda: app.config["LOGIN_RATE_LIMIT"], key_func=_account, methods=["POST"],
                          deduct_when=_failed)(login)
    login = limiter.limit(lambda: app.config["LOGIN_RATE_LIMIT_PER_ADDRESS"], methods=["POST"],
                          deduct_when=_failed)(login)
    app.view_functions["auth.login"] = login
    # guessing the current password on the change form is slowed down the same way, per user
    change = app.view_functions["auth.change_password"]
    app.view_functions["auth.change_password"] = limiter.limit(
        lambda: app.config["LOGIN_RATE_LIMIT"], key_func=_this_user, methods=["POST"], deduct_when=_failed)(change)
    app.before_request(_expire_idle_session)
    app.after_request(_headers)
    app.register_error_handler(429, _too_many_attempts)
