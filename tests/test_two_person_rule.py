"""The two-person rule for the head's access: the admin (who must not see family data) cannot alone
make a head account, make someone a head or set a head's password. Another head confirms (or
refuses); where there is none, the admin confirms with a second factor (TOTP) and every head is told
at their next login. Every step is in the audit trail."""
from __future__ import annotations

import datetime as dt
import re
import threading

import pyotp
import pytest
from sqlalchemy import select

from docgen.cli import main
from docgen.store import approvals, second_factor
from docgen.store.models import AccountChange, AuditEntry, Family, Office, User
from docgen.store.users import create_user

NEW_PASSWORD = "zielony-parasol-42"
SECOND_HEAD_PASSWORD = "druga-kierowniczka-77"


def _user(session, username) -> User:
    session.expire_all()
    return session.scalars(select(User).where(User.username == username)).one()


def _logs_in(app, username, password) -> bool:
    return app.test_client().post("/login", data={"username": username, "password": password}).status_code == 302


def _client(app, username, password):
    client = app.test_client()
    assert client.post("/login", data={"username": username, "password": password}).status_code == 302
    return client


def _change(session, username) -> AccountChange:
    session.expire_all()
    return session.scalars(select(AccountChange).join(User, User.id == AccountChange.user_id)
                           .where(User.username == username).order_by(AccountChange.id.desc())).first()


def _trail(session, action) -> list[AuditEntry]:
    return session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)).all()


@pytest.fixture
def second_head(session):
    """A second head of the demo office, who can confirm what concerns the first one."""
    office = _user(session, "kierownik").office
    create_user(session, office, "kierownik2", "Danuta Kos", "kierownik", SECOND_HEAD_PASSWORD)
    session.commit()


def _new_head(admin):
    return admin.post("/admin/uzytkownicy/nowy", data={
        "username": "m.nowak", "full_name": "Marta Nowak", "role": "kierownik",
        "password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD})


def test_a_new_head_account_works_only_after_a_head_confirms_it(app, login, session, demo_password):
    admin = login("admin")
    response = _new_head(admin)
    assert response.status_code == 302 and response.location.endswith("/admin/uzytkownicy")
    page = admin.get(response.location).text
    assert "zacznie działać, gdy potwierdzi ją kierownik ośrodka (Barbara Lis)" in page
    assert "Czeka na potwierdzenie" in page and "czeka na potwierdzenie</span>" in page
    created = _user(session, "m.nowak")
    assert created.role == "kierownik" and not created.active
    assert not _logs_in(app, "m.nowak", NEW_PASSWORD)
    # the admin cannot switch it on instead
    response = admin.post(f"/admin/uzytkownicy/{created.id}", data={"full_name": "Marta Nowak", "role": "kierownik",
                                                                   "active": "y"})
    assert response.status_code == 200 and "zostanie włączone, gdy zmianę potwierdzi kierownik" in response.text
    assert not _user(session, "m.nowak").active

    head = app.test_client()
    response = head.post("/login", data={"username": "kierownik", "password": demo_password}, follow_redirects=True)
    assert "Na Twoje potwierdzenie czekają zmiany kont (1)" in response.text
    page = head.get("/zmiany-kont/").text
    assert "nowe konto kierownika" in page and "m.nowak" in page
    change = _change(session, "m.nowak")
    response = head.post(f"/zmiany-kont/{change.id}/potwierdz", follow_redirects=True)
    assert "Potwierdzono: nowe konto kierownika (m.nowak)" in response.text
    new_head = _client(app, "m.nowak", NEW_PASSWORD)
    families = session.scalars(select(Family).where(Family.office_id == created.office_id)).all()
    listing = new_head.get("/rodziny/").text
    assert all(family.family_name in listing for family in families)

    requested, confirmed = _trail(session, "request"), _trail(session, "confirm")
    assert [(e.username, e.object_id) for e in requested] == [("admin", created.id)]
    assert [(e.username, e.object_id) for e in confirmed] == [("kierownik", created.id)]
    assert NEW_PASSWORD not in requested[0].detail


def test_a_heads_new_password_waits_and_the_old_one_keeps_working(app, login, session, second_head,
                                                                 demo_password):
    target = _user(session, "kierownik")
    old_session = login("kierownik")
    response = login("admin").post(f"/admin/uzytkownicy/{target.id}", data={
        "full_name": target.full_name, "role": "kierownik", "active": "y",
        "new_password": NEW_PASSWORD, "new_password_repeat": NEW_PASSWORD})
    assert response.status_code == 302
    assert _logs_in(app, "kierownik", demo_password) and not _logs_in(app, "kierownik", NEW_PASSWORD)
    # the head whose password it is cannot confirm it for the admin
    change = _change(session, "kierownik")
    response = old_session.post(f"/zmiany-kont/{change.id}/potwierdz", follow_redirects=True)
    assert "Zmianę konta potwierdza inny aktywny kierownik tego ośrodka." in response.text
    assert _change(session, "kierownik").status == "pending"
    # an assistant does not even see the page; the admin cannot use the head's button
    assert login("asystent1").post(f"/zmiany-kont/{change.id}/potwierdz").status_code == 404
    assert login("admin").post(f"/zmiany-kont/{change.id}/potwierdz").status_code == 404
    assert login("asystent1").get(f"/admin/zmiany/{change.id}").status_code == 404

    other = _client(app, "kierownik2", SECOND_HEAD_PASSWORD)
    assert other.post(f"/zmiany-kont/{change.id}/potwierdz").status_code == 302
    assert _logs_in(app, "kierownik", NEW_PASSWORD) and not _logs_in(app, "kierownik", demo_password)
    response = old_session.get("/rodziny/")  # the head's sessions ended with the old password
    assert response.status_code == 302 and "/login" in response.location
    assert _change(session, "kierownik").password_hash is None


def test_a_head_refuses_and_nothing_changes(app, login, session, second_head, demo_password):
    asystent2 = _user(session, "asystent2")
    admin = login("admin")
    response = admin.post(f"/admin/uzytkownicy/{asystent2.id}", data={
        "full_name": asystent2.full_name, "role": "kierownik", "active": "y"}, follow_redirects=True)
    assert "część czeka na potwierdzenie" in response.text
    assert _user(session, "asystent2").role == "asystent"  # not a head until confirmed
    change = _change(session, "asystent2")
    other = _client(app, "kierownik2", SECOND_HEAD_PASSWORD)
    response = other.post(f"/zmiany-kont/{change.id}/odrzuc", follow_redirects=True)
    assert "Odrzucono: nadanie roli kierownika (asystent2)" in response.text
    assert "odrzucona" in response.text
    assert _user(session, "asystent2").role == "asystent"
    # decided once: a late click of another head changes nothing
    response = login("kierownik").post(f"/zmiany-kont/{change.id}/potwierdz", follow_redirects=True)
    assert "Ta zmiana została już rozstrzygnięta." in response.text
    assert _user(session, "asystent2").role == "asystent"
    assert [e.username for e in _trail(session, "refuse")] == ["kierownik2"]
    assert _trail(session, "confirm") == []


def test_the_admin_withdraws_a_waiting_change(app, login, session):
    admin = login("admin")
    _new_head(admin)
    change = _change(session, "m.nowak")
    assert admin.post(f"/admin/zmiany/{change.id}/wycofaj").status_code == 302
    assert _change(session, "m.nowak").status == "cancelled"
    assert login("kierownik").post(f"/zmiany-kont/{change.id}/potwierdz").status_code == 302
    assert not _user(session, "m.nowak").active
    assert [e.username for e in _trail(session, "cancel")] == ["admin"]


def _enrol(admin) -> pyotp.TOTP:
    page = admin.get("/admin/drugi-skladnik").text
    assert 'src="data:image/svg+xml' in page  # the QR code, inline (the CSP allows data: images)
    secret = re.search(r"klucz: <code>([A-Z2-7 ]+)</code>", page).group(1).replace(" ", "")
    totp = pyotp.TOTP(secret)
    wrong = f"{(int(totp.now()) + 1) % 1_000_000:06d}"
    assert "Kod się nie zgadza" in admin.post("/admin/drugi-skladnik", data={"code": wrong}).text
    assert admin.post("/admin/drugi-skladnik", data={"code": totp.now()}).status_code == 302
    assert "włączony" in admin.get("/admin/drugi-skladnik").text
    return totp


def test_without_another_head_the_admin_confirms_with_the_second_factor_and_the_heads_are_told(
        app, login, session, demo_password):
    head = _user(session, "kierownik")  # the office's only head forgot her password
    admin = login("admin")
    response = admin.post(f"/admin/uzytkownicy/{head.id}", data={
        "full_name": head.full_name, "role": "kierownik", "active": "y",
        "new_password": NEW_PASSWORD, "new_password_repeat": NEW_PASSWORD})
    change = _change(session, "kierownik")
    assert response.location.endswith(f"/admin/zmiany/{change.id}")
    page = admin.get(response.location).text
    assert "W ośrodku nie ma innego aktywnego kierownika" in page and "drugi składnik" in page
    totp = _enrol(admin)
    # the code used for the enrolment is spent; so is any wrong code
    assert "Ten kod został już użyty" in admin.post(f"/admin/zmiany/{change.id}/kod", data={"code": totp.now()}).text
    assert not _logs_in(app, "kierownik", NEW_PASSWORD)
    next_code = totp.at(dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=30))
    response = admin.post(f"/admin/zmiany/{change.id}/kod", data={"code": next_code})
    assert response.status_code == 302
    change = _change(session, "kierownik")
    assert change.status == "confirmed" and change.second_factor
    assert [e.detail for e in _trail(session, "confirm")] == [f"zmiana {change.id}: password, kodem administratora"]

    # every head sees it at the next login, once
    response = app.test_client().post("/login", data={"username": "kierownik", "password": NEW_PASSWORD},
                                      follow_redirects=True)
    assert "Administrator systemu sam potwierdził kodem z aplikacji zmianę „nowe hasło kierownika” konta kierownik" \
        in response.text
    response = app.test_client().post("/login", data={"username": "kierownik", "password": NEW_PASSWORD},
                                      follow_redirects=True)
    assert "sam potwierdził kodem" not in response.text
    assert "administrator sam, kodem z aplikacji" in _client(app, "kierownik", NEW_PASSWORD).get("/zmiany-kont/").text


def test_the_second_factor_is_refused_while_another_head_can_confirm(app, login, session, second_head,
                                                                     demo_password):
    admin = login("admin")
    totp = _enrol(admin)
    _new_head(admin)
    change = _change(session, "m.nowak")
    page = admin.get(f"/admin/zmiany/{change.id}").text
    assert "Kod z aplikacji" not in page and "Danuta Kos" in page
    code = totp.at(dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=30))
    response = admin.post(f"/admin/zmiany/{change.id}/kod", data={"code": code}, follow_redirects=True)
    assert "W ośrodku jest aktywny kierownik" in response.text
    assert _change(session, "m.nowak").status == "pending" and not _user(session, "m.nowak").active


def test_once_enrolled_the_second_factor_is_replaced_only_on_the_server(app, login, session, capsys, monkeypatch):
    admin = login("admin")
    _enrol(admin)
    assert "docgen reset-second-factor admin" in admin.get("/admin/drugi-skladnik").text
    assert admin.post("/admin/drugi-skladnik", data={"code": "123456"}).status_code == 200
    secret = _user(session, "admin").totp_secret
    assert secret
    monkeypatch.setenv("DATABASE_URL", session.get_bind().url.render_as_string(hide_password=False))
    assert main(["reset-second-factor", "admin"]) == 0
    assert "Wyłączono drugi składnik administratora admin" in capsys.readouterr().out
    assert _user(session, "admin").totp_secret is None
    assert 'src="data:image/svg+xml' in admin.get("/admin/drugi-skladnik").text


def test_the_head_decides_only_with_the_pages_csrf_token(csrf_client, session, demo_password, second_head):
    admin = _user(session, "admin")
    change = approvals.request(session, admin, _user(session, "asystent1"), approvals.PROMOTION)
    session.commit()
    page = csrf_client.get("/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert csrf_client.post("/login", data={"username": "kierownik", "password": demo_password,
                                            "csrf_token": token}).status_code == 302
    assert csrf_client.post(f"/zmiany-kont/{change.id}/potwierdz").status_code == 400
    assert _change(session, "asystent1").status == "pending"
    page = csrf_client.get("/zmiany-kont/").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert csrf_client.post(f"/zmiany-kont/{change.id}/potwierdz", data={"csrf_token": token}).status_code == 302
    assert _user(session, "asystent1").role == "kierownik"


# --- two people deciding at once ---------------------------------------------------------

def test_two_heads_deciding_at_once_make_exactly_one_decision(db_session, db_engine):
    from docgen.store import db

    office = Office(name="Ośrodek", address="ul. Lipowa 1", city="Lipowiec", case_prefix="OPS.AR")
    db_session.add(office)
    admin = create_user(db_session, office, "admin_r", "Admin", "admin", NEW_PASSWORD)
    heads = [create_user(db_session, office, f"kierownik_{i}", f"Kierownik {i}", "kierownik", NEW_PASSWORD)
             for i in range(2)]
    target = create_user(db_session, office, "szef", "Szef", "kierownik", NEW_PASSWORD)
    change = approvals.request(db_session, admin, target, approvals.PASSWORD,
                               password_hash="scrypt:nowe-haslo-do-sprawdzenia")
    db_session.commit()
    change_id, head_ids = change.id, [head.id for head in heads]
    sessions = db.make_sessionmaker(db_engine)
    barrier = threading.Barrier(2)
    results: list[tuple[str, bool]] = []

    def decide(head_id, how):
        with sessions() as session:
            head = session.get(User, head_id)
            pending = session.get(AccountChange, change_id)
            barrier.wait()
            won = getattr(approvals, how)(session, pending, head)
            session.commit()
            results.append((how, won))

    threads = [threading.Thread(target=decide, args=(head_ids[0], "confirm")),
               threading.Thread(target=decide, args=(head_ids[1], "refuse"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(won for _, won in results) == [False, True]
    winner = next(how for how, won in results if won)
    db_session.expire_all()
    decided = db_session.get(AccountChange, change_id)
    assert decided.status == ("confirmed" if winner == "confirm" else "refused")
    assert db_session.get(User, target.id).password_hash == (
        "scrypt:nowe-haslo-do-sprawdzenia" if winner == "confirm" else target.password_hash)


def test_a_time_step_is_accepted_once_even_when_two_requests_race(db_session, db_engine):
    from docgen.store import db

    office = Office(name="Ośrodek", address="ul. Lipowa 1", city="Lipowiec", case_prefix="OPS.AR")
    db_session.add(office)
    admin = create_user(db_session, office, "admin_t", "Admin", "admin", NEW_PASSWORD)
    secret = second_factor.new_secret()
    admin.totp_secret = secret
    db_session.commit()
    moment = dt.datetime.now(dt.timezone.utc)
    code = pyotp.TOTP(secret).at(moment)
    sessions = db.make_sessionmaker(db_engine)
    barrier = threading.Barrier(2)
    accepted = []

    def use():
        with sessions() as session:
            user = session.get(User, admin.id)
            barrier.wait()
            try:
                second_factor.verify(session, user, code, moment)
            except ValueError:
                accepted.append(False)
            else:
                accepted.append(True)
            session.commit()

    threads = [threading.Thread(target=use) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(accepted) == [False, True]
