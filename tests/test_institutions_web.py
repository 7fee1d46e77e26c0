"""The directory of institutions in the web app (/placowki/): list and search, add and edit with
errors beside the fields, removal, CSV export and import with a report of the bad rows."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from docgen.store import institutions as directory
from docgen.store.models import AuditEntry, Institution, Office

PROMYK = "Świetlica Środowiskowa „Promyk”"


def entry_named(session, name):
    session.expire_all()
    return session.scalars(select(Institution).where(Institution.name == name)).one_or_none()


def audit_actions(session):
    session.expire_all()
    return [(e.action, e.username) for e in session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "institution").order_by(AuditEntry.id))]


@pytest.fixture
def other_office_entry(session):
    office = Office(name="Gminny Ośrodek Pomocy Społecznej w Brzozówce", address="ul. Długa 1", city="Brzozówka",
                    case_prefix="GOPS.AR")
    session.add(office)
    session.flush()
    entry = directory.create(session, office.id, {"name": "Poradnia w Brzozówce", "kind": "poradnia",
                                                  "address": "ul. Krzywa 9, 22-100 Brzozówka"})
    session.commit()
    return entry


def test_the_pages_need_a_login(client):
    for path in ("/placowki/", "/placowki/nowa", "/placowki/1/edycja", "/placowki/import", "/placowki/eksport"):
        response = client.get(path)
        assert response.status_code == 302 and response.location.startswith("/login"), path


@pytest.mark.parametrize("username", ["asystent1", "asystent2", "kierownik", "admin"])
def test_everyone_of_the_office_sees_the_directory_from_the_menu(login, username):
    client = login(username)
    home = client.get("/", follow_redirects=True).text
    assert '<a href="/placowki/">Placówki</a>' in home
    page = client.get("/placowki/").text
    assert PROMYK in page and "Sąd Rejonowy w Lipowcu Mazurskim, III Wydział Rodzinny i Nieletnich" in page
    assert "Placówek w wykazie: 16." in page
    assert "+ Dodaj placówkę" in page


def test_search_and_kind_filter(login):
    client = login("asystent1")
    page = client.get("/placowki/?q=ŚWIETLICA").text
    assert PROMYK in page and "Powiatowy Urząd Pracy" not in page
    assert 'value="ŚWIETLICA"' in page  # the query stays in the box
    assert PROMYK in client.get("/placowki/?q=swietlica").text  # typed without Polish letters
    courts = client.get("/placowki/?rodzaj=sad").text
    assert "Zespół Kuratorskiej Służby Sądowej" in courts and PROMYK not in courts
    assert "Znaleziono: 2." in courts
    nothing = client.get("/placowki/?q=planetarium").text
    assert "Nie znaleziono placówek pasujących do „planetarium”" in nothing


def test_another_offices_entry_is_404_everywhere(login, other_office_entry, session):
    client = login("kierownik")
    url = f"/placowki/{other_office_entry.id}"
    assert client.get(f"{url}/edycja").status_code == 404
    assert client.post(f"{url}/edycja", data={"name": "Przejęta", "kind": "inne", "address": "x"}).status_code == 404
    assert client.post(f"{url}/usuniecie", data={"confirm": "tak"}).status_code == 404
    assert "Poradnia w Brzozówce" not in client.get("/placowki/?q=brzozowce").text
    assert "Poradnia w Brzozówce" not in client.get("/placowki/eksport").data.decode("utf-8-sig")
    assert entry_named(session, "Poradnia w Brzozówce") is not None


def test_a_new_entry_with_errors_keeps_what_was_typed_and_says_what_is_wrong(login, session):
    client = login("asystent1")
    response = client.post("/placowki/nowa", data={
        "name": "Klub <Młodzieżowy> & Co", "kind": "", "address": "ul. Leśna 3\r\n11-440 Lipowiec Mazurski",
        "email": "klub@", "phone": "89 123 00 00", "nip": "123-456-32-19", "regon": ""})
    assert response.status_code == 200
    page = response.text
    assert "Popraw zaznaczone pola – nic z tego, co wpisano, nie zostało utracone." in page
    for message in ("Rodzaj: pole jest wymagane.",
                    "E-mail: to nie jest adres e-mail; wpisz go w postaci np. sekretariat@szkola.pl.",
                    "NIP: nieprawidłowy numer (błędna cyfra kontrolna); sprawdź, czy nie ma literówki."):
        assert re.search(rf'<p class="error" id="[\w-]+">{re.escape(message)}</p>', page), message
    assert 'value="Klub &lt;Młodzieżowy&gt; &amp; Co"' in page
    assert "ul. Leśna 3\r\n11-440 Lipowiec Mazurski</textarea>" in page or \
        "ul. Leśna 3\n11-440 Lipowiec Mazurski</textarea>" in page
    assert 'value="123-456-32-19"' in page and 'value="89 123 00 00"' in page
    assert entry_named(session, "Klub <Młodzieżowy> & Co") is None

    response = client.post("/placowki/nowa", data={
        "name": "Klub Młodzieżowy", "kind": "ngo", "address": "ul. Leśna 3\r\n11-440 Lipowiec Mazurski",
        "email": "klub@lipowiec.example", "nip": "123-456-32-18"})
    assert response.status_code == 302 and response.location == "/placowki/"
    entry = entry_named(session, "Klub Młodzieżowy")
    assert entry.address == "ul. Leśna 3\n11-440 Lipowiec Mazurski" and entry.nip == "1234563218"
    assert entry.office_id == session.scalars(select(Office.id)).first()
    assert "Zapisano placówkę „Klub Młodzieżowy”." in client.get("/placowki/").text
    assert audit_actions(session) == [("create", "asystent1")]

    # the same name and address again is refused beside the name
    again = client.post("/placowki/nowa", data={"name": "KLUB MŁODZIEŻOWY", "kind": "ngo",
                                                "address": "ul. Leśna 3, 11-440 Lipowiec Mazurski"})
    assert "Nazwa: ta placówka (ta sama nazwa i adres) jest już w wykazie." in again.text


def test_edit_shows_the_stored_values_and_saves_changes(login, session):
    client = login("kierownik")
    entry = entry_named(session, "Powiatowy Urząd Pracy w Lipowcu Mazurskim")
    page = client.get(f"/placowki/{entry.id}/edycja").text
    assert f'value="{directory.format_nip(entry.nip)}"' in page
    assert '<option selected value="pup">PUP</option>' in page or '<option value="pup" selected>PUP</option>' in page

    bad = client.post(f"/placowki/{entry.id}/edycja", data={"name": entry.name, "kind": "pup", "address": "",
                                                            "phone": "89 000 00 00"})
    assert "Adres: pole jest wymagane." in bad.text and 'value="89 000 00 00"' in bad.text
    assert entry_named(session, entry.name).phone == "89 123 60 00"

    good = client.post(f"/placowki/{entry.id}/edycja", data={
        "name": entry.name, "kind": "pup", "address": entry.address, "phone": "89 000 00 00", "email": entry.email,
        "scope": entry.scope, "nip": entry.nip, "regon": entry.regon})
    assert good.status_code == 302
    assert entry_named(session, entry.name).phone == "89 000 00 00"
    assert audit_actions(session) == [("update", "kierownik")]


def test_removal_needs_the_confirmation(login, session):
    client = login("asystent2")
    entry_id = entry_named(session, PROMYK).id
    response = client.post(f"/placowki/{entry_id}/usuniecie", data={})
    assert response.status_code == 302
    assert "Aby usunąć placówkę z wykazu, zaznacz potwierdzenie." in client.get(response.location).text
    assert entry_named(session, PROMYK) is not None

    response = client.post(f"/placowki/{entry_id}/usuniecie", data={"confirm": "tak"})
    assert response.status_code == 302 and response.location == "/placowki/"
    assert entry_named(session, PROMYK) is None
    assert audit_actions(session) == [("delete", "asystent2")]
    assert client.get(f"/placowki/{entry_id}/edycja").status_code == 404


def test_export_downloads_the_directory_as_csv_for_excel(login, session):
    client = login("asystent1")
    response = client.get("/placowki/eksport")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "wykaz_placowek_" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbfNazwa;Rodzaj;Adres;Telefon;E-mail;Zakres kompetencji;NIP;REGON\r\n")
    text = response.data.decode("utf-8-sig")
    assert PROMYK in text and ";Placówka wsparcia dziennego;" in text
    assert audit_actions(session) == [("export", "asystent1")]


BAD_FILE = ("Nazwa;Rodzaj;Adres;Telefon;E-mail\n"
            "Żłobek Miejski „Bajka”;inne;\"ul. Źródlana 5\n11-440 Lipowiec Mazurski\";89 123 99 00;\n"  # 2–3
            "Klub Seniora;klub;ul. Polna 1;;\n"  # 4: kind
            ";NGO;ul. Polna 2;;\n"  # 5: name
            "Bank Żywności;NGO;ul. Kolejowa 2;;bank@\n"  # 6: e-mail
            "Ośrodek Zdrowia w Lipowcu Mazurskim;Ośrodek zdrowia;ul. Zdrojowa 3, 11-440 Lipowiec Mazurski;89 123 70 71;\n"
            "Gminna Biblioteka;inne;ul. Ratuszowa 3;;\n")


def test_import_reports_bad_rows_by_line_and_keeps_the_good_ones(login, session):
    client = login("asystent1")
    assert "Import wykazu placówek z pliku CSV" in client.get("/placowki/import").text
    response = client.post("/placowki/import", data={"plik": (io.BytesIO(BAD_FILE.encode("utf-8")), "wykaz.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 200
    page = response.text
    assert "Dodano 2, zaktualizowano 1, pominięto 3 wiersze z błędami." in page
    assert "<li>Wiersz 4: Rodzaj: nieznany rodzaj „klub”" in page
    assert "<li>Wiersz 5: Nazwa: pole jest wymagane.</li>" in page
    assert "<li>Wiersz 6: E-mail: to nie jest adres e-mail" in page
    assert entry_named(session, "Żłobek Miejski „Bajka”").address == "ul. Źródlana 5\n11-440 Lipowiec Mazurski"
    assert entry_named(session, "Gminna Biblioteka") is not None
    assert entry_named(session, "Ośrodek Zdrowia w Lipowcu Mazurskim").phone == "89 123 70 71"  # updated
    assert entry_named(session, "Klub Seniora") is None
    # the bad rows come back in the text box, to be fixed and sent again
    assert ("Nazwa;Rodzaj;Adres;Telefon;E-mail\nKlub Seniora;klub;ul. Polna 1;;\n;NGO;ul. Polna 2;;\n"
            "Bank Żywności;NGO;ul. Kolejowa 2;;bank@\n</textarea>") in page
    assert audit_actions(session) == [("create", "asystent1")]

    fixed = ("Nazwa;Rodzaj;Adres;Telefon;E-mail\nKlub Seniora;inne;ul. Polna 1;;\n"
             "Bank Żywności;NGO;ul. Kolejowa 2;;bank@lipowiec.example\n")
    again = client.post("/placowki/import", data={"tekst": fixed}).text
    assert "Dodano 2, zaktualizowano 0, pominięto 0 wierszy z błędami." in again
    assert entry_named(session, "Klub Seniora").kind == "inne"


def test_import_of_nothing_or_of_a_file_too_large_says_so(login, session):
    client = login("asystent1")
    assert "Wybierz plik CSV albo wklej jego zawartość" in client.post("/placowki/import", data={}).text
    no_header = client.post("/placowki/import", data={"tekst": "A;B;C\n1;2;3\n"}).text
    assert "W pierwszym wierszu pliku brak kolumn: Nazwa, Rodzaj, Adres." in no_header
    assert 'A;B;C\n1;2;3\n</textarea>' in no_header  # what was pasted is kept

    huge = io.BytesIO(b"Nazwa;Rodzaj;Adres\n" + b"x" * (3 * 1024 * 1024))
    response = client.post("/placowki/import", data={"plik": (huge, "wielki.csv")}, content_type="multipart/form-data")
    assert response.status_code == 413
    assert "Plik jest za duży: wykaz placówek w CSV może mieć najwyżej 2 MB." in response.text
    assert audit_actions(session) == []


def test_changes_need_the_csrf_token(csrf_client, session):
    client = csrf_client
    page = client.get("/login").text
    import re

    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', page)
    token = next(group for group in token.groups() if group)
    assert client.post("/login", data={"username": "asystent1", "password": "haslo-demo-2026",
                                       "csrf_token": token}).status_code == 302
    entry = entry_named(session, PROMYK)
    for url, data in ((f"/placowki/{entry.id}/usuniecie", {"confirm": "tak"}),
                      ("/placowki/nowa", {"name": "X", "kind": "inne", "address": "Y"}),
                      ("/placowki/import", {"tekst": "Nazwa;Rodzaj;Adres\nX;inne;Y\n"})):
        assert client.post(url, data=data).status_code == 400, url
    assert entry_named(session, PROMYK) is not None and entry_named(session, "X") is None


# --- the letter's addressee from the directory ------------------------------------------------

def _letter_step(login, session):
    """asystent1 logged in, a new letter of their first family: (client, url of its addressee step)."""
    from docgen.store.models import Family, User

    client = login("asystent1")
    family = session.scalars(select(Family).join(User, Family.assistant)
                             .where(User.username == "asystent1").order_by(Family.id)).first()
    location = client.post(f"/rodziny/{family.id}/dokumenty", data={"doc_type": "letter"}).location
    document_id = int(location.split("/dokumenty/")[1].split("/")[0])
    return client, document_id, f"/dokumenty/{document_id}/krok/addressee"


def test_the_letters_addressee_step_offers_the_directory(login, session):
    client, _, url = _letter_step(login, session)
    page = client.get(url).text
    assert '<label for="picker-placowka">Wybierz z wykazu placówek</label>' in page
    assert '<optgroup label="Sąd">' in page
    court = entry_named(session, "Sąd Rejonowy w Lipowcu Mazurskim, III Wydział Rodzinny i Nieletnich")
    assert (f'<option value="{court.id}" data-fill=\'{{"addressee_address": "ul. S\\u0105dowa 2\\n11-440 Lipowiec '
            f'Mazurski", "addressee_name": "S\\u0105d Rejonowy w Lipowcu Mazurskim, III Wydzia\\u0142 Rodzinny i '
            f'Nieletnich"}}\'>') in page
    assert "picker.js" in page
    # other steps have no picker
    assert "picker-placowka" not in client.get(url.replace("addressee", "sender")).text


def test_wstaw_fills_the_addressee_without_javascript_and_keeps_the_rest(login, session):
    from docgen.store.models import Document

    client, document_id, url = _letter_step(login, session)
    school = entry_named(session, "Szkoła Podstawowa nr 2 im. Przyjaciół Mazur w Lipowcu Mazurskim")
    response = client.post(url, data={"addressee_name": "", "addressee_address": "", "action": "pick:placowka",
                                      "picker-placowka": str(school.id)})
    assert response.status_code == 302 and response.location == url
    page = client.get(url).text
    assert f"Wstawiono: {school.name}." in page
    assert f'value="{school.name}"' in page
    assert "ul. Ogrodowa 15\n11-440 Lipowiec Mazurski</textarea>" in page
    session.expire_all()
    data = session.get(Document, document_id).data
    assert data["addressee_name"] == school.name
    assert data["addressee_address"] == "ul. Ogrodowa 15\n11-440 Lipowiec Mazurski"

    # a typed addressee is replaced only by a choice; nothing chosen changes nothing and says so
    client.post(url, data={"addressee_name": "Dyrektor Szkoły", "addressee_address": data["addressee_address"],
                           "action": "pick:placowka", "picker-placowka": ""})
    session.expire_all()
    assert session.get(Document, document_id).data["addressee_name"] == "Dyrektor Szkoły"
    assert "Wybierz pozycję z listy, a potem kliknij „Wstaw”." in client.get(url).text


def test_another_offices_institution_cannot_be_picked(login, session, other_office_entry):
    from docgen.store.models import Document

    client, document_id, url = _letter_step(login, session)
    client.post(url, data={"addressee_name": "", "addressee_address": "", "action": "pick:placowka",
                           "picker-placowka": str(other_office_entry.id)})
    session.expire_all()
    assert session.get(Document, document_id).data.get("addressee_name") in (None, "")
    assert "Poradnia w Brzozówce" not in client.get(url).text


def test_the_court_opinion_takes_the_courts_name_division_and_address_from_the_directory(login, session):
    from docgen.store.models import Document, Family, User

    client = login("asystent1")
    family = session.scalars(select(Family).join(User, Family.assistant)
                             .where(User.username == "asystent1").order_by(Family.id)).first()
    location = client.post(f"/rodziny/{family.id}/dokumenty", data={"doc_type": "court_opinion"}).location
    document_id = int(location.split("/dokumenty/")[1].split("/")[0])
    url = f"/dokumenty/{document_id}/krok/court"
    court = entry_named(session, "Sąd Rejonowy w Lipowcu Mazurskim, III Wydział Rodzinny i Nieletnich")
    page = client.get(url).text
    assert '<label for="picker-sad">Wybierz sąd z wykazu placówek</label>' in page
    assert "Szkoła Podstawowa" not in page.split('id="picker-sad"')[1].split("</select>")[0]
    client.post(url, data={"court_name": "", "court_division": "", "court_address": "", "action": "pick:sad",
                           "picker-sad": str(court.id)})
    session.expire_all()
    data = session.get(Document, document_id).data
    assert (data["court_name"], data["court_division"], data["court_address"]) == (
        "Sąd Rejonowy w Lipowcu Mazurskim", "III Wydział Rodzinny i Nieletnich",
        "ul. Sądowa 2\n11-440 Lipowiec Mazurski")
