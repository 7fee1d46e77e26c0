"""What a draft may hold: a text longer than its field allows or more rows than its group allows is
refused when the step is saved, with a Polish message naming the field, and everything typed stays on
the page (nothing cut, nothing stored); a body over the app's limit is refused at the door."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from docgen.store.models import Document, Family, User


@pytest.fixture
def plan(login, session):
    """asystent1 in the wizard of a new work plan; returns (client, document id)."""
    client = login("asystent1")
    user = session.scalars(select(User).where(User.username == "asystent1")).one()
    family = session.scalars(select(Family).where(Family.assistant_id == user.id).order_by(Family.id)).first()
    location = client.post(f"/rodziny/{family.id}/dokumenty", data={"doc_type": "work_plan"}).location
    return client, int(re.search(r"/dokumenty/(\d+)/", location).group(1))


def _stored(session, document_id):
    session.expire_all()
    return session.get(Document, document_id).data


def _errors(html: str) -> list[str]:
    return re.findall(r'<p class="error"[^>]*>([^<]*)</p>', html)


def test_an_overlong_text_is_refused_by_name_and_stays_on_the_page(plan, session):
    client, document_id = plan
    before = _stored(session, document_id).get("strengths")
    text = "Rodzina „Ą&<b>” wspiera się nawzajem.\r\n" + "ż" * 8000
    for action in ("save", "next"):
        response = client.post(f"/dokumenty/{document_id}/krok/strengths", data={"strengths": text, "action": action})
        assert response.status_code == 200
        assert _errors(response.text) == ["Zasoby i mocne strony: tekst jest za długi (8038 znaków, najwyżej 8000)."]
        assert "Tego kroku nie zapisano" in response.text
        # the whole text is back in its field, escaped, not cut to the limit
        assert "Rodzina „Ą&amp;&lt;b&gt;” wspiera się nawzajem.\r\n" + "ż" * 8000 + "</textarea>" in response.text
        assert _stored(session, document_id).get("strengths") == before
    # within the limit it is saved as typed (newlines counted once, as in the document)
    exact = "ż" * 7990 + "\r\n" + "ź" * 9
    assert client.post(f"/dokumenty/{document_id}/krok/strengths",
                       data={"strengths": exact, "action": "save"}).status_code == 302
    assert _stored(session, document_id)["strengths"] == exact


def test_texts_are_not_cut_by_the_browser(plan):
    client, document_id = plan
    page = client.get(f"/dokumenty/{document_id}/krok/strengths").text
    assert "<textarea" in page and "maxlength" not in page


def test_too_many_rows_are_refused_not_cut(plan, session):
    client, document_id = plan
    before = _stored(session, document_id).get("actions")
    rows = {}
    for index in range(61):
        rows.update({f"actions-{index}-goal": f"Cel {index + 1}", f"actions-{index}-action": f"Działanie nr {index + 1}",
                     f"actions-{index}-expected_effect": "Efekt", f"actions-{index}-verification": "Rozmowa"})
    response = client.post(f"/dokumenty/{document_id}/krok/actions", data={**rows, "action": "save"})
    assert response.status_code == 200
    assert "Działania: najwyżej 60 pozycji (jest 61); usuń 1." in _errors(response.text)
    assert "Działanie nr 61</textarea>" in response.text  # the last row is still there to move or delete
    assert _stored(session, document_id).get("actions") == before


def test_a_row_with_an_overlong_text_is_named_with_its_number(plan, session):
    client, document_id = plan
    response = client.post(f"/dokumenty/{document_id}/krok/goals", data={
        "goals-0-goal": "Krótki cel", "goals-1-goal": "x" * 8001, "action": "next"})
    assert response.status_code == 200
    assert _errors(response.text) == [
        "Cele szczegółowe (krótkoterminowe), cel 2 – Cel: tekst jest za długi (8001 znaków, najwyżej 8000)."]
    assert 'id="pole-goals[1].goal"' in response.text and "Krótki cel</textarea>" in response.text


def test_a_body_over_the_limit_is_refused_at_the_door_in_polish(plan, session, app):
    client, document_id = plan
    before = _stored(session, document_id).get("strengths")
    body = "strengths=" + "a" * (app.config["MAX_CONTENT_LENGTH"] + 1) + "&action=save"
    response = client.post(f"/dokumenty/{document_id}/krok/strengths", data=body,
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert "Za duże dane" in response.text and "nic nie zostało zapisane" in response.text
    assert _stored(session, document_id).get("strengths") == before
