"""The head's side of the two-person rule (docgen/store/approvals.py): account changes the admin
asked for, to confirm or refuse, and those decided before (including what the admin confirmed
alone with the second factor). Only heads get here; anyone else gets 404."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_login import current_user

from docgen.store import approvals, audit
from docgen.store.models import ROLE_HEAD

from .. import db
from ..audit import log

bp = Blueprint("accounts", __name__, url_prefix="/zmiany-kont")


@bp.before_request
def heads_only():
    if not current_user.is_authenticated or current_user.role != ROLE_HEAD:
        abort(404)


@bp.get("/")
def index():
    session = db.session()
    waiting = approvals.pending(session, current_user.office_id)
    mine = {change.id for change in waiting if current_user in approvals.confirmers(session, change)}
    return render_template("accounts/changes.html", waiting=waiting, mine=mine,
                           history=approvals.history(session, current_user.office_id),
                           kinds=approvals.KIND_LABELS, statuses=approvals.STATUS_LABELS)


def _decide(change_id: int, decide, action: str, done: str):
    change = g.account_change
    try:
        decided = decide(db.session(), change, current_user._get_current_object())
    except approvals.NotAllowed as refusal:
        db.session().rollback()
        flash(str(refusal), "error")
        return redirect(url_for("accounts.index"))
    if not decided:
        db.session().rollback()
        flash("Ta zmiana została już rozstrzygnięta.", "info")
        return redirect(url_for("accounts.index"))
    log(action, object_type="user", object_id=change.user_id, detail=f"zmiana {change.id}: {change.kind}")
    db.session().commit()
    flash(f"{done}: {approvals.KIND_LABELS[change.kind]} ({change.user.username}).", "success")
    return redirect(url_for("accounts.index"))


@bp.post("/<int:change_id>/potwierdz")
def confirm(change_id: int):
    return _decide(change_id, approvals.confirm, audit.CONFIRM, "Potwierdzono")


@bp.post("/<int:change_id>/odrzuc")
def refuse(change_id: int):
    return _decide(change_id, approvals.refuse, audit.REFUSE, "Odrzucono")
