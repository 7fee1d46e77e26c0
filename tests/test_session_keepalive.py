"""An idle logout loses nothing typed: the pages ask whether the session still lives before a form is
sent (static/session.js). The server's side of it: the session's state, a question that is not
activity, the end of an idle session, and the fresh CSRF token that lets a form typed before a new
login through. The pages themselves: tests/test_browser_session.py."""
from __future__ import annotations

import re
import time

from sqlalchemy import select

from docgen.definition import TEXTAREA
from docgen.doctypes import get_doctype
from docgen.store.documents import create_document, creation_refusal
from docgen.store.models import Document, Family, Office, User

PLAN = get_doctype("work_plan")
TYPED = "Rodzina dba o dom & szkołę <dzieci>, {{ bez zmian }} – \"cytat\"\nDruga linia 😀"


def office_timeout(session, minutes: int) -> int:
    office = session.scalars(select(Office)).first()
    office.session_timeout_minutes = minutes
    session.commit()
    return minutes * 60


def test_the_state_says_alive_with_a_fresh_token_and_the_time_left(app, login, session):
    limit = office_timeout(session, 30)
    assert app.test_client().get("/sesja/stan").status_code == 401  # no login: no redirect to follow
    client = login("asystent1")
    state = client.get("/sesja/stan").get_json()
    assert state["alive"] is True and state["csrf_token"] and state["idle_seconds"] == limit
    assert state["idle_left_seconds"] == limit


def test_a_passive_question_does_not_keep_an_unattended_computer_logged_in(login, session):
    limit = office_timeout(session, 30)
    client = login("asystent1")
    with client.session_transaction() as cookie:
        cookie["last_seen"] = time.time() - 600
    assert client.get("/sesja/stan?bierne=1").get_json()["idle_left_seconds"] in range(limit - 602, limit - 597)
    assert client.get("/sesja/stan?bierne=1").get_json()["idle_left_seconds"] in range(limit - 602, limit - 597)
    # a question the person's typing asks is activity
    assert client.get("/sesja/stan").get_json()["idle_left_seconds"] == limit


def test_an_idle_session_ends_on_the_question_with_401_not_a_redirect(login, session):
    limit = office_timeout(session, 5)
    client = login("asystent1")
    with client.session_transaction() as cookie:
        cookie["last_seen"] = time.time() - limit - 10
    response = client.get("/sesja/stan?bierne=1")
    assert response.status_code == 401 and response.get_json() == {"alive": False}
    assert client.get("/rodziny/").status_code == 302  # logged out on the server too


def test_a_form_typed_before_a_new_login_is_accepted_with_the_token_the_state_gives(csrf_client, session,
                                                                                     demo_password):
    document, section, field = draft(session)

    def log_in():
        page = csrf_client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        assert csrf_client.post("/login", data={"username": "asystent1", "password": demo_password,
                                                "csrf_token": token}).status_code == 302

    log_in()
    step = csrf_client.get(f"/dokumenty/{document.id}/krok/{section}").get_data(as_text=True)
    old_token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', step).group(1)
    csrf_client.post("/logout", data={"csrf_token": old_token})
    log_in()  # in another tab: a new session, whose CSRF secret the old page's token does not match
    form = {"action": "next", field: TYPED}
    assert csrf_client.post(f"/dokumenty/{document.id}/krok/{section}",
                            data={**form, "csrf_token": old_token}).status_code == 400
    fresh = csrf_client.get("/sesja/stan").get_json()["csrf_token"]
    assert csrf_client.post(f"/dokumenty/{document.id}/krok/{section}",
                            data={**form, "csrf_token": fresh}).status_code == 302
    session.expire_all()
    assert session.get(Document, document.id).data[field] == TYPED


def section_with_textarea() -> tuple[str, str]:
    for section in PLAN.sections:
        for item in section.items:
            if getattr(item, "kind", None) == TEXTAREA:
                return section.name, item.name
    raise AssertionError("the work plan has no text area")


def draft(session) -> tuple[Document, str, str]:
    """A new work plan of asystent1's first family that has one: (document, a step, a text area in it)."""
    user = session.scalars(select(User).where(User.username == "asystent1")).one()
    family = next(found for found in session.scalars(select(Family).where(Family.assistant_id == user.id)
                                                     .order_by(Family.id))
                  if creation_refusal(found, "work_plan") is None)
    document = create_document(session, family, "work_plan", user)
    session.commit()
    return (document, *section_with_textarea())
