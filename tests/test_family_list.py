"""The family list, monitoring and the calendar of deadlines on SQLite and PostgreSQL: search folded the
same way on both, status from the stored dates, counts from the database, deadlines per assistant."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import select

from docgen.store import users
from docgen.store.calendar_feeds import create_feed, user_of_token
from docgen.store.dashboard import dashboard
from docgen.store.db import make_sessionmaker
from docgen.store.deadlines import ASSESSMENT, CONTACT, MONITORING_END, PLAN_DEADLINE, deadlines
from docgen.store.family_list import ACTIVE, ENDED, MONITORING, NO_ASSISTANT, PAGE_SIZE, family_page
from docgen.store.lifecycle import anonymise_family, close_family
from docgen.store.models import (ROLE_ASSISTANT, ROLE_HEAD, STATUS_DRAFT, STATUS_FINAL, CalendarFeed, Document,
                                 Family, Office, Person, User)
from docgen.store.monitoring import NextContact, next_contact

TODAY = dt.date(2026, 12, 3)


def _office(session, name="Miejski Ośrodek Pomocy Społecznej w Brzozówce"):
    office = Office(name=name, address="ul. Szkolna 1, 11-500 Brzozówka", city="Brzozówka", case_prefix="MOPS.AR")
    session.add(office)
    session.flush()
    return office


def _family(session, office, assistant, name, *, address="", people=(), assigned=dt.date(2026, 9, 1)):
    family = Family(office=office, assistant=assistant, family_name=name, address=address, assignment_date=assigned)
    family.members = [Person(position=i, first_name=first, last_name=last, relation="matka", pesel=pesel)
                      for i, (first, last, pesel) in enumerate(people)]
    session.add(family)
    session.flush()
    return family


def _generated(session, family, doc_type, data, on, *, case_number=None):
    document = Document(office_id=family.office_id, family=family, doc_type=doc_type, status=STATUS_FINAL, data=data,
                        version=1, document_date=on, case_number=case_number)
    session.add(document)
    session.flush()
    return document


@pytest.fixture
def office_world(db_session):
    s = db_session
    office = _office(s)
    ewa = users.create_user(s, office, "ewa", "Ewa Kalinowska", ROLE_ASSISTANT, "hasło-testowe-1")
    jan = users.create_user(s, office, "jan", "Jan Wiśniewski", ROLE_ASSISTANT, "hasło-testowe-1")
    head = users.create_user(s, office, "kier", "Barbara Lis", ROLE_HEAD, "hasło-testowe-1")
    zolw = _family(s, office, ewa, "Żółtowscy", address="ul. Łąkowa 5, 11-500 Brzozówka",
                   people=[("Łucja", "Żółtowska", "90041713788")])
    sliwa = _family(s, office, ewa, "Śliwińscy", address="ul. Polna 1",
                    people=[("Anna", "Kowalska-Śliwińska", "85010112345")])
    _generated(s, sliwa, "work_plan", {"actions": [
        {"action": "Terapia uzależnień ojca", "deadline": "2026-12-10"},
        {"action": "Rejestracja w PUP", "deadline": "2027-01-15"},
        {"action": "Bez terminu", "deadline": None}]}, dt.date(2026, 11, 1), case_number="MOPS.AR.4101.17.2026")
    # ended, with monitoring until February 2027: one contact made, one planned
    nowak = _family(s, office, jan, "Nowakowie", address="ul. Leśna 2")
    _generated(s, nowak, "closing_report", {"monitoring_from": "2026-11-15", "monitoring_to": "2027-02-28"},
               dt.date(2026, 11, 14))
    note = Document(office_id=office.id, family=nowak, doc_type="monitoring_note", status=STATUS_DRAFT, version=0,
                    data={"contacts": [{"date": "2026-11-20"}, {"date": "2026-12-18"}]})
    s.add(note)
    close_family(s, nowak, dt.date(2026, 11, 14))
    # ended long ago: monitoring over
    old = _family(s, office, jan, "Adamczykowie", assigned=dt.date(2025, 1, 1))
    _generated(s, old, "closing_report", {"monitoring_from": "2025-07-01", "monitoring_to": "2025-12-31"},
               dt.date(2025, 6, 30))
    close_family(s, old, dt.date(2025, 6, 30))
    # no assistant (the account was removed)
    _family(s, office, None, "Bezpańscy")
    # another office
    other = _office(s, "Gminny Ośrodek Pomocy Społecznej w Olszynie")
    _family(s, other, users.create_user(s, other, "obcy", "Obcy", ROLE_ASSISTANT, "hasło-testowe-1"), "Żółtowscy")
    s.commit()
    return {"office": office, "ewa": ewa, "jan": jan, "head": head, "zolw": zolw, "sliwa": sliwa, "nowak": nowak,
            "old": old}


def _names(session, user, **filters):
    from webforms.access import visible_families

    listing = family_page(session, visible_families(user), today=TODAY, **filters)
    return [row.family_name for row in listing.rows], listing


SEARCHES = [
    ("żółtowscy", ["Żółtowscy"]),
    ("ZOLTOWSCY", ["Żółtowscy"]),          # any case, without Polish letters
    ("lukowa", []),
    ("łąkowa brzozówka", ["Żółtowscy"]),  # every word must match
    ("lucja", ["Żółtowscy"]),              # a member's first name
    ("kowalska", ["Śliwińscy"]),           # a member whose surname differs from the family's
    ("9004171", ["Żółtowscy"]),            # the start of a PESEL
    ("4101.17", ["Śliwińscy"]),            # a document's case number, any case
    ("mops.ar.4101.17.2026", ["Śliwińscy"]),
    ("100%", []),                          # LIKE wildcards are text
    ("śliw", ["Śliwińscy"]),
]


def test_search_is_folded_the_same_on_both_databases(db_session, office_world):
    for query, expected in SEARCHES:
        names, listing = _names(db_session, office_world["head"], query=query)
        assert (names, listing.total) == (expected, len(expected)), query


def test_status_and_assistant_filters_and_order(db_session, office_world):
    head = office_world["head"]
    # sorted by the folded name: "Ś" and "Ż" where a Polish reader expects them, not after "Z"
    assert _names(db_session, head)[0] == ["Adamczykowie", "Bezpańscy", "Nowakowie", "Śliwińscy", "Żółtowscy"]
    assert _names(db_session, head, status=ACTIVE)[0] == ["Bezpańscy", "Śliwińscy", "Żółtowscy"]
    assert _names(db_session, head, status=MONITORING)[0] == ["Nowakowie"]
    assert _names(db_session, head, status=ENDED)[0] == ["Adamczykowie"]
    assert _names(db_session, head, assistant=str(office_world["jan"].id))[0] == ["Adamczykowie", "Nowakowie"]
    assert _names(db_session, head, assistant=NO_ASSISTANT)[0] == ["Bezpańscy"]
    rows = {row.family_name: row for row in _names(db_session, head)[1].rows}
    assert rows["Nowakowie"].status == MONITORING and rows["Nowakowie"].monitoring_until == dt.date(2027, 2, 28)
    assert rows["Adamczykowie"].status == ENDED and rows["Adamczykowie"].closed_on == dt.date(2025, 6, 30)
    assert rows["Żółtowscy"].members == 1 and rows["Śliwińscy"].documents == 1
    # an assistant sees their own families only, whatever the filter asks
    assert _names(db_session, office_world["ewa"])[0] == ["Śliwińscy", "Żółtowscy"]
    assert _names(db_session, office_world["ewa"], assistant=str(office_world["jan"].id))[0] == []


def test_the_list_pages_by_one_hundred_counted_in_the_database(db_session, office_world):
    office, head = office_world["office"], office_world["head"]
    db_session.add_all([Family(office=office, family_name=f"Zielińscy {i:03d}") for i in range(PAGE_SIZE + 5)])
    db_session.commit()
    names, listing = _names(db_session, head, query="zielinscy", page=2)
    assert (listing.total, listing.pages, listing.page) == (PAGE_SIZE + 5, 2, 2)
    assert names == [f"Zielińscy {i:03d}" for i in range(PAGE_SIZE, PAGE_SIZE + 5)]
    assert _names(db_session, head, query="zielinscy", page=99)[1].page == 2


def test_search_text_follows_the_record_and_anonymising_empties_it(db_session, office_world, output_dir):
    family = office_world["zolw"]
    family.members[0].last_name = "Wąsowska"
    db_session.commit()
    assert "wasowska" in family.search_text and _names(db_session, office_world["head"], query="wąsowska")[0]
    family.address = "ul. Nowa 9"
    db_session.commit()
    assert "lakowa" not in family.search_text
    close_family(db_session, family, dt.date(2026, 10, 1))
    anonymise_family(db_session, family, force=True)
    db_session.commit()
    db_session.refresh(family)
    assert "wasowska" not in family.search_text and "nowa 9" not in family.search_text
    assert not _names(db_session, office_world["head"], query="wasowska")[0]


def test_the_monitoring_period_follows_the_latest_generated_document(db_session, office_world):
    nowak = office_world["nowak"]
    assert nowak.monitoring_until == dt.date(2027, 2, 28)
    # a monitoring note deciding to go on extends it
    _generated(db_session, nowak, "monitoring_note", {"monitoring_from": "2026-11-15", "monitoring_to": "2027-05-31"},
               dt.date(2027, 1, 10))
    db_session.commit()
    assert nowak.monitoring_until == dt.date(2027, 5, 31)


@pytest.mark.parametrize("contacts, expected", [
    ([], NextContact(dt.date(2026, 11, 15), planned=False)),                    # none yet: from the start
    ([dt.date(2026, 11, 20)], NextContact(dt.date(2026, 12, 20), planned=False)),  # a month after the last
    ([dt.date(2026, 11, 20), dt.date(2026, 12, 18)], NextContact(dt.date(2026, 12, 18), planned=True)),
    ([dt.date(2027, 2, 10)], NextContact(dt.date(2027, 2, 10), planned=True)),
    ([dt.date(2026, 10, 1), dt.date(2027, 2, 1)], NextContact(dt.date(2027, 2, 1), planned=True)),
])
def test_next_contact(contacts, expected):
    assert next_contact(dt.date(2026, 11, 15), dt.date(2027, 2, 28), contacts, TODAY) == expected


def test_no_contact_is_due_past_the_end_of_the_period():
    assert next_contact(dt.date(2026, 11, 15), dt.date(2026, 12, 10), [dt.date(2026, 11, 20)], TODAY) is None


def test_dashboard_shows_monitoring_and_the_drafts_of_ended_families(db_session, office_world):
    board = dashboard(db_session, office_world["head"], TODAY)
    (row,) = board.monitoring.items
    assert (row.family_name, row.assistant_name, row.period_to) == ("Nowakowie", "Jan Wiśniewski", dt.date(2027, 2, 28))
    assert row.next_contact == NextContact(dt.date(2026, 12, 18), planned=True)
    assert board.monitoring.total == 1
    # the monitoring note of an ended family is still a draft to finish
    assert [(d.family_name, d.family_active) for d in board.drafts.items] == [("Nowakowie", False)]
    assert dashboard(db_session, office_world["jan"], TODAY).monitoring.total == 1
    assert dashboard(db_session, office_world["ewa"], TODAY).monitoring.total == 0


def test_deadlines_of_a_month_per_assistant_and_for_the_office(db_session, office_world):
    december = (dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    ewa = deadlines(db_session, office_world["ewa"], *december, today=TODAY)
    # Ewa's families were assigned on 1 September: assessments due 1 March; the plan's December action
    assert [(e.day, e.kind, e.family_name, e.detail) for e in ewa] == [
        (dt.date(2026, 12, 10), PLAN_DEADLINE, "Śliwińscy", "Terapia uzależnień ojca")]
    jan = deadlines(db_session, office_world["jan"], *december, today=TODAY)
    assert [(e.day, e.kind, e.family_name, e.planned) for e in jan] == [(dt.date(2026, 12, 18), CONTACT, "Nowakowie", True)]
    spring = deadlines(db_session, office_world["head"], dt.date(2027, 1, 1), dt.date(2027, 3, 31), today=TODAY)
    assert [(e.day, e.kind, e.family_name) for e in spring] == [
        (dt.date(2027, 1, 15), PLAN_DEADLINE, "Śliwińscy"),
        (dt.date(2027, 2, 28), MONITORING_END, "Nowakowie"),
        (dt.date(2027, 3, 1), ASSESSMENT, "Bezpańscy"),
        (dt.date(2027, 3, 1), ASSESSMENT, "Śliwińscy"),
        (dt.date(2027, 3, 1), ASSESSMENT, "Żółtowscy"),
    ]
    only_jan = deadlines(db_session, office_world["head"], dt.date(2027, 1, 1), dt.date(2027, 3, 31), today=TODAY,
                         assistant_id=office_world["jan"].id)
    assert [e.family_name for e in only_jan] == ["Nowakowie"]
    # the keys stay the same from one reading to the next, and differ between events
    again = deadlines(db_session, office_world["head"], dt.date(2027, 1, 1), dt.date(2027, 3, 31), today=TODAY)
    assert [e.key for e in again] == [e.key for e in spring] and len({e.key for e in spring}) == len(spring)


def test_the_plan_in_force_gives_the_deadlines(db_session, office_world):
    sliwa = office_world["sliwa"]
    _generated(db_session, sliwa, "work_plan", {"actions": [{"action": "Nowe działanie", "deadline": "2026-12-22"}]},
               dt.date(2026, 12, 1))
    db_session.commit()
    events = deadlines(db_session, office_world["ewa"], dt.date(2026, 12, 1), dt.date(2026, 12, 31), today=TODAY)
    assert [(e.day, e.detail) for e in events] == [(dt.date(2026, 12, 22), "Nowe działanie")]


def test_two_requests_making_a_feed_at_once_both_succeed_and_one_address_works(db_engine, office_world):
    """A double click on "Utwórz adres kalendarza": two transactions race to make the user's one row."""
    sessions = make_sessionmaker(db_engine)
    user_id = office_world["ewa"].id
    start = threading.Barrier(2)
    tokens, failures = [], []

    def make():
        with sessions() as session:
            user = session.get(User, user_id)
            start.wait()
            try:
                token = create_feed(session, user)
                session.commit()
                tokens.append(token)
            except Exception as error:  # noqa: BLE001 - the test reports whatever went wrong
                failures.append(repr(error))

    threads = [threading.Thread(target=make) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not failures and len(tokens) == 2
    with sessions() as session:
        assert len(session.scalars(select(CalendarFeed).where(CalendarFeed.user_id == user_id)).all()) == 1
        working = [token for token in tokens if user_of_token(session, token) is not None]
        assert len(working) == 1
