"""The account's API tokens: make one (shown once), name it, revoke it; the office's admin sees and
revokes every token of the office. A form like every other (CSRF), unlike the API itself."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField

from docgen.store import api_tokens, audit
from docgen.store.models import ROLE_ADMIN

from .. import db
from ..audit import log

bp = Blueprint("api_tokens", __name__, url_prefix="/konto/tokeny-api")


class TokenForm(FlaskForm):
    name = StringField("Nazwa tokenu (np. system, który będzie go używał)",
                       render_kw={"maxlength": api_tokens.NAME_MAX, "autocomplete": "off"})


def _page(form: TokenForm, new_token: str | None = None, status: int = 200):
    session = db.session()
    office_tokens = (api_tokens.of_office(session, current_user.office_id)
                     if current_user.role == ROLE_ADMIN else [])
    return render_template("api/tokens.html", form=form, tokens=api_tokens.of_user(session, current_user),
                           office_tokens=office_tokens, new_token=new_token), status


@bp.get("/")
def index():
    return _page(TokenForm())


@bp.post("/")
def create():
    form = TokenForm()
    if not form.validate():
        return _page(form, status=400)
    problem = api_tokens.name_problem(form.name.data or "")
    if problem:
        form.name.errors = [problem]
        return _page(form, status=422)
    record, token = api_tokens.create(db.session(), current_user, form.name.data)
    log(audit.CREATE, object_type="api_token", object_id=record.id, detail="token API")
    db.session().commit()
    # shown this once, on this page: the database keeps only its hash
    return _page(TokenForm(formdata=None), new_token=token)


@bp.post("/<int:token_id>/odwolaj")
def revoke(token_id: int):
    record = g.api_token_record
    if api_tokens.revoke(db.session(), record, current_user):
        log(audit.DELETE, object_type="api_token", object_id=record.id,
            detail="token API odwołany" + ("" if record.user_id == current_user.id else f" (konto {record.user_id})"))
        db.session().commit()
        flash(f"Odwołano token „{record.name}”. Systemy, które go używały, nie mają już dostępu.", "success")
    else:
        db.session().rollback()
        flash(f"Token „{record.name}” był już odwołany.", "info")
    return redirect(url_for("api_tokens.index"))
