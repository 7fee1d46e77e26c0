"""Accounts: the password policy, changing one's own password, the administrator's pages
(users and office settings, one office only, no family data) and `docgen create-admin`."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from docgen.cli import main
from docgen.store import users
from docgen.store.models import Family, Office, User

NEW_PASSWORD = "zielony-parasol-42"


def _user(session, username: str) -> User:
    session.expire_all()
    return session.scalars(select(User).where(User.username == username)).one()


def _logs_in(app, username: str, password: str) -> bool:
    response = app.test_client().post("/login", data={"username": username, "password": password})
    return response.status_code == 302


def _errors(html: str) -> list[str]:
    return re.findall(r'<p class="error"[^>]*>([^<]*)</p>', html)


# --- the password policy ----------------------------------------------------------------

def test_a_short_password_is_refused():
    with pytest.raises(ValueError, match="co najmniej 10 znaków"):
        users.check_password_strength("Kr0tkie!")


@pytest.mark.parametrize("password", ["haslo123", "qwerty123", "zaq12wsx", "polska123", "1qaz2wsx",
                                      "QWERTYUIOP", "Polska12345", "hasło12345", "1Qaz2Wsx3Edc", "password123"])
def test_a_common_password_is_refused_whatever_its_case(password):
    with pytest.raises(ValueError, match="najczęściej używanych haseł"):
        users.check_password_strength(password)


def test_the_list_is_shipped_and_holds_the_polish_favourites():
    common = users.common_passwords()
    assert len(common) >= 200
    assert {"haslo123", "qwerty123", "zaq12wsx", "polska123", "1qaz2wsx"} <= common


def test_a_password_equal_to_the_username_is_refused():
    with pytest.raises(ValueError, match="takie samo jak nazwa użytkownika"):
        users.check_password_strength("Jan.Kowalski", "jan.kowalski")
    users.check_password_strength("jan.kowalski-2026!", "jan.kowalski")  # containing it is allowed


def test_create_user_applies_the_policy_with_the_username(session):
    office = session.scalars(select(Office)).first()
    with pytest.raises(ValueError, match="nazwa użytkownika"):
        users.create_user(session, office, "bozena.kowal", "Bożena Kowal", "asystent", "bozena.kowal")
    with pytest.raises(ValueError, match="Login może zawierać"):
        users.create_user(session, office, "bożena kowal", "Bożena Kowal", "asystent", NEW_PASSWORD)


def test_a_good_password_passes():
    users.check_password_strength("trzy niepowiązane słowa", "asystent1")
    assert users.verify_password(users.hash_password(NEW_PASSWORD, "asystent1"), NEW_PASSWORD)


# --- changing one's own password --------------------------------------------------------

def test_the_form_is_linked_from_every_page(login):
    page = login("asystent1").get("/rodziny/").text
    assert 'href="/konto/haslo"' in page and "Zmień hasło" in page
    assert "Administracja" not in page


def test_a_wrong_current_password_is_refused(login, session, demo_password):
    before = _user(session, "asystent1").password_hash
    response = login("asystent1").post("/konto/haslo", data={
        "current_password": "to-nie-moje-haslo", "new_password": NEW_PASSWORD, "new_password_repeat": NEW_PASSWORD})
    assert response.status_code == 200
    assert _errors(response.text) == ["Obecne hasło jest nieprawidłowe."]
    assert NEW_PASSWORD not in response.text and "to-nie-moje-haslo" not in response.text  # passwords never echoed
    assert _user(session, "asystent1").password_hash == before


def test_every_problem_is_shown_at_once(login, demo_password):
    response = login("asystent1").post("/konto/haslo", data={
        "current_password": "to-nie-moje-haslo", "new_password": "haslo12345", "new_password_repeat": "haslo12345"})
    errors = _errors(response.text)
    assert errors[0] == "Obecne hasło jest nieprawidłowe." and "najczęściej używanych haseł" in errors[1]


def test_the_new_password_must_differ_from_the_current_one(login, demo_password):
    response = login("asystent1").post("/konto/haslo", data={
        "current_password": demo_password, "new_password": demo_password, "new_password_repeat": demo_password})
    assert _errors(response.text) == ["Nowe hasło musi różnić się od obecnego."]


@pytest.mark.parametrize("new, repeat, message", [
    ("qwerty12345", "qwerty12345", "najczęściej używanych haseł"),
    ("asystent1", "asystent1", "takie samo jak nazwa użytkownika"),
    ("krótkie", "krótkie", "co najmniej 10 znaków"),
    (NEW_PASSWORD, NEW_PASSWORD + "x", "Powtórzone hasło różni się od nowego hasła."),
    ("", "", "Podaj nowe hasło."),
])
def test_a_weak_or_mistyped_new_password_is_refused(login, session, demo_password, new, repeat, message):
    before = _user(session, "asystent1").password_hash
    response = login("asystent1").post("/konto/haslo", data={
        "current_password": demo_password, "new_password": new, "new_password_repeat": repeat})
    assert response.status_code == 200
    assert any(message in error for error in _errors(response.text)), _errors(response.text)
    assert _user(session, "asystent1").password_hash == before


def test_the_new_password_replaces_the_old_one(app, login, demo_password):
    client = login("asystent1")
    response = client.post("/konto/haslo", data={
        "current_password": demo_password, "new_password": NEW_PASSWORD, "new_password_repeat": NEW_PASSWORD})
    assert response.status_code == 302
    assert "Hasło zostało zmienione" in client.get(response.location, follow_redirects=True).text
    assert _logs_in(app, "asystent1", NEW_PASSWORD)
    assert not _logs_in(app, "asystent1", demo_password)


# --- the administrator's pages ----------------------------------------------------------

ADMIN_PAGES = ("/admin/", "/admin/uzytkownicy", "/admin/uzytkownicy/nowy", "/admin/osrodek")


@pytest.mark.parametrize("username", ["asystent1", "kierownik"])
def test_only_the_admin_gets_in(login, session, username):
    client = login(username)
    someone = _user(session, "asystent2")
    for path in (*ADMIN_PAGES, f"/admin/uzytkownicy/{someone.id}"):
        assert client.get(path).status_code == 404, path
    assert client.post("/admin/uzytkownicy/nowy", data={
        "username": "intruz", "full_name": "Intruz", "role": "admin",
        "password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD}).status_code == 404
    assert client.post("/admin/osrodek", data={"name": "Przejęty"}).status_code == 404
    assert session.scalars(select(User).where(User.username == "intruz")).first() is None
    assert "Administracja" not in client.get("/rodziny/").text


def test_the_admin_sees_accounts_and_no_family_data(login, session):
    client = login("admin")
    assert 'href="/admin/uzytkownicy"' in client.get("/rodziny/").text
    page = client.get("/admin/uzytkownicy").text
    for username, role in (("asystent1", "asystent rodziny"), ("kierownik", "kierownik ośrodka"),
                           ("admin", "administrator")):
        assert f"<code>{username}</code>" in page and role in page
    pages = page + client.get("/admin/osrodek").text + client.get(f"/admin/uzytkownicy/{_user(session, 'asystent1').id}").text
    for family in session.scalars(select(Family)):
        assert family.family_name not in pages
        assert family.address not in pages


def test_the_admin_creates_a_user_who_can_log_in(app, login, session):
    client = login("admin")
    response = client.post("/admin/uzytkownicy/nowy", data={
        "username": "m.nowak", "full_name": "Marta Nowak", "role": "asystent",
        "password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD})
    assert response.status_code == 302 and response.location.endswith("/admin/uzytkownicy")
    listing = client.get("/admin/uzytkownicy").text
    assert "Utworzono konto m.nowak" in listing and "Marta Nowak" in listing
    created = _user(session, "m.nowak")
    assert created.role == "asystent" and created.active
    assert created.office_id == _user(session, "admin").office_id
    assert _logs_in(app, "m.nowak", NEW_PASSWORD)


@pytest.mark.parametrize("changes, field_message", [
    ({"username": "asystent1"}, "jest już zajęta"),
    ({"username": "Asystent1"}, "jest już zajęta"),
    ({"username": "marta nowak"}, "Login może zawierać"),
    ({"password": "zaq12wsxcde3", "password_repeat": "zaq12wsxcde3"}, "najczęściej używanych haseł"),
    ({"password": "m.nowak", "password_repeat": "m.nowak"}, "takie samo jak nazwa użytkownika"),
    ({"password_repeat": "inne-haslo-123"}, "Powtórzone hasło różni się od hasła."),
    ({"full_name": ""}, "Podaj imię i nazwisko."),
    ({"role": "dyrektor"}, "Nieprawidłowy wybór"),
])
def test_a_bad_new_account_is_refused_and_what_was_typed_stays(login, session, changes, field_message):
    data = {"username": "m.nowak", "full_name": "Marta Nowak", "role": "kierownik",
            "password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD, **changes}
    count = len(session.scalars(select(User)).all())
    response = login("admin").post("/admin/uzytkownicy/nowy", data=data)
    assert response.status_code == 200
    assert any(field_message in error for error in _errors(response.text)), _errors(response.text)
    assert "Popraw zaznaczone pola" in response.text
    if data["full_name"]:
        assert f'value="{data["full_name"]}"' in response.text
    assert f'value="{data["username"]}"' in response.text
    if data["role"] == "kierownik":
        assert '<option selected value="kierownik">' in response.text
    assert NEW_PASSWORD not in response.text  # a password is never sent back
    assert len(session.scalars(select(User)).all()) == count


def test_the_admin_cannot_deactivate_or_demote_themselves(login, session):
    client = login("admin")
    me = _user(session, "admin")
    response = client.post(f"/admin/uzytkownicy/{me.id}", data={"full_name": "Admin", "role": "admin"})
    assert response.status_code == 200
    assert "Nie możesz wyłączyć własnego konta." in _errors(response.text)
    response = client.post(f"/admin/uzytkownicy/{me.id}", data={"full_name": "Admin", "role": "kierownik",
                                                                 "active": "y"})
    assert any("roli administratora" in error for error in _errors(response.text))
    me = _user(session, "admin")
    assert me.active and me.role == "admin" and me.full_name == "Administrator systemu"
    # the rest of one's own account may change
    assert client.post(f"/admin/uzytkownicy/{me.id}", data={"full_name": "Anna Admin", "role": "admin",
                                                             "active": "y"}).status_code == 302
    assert _user(session, "admin").full_name == "Anna Admin"


def test_the_admin_edits_deactivates_and_resets_a_password(app, login, session, demo_password):
    client = login("admin")
    other = _user(session, "asystent2")
    response = client.post(f"/admin/uzytkownicy/{other.id}", data={
        "full_name": "Paweł Wróbel-Nowak", "role": "asystent", "active": "y",
        "new_password": NEW_PASSWORD, "new_password_repeat": NEW_PASSWORD})
    assert response.status_code == 302
    assert _user(session, "asystent2").full_name == "Paweł Wróbel-Nowak"
    assert _logs_in(app, "asystent2", NEW_PASSWORD) and not _logs_in(app, "asystent2", demo_password)

    # a common password is refused next to the field, and nothing else is saved
    response = client.post(f"/admin/uzytkownicy/{other.id}", data={
        "full_name": "Ktoś Inny", "role": "asystent", "active": "y",
        "new_password": "Qwertyuiop", "new_password_repeat": "Qwertyuiop"})
    assert response.status_code == 200 and 'value="Ktoś Inny"' in response.text
    assert _user(session, "asystent2").full_name == "Paweł Wróbel-Nowak"

    # switched off: cannot log in, and is told the families need another assistant
    response = client.post(f"/admin/uzytkownicy/{other.id}", data={"full_name": "Paweł Wróbel", "role": "asystent"},
                           follow_redirects=True)
    assert "ma przydzielone rodziny" in response.text
    assert not _user(session, "asystent2").active
    assert not _logs_in(app, "asystent2", NEW_PASSWORD)
    assert "wyłączone" in client.get("/admin/uzytkownicy").text


def test_a_deactivated_user_is_logged_out_at_once(app, login, session):
    assistant = login("asystent2")
    assert assistant.get("/rodziny/").status_code == 200
    login("admin").post(f"/admin/uzytkownicy/{_user(session, 'asystent2').id}",
                        data={"full_name": "Paweł Wróbel", "role": "asystent"})
    response = assistant.get("/rodziny/")
    assert response.status_code == 302 and "/login" in response.location


def test_office_settings_are_saved(login, session):
    client = login("admin")
    page = client.get("/admin/osrodek").text
    assert 'value="MOPS.AR"' in page and 'value="15"' in page
    data = {"name": "Gminny Ośrodek Pomocy Społecznej w Brzozówce", "address": "ul. Lipowa 1, 12-345 Brzozówka",
            "city": "Brzozówka", "phone": "+48 89 000 00 00", "email": "gops@brzozowka.example",
            "case_prefix": "GOPS.AR", "jrwa_symbol": "4101", "caseload_limit": "12",
            "session_timeout_minutes": "45", "retention_years": "12"}
    response = client.post("/admin/osrodek", data=data)
    assert response.status_code == 302
    assert "Zapisano ustawienia ośrodka." in client.get(response.location).text
    session.expire_all()
    office = _user(session, "admin").office
    assert (office.name, office.city, office.case_prefix, office.caseload_limit, office.session_timeout_minutes,
            office.retention_years) == (data["name"], "Brzozówka", "GOPS.AR", 12, 45, 12)
    assert data["name"] in client.get("/admin/uzytkownicy").text  # the header shows the new name


@pytest.mark.parametrize("field, value, message", [
    # art. 15 ust. 4: an office may lower the limit of 15, never raise it
    ("caseload_limit", "0", "Podaj liczbę od 1 do 15 (rodzin; ustawa pozwala najwyżej na 15)."),
    ("caseload_limit", "16", "Podaj liczbę od 1 do 15 (rodzin; ustawa pozwala najwyżej na 15)."),
    ("caseload_limit", "51", "Podaj liczbę od 1 do 15 (rodzin; ustawa pozwala najwyżej na 15)."),
    ("caseload_limit", "dużo", "Wpisz liczbę całkowitą"),
    ("caseload_limit", "12,5", "Wpisz liczbę całkowitą"),
    ("retention_years", "", "Podaj liczbę od 1 do 50 (lat)."),
    ("session_timeout_minutes", "4", "Podaj liczbę od 5 do 480 (minut)."),
    ("session_timeout_minutes", "481", "Podaj liczbę od 5 do 480 (minut)."),
    ("retention_years", "0", "Podaj liczbę od 1 do 50 (lat)."),
    ("name", "", "Podaj nazwę ośrodka."),
    ("city", "  ", "Podaj miejscowość."),
    ("email", "sekretariat", "Wpisz adres e-mail"),
    ("case_prefix", "OPS AR", "Prefiks składa się z liter"),
    ("jrwa_symbol", "41a", "Symbol JRWA to od 1 do 4 cyfr"),
])
def test_office_settings_are_validated(login, session, field, value, message):
    client = login("admin")
    office = _user(session, "admin").office
    data = {"name": "Nowa nazwa ośrodka", "address": office.address, "city": office.city, "phone": office.phone,
            "email": office.email, "case_prefix": office.case_prefix, "jrwa_symbol": office.jrwa_symbol,
            "caseload_limit": "15", "session_timeout_minutes": "30", "retention_years": "10", field: value}
    response = client.post("/admin/osrodek", data=data)
    assert response.status_code == 200
    assert any(message in error for error in _errors(response.text)), _errors(response.text)
    assert len(_errors(response.text)) == 1
    if field != "name":
        assert 'value="Nowa nazwa ośrodka"' in response.text  # the rest of what was typed stays
    if value.strip():
        assert f'value="{value}"' in response.text
    session.expire_all()
    assert _user(session, "admin").office.name != "Nowa nazwa ośrodka"


def test_an_admin_never_reaches_another_offices_accounts(app, login, session):
    other = Office(name="Ośrodek B", address="ul. Inna 2", city="Inne Miasto", case_prefix="OPS.B")
    session.add(other)
    stranger = users.create_user(session, other, "asystent_b", "Adam Czapla", "asystent", NEW_PASSWORD)
    users.create_user(session, other, "admin_b", "Admin B", "admin", NEW_PASSWORD)
    session.commit()
    client = login("admin")
    assert client.get(f"/admin/uzytkownicy/{stranger.id}").status_code == 404
    assert client.post(f"/admin/uzytkownicy/{stranger.id}",
                       data={"full_name": "Przejęty", "role": "admin", "active": "y"}).status_code == 404
    assert "asystent_b" not in client.get("/admin/uzytkownicy").text
    session.expire_all()
    assert session.get(User, stranger.id).role == "asystent"

    # and the other office's admin sees only their own office
    other_admin = app.test_client()
    assert other_admin.post("/login", data={"username": "admin_b", "password": NEW_PASSWORD}).status_code == 302
    page = other_admin.get("/admin/uzytkownicy").text
    assert "asystent_b" in page and "asystent1" not in page
    assert other_admin.get(f"/admin/uzytkownicy/{_user(session, 'asystent1').id}").status_code == 404
    assert "Ośrodek B" in other_admin.get("/admin/osrodek").text


def _token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or \
        re.search(r'value="([^"]+)"[^>]*name="csrf_token"', html)
    return match.group(1)


def test_the_create_user_form_needs_its_csrf_token(csrf_client, session, demo_password):
    token = _token(csrf_client.get("/login").text)
    assert csrf_client.post("/login", data={"username": "admin", "password": demo_password,
                                            "csrf_token": token}).status_code == 302
    data = {"username": "m.nowak", "full_name": "Marta Nowak", "role": "admin",
            "password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD}
    response = csrf_client.post("/admin/uzytkownicy/nowy", data=data)
    assert response.status_code == 400 and "Formularz wygasł" in response.text
    response = csrf_client.post("/admin/uzytkownicy/nowy", data={**data, "csrf_token": "zmyślony"})
    assert response.status_code == 400
    assert session.scalars(select(User).where(User.username == "m.nowak")).first() is None
    # with the page's own token it goes through
    token = _token(csrf_client.get("/admin/uzytkownicy/nowy").text)
    assert csrf_client.post("/admin/uzytkownicy/nowy", data={**data, "csrf_token": token}).status_code == 302
    assert _user(session, "m.nowak").role == "admin"


# --- docgen create-admin ----------------------------------------------------------------

@pytest.fixture
def empty_db(tmp_path, monkeypatch, instance_dir, output_dir):
    url = f"sqlite:///{tmp_path / 'admin.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DOCGEN_ADMIN_PASSWORD", NEW_PASSWORD)
    return url


def _db(url):
    from docgen.store.db import make_engine, make_sessionmaker

    return make_sessionmaker(make_engine(url))()


def test_create_admin_sets_up_the_first_office(empty_db, capsys):
    code = main(["create-admin", "j.admin", "--office-name", "Gminny Ośrodek Pomocy Społecznej w Brzozówce",
                 "--city", "Brzozówka", "--full-name", "Jan Admin", "--address", "ul. Lipowa 1"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Utworzono ośrodek Gminny Ośrodek Pomocy Społecznej w Brzozówce (identyfikator 1)." in out
    assert "Utworzono administratora j.admin (Jan Admin)." in out
    assert NEW_PASSWORD not in out + err
    with _db(empty_db) as session:
        admin = users.authenticate(session, "j.admin", NEW_PASSWORD)
        assert admin is not None and admin.role == "admin"
        office = admin.office
        assert (office.city, office.address, office.case_prefix, office.caseload_limit) == \
            ("Brzozówka", "ul. Lipowa 1", "OPS.AR", 15)

    # a second office is not made by accident: with offices present, --office is needed
    code = main(["create-admin", "drugi", "--office-name", "Inny", "--city", "Inne"])
    _, err = capsys.readouterr()
    assert code == 2 and "--office ID" in err and "1 – Gminny Ośrodek" in err
    assert main(["create-admin", "drugi", "--office", "1", "--full-name", "Druga Osoba"]) == 0
    assert main(["create-admin", "trzeci", "--office", "7"]) == 2
    assert "Nie ma ośrodka o identyfikatorze 7" in capsys.readouterr().err
    with _db(empty_db) as session:
        assert users.authenticate(session, "drugi", NEW_PASSWORD).office_id == 1
        assert len(session.scalars(select(Office)).all()) == 1


@pytest.mark.parametrize("argv, password, message", [
    (["--city", "Brzozówka"], NEW_PASSWORD, "Podaj --office-name"),
    (["--office-name", "GOPS"], NEW_PASSWORD, "Podaj --city"),
    (["--office-name", "GOPS", "--city", "X", "--case-prefix", "OPS AR"], NEW_PASSWORD, "--case-prefix"),
    (["--office-name", "GOPS", "--city", "X"], "polska12345", "najczęściej używanych haseł"),
    (["--office-name", "GOPS", "--city", "X"], "J.Admin", "takie samo jak nazwa użytkownika"),
    (["--office-name", "GOPS", "--city", "X"], "krótkie1", "co najmniej 10 znaków"),
])
def test_create_admin_refuses_in_polish(empty_db, capsys, monkeypatch, argv, password, message):
    monkeypatch.setenv("DOCGEN_ADMIN_PASSWORD", password)
    code = main(["create-admin", "j.admin", *argv])
    _, err = capsys.readouterr()
    assert code == 2 and message in err, err
    with _db(empty_db) as session:  # nothing half-made: no office without its admin
        assert session.scalars(select(Office)).first() is None


def test_create_admin_asks_for_the_password_twice(empty_db, capsys, monkeypatch):
    import getpass

    monkeypatch.delenv("DOCGEN_ADMIN_PASSWORD")
    answers = iter([NEW_PASSWORD, NEW_PASSWORD + "!"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(answers))
    assert main(["create-admin", "j.admin", "--office-name", "GOPS", "--city", "X"]) == 2
    assert "Hasła się różnią" in capsys.readouterr().err

    answers = iter([NEW_PASSWORD, NEW_PASSWORD])
    assert main(["create-admin", "j.admin", "--office-name", "GOPS", "--city", "X"]) == 0
    capsys.readouterr()
    assert main(["create-admin", "J.ADMIN", "--office", "1"]) == 2
    assert "jest już zajęty" in capsys.readouterr().err
