"""The audit trail for the head of the centre: 50 entries a page, filtered by user, family, action and
date, read in Polish. Read-only."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, g, render_template, request
from flask_login import current_user
from sqlalchemy import select

from docgen.store import audit
from docgen.store.models import ROLES, Family, User, fold_text

from .. import db
from ..display import ACTION_LABELS, OFFICE_TIMEZONE
from .describe import describe

bp = Blueprint("auditlog", __name__, url_prefix="/dziennik")

PAGE_SIZE = 50
# a family searched by name: at most this many families match
FAMILY_MATCHES = 500


@bp.before_request
def head_only():
    if current_user.is_authenticated and current_user.role != "kierownik":
        abort(404)


def _day(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _local_midnight(day: dt.date) -> dt.datetime:
    """The start of a day in the office's time zone, in UTC (entries are stored in UTC)."""
    local = dt.datetime(day.year, day.month, day.day, tzinfo=OFFICE_TIMEZONE)
    return local.astimezone(dt.timezone.utc)


def _family_ids(text: str) -> list[int] | None:
    """The office's families the filter names: by number ("12", "nr 12") or by name."""
    text = text.strip()
    if not text:
        return None
    number = text.removeprefix("nr").strip()
    if number.isdigit():
        return [int(number)]
    statement = select(Family.id).where(Family.office_id == current_user.office_id)
    for word in fold_text(text).split()[:10]:
        statement = statement.where(Family.search_text.contains(word, autoescape=True))
    return list(db.session().scalars(statement.limit(FAMILY_MATCHES)))


def _page(*, user_id: int | None = None, family_text: str = "", fixed_family: int | None = None, title: str = ""):
    session = db.session()
    errors: dict[str, str] = {}
    if user_id is None and request.args.get("uzytkownik", "").isdigit():
        user_id = int(request.args["uzytkownik"])
    family_text = family_text or request.args.get("rodzina", "")[:200]
    family_ids = [fixed_family] if fixed_family is not None else _family_ids(family_text)
    action = request.args.get("zdarzenie", "")
    action = action if action in ACTION_LABELS else ""
    raw_from, raw_to = request.args.get("od", ""), request.args.get("do", "")
    since, until = _day(raw_from), _day(raw_to)
    if raw_from and since is None:
        errors["od"] = "Data od: podaj datę z kalendarza."
    if raw_to and until is None:
        errors["do"] = "Data do: podaj datę z kalendarza."
    if since and until and until < since:
        errors["do"] = "Data do: nie może być wcześniejsza niż data od."
    total = 0
    entries = []
    page = max(request.args.get("strona", 1, type=int), 1)
    if not errors:
        raw, total = audit.search(session, current_user.office_id, user_id=user_id, family_ids=family_ids,
                                  action=action or None, since=_local_midnight(since) if since else None,
                                  before=_local_midnight(until + dt.timedelta(days=1)) if until else None,
                                  limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        pages = max(1, -(-total // PAGE_SIZE))
        if page > pages:
            page = pages
            raw, total = audit.search(session, current_user.office_id, user_id=user_id, family_ids=family_ids,
                                      action=action or None, since=_local_midnight(since) if since else None,
                                      before=_local_midnight(until + dt.timedelta(days=1)) if until else None,
                                      limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        entries = describe(session, current_user.office_id, raw)
    pages = max(1, -(-total // PAGE_SIZE))
    users = session.scalars(select(User).where(User.office_id == current_user.office_id)
                            .order_by(User.full_name)).all()
    # a family chosen by its page goes on by its number, not by a name other families may share
    family_param = str(fixed_family) if fixed_family is not None else family_text
    filters = {"uzytkownik": user_id, "rodzina": family_param or None, "zdarzenie": action or None,
               "od": raw_from or None, "do": raw_to or None}
    return render_template("auditlog/index.html", entries=entries, total=total, page=page, pages=pages,
                           users=users, roles=ROLES, actions=ACTION_LABELS, filters=filters, errors=errors,
                           user_id=user_id, family_text=family_text, action=action, raw_from=raw_from,
                           raw_to=raw_to, title=title)


@bp.get("/")
def index():
    return _page()


@bp.get("/rodzina/<int:family_id>")
def family(family_id: int):
    return _page(family_text=g.family.family_name, fixed_family=family_id, title=f"rodzina {g.family.family_name}")


@bp.get("/uzytkownik/<int:user_id>")
def user(user_id: int):
    return _page(user_id=user_id, title=f"użytkownik {g.account.full_name}")
