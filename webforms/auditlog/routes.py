"""The audit trail for the head of the centre, per family and per user. Read-only."""
from __future__ import annotations

from flask import Blueprint, abort, g, render_template
from flask_login import current_user
from sqlalchemy import select

from docgen.store.audit import entries_for_family, entries_for_user
from docgen.store.models import ROLES, User

from .. import db

bp = Blueprint("auditlog", __name__, url_prefix="/dziennik")


@bp.before_request
def head_only():
    if current_user.is_authenticated and current_user.role != "kierownik":
        abort(404)


@bp.get("/")
def index():
    users = db.session().scalars(select(User).where(User.office_id == current_user.office_id)
                                 .order_by(User.full_name)).all()
    return render_template("auditlog/index.html", users=users, roles=ROLES)


@bp.get("/rodzina/<int:family_id>")
def family(family_id: int):
    entries = entries_for_family(db.session(), current_user.office_id, family_id)
    return render_template("auditlog/entries.html", entries=entries, title=f"Rodzina {g.family.family_name}")


@bp.get("/uzytkownik/<int:user_id>")
def user(user_id: int):
    entries = entries_for_user(db.session(), current_user.office_id, user_id)
    return render_template("auditlog/entries.html", entries=entries, title=f"Użytkownik {g.account.full_name}")
