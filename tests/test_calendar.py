"""The calendar of deadlines in the web app and each user's secret .ics address: made, shown once, read
without a login by Outlook or a phone, revoked; the feed is valid iCalendar with all-day events whose
UIDs stay put, Polish text escaped, and nothing personal beyond the family's name."""
from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from icalendar import Calendar
from sqlalchemy import select

from docgen.store.models import AuditEntry, CalendarFeed, Family, User
from page_world import ended_in_monitoring, generated_plan

ODD_NAME = "Żółkiewscy, Nowak; „Źdźbło”"


@pytest.fixture
def deadlines_world(session):
    """Krajewscy (asystent1) renamed to a name calendars must escape, with a generated plan whose first
    action is due in 3 days; Jabłońscy (asystent2) ended three weeks ago and are in monitoring."""
    today = dt.date.today()
    family = session.scalars(select(Family).where(Family.family_name == "Krajewscy")).one()
    family.family_name = ODD_NAME
    plan, _ = generated_plan(session, family, today)
    ended = session.scalars(select(Family).where(Family.family_name == "Jabłońscy")).one()
    ended_in_monitoring(session, ended, today)
    session.commit()
    return {"today": today, "family": family, "plan": plan, "ended": ended}


def _address(page: str) -> str:
    return re.search(r'value="(http://localhost/kalendarz/[^"]+\.ics)"', page).group(1)


def test_the_calendar_page_shows_this_months_deadlines_per_assistant(login, session, deadlines_world):
    today, plan = deadlines_world["today"], deadlines_world["plan"]
    first_action = plan.data["actions"][0]
    month = (today + dt.timedelta(days=3)).strftime("%Y-%m")  # the first action is due in 3 days
    page = login("asystent1").get(f"/kalendarz/?miesiac={month}").text
    assert "termin z planu" in page and first_action["action"] in page
    assert "Rodzina Żółkiewscy, Nowak; „Źdźbło”" in page
    assert "Jabłońscy" not in page  # another assistant's family

    head = login("kierownik")
    other = session.scalars(select(User).where(User.username == "asystent2")).one()
    contact = (today + dt.timedelta(days=15)).strftime("%Y-%m")
    everyone = head.get(f"/kalendarz/?miesiac={contact}").text
    assert "Jabłońscy" in everyone and "kontakt – monitorowanie" in everyone
    only_other = head.get(f"/kalendarz/?miesiac={month}&asystent={other.id}").text
    assert first_action["action"] not in only_other
    assert login("admin").get("/kalendarz/").status_code == 404


def test_the_feed_address_is_made_shown_once_and_revoked(app, login, session, deadlines_world):
    client = login("asystent1")
    assert "Kalendarz jest wyłączony" in client.get("/kalendarz/subskrypcja").text
    made = client.post("/kalendarz/subskrypcja", data={"action": "utworz"}).text
    address = _address(made)
    token = address.rsplit("/", 1)[1].removesuffix(".ics")
    feed = session.scalars(select(CalendarFeed)).one()
    # only the hash is stored, and the page with the address is never kept by the browser
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in feed.token_hash
    again = client.get("/kalendarz/subskrypcja")
    assert token not in again.text and "Kalendarz jest włączony" in again.text
    assert again.headers["Cache-Control"] == "no-store"

    outlook = app.test_client()  # no login: the token is the key
    response = outlook.get(address.removeprefix("http://localhost"))
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "Set-Cookie" not in response.headers
    session.expire_all()
    assert session.scalars(select(CalendarFeed)).one().last_used_at is not None

    renewed = _address(client.post("/kalendarz/subskrypcja", data={"action": "utworz"}).text)
    assert renewed != address
    assert outlook.get(address.removeprefix("http://localhost")).status_code == 404
    assert outlook.get(renewed.removeprefix("http://localhost")).status_code == 200
    assert "Kalendarz wyłączono" in client.post("/kalendarz/subskrypcja", data={"action": "wylacz"}).text
    assert outlook.get(renewed.removeprefix("http://localhost")).status_code == 404
    assert outlook.get("/kalendarz/nieznany.ics").status_code == 404
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "calendar_feed")).all()
    assert actions == ["create", "create", "delete"]


def test_a_switched_off_account_feeds_nothing(app, login, session, deadlines_world):
    address = _address(login("asystent1").post("/kalendarz/subskrypcja", data={"action": "utworz"}).text)
    user = session.scalars(select(User).where(User.username == "asystent1")).one()
    user.active = False
    session.commit()
    assert app.test_client().get(address.removeprefix("http://localhost")).status_code == 404


def test_the_feed_is_icalendar_outlook_reads_with_nothing_personal_beyond_the_name(app, login, session,
                                                                                    deadlines_world):
    today, plan = deadlines_world["today"], deadlines_world["plan"]
    address = _address(login("asystent1").post("/kalendarz/subskrypcja", data={"action": "utworz"}).text)
    outlook = app.test_client()
    raw = outlook.get(address.removeprefix("http://localhost")).data
    calendar = Calendar.from_ical(raw)
    events = calendar.walk("VEVENT")
    assert calendar["VERSION"] == "2.0" and calendar["X-WR-CALNAME"] == "Terminy – asystent rodziny"

    plan_events = [e for e in events if str(e["SUMMARY"]).startswith("Termin z planu pracy")]
    assert len(plan_events) == len(plan.data["actions"])
    first = min(plan_events, key=lambda e: e.decoded("DTSTART"))
    # an all-day event: DTSTART and DTEND are DATEs, a day apart, free time
    start, end = first.decoded("DTSTART"), first.decoded("DTEND")
    assert type(start) is dt.date and start == today + dt.timedelta(days=3) and end == start + dt.timedelta(days=1)
    assert first["DTSTART"].params.get("VALUE") == "DATE" or b"DTSTART;VALUE=DATE:" in raw
    assert first["TRANSP"] == "TRANSPARENT" and first["X-MICROSOFT-CDO-ALLDAYEVENT"] == "TRUE"
    # the Polish name comes back exactly; in the file its comma and semicolon are escaped
    assert str(first["SUMMARY"]) == f"Termin z planu pracy – rodzina {ODD_NAME}"
    unfolded = raw.replace(b"\r\n ", b"")
    assert "rodzina Żółkiewscy\\, Nowak\\; „Źdźbło”".encode() in unfolded
    assert all(len(line) <= 75 for line in raw.split(b"\r\n")), "lines are folded at 75 octets"
    assert str(first["URL"]) == f"http://localhost/rodziny/{deadlines_world['family'].id}"

    # the same UIDs on the next fetch: Outlook updates events instead of doubling them
    again = Calendar.from_ical(outlook.get(address.removeprefix("http://localhost")).data)
    assert sorted(str(e["UID"]) for e in again.walk("VEVENT")) == sorted(str(e["UID"]) for e in events)
    assert len({str(e["UID"]) for e in events}) == len(events)

    # no PESEL, no address, no plan's wording: only the kind of deadline and the family's name
    text = unfolded.decode()
    family = deadlines_world["family"]
    for member in family.members:
        assert member.pesel not in text and member.last_name not in text
    assert family.address.split(",")[0] not in text
    for action in plan.data["actions"]:
        assert action["action"][:20] not in text
    # the overdue assessment of Wieczorek (assigned in March) is there, at its due date
    assert any(str(e["SUMMARY"]) == "Ocena okresowa – rodzina Wieczorek" for e in events)
