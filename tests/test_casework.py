"""Data entered once flows on: earlier documents prefill later ones, versions are kept, and the
Act's order of work (consent before a plan, the coordinated plan for a child in care, the
caseload limit, the assistant is not the social worker) is enforced with Polish messages."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from docgen.definition import Issue
from docgen.doctypes import DOCTYPES, get_doctype
from docgen.formatting import date_long
from docgen.store import users
from docgen.store.cardsync import accept_changes, offered_changes
from docgen.store.documents import create_document, generate
from docgen.store.models import ROLE_ASSISTANT, ROLE_HEAD, Family, Office, Person, User
from docgen.validate import DataInvalid, validate


def _case(session, *, basis="zgoda", foster=False):
    office = Office(name="Miejski Ośrodek Pomocy Społecznej w Brzozówce", address="ul. Szkolna 1, 11-500 Brzozówka",
                    city="Brzozówka", case_prefix="MOPS.AR")
    session.add(office)
    session.flush()
    assistant = users.create_user(session, office, "ewa", "Ewa Kalinowska", ROLE_ASSISTANT, "hasło-testowe-1")
    users.create_user(session, office, "kier", "Barbara Lis", ROLE_HEAD, "hasło-testowe-1")
    plan = get_doctype("work_plan").example()
    family = Family(office=office, assistant=assistant, family_name="Zawadzcy", address=plan["address"],
                    social_worker_name="Marek Sobczak", assignment_date=dt.date(2026, 10, 5), basis=basis,
                    consent_date=dt.date(2026, 10, 12) if basis else None)
    family.members = [Person(position=i, first_name=m["first_name"], last_name=m["last_name"],
                             birth_date=dt.date.fromisoformat(m["birth_date"]), pesel=m["pesel"],
                             relation=m["relation"], took_part=m["took_part"],
                             foster_care=foster and m["first_name"] == "Kacper")
                      for i, m in enumerate(plan["members"])]
    session.add(family)
    session.flush()
    return family, assistant


def _generated(session, family, user, doc_type, data):
    document = create_document(session, family, doc_type, user)
    document.data = {**document.data, **data}
    generate(session, document, user)
    return document


def test_the_assessment_starts_from_the_plan_and_the_closing_report_from_the_assessment(db_session, output_dir):
    family, ewa = _case(db_session)
    plan = _generated(db_session, family, ewa, "work_plan", get_doctype("work_plan").example())

    assessment = create_document(db_session, family, "periodic_assessment", ewa)
    data = assessment.data
    assert [row["goal"] for row in data["goals"]] == [g["goal"] for g in plan.data["goals"]]
    assert all(row["status"] is None for row in data["goals"])
    assert data["plan_reference"] == (f"Plan pracy z rodziną z dnia 2 listopada 2026 r. "
                                      f"(znak sprawy {plan.case_number})")
    assert data["period_from"] == "2026-11-02"  # the plan's start: no assessment before
    assert [c["first_name"] for c in data["children"]] == ["Julia", "Kacper"]
    assert (data["head_name"], data["assistant_name"], data["family_name"]) == ("Barbara Lis", "Ewa Kalinowska",
                                                                                "Zawadzcy")

    example = get_doctype("periodic_assessment").example()
    statuses = ["zrealizowany", "czesciowo", "niezrealizowany"]
    goals = [{**row, "status": status, "comment": f"uwaga {i}"} for i, (row, status) in enumerate(zip(data["goals"],
                                                                                                     statuses))]
    assessment.data = {**example, **{k: v for k, v in data.items() if k in ("goals", "plan_reference", "members")},
                       "goals": goals, "period_from": "2026-11-02", "period_to": "2027-04-30",
                       "document_date": "2027-04-30", "receipt_date": None}
    generate(db_session, assessment, ewa)
    assert assessment.document_date == dt.date(2027, 4, 30)
    assert family.assessment_due == dt.date(2027, 10, 30)

    closing = create_document(db_session, family, "closing_report", ewa)
    assert [(row["goal"], row["status"], row["comment"]) for row in closing.data["goals"]] == [
        (g["goal"], g["status"], g["comment"]) for g in goals]
    assert closing.data["work_start"] == "2026-10-05"

    second = create_document(db_session, family, "periodic_assessment", ewa)
    assert second.data["period_from"] == "2027-05-01"  # the day after the last assessment's period


def test_the_coordinated_plan_takes_the_work_plan_and_the_children_in_care(db_session, output_dir):
    family, ewa = _case(db_session)
    plan = _generated(db_session, family, ewa, "work_plan", get_doctype("work_plan").example())
    family.members[3].foster_care = True
    family.coordinator_name, family.coordinator_unit = "Agnieszka Rutkowska", "PCPR w Brzozówce"
    coordinated = create_document(db_session, family, "coordinated_plan", ewa)
    for name in ("problems", "strengths", "main_goal", "goals", "actions"):
        assert coordinated.data[name] == plan.data[name], name
    assert [c["first_name"] for c in coordinated.data["children_in_care"]] == ["Kacper"]
    assert coordinated.data["coordinator_name"] == "Agnieszka Rutkowska"


def test_a_free_text_role_is_prefilled_as_printed_not_as_a_code(db_session):
    family, ewa = _case(db_session)
    family.members[1].relation = "opiekun"
    visit = create_document(db_session, family, "visit_record", ewa)
    assert [row["role"] for row in visit.data["present"]] == ["matka", "opiekun prawny", "dziecko", "dziecko"]


def test_every_generated_version_is_kept_with_who_and_when(db_session, output_dir):
    family, ewa = _case(db_session)
    plan = _generated(db_session, family, ewa, "work_plan", get_doctype("work_plan").example())
    head = db_session.scalars(select(User).where(User.username == "kier")).one()
    generate(db_session, plan, head)
    first, second = plan.files
    assert (first.version, second.version) == (1, 2)
    assert (first.created_by.username, second.created_by.username) == ("ewa", "kier")
    assert first.storage_path != second.storage_path
    assert (output_dir / first.storage_path).is_file() and (output_dir / second.storage_path).is_file()


def test_a_plan_needs_the_familys_consent_or_a_court_order_recorded_before_it(db_session, output_dir):
    plan_type = get_doctype("work_plan")
    plan = {**plan_type.example(), "basis": None, "consent_date": None}
    assert Issue("basis", "Podstawa pracy z rodziną: pole jest wymagane.") in validate(plan_type, plan)
    late = {**plan_type.example(), "consent_date": "2026-11-03"}  # the plan is dated 2026-11-02
    assert [i.message for i in validate(plan_type, late) if i.path == "consent_date"] == [
        "Zgoda rodziny musi poprzedzać plan (art. 8 ust. 3 ustawy): data jest późniejsza niż data "
        "sporządzenia planu."]

    family, ewa = _case(db_session, basis="")
    consent = get_doctype("family_consent").example()
    signed = _generated(db_session, family, ewa, "family_consent", consent)
    # the signed consent is offered to the case file, never written there unasked; accepted, the plan starts with it
    assert family.basis == ""
    offered = offered_changes(signed, dt.date(2026, 12, 3))
    assert [(change.key, change.proposed) for change in offered] == [
        ("family:basis", "zgoda rodziny"), ("family:consent_date", date_long(consent["consent_date"]))]
    accept_changes(db_session, signed, [change.key for change in offered], dt.date(2026, 12, 3))
    assert (family.basis, family.consent_date) == ("zgoda", dt.date.fromisoformat(consent["consent_date"]))
    document = create_document(db_session, family, "work_plan", ewa)
    assert (document.data["basis"], document.data["consent_date"]) == ("zgoda", consent["consent_date"])


def test_a_child_in_foster_care_needs_the_coordinated_plan(db_session):
    family, ewa = _case(db_session, foster=True)
    with pytest.raises(ValueError, match="Kacper Zawadzki – dziecko przebywa w pieczy zastępczej"):
        create_document(db_session, family, "work_plan", ewa)
    assert create_document(db_session, family, "coordinated_plan", ewa).doc_type == "coordinated_plan"


def test_the_coordinated_plan_is_refused_without_a_child_in_care(db_session):
    family, ewa = _case(db_session)
    with pytest.raises(ValueError, match="gdy dziecko z rodziny przebywa w pieczy zastępczej"):
        create_document(db_session, family, "coordinated_plan", ewa)


# --- through the web ------------------------------------------------------------------------

def _family(session, name):
    return session.scalars(select(Family).where(Family.family_name == name)).one()


def test_the_refusal_is_shown_on_the_family_page_with_the_way_on(login, session):
    client = login("asystent1")
    family = _family(session, "Wieczorek")  # Filip is in foster care
    response = client.post(f"/rodziny/{family.id}/dokumenty", data={"doc_type": "work_plan"}, follow_redirects=True)
    assert response.request.path == f"/rodziny/{family.id}"
    assert "Filip Wieczorek – dziecko przebywa w pieczy zastępczej" in response.text
    assert "Utwórz „Plan pracy z rodziną skoordynowany z planem pomocy dziecku”" in response.text
    # the family page itself says which child is in care and which plan to start with
    assert "Zacznij od planu pracy skoordynowanego z planem pomocy dziecku" in response.text
    assert '<span class="badge badge-draft">w pieczy zastępczej</span>' in response.text
    location = client.post(f"/rodziny/{family.id}/dokumenty", data={"doc_type": "coordinated_plan"}).location
    assert re.search(r"/dokumenty/\d+/krok/", location)


def test_a_sixteenth_family_is_refused_with_the_offices_limit(login, session):
    assistant = session.scalars(select(User).where(User.username == "asystent1")).one()
    for index in range(13):  # the demo gives asystent1 two families
        session.add(Family(office_id=assistant.office_id, assistant_id=assistant.id, family_name=f"Rodzina {index}"))
    session.commit()
    response = login("kierownik").post("/rodziny/nowa", data={
        "family_name": "Szesnaści", "address": "ul. Krótka 1, 11-440 Lipowiec Mazurski",
        "assistant_id": str(assistant.id), "action": "save"})
    assert response.status_code == 200
    assert "Ewa Kalinowska prowadzi już 15 rodzin – to limit ośrodka (15). Wybierz innego asystenta." in response.text
    assert 'value="Szesnaści"' in response.text  # nothing typed is lost
    assert session.scalars(select(Family).where(Family.family_name == "Szesnaści")).first() is None


ART_17 = ("Asystent rodziny nie może być pracownikiem socjalnym tej samej rodziny (art. 17 ustawy): wskazano to "
          "samo konto w programie.")


def test_the_assistant_cannot_be_the_familys_social_worker(login, session):
    """art. 17 compares people: the accounts, whether picked from the list or typed by name."""
    family = _family(session, "Krajewscy")
    ewa = session.scalars(select(User).where(User.username == "asystent1")).one()
    client = login("asystent1")
    for fields in ({"social_worker_id": str(ewa.id)}, {"social_worker_name": "ewa  Kalinowska"}):
        response = client.post(f"/rodziny/{family.id}/edycja", data={
            "family_name": family.family_name, "address": family.address, "action": "save", **fields})
        assert response.status_code == 200
        assert ART_17 in response.text
    session.refresh(family)
    assert family.social_worker_id is None


def test_the_social_worker_is_an_account_or_a_typed_name(login, session):
    family = _family(session, "Krajewscy")
    head = session.scalars(select(User).where(User.username == "kierownik")).one()
    client = login("asystent1")
    page = client.get(f"/rodziny/{family.id}/edycja").text
    assert f'<option value="{head.id}">{head.full_name}</option>' in page
    response = client.post(f"/rodziny/{family.id}/edycja", data={
        "family_name": family.family_name, "address": family.address, "social_worker_id": str(head.id),
        "social_worker_name": "", "action": "save"})
    assert response.status_code == 302
    session.refresh(family)
    assert (family.social_worker_id, family.social_worker_name) == (head.id, head.full_name)
    # a worker without an account: the typed name, no account
    client.post(f"/rodziny/{family.id}/edycja", data={
        "family_name": family.family_name, "address": family.address, "social_worker_id": "",
        "social_worker_name": "Marek Sobczak", "action": "save"})
    session.refresh(family)
    assert (family.social_worker_id, family.social_worker_name) == (None, "Marek Sobczak")


def test_the_head_cannot_assign_the_family_to_its_social_worker(login, session):
    family = _family(session, "Krajewscy")
    ewa = session.scalars(select(User).where(User.username == "asystent1")).one()
    family.social_worker_id, family.social_worker_name = ewa.id, ewa.full_name
    session.commit()
    response = login("kierownik").post(f"/rodziny/{family.id}/edycja", data={
        "family_name": family.family_name, "address": family.address, "assistant_id": str(ewa.id),
        "social_worker_id": str(ewa.id), "action": "save"})
    assert response.status_code == 200 and ART_17 in response.text


def test_a_document_naming_the_assistant_as_the_social_worker_is_not_generated(db_session, output_dir):
    family, ewa = _case(db_session)
    plan = create_document(db_session, family, "work_plan", ewa)
    plan.data = {**plan.data, **get_doctype("work_plan").example(), "social_worker_name": "Ewa  Kalinowska"}
    with pytest.raises(DataInvalid) as refused:
        generate(db_session, plan, ewa)
    assert [(issue.path, issue.message) for issue in refused.value.issues] == [
        ("social_worker_name", "Asystent rodziny nie może być pracownikiem socjalnym tej samej rodziny (art. 17 "
                               "ustawy): Ewa  Kalinowska i Ewa Kalinowska to jedno konto w programie. Wskaż "
                               "pracownika socjalnego rodziny.")]
    assert plan.case_number is None
    # another person of the office, with an account or without one, is the social worker
    for worker in ("Barbara Lis", "Marek Sobczak"):
        plan.data = {**plan.data, "social_worker_name": worker}
        assert generate(db_session, plan, ewa).version >= 1


def test_the_dashboard_is_the_first_page_and_lists_overdue_assessments_in_polish(login, session):
    client = login("asystent1")
    assert client.get("/").location.endswith("/pulpit")
    page = client.get("/pulpit").text
    overdue = page.split('id="oceny-po-terminie"')[1].split("</section>")[0]
    # assigned 2 March 2026, no assessment since: due 2 September 2026
    assert "Wieczorek" in overdue and "2 września 2026 r." in overdue
    assert "2 / 15" in page
    foster = page.split('id="piecza"')[1].split("</section>")[0]
    assert "Wieczorek" in foster
    head = login("kierownik").get("/pulpit").text
    assert "Ewa Kalinowska: <strong>2 / 15</strong>" in head and "Paweł Wróbel: <strong>1 / 15</strong>" in head
    assert login("admin").get("/pulpit").status_code == 404


@pytest.mark.parametrize("type_id", list(DOCTYPES))
def test_every_type_has_a_wizard_and_a_review_page(login, session, type_id):
    client = login("asystent1")
    # the coordinated plan is for the family with a child in foster care
    family = _family(session, "Wieczorek" if type_id == "coordinated_plan" else "Krajewscy")
    location = client.post(f"/rodziny/{family.id}/dokumenty", data={"doc_type": type_id}).location
    document_id = int(re.search(r"/dokumenty/(\d+)/krok/", location).group(1))
    doctype = get_doctype(type_id)
    for section in doctype.sections:
        page = client.get(f"/dokumenty/{document_id}/krok/{section.name}")
        assert page.status_code == 200, section.name
        assert f"<h1>{doctype.numbered_title(section)}</h1>" in page.text
    review = client.get(f"/dokumenty/{document_id}")
    assert review.status_code == 200 and doctype.title in review.text


def test_the_family_list_pages_a_large_office_and_counts_in_the_database(login, session):
    head = session.scalars(select(User).where(User.username == "kierownik")).one()
    for index in range(120):
        session.add(Family(office_id=head.office_id, family_name=f"Zzz {index:03d}"))
    session.commit()
    client = login("kierownik")
    first = client.get("/rodziny/").text
    assert "Strona 1 z 2 (123 rodzin)" in first
    assert "Krajewscy" in first and "Zzz 119" not in first
    assert re.search(r'Krajewscy</a></td>\s*<td data-label="Adres">[^<]*</td>\s*<td data-label="Asystent">Ewa Kalinowska</td>'
                     r'\s*<td data-label="Stan">.*?praca trwa.*?</td>\s*<td data-label="Osób">4</td>'
                     r'\s*<td data-label="Dokumentów">0</td>', first)
    second = client.get("/rodziny/?strona=2").text
    assert "Zzz 119" in second and "Krajewscy" not in second
    assert "Strona 2 z 2" in client.get("/rodziny/?strona=99").text  # past the end: the last page
