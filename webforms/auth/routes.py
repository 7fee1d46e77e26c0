from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import Blueprint, flash, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from docgen.store import approvals, audit
from docgen.store.models import ROLE_HEAD
from docgen.store.users import (MIN_PASSWORD_LENGTH, authenticate, check_password_strength, set_password,
                                verify_password)

from .. import db, sessions
from ..audit import log
from ..display import polish_date
from ..security import LAST_SEEN, count_failed_attempt
from .forms import LoginForm, PasswordChangeForm

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only a path on this site; never an outside address from a crafted link."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(db.session(), form.username.data, form.password.data)
        if user is not None:
            sessions.log_in(user)
            log(audit.LOGIN, object_type="user", object_id=user.id)
            if user.role == ROLE_HEAD:
                _tell_the_head(user)
            user.last_login_at = sessions.now()
            db.session().commit()
            return redirect(_safe_next(request.args.get("next")))
        count_failed_attempt()
        log(audit.LOGIN_FAILED, username=form.username.data.strip()[:80])
        db.session().commit()
        form.password.errors.append("Nieprawidłowy login lub hasło.")
    return render_template("auth/login.html", form=form)


@bp.get("/sesja/stan")
def session_state():
    """For static/session.js: whether this browser's session lives, with a fresh CSRF token for a form
    typed before a new login (the old token belongs to the ended session). 401 once it has ended."""
    if not current_user.is_authenticated:
        return jsonify(alive=False), 401
    limit = current_user.office.session_timeout_minutes * 60
    seen = session.get(LAST_SEEN, time.time())
    return jsonify(alive=True, csrf_token=generate_csrf(), idle_seconds=limit,
                   idle_left_seconds=max(0, round(limit - (time.time() - seen))))


@bp.get("/sesja/wznowiona")
def session_resumed():
    """Where the login opened from an ended session's page leads: back to the form, which is still there."""
    return render_template("auth/resumed.html")


def _tell_the_head(head) -> None:
    """What the admin confirmed alone since the head's last login, and what waits for them."""
    session = db.session()
    for change in approvals.notices_for(session, head, head.last_login_at):
        admin = change.decided_by.full_name if change.decided_by else "administrator"
        flash(f"Uwaga: {admin} sam potwierdził kodem z aplikacji zmianę „{approvals.KIND_LABELS[change.kind]}” "
              f"konta {change.user.username} ({change.user.full_name}), {polish_date(change.decided_at)}, bo nie było "
              "innego kierownika, który mógłby to zrobić. Jeśli o tym nie wiesz, wyjaśnij to od razu.", "error")
    waiting = [change for change in approvals.pending(session, head.office_id)
               if head in approvals.confirmers(session, change)]
    if waiting:
        flash(f"Na Twoje potwierdzenie czekają zmiany kont ({len(waiting)}) zlecone przez administratora: "
              "zobacz „Zmiany kont” u góry strony.", "info")


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        log(audit.LOGOUT, object_type="user", object_id=current_user.id)
    sessions.log_out()
    db.session().commit()
    flash("Wylogowano.", "info")
    return redirect(url_for("auth.login"))


@bp.post("/konto/wyloguj-wszedzie")
def logout_everywhere():
    """Ends every session of the user: this browser and any other (a forgotten office PC, a lost phone)."""
    user = current_user._get_current_object()
    log(audit.LOGOUT, object_type="user", object_id=user.id, detail="ze wszystkich urządzeń")
    sessions.end_everywhere(user)
    sessions.log_out()
    db.session().commit()
    flash("Wylogowano ze wszystkich urządzeń. Zaloguj się ponownie, jeśli chcesz dalej pracować.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/konto/haslo", methods=["GET", "POST"])
def change_password():
    """The logged-in user's own password: the current one first, then the new one twice."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        current_ok = verify_password(user.password_hash, form.current_password.data)
        if not current_ok:
            count_failed_attempt()
            form.current_password.errors.append("Obecne hasło jest nieprawidłowe.")
        # the new password is judged either way, so one attempt shows every problem
        try:
            check_password_strength(form.new_password.data, user.username)
        except ValueError as error:
            form.new_password.errors.append(str(error))
        else:
            if current_ok and form.new_password.data == form.current_password.data:
                form.new_password.errors.append("Nowe hasło musi różnić się od obecnego.")
        if not form.current_password.errors and not form.new_password.errors:
            set_password(user, form.new_password.data)
            log(audit.UPDATE, object_type="user", object_id=user.id, detail="zmiana własnego hasła")
            # whoever held a copy of a session cookie is out; this browser goes on in a new session
            sessions.end_everywhere(user)
            sessions.log_in(user)
            db.session().commit()
            flash("Hasło zostało zmienione. Przy następnym logowaniu użyj nowego hasła. Inne urządzenia, na "
                  "których było otwarte to konto, zostały wylogowane.", "success")
            return redirect(url_for("index"))
    return render_template("auth/password.html", form=form, min_length=MIN_PASSWORD_LENGTH)
