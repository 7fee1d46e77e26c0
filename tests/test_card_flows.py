"""Data flows both ways, on SQLite and PostgreSQL: the family card prefills documents (a person's work,
disability, phone; a child's placement), and what a generated document fixes about the family is
offered back to the card, written only when accepted, and prefills the next document."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from docgen.doctypes import get_doctype
from docgen.store.cardsync import accept_changes, offered_changes
from docgen.store.documents import create_document, delete_draft, generate
from docgen.store.families import apply_family_data, family_to_data
from docgen.store.models import Document, Family, Person
from docgen.validate import validate

from test_store import make_family, make_office, make_user

TODAY = dt.date(2026, 12, 3)


@pytest.fixture
def family(db_session):
    office = make_office(db_session)
    return make_family(db_session, office, make_user(db_session, office))


def _place_child(family: Family) -> Person:
    child = family.members[1]
    child.foster_care, child.in_household = True, False
    child.care_form, child.care_name = "niezawodowa", "Ewa i Jan Sowa, Stare Olszyny 14"
    child.placement_date, child.placement_order_date = dt.date(2026, 9, 18), dt.date(2026, 9, 11)
    child.placement_court = "Sąd Rejonowy w Lipowcu Mazurskim, III Wydział Rodzinny i Nieletnich"
    child.placement_case_number = "III Nsm 412/26"
    return child


def _generated(session, family, doc_type, changes, output_dir):
    """A document of the type prefilled from the card, completed with the example, then generated."""
    doctype = get_doctype(doc_type)
    document = create_document(session, family, doc_type, family.assistant)
    prefilled = {key: value for key, value in document.data.items() if value not in (None, [])}
    document.data = {**doctype.example(), **prefilled, **changes}
    assert [str(issue) for issue in validate(doctype, document.data)] == []
    generate(session, document, family.assistant)
    session.flush()
    return document


def test_a_persons_document_fields_are_kept_on_the_card(db_session, family):
    data = family_to_data(family)
    data["members"][0].update(employment="bezrobocie_pup", disability="umiarkowany", phone="605 214 377",
                              email="anna.z@example.com")
    data["members"].append({"first_name": "Zdzisław", "last_name": "Zawadzki", "birth_date": "1950-01-02",
                            "relation": "dziadek", "in_household": True})
    data["members"].append({"first_name": "Robert", "last_name": "Nowak", "birth_date": "1989-05-05",
                            "relation": "partner", "in_household": True})
    apply_family_data(family, data)
    db_session.commit()
    db_session.expire_all()
    stored = db_session.get(Family, family.id)
    anna, grandfather, partner = stored.members[0], stored.members[2], stored.members[3]
    assert (anna.employment, anna.disability, anna.phone, anna.email) == (
        "bezrobocie_pup", "umiarkowany", "605 214 377", "anna.z@example.com")
    assert (grandfather.relation, partner.relation) == ("dziadek", "partner")
    assert family_to_data(stored)["members"][0]["employment"] == "bezrobocie_pup"


def test_the_card_prefills_what_documents_ask_about_a_person(db_session, family):
    anna = family.members[0]
    anna.employment, anna.disability, anna.phone, anna.email = "bezrobocie_pup", "lekki", "605 214 377", "a@b.example"
    db_session.flush()
    letter = create_document(db_session, family, "letter", family.assistant)
    assert (letter.data["sender_name"], letter.data["sender_phone"]) == ("Anna Zawadzka", "605 214 377")
    cv = create_document(db_session, family, "cv", family.assistant)
    assert (cv.data["full_name"], cv.data["phone"], cv.data["email"]) == ("Anna Zawadzka", "605 214 377", "a@b.example")
    assessment = create_document(db_session, family, "periodic_assessment", family.assistant)
    assert assessment.data["finances"] == "Anna Zawadzka: bez pracy, z rejestracją w PUP."
    assert assessment.data["health"] == "Anna Zawadzka: orzeczenie o niepełnosprawności – stopień lekki."
    opinion = create_document(db_session, family, "court_opinion", family.assistant)
    assert opinion.data["member_profiles"][0]["characteristic"] == (
        "Sytuacja zawodowa: bez pracy, z rejestracją w PUP. Orzeczenie o niepełnosprawności: stopień lekki.")
    assert opinion.data["member_profiles"][1]["characteristic"] is None  # nothing recorded: nothing invented


def test_a_childs_placement_on_the_card_prefills_the_coordinated_plan_and_the_court_opinion(db_session, family):
    _place_child(family)
    db_session.flush()
    plan = create_document(db_session, family, "coordinated_plan", family.assistant)
    [child] = plan.data["children_in_care"]
    assert child == {"first_name": "Julia", "last_name": "Zawadzka", "birth_date": "2014-05-21",
                     "care_form": "niezawodowa", "care_name": "Ewa i Jan Sowa, Stare Olszyny 14",
                     "placement_date": "2026-09-18",
                     "court_name": "Sąd Rejonowy w Lipowcu Mazurskim, III Wydział Rodzinny i Nieletnich",
                     "court_case_number": "III Nsm 412/26", "court_order_date": "2026-09-11",
                     "help_plan_date": None, "help_plan_version": None}
    opinion = create_document(db_session, family, "court_opinion", family.assistant)
    assert opinion.data["children_care"] == (
        "Julia Zawadzka, ur. 21 maja 2014 r., od 18 września 2026 r. przebywa w pieczy zastępczej: rodzina "
        "zastępcza niezawodowa – Ewa i Jan Sowa, Stare Olszyny 14. Podstawa umieszczenia: "
        "postanowienie z dnia 11 września 2026 r., sygn. akt III Nsm 412/26 (Sąd Rejonowy w Lipowcu Mazurskim, "
        "III Wydział Rodzinny i Nieletnich).")


def test_a_plans_basis_is_offered_back_and_written_only_when_accepted(db_session, family, output_dir):
    plan = _generated(db_session, family, "work_plan",
                      {"assignment_date": "2026-10-01", "referral_ref": "GOPS.PS.4101.99.2026",
                       "consent_date": "2026-10-20", "valid_from": "2026-11-02", "plan_date": "2026-11-02"},
                      output_dir)
    changes = {change.key: change for change in offered_changes(plan, TODAY)}
    assert set(changes) == {"family:assignment_date", "family:referral_ref", "family:consent_date"}
    assert (changes["family:assignment_date"].label, changes["family:assignment_date"].current,
            changes["family:assignment_date"].proposed) == (
        "Data skierowania asystenta do rodziny", "5 października 2026 r.", "1 października 2026 r.")
    # generating changed nothing on the card
    db_session.commit()
    db_session.expire_all()
    assert db_session.get(Family, family.id).assignment_date == dt.date(2026, 10, 5)

    written = accept_changes(db_session, plan, ["family:assignment_date", "family:consent_date", "family:unknown"],
                             TODAY)
    db_session.commit()
    db_session.expire_all()
    stored = db_session.get(Family, family.id)
    assert [change.field for change in written] == ["assignment_date", "consent_date"]
    assert (stored.assignment_date, stored.consent_date, stored.referral_ref) == (
        dt.date(2026, 10, 1), dt.date(2026, 10, 20), "GOPS.PS.4101.12.2026")
    assert [change.key for change in offered_changes(plan, TODAY)] == ["family:referral_ref"]
    # the next document starts from the card
    opinion = create_document(db_session, stored, "court_opinion", stored.assistant)
    assert opinion.data["work_from"] == "2026-10-01"


def test_a_coordinated_plan_offers_the_childs_placement_and_the_coordinator(db_session, family, output_dir):
    child = _place_child(family)
    child.placement_case_number = None
    db_session.flush()
    example_child = get_doctype("coordinated_plan").example()["children_in_care"][0]
    plan = _generated(db_session, family, "coordinated_plan", {
        "children_in_care": [{**example_child, "first_name": "Julia", "last_name": "Zawadzka",
                              "birth_date": "2014-05-21", "placement_date": "2026-09-18",
                              "court_case_number": "III Nsm 412/26", "court_order_date": "2026-09-11",
                              "help_plan_date": "2026-10-01"}],
        "valid_from": "2027-02-15"}, output_dir)
    changes = {change.key: change for change in offered_changes(plan, TODAY)}
    key = f"person:{child.id}:placement_case_number"
    assert changes[key].label == "Julia Zawadzka – Sygnatura akt (umieszczenie)"
    assert (changes[key].current, changes[key].proposed) == ("—", "III Nsm 412/26")
    assert {"family:coordinator_name", "family:coordinator_unit"} <= set(changes)
    assert f"person:{child.id}:placement_date" not in changes  # the same on both sides
    accept_changes(db_session, plan, [key, "family:coordinator_name"], TODAY)
    db_session.commit()
    db_session.expire_all()
    stored = db_session.get(Person, child.id)
    assert stored.placement_case_number == "III Nsm 412/26"
    assert db_session.get(Family, family.id).coordinator_name == plan.data["coordinator_name"]


def test_a_closing_report_offers_the_end_of_work_and_the_monitoring_for_the_next_note(db_session, family,
                                                                                      output_dir):
    report = _generated(db_session, family, "closing_report",
                        {"work_end": "2026-11-30", "monitoring_from": "2026-12-01", "monitoring_to": "2027-05-31",
                         "document_date": "2026-12-02"}, output_dir)
    changes = {change.key: change for change in offered_changes(report, TODAY)}
    assert set(changes) == {"family:closed_on", "family:monitoring_from", "family:monitoring_to"}
    assert changes["family:closed_on"].label == "Zakończenie pracy z rodziną"
    # an end of work in the future is not offered: the family page refuses it too
    assert "family:closed_on" not in {c.key for c in offered_changes(report, dt.date(2026, 11, 29))}

    accept_changes(db_session, report, list(changes), TODAY)
    db_session.commit()
    db_session.expire_all()
    stored = db_session.get(Family, family.id)
    assert (stored.closed_on, stored.active) == (dt.date(2026, 11, 30), False)  # closed: the retention runs
    assert (stored.monitoring_from, stored.monitoring_to) == (dt.date(2026, 12, 1), dt.date(2027, 5, 31))
    note = create_document(db_session, stored, "monitoring_note", stored.assistant)
    assert (note.data["work_end"], note.data["monitoring_from"], note.data["monitoring_to"]) == (
        "2026-11-30", "2026-12-01", "2027-05-31")
    assert offered_changes(report, TODAY) == []


def test_a_court_opinions_court_fills_the_cards_blanks_only(db_session, family, output_dir):
    profiles = [{"first_name": m.first_name, "last_name": m.last_name, "relation": m.relation,
                 "characteristic": "Opis z obserwacji asystenta."} for m in family.members]
    dated = get_doctype("court_opinion").example()["document_date"]
    opinion = _generated(db_session, family, "court_opinion",
                         {"work_to": None, "member_profiles": profiles, "document_date": dated}, output_dir)
    changes = {change.key for change in offered_changes(opinion, TODAY)}
    assert {"family:court_name", "family:court_case_number"} <= changes
    family.court_name, family.court_case_number = "Sąd Rejonowy w Brzozówce", "III Nsm 1/19"
    db_session.flush()
    changes = {change.key for change in offered_changes(opinion, TODAY)}
    assert not changes & {"family:court_name", "family:court_case_number"}


def test_a_draft_is_deleted_a_generated_document_is_not(db_session, family, output_dir):
    draft = create_document(db_session, family, "visit_record", family.assistant)
    draft_id = draft.id
    delete_draft(db_session, draft)
    db_session.commit()
    assert db_session.get(Document, draft_id) is None
    assert all(document.id != draft_id for document in db_session.get(Family, family.id).documents)

    plan = _generated(db_session, family, "work_plan", {"plan_date": "2026-11-02"}, output_dir)
    with pytest.raises(ValueError, match="znak sprawy"):
        delete_draft(db_session, plan)
    db_session.commit()
    assert db_session.scalars(select(Document).where(Document.id == plan.id)).one()
