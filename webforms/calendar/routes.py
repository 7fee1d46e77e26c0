"""The calendar of deadlines, a month at a time, and each user's secret .ics address for Outlook or a phone."""
from __future__ import annotations

import datetime as dt
from itertools import groupby

from babel.dates import format_date
from flask import Blueprint, abort, make_response, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from docgen import ical
from docgen.formatting import LOCALE
from docgen.rules import add_months
from docgen.store import audit
from docgen.store.calendar_feeds import create_feed, feed_of, revoke_feed, user_of_token
from docgen.store.deadlines import KINDS, deadlines, overdue_assessments
from docgen.store.models import ROLE_ASSISTANT, ROLE_HEAD, User

from .. import db
from ..audit import log

bp = Blueprint("calendar", __name__, url_prefix="/kalendarz")

# what the feed holds around today: recent deadlines (late ones stay visible) and a year ahead
FEED_DAYS_BACK = 60
FEED_DAYS_AHEAD = 400


def _casework_only() -> None:
    if current_user.role not in (ROLE_ASSISTANT, ROLE_HEAD):
        abort(404)


def _month(raw: str, today: dt.date) -> dt.date:
    """The first day of the month of `?miesiac=2026-12`, this month when missing or wrong."""
    try:
        year, month = (int(part) for part in raw.split("-"))
        return dt.date(year, month, 1)
    except (ValueError, TypeError):
        return today.replace(day=1)


def _assistants() -> list[User]:
    return list(db.session().scalars(
        select(User).where(User.office_id == current_user.office_id, User.role == ROLE_ASSISTANT)
        .order_by(User.active.desc(), User.full_name)))


@bp.get("/")
def index():
    _casework_only()
    today = dt.date.today()
    first = _month(request.args.get("miesiac", ""), today)
    last = add_months(first, 1) - dt.timedelta(days=1)
    assistants = _assistants() if current_user.role == ROLE_HEAD else []
    chosen = request.args.get("asystent", "")
    assistant_id = int(chosen) if chosen.isdigit() and any(a.id == int(chosen) for a in assistants) else None
    events = deadlines(db.session(), current_user, first, last, today=today, assistant_id=assistant_id)
    days = [(day, list(group)) for day, group in groupby(events, key=lambda e: e.day)]
    # this month's page also lists the assessments still not made from before it
    overdue = (overdue_assessments(db.session(), current_user, first, assistant_id)
               if first == today.replace(day=1) else [])
    previous, following = add_months(first, -1), add_months(first, 1)
    return render_template(
        "calendar/index.html", days=days, overdue=overdue, today=today, first=first, assistants=assistants,
        assistant_id=assistant_id, kinds=KINDS, count=len(events),
        month_name=format_date(first, "LLLL y", locale=LOCALE),
        previous=(previous.strftime("%Y-%m"), format_date(previous, "LLLL y", locale=LOCALE)),
        following=(following.strftime("%Y-%m"), format_date(following, "LLLL y", locale=LOCALE)),
        weekday=lambda day: format_date(day, "EEEE", locale=LOCALE))


@bp.route("/subskrypcja", methods=["GET", "POST"])
def subscription():
    """Make, show (once) and revoke the user's secret feed address."""
    _casework_only()
    session = db.session()
    token = None
    if request.method == "POST":
        if request.form.get("action") == "wylacz":
            if revoke_feed(session, current_user):
                log(audit.DELETE, object_type="calendar_feed", object_id=current_user.id)
            session.commit()
        else:
            token = create_feed(session, current_user)
            log(audit.CREATE, object_type="calendar_feed", object_id=current_user.id)
            session.commit()
    address = url_for("calendar.feed", token=token, _external=True) if token else None
    response = make_response(render_template("calendar/subscription.html", feed=feed_of(session, current_user),
                                             address=address, revoked=request.method == "POST" and not token))
    return response


@bp.get("/<token>.ics")
def feed(token: str):
    """The user's deadlines as iCalendar; the token in the address is the only key (no login)."""
    session = db.session()
    user = user_of_token(session, token)
    if user is None or user.role not in (ROLE_ASSISTANT, ROLE_HEAD):
        abort(404)
    session.commit()  # the feed's last use
    today = dt.date.today()
    events = deadlines(session, user, today - dt.timedelta(days=FEED_DAYS_BACK),
                       today + dt.timedelta(days=FEED_DAYS_AHEAD), today=today, with_overdue=True)
    body = ical.feed(events, calendar_name="Terminy – asystent rodziny" if user.role == ROLE_ASSISTANT
                     else "Terminy – asystenci rodziny ośrodka", office_id=user.office_id,
                     link=lambda family_id: url_for("families.show", family_id=family_id, _external=True))
    response = make_response(body)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = 'inline; filename="terminy.ics"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response
