"""The head's audit log: 50 entries a page, filters by user, family, action and date, and entries read
in Polish (who by name, the family and document by name, the step by its title)."""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from docgen.store import audit
from docgen.store.models import AuditEntry, Document, Family, User


def _rows(page: str) -> list[str]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in page else ""
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in body.split("</tr>") if "<td" in row]


def test_entries_read_in_polish(login, session):
    assistant = login("asystent1")
    family = session.scalars(select(Family).where(Family.family_name == "Krajewscy")).one()
    location = assistant.post(f"/rodziny/{family.id}/dokumenty", data={"doc_type": "work_plan"}).location
    document_id = int(re.search(r"/dokumenty/(\d+)/", location).group(1))
    assistant.post(f"/dokumenty/{document_id}/krok/basis", data={"action": "next", "referral_ref": "MOPS.PS.1.2026"})
    page = login("kierownik").get(f"/dziennik/rodzina/{family.id}").text
    rows = _rows(page)
    # newest first: the step saved, the document created, the family page seen
    assert "Ewa Kalinowska (asystent1) zmiana dokument: Plan pracy z rodziną Krajewscy krok: Podstawa objęcia wsparciem" \
        in rows[0]
    assert any("utworzenie dokument: Plan pracy z rodziną Krajewscy Plan pracy z rodziną" in row for row in rows)
    assert "krok: basis" not in page and "work_plan" not in page
    # the time reads like every date in the app
    assert re.search(r"\d{1,2} [a-ząćęłńóśźż]+ \d{4} r\., \d{2}:\d{2}", rows[0])


def test_fifty_a_page_and_the_filters(login, session):
    head_user = session.scalars(select(User).where(User.username == "kierownik")).one()
    assistant = session.scalars(select(User).where(User.username == "asystent1")).one()
    krajewscy = session.scalars(select(Family).where(Family.family_name == "Krajewscy")).one()
    wieczorek = session.scalars(select(Family).where(Family.family_name == "Wieczorek")).one()
    base = dt.datetime(2026, 10, 1, 8, 0, tzinfo=dt.timezone.utc)
    for index in range(120):
        entry = audit.record(session, user=assistant, action=audit.VIEW if index % 2 else audit.UPDATE,
                             object_type="family", object_id=krajewscy.id if index < 100 else wieczorek.id,
                             family_id=krajewscy.id if index < 100 else wieczorek.id, detail="families.show")
        entry.at = base + dt.timedelta(hours=index)
    session.commit()
    head = login("kierownik")  # a login entry of the head's own

    first = head.get("/dziennik/").text
    assert len(_rows(first)) == 50 and "strona 1 z 3" in first
    third = head.get("/dziennik/?strona=3").text
    assert len(_rows(third)) == 120 + 1 - 100  # the head's login and the rest of the 120
    assert "strona 3 z 3" in third

    only_views = head.get("/dziennik/?zdarzenie=view").text
    assert "Wpisów: 60" in only_views and all(" podgląd " in row for row in _rows(only_views))
    assert all("strona rodziny" in row for row in _rows(only_views))
    by_name = head.get("/dziennik/?rodzina=wieczorek").text  # without the capital letter
    assert "Wpisów: 20" in by_name and all("Wieczorek" in row for row in _rows(by_name))
    assert "Wpisów: 20" in head.get(f"/dziennik/?rodzina=nr {wieczorek.id}").text
    assert "Wpisów: 1" in head.get(f"/dziennik/?uzytkownik={head_user.id}").text
    # 1 October 2026 in Warsaw: entries from 08:00 UTC (10:00 local) to 21:00 UTC (23:00 local) – 14 of them
    one_day = head.get("/dziennik/?od=2026-10-01&do=2026-10-01").text
    assert "Wpisów: 14" in one_day
    # to the end of 2 October, local time (22:00 UTC): 38 entries
    assert "Wpisów: 38" in head.get("/dziennik/?od=2026-10-01&do=2026-10-02").text
    wrong = head.get("/dziennik/?od=2026-10-05&do=2026-10-01").text
    assert 'role="alert"' in wrong and "Data do: nie może być wcześniejsza niż data od." in wrong
    # a page past the end shows the last one; filters travel with the page links
    assert "strona 3 z 3" in head.get("/dziennik/?strona=99").text
    assert "zdarzenie=view" in head.get("/dziennik/?zdarzenie=view").text.split('aria-label="Strony dziennika"')[1]


def test_a_deleted_family_and_document_are_named_by_number(login, session):
    family = session.scalars(select(Family).where(Family.family_name == "Jabłońscy")).one()
    user = session.scalars(select(User).where(User.username == "asystent2")).one()
    audit.record(session, user=user, action=audit.UPDATE, object_type="document", object_id=987654,
                 family_id=family.id, detail="krok: risks")
    session.commit()
    head = login("kierownik")
    assert head.post(f"/rodziny/{family.id}/usuniecie", data={"confirm": "tak"}).status_code == 302
    page = head.get("/dziennik/?zdarzenie=update").text
    row = next(row for row in _rows(page) if "987654" in row)
    assert f"nr {family.id} (usunięta)" in row and "dokument nr 987654 (usunięty)" in row
    assert "krok: Sygnały ryzyka" in row  # the only type with a step "risks" names it so
    assert session.scalars(select(AuditEntry).where(AuditEntry.object_id == 987654)).one()
    assert session.get(Document, 987654) is None
