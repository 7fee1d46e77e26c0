"""Deadlines as an iCalendar feed (RFC 5545) for Outlook, Google or a phone's calendar.

Each deadline is an all-day event (DTSTART as a DATE, DTEND the next day), free time, with a
UID that stays the same while the deadline stands, so a calendar updates it rather than
adding a copy. The title names the kind of deadline and the family: what an assistant needs
to see in a shared office calendar; no PESEL, no plan's wording (it may speak of health or
addiction), no addresses. The link leads to the family's page, behind the login.
"""
from __future__ import annotations

import datetime as dt
from typing import Callable, Iterable

from icalendar import Calendar, Event as VEvent

from .store.deadlines import ASSESSMENT, CONTACT, MONITORING_END, PLAN_DEADLINE, Event

PRODID = "-//Dokumenty asystenta rodziny//Terminy//PL"
UID_DOMAIN = "dokumenty-asystenta-rodziny"
TITLES = {
    ASSESSMENT: "Ocena okresowa – rodzina {name}",
    PLAN_DEADLINE: "Termin z planu pracy – rodzina {name}",
    CONTACT: "Kontakt (monitorowanie) – rodzina {name}",
    MONITORING_END: "Koniec monitorowania – rodzina {name}",
}


def title(event: Event) -> str:
    return TITLES[event.kind].format(name=event.family_name)


def feed(events: Iterable[Event], *, calendar_name: str, office_id: int, link: Callable[[int], str],
         now: dt.datetime | None = None) -> bytes:
    now = now or dt.datetime.now(dt.timezone.utc)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", calendar_name)
    # how often a subscribing calendar should fetch again (Outlook, Apple; Google decides itself)
    calendar.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    for event in events:
        entry = VEvent()
        entry.add("uid", f"{event.key}.{office_id}@{UID_DOMAIN}")
        entry.add("dtstamp", now)
        entry.add("dtstart", event.day)
        entry.add("dtend", event.day + dt.timedelta(days=1))
        entry.add("summary", title(event))
        entry.add("description", f"Szczegóły w programie Dokumenty asystenta rodziny: {link(event.family_id)}")
        entry.add("url", link(event.family_id))
        entry.add("categories", ["Asystent rodziny"])
        entry.add("transp", "TRANSPARENT")
        entry.add("x-microsoft-cdo-busystatus", "FREE")
        entry.add("x-microsoft-cdo-alldayevent", "TRUE")
        calendar.add_component(entry)
    return calendar.to_ical()
