"""Sessions end on the server: a copy of a session cookie (taken from a shared PC, a proxy log,
a stolen laptop) opens nothing after logout, a password change, a deactivation, an admin's reset
or "log out everywhere"; and a session ends 12 hours after login however busy it was kept."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from docgen.store.models import Family, LoginSession, User

NEW_PASSWORD = "zielony-parasol-42"


def _family_page(session, username="asystent2") -> str:
    user = session.scalars(select(User).where(User.username == username)).one()
    family = session.scalars(select(Family).where(Family.assistant_id == user.id).order_by(Family.id)).first()
    return f"/rodziny/{family.id}"


def _copy(app, client):
    """Another browser holding the same session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def _is_out(client, page) -> bool:
    response = client.get(page)
    return response.status_code == 302 and "/login" in response.location


def _user(session, username):
    session.expire_all()
    return session.scalars(select(User).where(User.username == username)).one()


def test_a_copied_cookie_is_dead_after_logout(app, login, session):
    page = _family_page(session)
    owner = login("asystent2")
    thief = _copy(app, owner)
    assert thief.get(page).status_code == 200  # the copy works while the session lives
    owner.post("/logout")
    assert _is_out(thief, page)
    assert "Sesja została zakończona" in thief.get("/login").text


def test_a_copied_cookie_is_dead_after_a_password_change_and_the_owner_stays_in(app, login, session, demo_password):
    page = _family_page(session)
    owner = login("asystent2")
    thief = _copy(app, owner)
    response = owner.post("/konto/haslo", data={"current_password": demo_password, "new_password": NEW_PASSWORD,
                                                "new_password_repeat": NEW_PASSWORD})
    assert response.status_code == 302
    assert _is_out(thief, page)
    assert owner.get(page).status_code == 200


def test_a_copied_cookie_is_dead_after_deactivation_even_when_the_account_comes_back(app, login, session):
    page = _family_page(session)
    owner = login("asystent2")
    thief = _copy(app, owner)
    admin = login("admin")
    account = f"/admin/uzytkownicy/{_user(session, 'asystent2').id}"
    assert admin.post(account, data={"full_name": "Paweł Wróbel", "role": "asystent"}).status_code == 302
    assert admin.post(account, data={"full_name": "Paweł Wróbel", "role": "asystent", "active": "y"}).status_code == 302
    assert _user(session, "asystent2").active
    assert _is_out(thief, page) and _is_out(owner, page)


def test_a_copied_cookie_is_dead_after_the_admin_sets_a_new_password(app, login, session):
    page = _family_page(session)
    owner = login("asystent2")
    thief = _copy(app, owner)
    login("admin").post(f"/admin/uzytkownicy/{_user(session, 'asystent2').id}", data={
        "full_name": "Paweł Wróbel", "role": "asystent", "active": "y",
        "new_password": NEW_PASSWORD, "new_password_repeat": NEW_PASSWORD})
    assert _is_out(thief, page) and _is_out(owner, page)


def test_log_out_everywhere_ends_every_session_of_the_user_only(app, login, session):
    page = _family_page(session)
    office_pc, phone = login("asystent2"), login("asystent2")
    colleague = login("kierownik")
    assert "Wyloguj ze wszystkich urządzeń" in phone.get("/konto/haslo").text
    response = phone.post("/konto/wyloguj-wszedzie")
    assert response.status_code == 302 and response.location.endswith("/login")
    assert "Wylogowano ze wszystkich urządzeń" in phone.get("/login").text
    assert _is_out(office_pc, page) and _is_out(phone, page)
    assert colleague.get(page).status_code == 200


def test_log_out_everywhere_needs_the_csrf_token(csrf_client, session, demo_password):
    import re

    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', csrf_client.get("/login").text).group(1)
    assert csrf_client.post("/login", data={"username": "asystent2", "password": demo_password,
                                            "csrf_token": token}).status_code == 302
    assert csrf_client.post("/konto/wyloguj-wszedzie").status_code == 400
    assert csrf_client.get(_family_page(session)).status_code == 200


def test_the_database_holds_no_usable_token(login, session):
    import hashlib

    client = login("asystent2")
    stored = session.scalars(select(LoginSession)).all()
    with client.session_transaction() as cookie_session:
        token = cookie_session["sid"]
    # only the token's hash is kept: a copy of the database opens no session
    assert [row.id for row in stored] == [hashlib.sha256(token.encode()).hexdigest()] and token != stored[0].id


@pytest.fixture
def clock(monkeypatch):
    """The wall clock, moved forward at will (the session and idle checks both read time.time)."""
    offset = [0.0]
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + offset[0])
    return offset


def test_a_busy_session_ends_twelve_hours_after_login(login, session, clock):
    page = _family_page(session)
    client = login("asystent2")
    # a request every 20 minutes (inside the 30-minute idle limit) for 12 hours
    for step in range(1, 36):
        clock[0] = step * 20 * 60
        assert client.get(page).status_code == 200, f"after {step * 20} minutes"
    clock[0] = 12 * 3600 + 60
    assert _is_out(client, page)
    assert "Sesja wygasła po 12 godzinach od zalogowania" in client.get("/login").text
    # a new login starts a new 12 hours
    assert login("asystent2").get(page).status_code == 200
