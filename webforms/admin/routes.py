"""Administration of one office: its user accounts, its settings and its Word templates (office_templates.py).

Only the office's administrator gets here; anyone else gets 404, as for any page they may not
see. The administrator manages accounts and settings and sees no family data: nothing here
reads families beyond counting an assistant's cases when a change would leave them without one.
"""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select

from docgen.store.models import ROLE_ADMIN, ROLE_ASSISTANT, ROLE_HEAD, ROLES, Family, User
from docgen.store.users import MIN_PASSWORD_LENGTH, check_password_strength, create_user, hash_password, set_password

from docgen.store import approvals, audit

from .. import db, sessions
from ..audit import log
from .forms import OfficeForm, UserCreateForm, UserEditForm

bp = Blueprint("admin", __name__, url_prefix="/admin")

OFFICE_FIELDS = ("name", "address", "city", "phone", "email", "case_prefix", "jrwa_symbol", "caseload_limit",
                 "session_timeout_minutes", "retention_years")


@bp.before_request
def admins_only():
    # the app's login check runs first, so current_user is a logged-in user here
    if not current_user.is_authenticated or current_user.role != ROLE_ADMIN:
        abort(404)


@bp.context_processor
def _helpers():
    return {"role_names": ROLES, "min_length": MIN_PASSWORD_LENGTH, "year": dt.date.today().year,
            "change_labels": approvals.KIND_LABELS}


def _active_cases(user: User) -> int:
    return db.session().scalar(
        select(func.count(Family.id)).where(Family.assistant_id == user.id, Family.active.is_(True))) or 0


@bp.get("/")
def index():
    return redirect(url_for("admin.users"))


@bp.get("/uzytkownicy")
def users():
    accounts = db.session().scalars(
        select(User).where(User.office_id == current_user.office_id)
        .order_by(User.active.desc(), func.lower(User.full_name), User.username)).all()
    return render_template("admin/users.html", accounts=accounts,
                           waiting=approvals.pending(db.session(), current_user.office_id))


@bp.route("/uzytkownicy/nowy", methods=["GET", "POST"])
def create():
    form = UserCreateForm()
    if form.validate_on_submit():
        try:
            check_password_strength(form.password.data, form.username.data)
        except ValueError as error:
            form.password.errors.append(str(error))
        else:
            try:
                user = create_user(db.session(), current_user.office, form.username.data, form.full_name.data,
                                   form.role.data, form.password.data)
            except ValueError as error:  # the login is taken (in any office: logins are global)
                db.session().rollback()
                form.username.errors.append(str(error))
            else:
                log(audit.CREATE, object_type="user", object_id=user.id, detail=f"rola: {user.role}")
                if user.role == ROLE_HEAD:
                    # a head sees every family: the account waits, switched off, for a second person
                    user.active = False
                    change = _request(user, approvals.NEW_HEAD)
                    db.session().commit()
                    flash(f"Utworzono konto {user.username} ({ROLES[user.role]}), na razie wyłączone.", "success")
                    return _after_request(change)
                db.session().commit()
                flash(f"Utworzono konto {user.username} ({ROLES[user.role]}). Przekaż hasło początkowe "
                      "osobiście; użytkownik zmieni je po zalogowaniu w „Zmień hasło”.", "success")
                return redirect(url_for("admin.users"))
    return render_template("admin/user_new.html", form=form)


def _request(account: User, kind: str, password_hash: str | None = None):
    change = approvals.request(db.session(), current_user, account, kind, password_hash=password_hash)
    log(audit.REQUEST, object_type="user", object_id=account.id, detail=f"zmiana {change.id}: {change.kind}")
    return change


def _after_request(change):
    """Where the admin goes next: told whom to ask, or to the code form when there is nobody."""
    heads = approvals.confirmers(db.session(), change)
    label = approvals.KIND_LABELS[change.kind]
    if heads:
        names = ", ".join(head.full_name for head in heads)
        flash(f"Zmiana „{label}” ({change.user.username}) zacznie działać, gdy potwierdzi ją kierownik ośrodka "
              f"({names}) na stronie „Zmiany kont”. Poproś go o to.", "info")
        return redirect(url_for("admin.users"))
    flash(f"W ośrodku nie ma innego aktywnego kierownika, więc zmianę „{label}” ({change.user.username}) "
          "potwierdzasz sam kodem z aplikacji uwierzytelniającej. Kierownicy zobaczą ją przy najbliższym logowaniu.",
          "info")
    return redirect(url_for("admin.change", change_id=change.id))


@bp.route("/uzytkownicy/<int:user_id>", methods=["GET", "POST"])
def edit(user_id: int):
    account = g.account  # webforms/access.py: an account of the admin's own office, or 404
    is_self = account.id == current_user.id
    form = UserEditForm(obj=account)
    waiting = approvals.pending_for(db.session(), account)
    new_head_waiting = any(change.kind == approvals.NEW_HEAD for change in waiting)
    if form.validate_on_submit():
        if new_head_waiting and form.active.data and not account.active:
            form.active.errors.append("Konto nowego kierownika zostanie włączone, gdy zmianę potwierdzi kierownik "
                                      "ośrodka (albo Ty kodem z aplikacji, gdy nie ma innego kierownika).")
        if new_head_waiting and form.role.data != account.role:
            form.role.errors.append("To konto czeka na potwierdzenie jako konto kierownika. Aby nadać inną rolę, "
                                    "najpierw wycofaj tę zmianę.")
        if is_self and form.role.data != ROLE_ADMIN:
            form.role.errors.append("Nie możesz odebrać sobie roli administratora. Poproś o to innego administratora.")
        if is_self and not form.active.data:
            form.active.errors.append("Nie możesz wyłączyć własnego konta.")
        if form.new_password.data:
            if is_self:
                form.new_password.errors.append("Własne hasło zmienisz na stronie „Zmień hasło” (z obecnym hasłem).")
            else:
                try:
                    check_password_strength(form.new_password.data, account.username)
                except ValueError as error:
                    form.new_password.errors.append(str(error))
        if not any(field.errors for field in form):
            cases = _active_cases(account) if account.role == ROLE_ASSISTANT else 0
            losing_cases = cases and (form.role.data != ROLE_ASSISTANT or not form.active.data)
            # becoming a head, or a head's new password, waits for a second person (docgen/store/approvals.py)
            promotion = form.role.data == ROLE_HEAD and account.role != ROLE_HEAD
            password_waits = bool(form.new_password.data) and (account.role == ROLE_HEAD or promotion)
            account.full_name = form.full_name.data
            if not promotion:
                account.role = form.role.data
            account.active = form.active.data
            if form.new_password.data and not password_waits:
                set_password(account, form.new_password.data)
            if (form.new_password.data and not password_waits) or not account.active:
                sessions.end_everywhere(account)  # a copy of its cookie opens nothing from now on
            log(audit.UPDATE, object_type="user", object_id=account.id,
                detail=f"rola: {account.role}, aktywne: {'tak' if account.active else 'nie'}"
                       + (", nowe hasło" if form.new_password.data and not password_waits else ""))
            requested = []
            if promotion:
                requested.append(_request(account, approvals.PROMOTION))
            if password_waits:
                requested.append(_request(account, approvals.PASSWORD,
                                        hash_password(form.new_password.data, account.username)))
            db.session().commit()
            if requested:
                flash(f"Zapisano zmiany konta {account.username}; część czeka na potwierdzenie.", "success")
                return _after_request(requested[-1])
            flash(f"Zapisano zmiany konta {account.username}"
                  + (" i ustawiono nowe hasło." if form.new_password.data else "."), "success")
            if losing_cases:
                flash(f"{account.full_name} ma przydzielone rodziny ({cases}). Kierownik powinien przekazać je "
                      "innemu asystentowi.", "info")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_edit.html", form=form, account=account, is_self=is_self, waiting=waiting)


@bp.route("/osrodek", methods=["GET", "POST"])
def office():
    office = current_user.office
    form = OfficeForm(obj=office)
    if not form.is_submitted():
        form.show_own_cases(office.own_case_types)
    if form.validate_on_submit():
        for name in OFFICE_FIELDS:
            setattr(office, name, form[name].data if form[name].data is not None else "")
        office.own_case_types = form.own_case_types()
        log(audit.UPDATE, object_type="office", object_id=office.id, detail="ustawienia ośrodka")
        db.session().commit()
        flash("Zapisano ustawienia ośrodka.", "success")
        return redirect(url_for("admin.office"))
    return render_template("admin/office.html", form=form, office=office)


from . import changes, office_templates  # noqa: E402,F401  (account changes, Word templates: on this blueprint)
