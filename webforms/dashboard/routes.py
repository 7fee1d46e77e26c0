"""The first page after login: what needs the assistant's (or the head's) attention today."""
from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user

from docgen.store.office_types import named_types
from docgen.store.dashboard import DUE_SOON_DAYS, dashboard
from docgen.store.models import ASSESSMENT_EVERY_MONTHS, ROLE_ASSISTANT, ROLE_HEAD

from .. import db

bp = Blueprint("dashboard", __name__)


@bp.get("/pulpit")
def index():
    if current_user.role not in (ROLE_ASSISTANT, ROLE_HEAD):
        abort(404)
    return render_template("dashboard/index.html", board=dashboard(db.session(), current_user),
                           doctypes=named_types(db.session(), current_user.office_id),
                           every_months=ASSESSMENT_EVERY_MONTHS, soon_days=DUE_SOON_DAYS)
