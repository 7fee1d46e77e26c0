"""The dashboard's lists on SQLite and PostgreSQL: deadlines from stored dates, caseloads, drafts, foster care."""
from __future__ import annotations

import datetime as dt

from docgen.store import users
from docgen.store.dashboard import dashboard
from docgen.store.models import ROLE_ASSISTANT, ROLE_HEAD, STATUS_DRAFT, STATUS_FINAL, Document, Family, Office, Person

TODAY = dt.date(2026, 11, 23)


def _office(session, name="Miejski Ośrodek Pomocy Społecznej w Brzozówce"):
    office = Office(name=name, address="ul. Szkolna 1, 11-500 Brzozówka", city="Brzozówka", case_prefix="MOPS.AR",
                    caseload_limit=15)
    session.add(office)
    session.flush()
    return office


def _user(session, office, username, name, role=ROLE_ASSISTANT):
    return users.create_user(session, office, username, name, role, "hasło-testowe-1")


def _family(session, office, assistant, name, assigned, *, foster=False, active=True):
    family = Family(office=office, assistant=assistant, family_name=name, assignment_date=assigned, active=active)
    family.members = [Person(position=0, first_name="Ola", last_name=name, relation="dziecko", foster_care=foster)]
    session.add(family)
    session.flush()
    return family


def _document(session, family, doc_type, *, on=None, status=STATUS_FINAL):
    document = Document(office_id=family.office_id, family=family, doc_type=doc_type, status=status,
                        data={}, version=1 if on else 0, document_date=on)
    session.add(document)
    session.flush()
    return document


def _setup(session):
    office = _office(session)
    ewa = _user(session, office, "ewa", "Ewa Kalinowska")
    jan = _user(session, office, "jan", "Jan Wiśniewski")
    head = _user(session, office, "kier", "Barbara Lis", ROLE_HEAD)
    # assigned 2026-04-10: the first assessment was due 2026-10-10
    late = _family(session, office, ewa, "Adamczykowie", dt.date(2026, 4, 10))
    # assessed 2026-06-01: the next is due 2026-12-01, in 8 days
    soon = _family(session, office, ewa, "Borkowie", dt.date(2026, 1, 5))
    _document(session, soon, "periodic_assessment", on=dt.date(2026, 6, 1))
    _document(session, soon, "periodic_assessment", on=dt.date(2025, 12, 1))  # an older one changes nothing
    # assigned a month ago: nothing due
    _family(session, office, ewa, "Cieślakowie", dt.date(2026, 10, 20))
    # Jan's family: 2026-03-31 + 6 months is 2026-09-30 (no 31st in September)
    _family(session, office, jan, "Dudkowie", dt.date(2026, 3, 31), foster=True)
    # a closed case is no one's deadline
    _family(session, office, jan, "Erbowie", dt.date(2025, 1, 1), active=False)
    # another office's family is never shown
    other = _office(session, "Gminny Ośrodek Pomocy Społecznej w Olszynie")
    _family(session, other, _user(session, other, "obcy", "Obcy Asystent"), "Obcy", dt.date(2025, 1, 1))
    return ewa, jan, head, late, soon


def test_assistant_sees_own_deadlines_computed_from_stored_dates(db_session):
    ewa, _, _, late, soon = _setup(db_session)
    board = dashboard(db_session, ewa, TODAY)
    assert [(d.family_name, d.due) for d in board.overdue.items] == [("Adamczykowie", dt.date(2026, 10, 10))]
    assert board.overdue.items[0].days_left(TODAY) == -44
    assert [(d.family_name, d.due) for d in board.due_soon.items] == [("Borkowie", dt.date(2026, 12, 1))]
    assert [(c.assistant_name, c.families, c.limit) for c in board.caseloads] == [("Ewa Kalinowska", 3, 15)]
    assert [name for _, name, _ in board.families] == ["Adamczykowie", "Borkowie", "Cieślakowie"]
    assert board.foster_without_plan.total == 0


def test_head_sees_every_assistant_of_the_office_and_month_end_dates_clamp(db_session):
    _, jan, head, _, _ = _setup(db_session)
    board = dashboard(db_session, head, TODAY)
    assert [(d.family_name, d.assistant_name, d.due) for d in board.overdue.items] == [
        ("Dudkowie", "Jan Wiśniewski", dt.date(2026, 9, 30)),
        ("Adamczykowie", "Ewa Kalinowska", dt.date(2026, 10, 10))]
    assert [(c.assistant_name, c.families) for c in board.caseloads] == [("Ewa Kalinowska", 3),
                                                                         ("Jan Wiśniewski", 1)]
    assert [f.family_name for f in board.foster_without_plan.items] == ["Dudkowie"]
    assert board.families == []


def test_a_generated_coordinated_plan_clears_the_foster_care_warning_a_draft_does_not(db_session):
    _, jan, head, _, _ = _setup(db_session)
    family = next(f for f in db_session.query(Family) if f.family_name == "Dudkowie")
    draft = _document(db_session, family, "coordinated_plan", status=STATUS_DRAFT)
    board = dashboard(db_session, head, TODAY)
    assert board.foster_without_plan.total == 1
    assert [(d.document_id, d.family_name) for d in board.drafts.items] == [(draft.id, "Dudkowie")]
    draft.version, draft.status, draft.document_date = 1, STATUS_FINAL, dt.date(2026, 11, 20)
    db_session.flush()
    board = dashboard(db_session, head, TODAY)
    assert board.foster_without_plan.total == 0 and board.drafts.total == 0


def test_a_family_without_an_assignment_date_is_listed_not_silently_skipped(db_session):
    ewa, *_ = _setup(db_session)
    _family(db_session, ewa.office, ewa, "Fijałkowie", None)
    board = dashboard(db_session, ewa, TODAY)
    assert [f.family_name for f in board.undated.items] == ["Fijałkowie"]
    assert "Fijałkowie" not in [d.family_name for d in board.overdue.items + board.due_soon.items]


def test_the_deadline_follows_the_assignment_date_and_every_generated_assessment(db_session):
    ewa, *_ = _setup(db_session)
    family = _family(db_session, ewa.office, ewa, "Gajewscy", dt.date(2026, 8, 31))
    assert family.assessment_due == dt.date(2027, 2, 28)  # no 31st in February
    family.assignment_date = dt.date(2026, 9, 15)
    db_session.flush()
    assert family.assessment_due == dt.date(2027, 3, 15)
    _document(db_session, family, "periodic_assessment", status=STATUS_DRAFT)  # a draft is not an assessment
    assert family.assessment_due == dt.date(2027, 3, 15)
    _document(db_session, family, "periodic_assessment", on=dt.date(2027, 3, 1))
    assert family.assessment_due == dt.date(2027, 9, 1)
