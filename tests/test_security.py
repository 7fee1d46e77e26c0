"""Web hardening: CSRF, login throttling, cookies, headers, session expiry, downloads, errors, audit."""
from __future__ import annotations

import re
import time
from pathlib import Path

from sqlalchemy import select

from docgen.doctypes import get_doctype
from docgen.store.documents import create_document, generate
from docgen.store.models import AuditEntry, Family, Office, User

TEMPLATES = Path(__file__).resolve().parents[1] / "webforms" / "templates"


def _assistant_family(session, username="asystent1"):
    user = session.scalars(select(User).where(User.username == username)).one()
    return user, session.scalars(select(Family).where(Family.assistant_id == user.id).order_by(Family.id)).first()


def test_state_changing_requests_without_csrf_token_are_refused(csrf_client, session, demo_password):
    page = csrf_client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert csrf_client.post("/login", data={"username": "asystent1", "password": demo_password,
                                            "csrf_token": token}).status_code == 302
    _, family = _assistant_family(session)
    for path, data in ((f"/rodziny/{family.id}/dokumenty", {"doc_type": "work_plan"}),
                       (f"/rodziny/{family.id}/edycja", {"family_name": "X", "address": "Y"}),
                       ("/logout", {})):
        response = csrf_client.post(path, data=data)
        assert response.status_code == 400, path
        assert "Formularz wygasł" in response.get_data(as_text=True)
    # a JSON request is held to the same rule (token in the X-CSRFToken header)
    assert csrf_client.post(f"/rodziny/{family.id}/dokumenty", json={"doc_type": "work_plan"}).status_code == 400
    session.expire_all()
    assert session.get(Family, family.id).family_name != "X"


def test_login_is_throttled_with_a_polish_message(client):
    for _ in range(5):
        assert client.post("/login", data={"username": "asystent1", "password": "zle-haslo-1234"}).status_code == 200
    response = client.post("/login", data={"username": "asystent1", "password": "zle-haslo-1234"})
    assert response.status_code == 429
    assert "Zbyt wiele prób logowania" in response.get_data(as_text=True)


def test_session_cookie_flags_and_logout_clears_it(web_db, demo_password):
    from webforms import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": web_db, "SECRET_KEY": "x", "WTF_CSRF_ENABLED": False,
                      "SESSION_COOKIE_SECURE": True})
    client = app.test_client()
    response = client.post("/login", data={"username": "asystent1", "password": demo_password},
                           base_url="https://localhost")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    with client.session_transaction(base_url="https://localhost") as cookie_session:
        assert "_user_id" in cookie_session
    client.post("/logout", base_url="https://localhost")
    # the new cookie holds only the "Wylogowano." message: no user, no last activity
    with client.session_transaction(base_url="https://localhost") as cookie_session:
        assert set(cookie_session) <= {"_flashes"}
    assert client.get("/rodziny/", base_url="https://localhost").status_code == 302


def test_cookie_is_secure_exactly_when_the_page_came_over_https(client, app, demo_password):
    response = client.post("/login", data={"username": "asystent1", "password": demo_password})
    assert "Secure" not in response.headers["Set-Cookie"]
    response = app.test_client().post("/login", data={"username": "asystent1", "password": demo_password},
                                      base_url="https://localhost")
    assert "Secure" in response.headers["Set-Cookie"]


def test_wrong_method_gets_a_polish_page(login):
    response = login("asystent1").get("/logout")
    assert response.status_code == 405
    assert "Niedozwolona operacja" in response.get_data(as_text=True)


def test_security_headers_on_every_page(login, client):
    for response in (client.get("/login"), login("asystent1").get("/rodziny/")):
        policy = response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy
        assert "unsafe-inline" not in policy and "http" not in policy
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"


def test_templates_have_no_inline_script_or_style():
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), template
        assert not re.search(r"\sstyle=|<style", text), template
        assert not re.search(r"\son[a-z]+=", text), template
        assert "http://" not in text and "https://" not in text, template


def test_idle_session_expires_after_the_office_setting(app, session, demo_password):
    office = session.scalars(select(Office)).first()
    office.session_timeout_minutes = 5
    session.commit()
    client = app.test_client()
    client.post("/login", data={"username": "asystent1", "password": demo_password})
    assert client.get("/rodziny/").status_code == 200
    with client.session_transaction() as cookie_session:
        cookie_session["last_seen"] = time.time() - 6 * 60
    response = client.get("/rodziny/")
    assert response.status_code == 302 and "/login" in response.location
    page = client.get(response.location).get_data(as_text=True)
    assert "Sesja wygasła" in page
    assert client.get("/rodziny/").status_code == 302


def test_download_name_keeps_polish_letters_and_drops_path_characters(login, session, output_dir):
    user, family = _assistant_family(session)
    family.family_name = "Łężyńscy/../../etc"
    document = create_document(session, family, "work_plan", user)
    document.data = get_doctype("work_plan").example()
    record = generate(session, document, user)
    session.commit()
    assert "/" not in record.filename and ".." not in record.filename
    assert (output_dir / record.storage_path).resolve().is_relative_to(output_dir.resolve())
    response = login("asystent1").get(f"/pliki/{record.id}")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''plan_pracy_z_rodzina_%C5%81%C4%99%C5%BCy%C5%84scy_etc" in disposition


def test_server_error_page_is_polish_and_shows_no_traceback(web_db, demo_password):
    from webforms import create_app

    app = create_app({"DATABASE_URL": web_db, "SECRET_KEY": "x", "WTF_CSRF_ENABLED": False})

    @app.get("/awaria")
    def broken():
        raise RuntimeError("tajny-szczegol-bledu")

    client = app.test_client()
    client.post("/login", data={"username": "asystent1", "password": demo_password})
    response = client.get("/awaria")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Błąd serwera" in body
    assert "tajny-szczegol-bledu" not in body and "Traceback" not in body


def test_not_found_page_is_polish(login):
    response = login("asystent1").get("/rodziny/999999")
    assert response.status_code == 404
    assert "Nie znaleziono" in response.get_data(as_text=True)


def test_a_wizard_run_leaves_its_audit_trail(login, session):
    client = login("asystent1")
    user, family = _assistant_family(session)
    location = client.post(f"/rodziny/{family.id}/dokumenty", data={"doc_type": "work_plan"}).location
    document_id = int(re.search(r"/dokumenty/(\d+)/", location).group(1))
    client.get(location)
    client.post(f"/dokumenty/{document_id}/krok/goals", data={"goals-0-goal": "Cel", "action": "next"})
    from docgen.store.models import Document
    document = session.get(Document, document_id)
    document.data = get_doctype("work_plan").example()
    session.commit()
    client.post(f"/dokumenty/{document_id}/generuj")
    session.expire_all()
    file_id = session.get(Document, document_id).files[0].id
    client.get(f"/pliki/{file_id}")
    client.post("/logout")

    entries = session.scalars(select(AuditEntry).where(AuditEntry.user_id == user.id).order_by(AuditEntry.id)).all()
    actions = [(e.action, e.object_type, e.object_id) for e in entries]
    assert actions[0] == ("login", "user", user.id)
    assert ("create", "document", document_id) in actions
    assert ("view", "document", document_id) in actions
    assert ("update", "document", document_id) in actions
    assert ("generate", "document", document_id) in actions
    assert ("download", "file", file_id) in actions
    assert actions[-1] == ("logout", "user", user.id)
    assert all(e.username == "asystent1" and e.office_id == user.office_id for e in entries)
    assert all(e.family_id == family.id for e in entries if e.object_type in ("document", "file"))
    # entries hold ids, never the family's personal data
    for entry in entries:
        assert family.family_name not in entry.detail


def test_failed_login_is_recorded_without_a_user(client, session):
    client.post("/login", data={"username": "nieznany", "password": "zle-haslo-1234"})
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "login_failed")).one()
    assert entry.user_id is None and entry.username == "nieznany"


def test_head_reads_the_trail_per_family_and_per_user_and_assistants_cannot(login, session):
    user, family = _assistant_family(session)
    login("asystent1").get(f"/rodziny/{family.id}")
    head = login("kierownik")
    page = head.get(f"/dziennik/rodzina/{family.id}").get_data(as_text=True)
    assert "asystent1" in page and "podgląd" in page
    page = head.get(f"/dziennik/uzytkownik/{user.id}").get_data(as_text=True)
    assert "logowanie" in page
    assistant = login("asystent1")
    assert assistant.get(f"/dziennik/rodzina/{family.id}").status_code == 404
    assert assistant.get("/dziennik/").status_code == 404


def test_account_changes_are_recorded_and_the_admin_lands_on_accounts(login, session):
    admin = login("admin")
    assert admin.get("/").location == "/admin/uzytkownicy"
    response = admin.post("/admin/uzytkownicy/nowy", data={
        "username": "asystent3", "full_name": "Olga Nowicka", "role": "asystent",
        "password": "Wrzosowisko-2026", "password_repeat": "Wrzosowisko-2026"})
    assert response.status_code == 302, response.get_data(as_text=True)
    created = session.scalars(select(User).where(User.username == "asystent3")).one()
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "create",
                                                    AuditEntry.object_type == "user")).one()
    assert entry.object_id == created.id and entry.username == "admin"
    assert "Wrzosowisko" not in entry.detail


def test_guessing_the_current_password_on_the_change_form_is_throttled(login):
    client = login("asystent1")
    form = {"current_password": "zle-haslo-1234", "new_password": "Nowe-haslo-2026x",
            "new_password_repeat": "Nowe-haslo-2026x"}
    statuses = [client.post("/konto/haslo", data=form).status_code for _ in range(6)]
    assert statuses[:5] == [200] * 5 and statuses[5] == 429


def test_changing_ones_password_is_recorded(login, session, demo_password):
    client = login("asystent1")
    response = client.post("/konto/haslo", data={"current_password": demo_password,
                                                 "new_password": "Jesienne-Liscie-77",
                                                 "new_password_repeat": "Jesienne-Liscie-77"})
    assert response.status_code == 302
    entry = session.scalars(select(AuditEntry).where(AuditEntry.detail == "zmiana własnego hasła")).one()
    assert entry.username == "asystent1" and "Jesienne" not in entry.detail
