"""The wizard through Flask's test client: every open problem on the summary, warnings confirmed
(audited) before generating, the card offered what a document fixes, resuming a draft, deleting
one, ending work with a confirmation, the head reopening, the sender picked from the family."""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from docgen.doctypes import get_doctype
from docgen.store.documents import create_document, generate
from docgen.store.models import AuditEntry, Document, Family, Person

PLAN = get_doctype("work_plan")


def _family(session, name="Krajewscy") -> Family:
    return session.scalars(select(Family).where(Family.family_name == name)).one()


def _plan(session, family, **changes) -> Document:
    """A complete work plan of the family (the example's answers beside the card's data)."""
    document = create_document(session, family, "work_plan", family.assistant)
    own = {item.name for name in ("family", "basis") for item in PLAN.section(name).items}
    example = {k: v for k, v in PLAN.example().items() if k not in own}
    document.data = {**document.data, **example, "social_worker_name": family.social_worker_name, **changes}
    session.commit()
    return document


def _audit(session, action, **where):
    query = select(AuditEntry).where(AuditEntry.action == action)
    for name, value in where.items():
        query = query.where(getattr(AuditEntry, name) == value)
    return session.scalars(query.order_by(AuditEntry.id)).all()


def test_the_summary_lists_every_problem_at_once_and_the_badges_count_them(login, session):
    family = _family(session)
    # a field missing in one step, and a rule broken in another: both at once, before any step is sent
    document = _plan(session, family, main_goal=None, consultation_date="2026-10-01",
                     social_worker_name="Ewa Kalinowska")
    page = login("asystent1").get(f"/dokumenty/{document.id}").text
    problems = re.search(r'id="do-uzupelnienia".*?</div>', page, re.S).group(0)
    assert "Cel główny (długoterminowy): pole jest wymagane." in problems
    assert "Asystent rodziny nie może być pracownikiem socjalnym tej samej rodziny" in problems
    assert "Do uzupełnienia przed wygenerowaniem dokumentu (2)" in problems
    badges = dict(re.findall(r'<span class="num">(\d+)</span> <span class="step-title">[^<]*</span>\s*'
                             r'<span class="count"[^>]*><span class="visually-hidden">do uzupełnienia: </span>(\d+)',
                             page))
    steps = [section.name for section in PLAN.sections]
    assert badges == {str(steps.index("main_goal") + 1): "1", str(steps.index("signatures") + 1): "1"}
    assert '<button type="submit" disabled data-disabled-by-server>Generuj' in page


def test_a_warning_moves_on_shows_at_its_step_and_is_confirmed_before_generating(login, session, output_dir):
    family = _family(session)
    # the plan is drawn up on 9 November, but runs from 2 November
    document = _plan(session, family, plan_date="2026-11-09", consultation_date="2026-11-05")
    client = login("asystent1")
    period = PLAN.section("period")
    response = client.post(f"/dokumenty/{document.id}/krok/period",
                           data={"valid_from": "2026-11-02", "valid_to": "2027-04-30", "action": "next"})
    assert response.status_code == 302 and response.location.endswith("/krok/diagnosis")  # a warning does not hold
    step = client.get(f"/dokumenty/{document.id}/krok/{period.name}").text
    assert "Ostrzeżenia w tym kroku" in step and "przed datą sporządzenia planu (9 listopada 2026 r.)" in step
    assert 'class="count count-warning"' in step

    review = client.get(f"/dokumenty/{document.id}").text
    assert "Ostrzeżenia (1)" in review and ">Potwierdzam</button>" in review
    assert '<button type="submit" >Generuj' in review  # not disabled: pressing it says what to confirm

    refused = client.post(f"/dokumenty/{document.id}/generuj", follow_redirects=True).text
    assert "najpierw sprawdź i potwierdź ostrzeżenia" in refused
    assert "(1) Plan obowiązuje od: 2 listopada 2026 r., czyli przed datą sporządzenia planu" in refused
    session.expire_all()
    assert session.get(Document, document.id).version == 0

    key = re.search(r'name="key" value="([^"]+)"', review).group(1)
    confirmed = client.post(f"/dokumenty/{document.id}/ostrzezenia", data={"key": key}, follow_redirects=True).text
    assert "Wszystkie ostrzeżenia są potwierdzone." in confirmed and "✓ potwierdzone" in confirmed
    [entry] = _audit(session, "update", object_id=document.id, object_type="document")[-1:]
    assert entry.detail == "potwierdzone ostrzeżenia: plan_starts_before_it_is_made (valid_from)"

    response = client.post(f"/dokumenty/{document.id}/generuj")
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Document, document.id).version == 1
    # a warning that says something new must be confirmed again
    client.post(f"/dokumenty/{document.id}/krok/period",
                data={"valid_from": "2026-11-03", "valid_to": "2027-04-30", "action": "next"})
    assert ">Potwierdzam</button>" in client.get(f"/dokumenty/{document.id}").text


def test_generating_offers_the_card_what_the_document_fixes_and_writes_only_what_is_accepted(login, session,
                                                                                             output_dir):
    family = _family(session)
    document = _plan(session, family, plan_date="2026-11-02", valid_from="2026-11-02",
                     assignment_date="2026-09-10", referral_ref="MOPS.PS.4101.41.2026/A")
    client = login("asystent1")
    response = client.post(f"/dokumenty/{document.id}/generuj")
    assert response.location.endswith(f"/dokumenty/{document.id}?karta=1#karta")
    page = client.get(response.location).text
    offer = re.search(r'<section class="card offer".*?</section>', page, re.S).group(0)
    assert "Zapisać w karcie rodziny?" in offer
    assert "Data skierowania asystenta do rodziny" in offer
    assert "14 września 2026 r." in offer and "10 września 2026 r." in offer
    session.expire_all()
    assert _family(session).assignment_date == dt.date(2026, 9, 14)  # nothing changed silently

    client.post(f"/dokumenty/{document.id}/karta", data={"change": ["family:assignment_date"]})
    session.expire_all()
    stored = _family(session)
    assert stored.assignment_date == dt.date(2026, 9, 10) and stored.referral_ref == "MOPS.PS.4101.41.2026"
    [entry] = _audit(session, "update", object_type="family", family_id=family.id)[-1:]
    assert entry.detail == f"z dokumentu {document.id}: assignment_date"
    # the one left is still offered from the summary, not pressed on the user
    page = client.get(f"/dokumenty/{document.id}").text
    assert "Zapisać w karcie rodziny?" not in page and "Pokaż i zapisz w karcie rodziny" in page


def test_resuming_a_draft_opens_the_step_last_shown(login, session):
    family = _family(session)
    client = login("asystent1")
    response = client.post(f"/rodziny/{family.id}/dokumenty", data={"doc_type": "work_plan"})
    document_id = int(re.search(r"/dokumenty/(\d+)/", response.location).group(1))
    assert client.get(f"/dokumenty/{document_id}/wznow").location.endswith("/krok/family")
    changed = session.get(Document, document_id).updated_at
    client.get(f"/dokumenty/{document_id}/krok/goals")
    assert client.get(f"/dokumenty/{document_id}/wznow").location.endswith(f"/dokumenty/{document_id}/krok/goals")
    client.get(f"/dokumenty/{document_id}")
    assert client.get(f"/dokumenty/{document_id}/wznow").location.endswith(f"/dokumenty/{document_id}")
    session.expire_all()
    assert session.get(Document, document_id).updated_at == changed  # looking is not changing
    assert f'href="/dokumenty/{document_id}/wznow">Kontynuuj' in client.get(f"/rodziny/{family.id}").text


def test_a_draft_is_deleted_after_a_confirmation_a_generated_document_never(login, session, output_dir):
    family = _family(session)
    draft_id = create_document(session, family, "visit_record", family.assistant).id
    session.commit()
    client = login("asystent1")
    page = client.get(f"/dokumenty/{draft_id}/usun").text
    assert "Usunąć szkic?" in page and "Tak, usuń szkic" in page
    session.expire_all()
    assert session.get(Document, draft_id) is not None  # asking deletes nothing
    response = client.post(f"/dokumenty/{draft_id}/usun", follow_redirects=True)
    assert "Usunięto szkic: Karta wizyty." in response.text
    session.expire_all()
    assert session.get(Document, draft_id) is None
    assert _audit(session, "delete", object_type="document", object_id=draft_id)[0].detail == "visit_record"

    plan = _plan(session, family, plan_date="2026-11-02")
    generate(session, plan, family.assistant)
    session.commit()
    page = client.post(f"/dokumenty/{plan.id}/usun", follow_redirects=True).text
    assert "muszą zostać w aktach" in page
    session.expire_all()
    assert session.get(Document, plan.id) is not None
    assert client.get(f"/dokumenty/{plan.id}/usun").status_code == 200
    assert "Usuń szkic" not in client.get(f"/rodziny/{family.id}").text.split(f"/dokumenty/{plan.id}/wznow")[1][:200]


def test_ending_work_asks_first_and_only_the_head_reopens(login, session):
    family = _family(session)
    assistant, head = login("asystent1"), login("kierownik")
    day = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    page = assistant.post(f"/rodziny/{family.id}/zakonczenie", data={"closed_on": day}).text
    assert f"Zakończyć pracę z rodziną {family.family_name}?" in page and "okres przechowywania" in page
    session.expire_all()
    assert _family(session).closed_on is None
    assistant.post(f"/rodziny/{family.id}/zakonczenie", data={"closed_on": day, "confirm": "tak"})
    session.expire_all()
    assert _family(session).closed_on == dt.date.fromisoformat(day)

    assert "Wznów pracę z rodziną" not in assistant.get(f"/rodziny/{family.id}").text
    assert assistant.post(f"/rodziny/{family.id}/wznowienie").status_code == 404
    assert "Wznów pracę z rodziną" in head.get(f"/rodziny/{family.id}").text
    page = head.post(f"/rodziny/{family.id}/wznowienie", follow_redirects=True).text
    assert "Wznowiono pracę z rodziną." in page
    session.expire_all()
    reopened = _family(session)
    assert (reopened.closed_on, reopened.active) == (None, True)
    [entry] = _audit(session, "reopen", family_id=family.id)
    assert entry.username == "kierownik"


def test_the_sender_of_a_letter_is_picked_from_the_familys_members(login, session):
    family = _family(session)
    dariusz = next(person for person in family.members if person.first_name == "Dariusz")
    stranger = session.scalars(select(Person).join(Family).where(Family.family_name == "Jabłońscy")).first()
    client = login("asystent1")
    response = client.post(f"/rodziny/{family.id}/dokumenty", data={"doc_type": "letter"})
    document_id = int(re.search(r"/dokumenty/(\d+)/", response.location).group(1))
    page = client.get(response.location).text
    assert "Nadawca – wybierz członka rodziny" in page and "Dariusz Krajewski (ojciec)" in page
    assert stranger.last_name not in page
    # the card's head of the family is the default, with the phone from the card
    assert 'value="Monika Krajewska"' in page and 'value="605 118 204"' in page

    fields = {"sender_name": "Monika Krajewska", "sender_address": "x", "sender_phone": "605 118 204"}
    client.post(f"/dokumenty/{document_id}/krok/sender",
                data={**fields, "picker-nadawca": str(dariusz.id), "action": "pick:nadawca"})
    session.expire_all()
    data = session.get(Document, document_id).data
    assert (data["sender_name"], data["sender_address"], data["sender_phone"]) == (
        "Dariusz Krajewski", "ul. Ogrodowa 7 m. 3\n11-440 Lipowiec Mazurski", "512 440 917")
    # a person of another family is not one to pick
    client.post(f"/dokumenty/{document_id}/krok/sender",
                data={**fields, "picker-nadawca": str(stranger.id), "action": "pick:nadawca"})
    session.expire_all()
    assert session.get(Document, document_id).data["sender_name"] == "Monika Krajewska"


def test_the_family_card_keeps_a_persons_details_and_a_childs_placement(login, session):
    family = _family(session, "Wieczorek")
    page = login("asystent1").get(f"/rodziny/{family.id}").text
    assert "Sytuacja zawodowa: opieka nad dzieckiem lub osobą zależną" in page
    assert "Nazwa i miejsce pieczy: Anna i Marek Sowa, Stare Olszyny 14, 11-441 Stare Olszyny" in page
    assert "Sygnatura akt (umieszczenie): III Nsm 118/26" in page
    edit = login("asystent1").get(f"/rodziny/{family.id}/edycja").text
    assert 'id="members-2-placement_case_number"' in edit and "partner (konkubent)" in edit
    assert '<template data-row-template>' in edit and 'name="members-__i__-first_name"' in edit
