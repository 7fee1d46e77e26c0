"""The admin's side of the two-person rule (docgen/store/approvals.py): a waiting account change,
withdrawing it, confirming it with the second factor where no other head can, and enrolling
that second factor (TOTP from an authenticator app)."""
from __future__ import annotations

import segno
from flask import flash, g, redirect, render_template, session, url_for
from flask_login import current_user
from wtforms import StringField
from wtforms.validators import InputRequired

from docgen.store import approvals, audit, second_factor
from docgen.store.models import CHANGE_PENDING

from .. import db, sessions
from ..audit import log
from .forms import PolishForm
from .routes import bp

ENROLMENT_SECRET = "totp_candidate"


class CodeForm(PolishForm):
    code = StringField("Kod z aplikacji (6 cyfr)", validators=[InputRequired("Wpisz 6 cyfr z aplikacji.")],
                       render_kw={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 7,
                                  "pattern": "[0-9 ]*"})


def _change_page(change, form=None, status=200):
    heads = approvals.confirmers(db.session(), change)
    return render_template("admin/change.html", change=change, heads=heads, form=form or CodeForm(),
                           kinds=approvals.KIND_LABELS, statuses=approvals.STATUS_LABELS,
                           pending=change.status == CHANGE_PENDING), status


@bp.get("/zmiany/<int:change_id>")
def change(change_id: int):
    return _change_page(g.account_change)


@bp.post("/zmiany/<int:change_id>/kod")
def change_confirm(change_id: int):
    change = g.account_change
    form = CodeForm()
    if form.validate_on_submit():
        try:
            done = approvals.confirm_with_second_factor(db.session(), change, current_user, form.code.data,
                                                        sessions.now())
        except approvals.NotAllowed as refusal:  # a head is there to confirm it
            db.session().rollback()
            flash(str(refusal), "error")
            return redirect(url_for("admin.change", change_id=change.id))
        except ValueError as refusal:  # the code is wrong or used
            db.session().rollback()
            form.code.errors.append(str(refusal))
            return _change_page(change, form, status=200)
        if done:
            log(audit.CONFIRM, object_type="user", object_id=change.user_id,
                detail=f"zmiana {change.id}: {change.kind}, kodem administratora")
            db.session().commit()
            flash(f"Potwierdzono: {approvals.KIND_LABELS[change.kind]} ({change.user.username}). Kierownicy "
                  "zobaczą to przy najbliższym logowaniu.", "success")
            return redirect(url_for("admin.users"))
        db.session().rollback()
        flash("Ta zmiana została już rozstrzygnięta.", "info")
    return _change_page(change, form)


@bp.post("/zmiany/<int:change_id>/wycofaj")
def change_cancel(change_id: int):
    change = g.account_change
    if approvals.cancel(db.session(), change, current_user):
        log(audit.CANCEL, object_type="user", object_id=change.user_id, detail=f"zmiana {change.id}: {change.kind}")
        db.session().commit()
        flash(f"Wycofano zmianę: {approvals.KIND_LABELS[change.kind]} ({change.user.username}).", "success")
    else:
        flash("Ta zmiana została już rozstrzygnięta.", "info")
    return redirect(url_for("admin.users"))


@bp.route("/drugi-skladnik", methods=["GET", "POST"])
def second_factor_page():
    """Enrolment: a secret shown as a QR code (and as text), proven by one code from the app."""
    user = current_user._get_current_object()
    form = CodeForm()
    if user.totp_secret:
        session.pop(ENROLMENT_SECRET, None)
        return render_template("admin/second_factor.html", enrolled=True, form=form)
    secret = session.get(ENROLMENT_SECRET) or second_factor.new_secret()
    session[ENROLMENT_SECRET] = secret
    if form.validate_on_submit():
        try:
            second_factor.enrol(db.session(), user, secret, form.code.data, sessions.now())
        except ValueError as refusal:
            form.code.errors.append(str(refusal))
        else:
            log(audit.UPDATE, object_type="user", object_id=user.id, detail="włączenie drugiego składnika")
            db.session().commit()
            session.pop(ENROLMENT_SECRET, None)
            flash("Drugi składnik jest włączony. Kody z aplikacji potwierdzają zmiany kont kierownika tam, "
                  "gdzie nie ma innego kierownika.", "success")
            return redirect(url_for("admin.second_factor_page"))
    uri = second_factor.provisioning_uri(secret, user)
    return render_template("admin/second_factor.html", enrolled=False, form=form,
                           qr=segno.make(uri, error="m").svg_data_uri(scale=5), secret=second_factor.grouped(secret))
