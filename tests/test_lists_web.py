"""The family list's search and filters and the dashboard's monitoring, as the pages show them."""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from docgen.formatting import date_long
from docgen.store.models import Family, User
from page_world import ended_in_monitoring


def _families(page: str) -> list[str]:
    return re.findall(r'<td><a href="/rodziny/\d+">([^<]+)</a></td>', page)


def test_search_and_filters_of_the_family_list(login, session):
    today = dt.date.today()
    ended = session.scalars(select(Family).where(Family.family_name == "Jabłońscy")).one()
    ended_in_monitoring(session, ended, today)
    session.commit()
    other = session.scalars(select(User).where(User.username == "asystent2")).one()

    head = login("kierownik")
    assert _families(head.get("/rodziny/").text) == ["Jabłońscy", "Krajewscy", "Wieczorek"]
    found = head.get("/rodziny/?q=JABLONSKA").text  # a member, any case, no Polish letters
    assert _families(found) == ["Jabłońscy"] and "Znaleziono: 1." in found
    assert 'value="JABLONSKA"' in found  # what was typed stays in the box
    monitoring = head.get("/rodziny/?stan=monitorowanie").text
    assert _families(monitoring) == ["Jabłońscy"]
    assert "w monitorowaniu" in monitoring and f"do {date_long(today + dt.timedelta(days=100))}" in monitoring
    assert _families(head.get("/rodziny/?stan=aktywna").text) == ["Krajewscy", "Wieczorek"]
    assert _families(head.get("/rodziny/?stan=zakonczona").text) == []
    assert _families(head.get(f"/rodziny/?asystent={other.id}").text) == ["Jabłońscy"]
    none = head.get("/rodziny/?q=nikt+taki").text
    assert "Nie znaleziono rodzin pasujących do „nikt taki”" in none

    assistant = login("asystent1").get(f"/rodziny/?asystent={other.id}").text
    # an assistant has no assistant filter and sees their own families only
    assert 'id="asystent"' not in assistant and _families(assistant) == ["Krajewscy", "Wieczorek"]
    assert "praca trwa" in assistant


def test_the_dashboard_shows_monitoring_with_the_next_contact(login, session):
    today = dt.date.today()
    ended = session.scalars(select(Family).where(Family.family_name == "Jabłońscy")).one()
    ended_in_monitoring(session, ended, today)
    session.commit()
    page = login("asystent2").get("/pulpit").text
    section = page.split('id="monitorowanie"', 1)[1].split("</section>", 1)[0]
    assert "Rodziny w okresie monitorowania (1)" in section and "Jabłońscy" in section
    # the planned contact in 15 days, and the end of the period in 100
    assert date_long(today + dt.timedelta(days=15)) in section and "(zaplanowany)" in section
    assert date_long(today + dt.timedelta(days=100)) in section
    drafts = page.split('id="szkice"', 1)[1].split("</section>", 1)[0]
    assert "Monitorowanie funkcjonowania rodziny po zakończeniu pracy" in drafts and "praca zakończona" in drafts
