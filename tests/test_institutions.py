"""The directory of local institutions ("wykaz placówek") in the store, on SQLite and PostgreSQL:
validation, search, CSV export and import (bad rows reported by line, good rows kept), demo data."""
from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import delete, func, inspect, select
from stdnum.pl import nip as nip_number
from stdnum.pl import regon as regon_number

from docgen.store import demo, migrate
from docgen.store import institutions as directory
from docgen.store.models import Institution, Office

SCHOOL = {"name": "Szkoła Podstawowa nr 3 w Brzozówce", "kind": "szkola",
          "address": "ul. Szkolna 4\n22-100 Brzozówka", "phone": "87 000 11 22", "email": "sp3@brzozowka.example",
          "scope": "Klasy 1–8, pedagog szkolny."}
HEADER = "Nazwa;Rodzaj;Adres;Telefon;E-mail;Zakres kompetencji;NIP;REGON\n"


def make_office(session, name="Gminny Ośrodek Pomocy Społecznej w Brzozówce", prefix="GOPS.AR"):
    office = Office(name=name, address="ul. Długa 1, 22-100 Brzozówka", city="Brzozówka", case_prefix=prefix)
    session.add(office)
    session.flush()
    return office


@pytest.fixture
def office(db_session):
    return make_office(db_session)


def names(session, office_id):
    return sorted(session.scalars(select(Institution.name).where(Institution.office_id == office_id)))


# --- schema ---------------------------------------------------------------------------------

def test_the_migration_makes_the_table_the_model_describes(db_engine, db_url):
    assert "institution" in inspect(db_engine).get_table_names()
    indexes = {index["name"] for index in inspect(db_engine).get_indexes("institution")}
    assert "ix_institution_office_id" in indexes
    assert migrate.differences(db_url) == []


def test_entries_go_with_their_office(db_session, office):
    directory.create(db_session, office.id, SCHOOL)
    db_session.commit()
    db_session.execute(delete(Office).where(Office.id == office.id))  # the database's ON DELETE CASCADE
    db_session.commit()
    assert db_session.scalar(select(func.count(Institution.id))) == 0


# --- values ---------------------------------------------------------------------------------

def test_required_fields_and_checked_numbers_are_named_in_polish():
    values, problems = directory.clean({"name": " ", "kind": "planetarium", "address": "", "email": "sp3@",
                                        "phone": "dzwoń wieczorem", "nip": "123-456-32-19", "regon": "12345"})
    assert [str(p) for p in problems] == [
        "Nazwa: pole jest wymagane.",
        "Rodzaj: nieznany rodzaj „planetarium”; wybierz jeden z: Poradnia, Placówka wsparcia dziennego, "
        "Interwencja kryzysowa, Szkoła, Sąd, PCPR, PUP, Ośrodek zdrowia, NGO, Inne.",
        "Adres: pole jest wymagane.",
        "Telefon: numer może zawierać cyfry, spacje i znaki + ( ) - / oraz „wew.”, np. 89 123 45 67 wew. 12.",
        "E-mail: to nie jest adres e-mail; wpisz go w postaci np. sekretariat@szkola.pl.",
        "NIP: nieprawidłowy numer (błędna cyfra kontrolna); sprawdź, czy nie ma literówki.",
        "REGON: numer ma 9 albo 14 cyfr.",
    ]
    assert {p.field for p in problems} == {"name", "kind", "address", "phone", "email", "nip", "regon"}


def test_values_are_normalised():
    values, problems = directory.clean({"name": "  Świetlica   „Promyk” ", "kind": "Placówka wsparcia dziennego",
                                        "address": "ul. Lipowa 8  \r\n\r\n 11-440  Lipowiec ", "phone": "89 123 45 67 wew. 12",
                                        "nip": "PL 123-456-32-18", "regon": "12345675", "scope": " a\r\nb "})
    assert problems == []
    assert values["name"] == "Świetlica „Promyk”"
    assert values["kind"] == "wsparcie_dzienne"
    assert values["address"] == "ul. Lipowa 8\n11-440 Lipowiec"
    assert values["nip"] == "1234563218"
    # a spreadsheet dropped the leading zero of a REGON: it is put back when the number then checks out
    assert values["regon"] == "012345675" and regon_number.is_valid("012345675")
    assert values["scope"] == "a\nb"


@pytest.mark.parametrize("text, code", [("szkola", "szkola"), ("Szkoła", "szkola"), ("SZKOŁA", "szkola"),
                                        ("PCPR", "pcpr"), ("pup", "pup"), ("Ośrodek zdrowia", "zdrowie"),
                                        ("Świetlica", "wsparcie_dzienne"), ("Fundacja", "ngo"), ("", None),
                                        ("muzeum", None)])
def test_a_kind_is_its_code_or_its_label(text, code):
    assert directory.kind_code(text) == code


def test_control_characters_and_long_texts_are_refused():
    _, problems = directory.clean({**SCHOOL, "name": "Szkoła\x07", "scope": "x" * 2001})
    assert [p.field for p in problems] == ["name", "scope"]
    assert "za długi (2001 znaków, najwyżej 2000)" in str(problems[1])


def test_postal_address_puts_the_postal_code_on_its_own_line():
    assert directory.postal_address("ul. Szkolna 4, 11-440 Lipowiec Mazurski") == "ul. Szkolna 4\n11-440 Lipowiec Mazurski"
    assert directory.postal_address("ul. Szkolna 4\n11-440 Lipowiec") == "ul. Szkolna 4\n11-440 Lipowiec"
    assert directory.postal_address("Plac 3 Maja 1, pok. 2") == "Plac 3 Maja 1, pok. 2"


# --- the directory --------------------------------------------------------------------------

def test_create_update_delete_stay_in_the_office(db_session, office):
    other = make_office(db_session, "Miejski Ośrodek Pomocy Społecznej w Olszynie", "MOPS.OL")
    entry = directory.create(db_session, office.id, {**SCHOOL, "kind": "Szkoła", "nip": "123-456-32-18"})
    db_session.commit()
    assert entry.kind == "szkola" and entry.nip == "1234563218" and entry.created_at is not None
    assert directory.get(db_session, office.id, entry.id) is entry
    assert directory.get(db_session, other.id, entry.id) is None

    directory.update(db_session, entry, {**SCHOOL, "phone": "87 000 99 99", "nip": ""})
    db_session.commit()
    assert entry.phone == "87 000 99 99" and entry.nip == ""

    with pytest.raises(directory.InvalidInstitution) as refused:
        directory.update(db_session, entry, {**SCHOOL, "address": ""})
    assert [str(p) for p in refused.value.problems] == ["Adres: pole jest wymagane."]
    db_session.rollback()

    directory.delete(db_session, entry)
    db_session.commit()
    assert names(db_session, office.id) == []


def test_the_same_name_and_address_twice_is_refused_but_another_office_may_have_it(db_session, office):
    other = make_office(db_session, "Miejski Ośrodek Pomocy Społecznej w Olszynie", "MOPS.OL")
    directory.create(db_session, office.id, SCHOOL)
    with pytest.raises(directory.InvalidInstitution) as refused:
        # the same entry written differently: case, a comma instead of a line break
        directory.create(db_session, office.id, {**SCHOOL, "name": SCHOOL["name"].upper(),
                                                 "address": "ul. Szkolna 4, 22-100 Brzozówka"})
    assert str(refused.value.problems[0]) == "Nazwa: ta placówka (ta sama nazwa i adres) jest już w wykazie."
    directory.create(db_session, other.id, SCHOOL)
    db_session.commit()


def test_search_ignores_case_and_polish_letters_on_both_databases(db_session, office):
    other = make_office(db_session, "Miejski Ośrodek Pomocy Społecznej w Olszynie", "MOPS.OL")
    for name, kind, address, scope in (
            ("Świetlica Środowiskowa „Promyk”", "wsparcie_dzienne", "ul. Łąkowa 2, 22-100 Brzozówka", "Pomoc w nauce"),
            ("Poradnia Psychologiczno-Pedagogiczna", "poradnia", "ul. Żeromska 1, 22-100 Brzozówka", "Diagnoza 100%"),
            ("Sąd Rejonowy w Brzozówce", "sad", "ul. Sądowa 2, 22-100 Brzozówka", "Wydział rodzinny")):
        directory.create(db_session, office.id, {"name": name, "kind": kind, "address": address, "scope": scope})
    directory.create(db_session, other.id, {"name": "Świetlica w Olszynie", "kind": "wsparcie_dzienne",
                                            "address": "ul. Polna 1"})
    db_session.commit()

    def found(query, kind=""):
        entries, total = directory.search(db_session, office.id, query, kind)
        assert total == len(entries)
        return [e.name for e in entries]

    promyk = "Świetlica Środowiskowa „Promyk”"
    for query in ("ŚWIETLICA", "świetlica", "swietlica", "Swietl", "  promyk  "):
        assert found(query) == [promyk], query
    assert found("łąkowa") == found("LAKOWA") == [promyk]  # the address is searched too
    assert found("nauce") == [promyk]  # and the scope
    assert found("brzozówka rodzinny") == ["Sąd Rejonowy w Brzozówce"]  # every word must match
    assert found("100%") == ["Poradnia Psychologiczno-Pedagogiczna"]
    assert found("%") == ["Poradnia Psychologiczno-Pedagogiczna"]  # LIKE's wildcards are plain characters
    assert found("_") == []
    assert found("") == ["Poradnia Psychologiczno-Pedagogiczna", "Sąd Rejonowy w Brzozówce", promyk]  # by name
    assert found("", "sad") == ["Sąd Rejonowy w Brzozówce"]
    assert found("poradnia") == found("PORADNIA") == ["Poradnia Psychologiczno-Pedagogiczna"]
    assert found("sąd") == found("Sad") == ["Sąd Rejonowy w Brzozówce"]
    assert found("wsparcia dziennego") == [promyk]  # the kind's label is searched too
    assert found("olszyn") == []  # another office's entries are never found

    page, total = directory.search(db_session, office.id, "", limit=2, offset=2)
    assert total == 3 and [e.name for e in page] == [promyk]


# --- CSV export -----------------------------------------------------------------------------

def test_export_is_utf8_with_bom_semicolons_a_polish_header_and_kind_labels(db_session, office):
    directory.create(db_session, office.id, {**SCHOOL, "nip": "1234563218", "regon": "012345675"})
    directory.create(db_session, office.id, {"name": "=HYPERLINK(\"x\")", "kind": "inne", "address": "ul. Ćmy 1",
                                             "phone": "+48 87 000 11 22"})
    content = directory.export_csv(db_session, office.id)
    assert content.startswith(b"\xef\xbb\xbf")
    text = content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows[0] == ["Nazwa", "Rodzaj", "Adres", "Telefon", "E-mail", "Zakres kompetencji", "NIP", "REGON"]
    school = next(row for row in rows if row[0] == SCHOOL["name"])
    assert school == [SCHOOL["name"], "Szkoła", "ul. Szkolna 4\n22-100 Brzozówka", "87 000 11 22",
                      "sp3@brzozowka.example", "Klasy 1–8, pedagog szkolny.", "123-456-32-18", "012345675"]
    # a cell a spreadsheet would run as a formula starts with an apostrophe
    formula = next(row for row in rows if "HYPERLINK" in row[0])
    assert formula[0] == "'=HYPERLINK(\"x\")" and formula[3] == "'+48 87 000 11 22"
    assert "\r\n" in text


def test_an_export_imports_back_unchanged(db_session, office):
    directory.create(db_session, office.id, {**SCHOOL, "nip": "1234563218"})
    directory.create(db_session, office.id, {"name": "=A1", "kind": "inne", "address": "ul. Ćmy 1",
                                             "phone": "+48 87 000 11 22"})
    before = {e.id: {f: getattr(e, f) for f in directory.FIELDS}
              for e in db_session.scalars(select(Institution).where(Institution.office_id == office.id))}
    report = directory.import_csv(db_session, office.id, directory.export_csv(db_session, office.id))
    assert (report.added, report.updated, report.unchanged, report.skipped) == (0, 0, 2, 0), report.errors
    after = {e.id: {f: getattr(e, f) for f in directory.FIELDS}
             for e in db_session.scalars(select(Institution).where(Institution.office_id == office.id))}
    assert after == before

    other = make_office(db_session, "Miejski Ośrodek Pomocy Społecznej w Olszynie", "MOPS.OL")
    report = directory.import_csv(db_session, other.id, directory.export_csv(db_session, office.id))
    assert report.added == 2 and names(db_session, other.id) == names(db_session, office.id)


# --- CSV import -----------------------------------------------------------------------------

BAD_ROWS = (
    HEADER
    + 'Poradnia Psychologiczno-Pedagogiczna;poradnia;"ul. Szkolna 12\n22-100 Brzozówka";87 000 40 10;;;;\n'  # 2–3
    + "Świetlica „Promyk”;Świetlica;ul. Lipowa 8, 22-100 Brzozówka;;promyk@;;;\n"  # 4: e-mail
    + ";PCPR;ul. Długa 3;;;;;\n"  # 5: no name
    + "Powiatowy Urząd Pracy;PUP;ul. Dworcowa 7;;;;123-456-32-19;\n"  # 6: NIP
    + "\n"  # 7: empty, skipped silently
    + "Sąd Rejonowy w Brzozówce;sąd;ul. Sądowa 2;;;;;\n"  # 8
    + "Klub „Przystań”;planetarium;ul. Mazurska 21;;;;;\n"  # 9: kind
    + "Ośrodek Zdrowia;zdrowie;ul. Zdrojowa 3;w godz. 8-16;;;;;;\n"  # 10: phone, trailing empty cells are fine
    + "Stowarzyszenie „Razem”;NGO;ul. Kolejowa 11;;biuro@razem.example;Paczki żywnościowe;;\n"  # 11
)


def test_bad_rows_are_reported_by_line_and_the_good_rows_are_saved(db_session, office):
    report = directory.import_csv(db_session, office.id, BAD_ROWS.encode("utf-8"))
    db_session.commit()
    assert report.problem is None
    assert report.errors == [
        "Wiersz 4: E-mail: to nie jest adres e-mail; wpisz go w postaci np. sekretariat@szkola.pl.",
        "Wiersz 5: Nazwa: pole jest wymagane.",
        "Wiersz 6: NIP: nieprawidłowy numer (błędna cyfra kontrolna); sprawdź, czy nie ma literówki.",
        "Wiersz 9: Rodzaj: nieznany rodzaj „planetarium”; wybierz jeden z: Poradnia, Placówka wsparcia dziennego, "
        "Interwencja kryzysowa, Szkoła, Sąd, PCPR, PUP, Ośrodek zdrowia, NGO, Inne.",
        "Wiersz 10: Telefon: numer może zawierać cyfry, spacje i znaki + ( ) - / oraz „wew.”, np. 89 123 45 67 wew. 12.",
    ]
    assert (report.added, report.updated, report.skipped) == (3, 0, 5)
    assert report.summary == "Dodano 3, zaktualizowano 0, pominięto 5 wierszy z błędami."
    assert names(db_session, office.id) == ["Poradnia Psychologiczno-Pedagogiczna", "Stowarzyszenie „Razem”",
                                            "Sąd Rejonowy w Brzozówce"]
    clinic = db_session.scalars(select(Institution).where(Institution.name.like("Poradnia%"))).one()
    assert clinic.address == "ul. Szkolna 12\n22-100 Brzozówka" and clinic.kind == "poradnia"
    # the rejected rows, exactly as they were, under the header: to be fixed and imported again
    rejected = report.rejected_text.splitlines()
    assert rejected[0] == HEADER.strip()
    assert rejected[1:] == [line for number, line in enumerate(BAD_ROWS.splitlines(), start=1)
                            if number in (4, 5, 6, 9, 10)]
    fixed = report.rejected_text.replace("promyk@", "promyk@brzozowka.example").replace(";planetarium;", ";NGO;")
    again = directory.import_csv(db_session, office.id, fixed.encode("utf-8"))
    assert (again.added, again.skipped) == (2, 3)
    assert [e.split(":")[0] for e in again.errors] == ["Wiersz 3", "Wiersz 4", "Wiersz 6"]


@pytest.mark.parametrize("count, text", [(0, "pominięto 0 wierszy"), (1, "pominięto 1 wiersz z"),
                                         (2, "pominięto 2 wiersze"), (5, "pominięto 5 wierszy"),
                                         (12, "pominięto 12 wierszy"), (22, "pominięto 22 wiersze")])
def test_the_summary_speaks_polish_plurals(count, text):
    assert text in directory.ImportReport(added=7, updated=1, skipped=count).summary
    assert directory.ImportReport(added=7, updated=1, skipped=2).summary == \
        "Dodano 7, zaktualizowano 1, pominięto 2 wiersze z błędami."


@pytest.mark.parametrize("encode, guessed", [
    pytest.param(lambda text: text.replace(";", ",").encode("utf-8"), False, id="comma"),
    pytest.param(lambda text: ("\ufeff" + text).encode("utf-8"), False, id="bom-semicolon"),
    pytest.param(lambda text: text.replace("\n", "\r\n").encode("utf-8"), False, id="crlf"),
    pytest.param(lambda text: text.encode("cp1250"), True, id="windows-1250"),
    pytest.param(lambda text: text.replace(";", "\t").encode("utf-16"), False, id="utf16-tabs"),
])
def test_what_excel_and_other_programs_save_is_read(db_session, office, encode, guessed):
    text = ("Nazwa;Rodzaj;Adres;Telefon\n"
            "Świetlica Środowiskowa;Placówka wsparcia dziennego;ul. Łąkowa 2;89 123 52 31\n"
            "Żłobek Miejski;inne;ul. Źródlana 5;\n")
    report = directory.import_csv(db_session, office.id, encode(text))
    assert report.errors == [] and report.problem is None
    assert report.added == 2
    assert names(db_session, office.id) == ["Świetlica Środowiskowa", "Żłobek Miejski"]
    assert any("Windows-1250" in note for note in report.notes) == guessed


def test_columns_may_come_in_any_order_with_other_names_and_unknown_ones(db_session, office):
    text = ("adres;Typ;nazwa placówki;e-mail;Uwagi\n"
            "ul. Polna 1;pcpr;Powiatowe Centrum Pomocy Rodzinie;pcpr@example.pl;dzwonić rano\n")
    report = directory.import_csv(db_session, office.id, text.encode())
    assert report.added == 1 and report.notes == ["Pominięto nieznane kolumny: Uwagi."]
    entry = db_session.scalars(select(Institution)).one()
    assert (entry.name, entry.kind, entry.address, entry.email) == (
        "Powiatowe Centrum Pomocy Rodzinie", "pcpr", "ul. Polna 1", "pcpr@example.pl")


def test_an_entry_already_there_is_updated_by_its_filled_cells_only(db_session, office):
    directory.create(db_session, office.id, {**SCHOOL, "nip": "1234563218"})
    db_session.commit()
    text = (HEADER
            # the same school (other case, address on one line): a new phone, nothing about the e-mail
            + "SZKOŁA PODSTAWOWA NR 3 W BRZOZÓWCE;szkoła;ul. Szkolna 4, 22-100 Brzozówka;87 000 99 99;;;;\n"
            + f"{SCHOOL['name']};Szkoła;\"ul. Szkolna 4\n22-100 Brzozówka\";;;;;\n"  # 3–4: the same in the file
            + "Szkoła Podstawowa nr 3 w Brzozówce;Szkoła;ul. Szkolna 40;;;;;\n")  # another address: another entry
    report = directory.import_csv(db_session, office.id, text.encode())
    db_session.commit()
    assert report.errors == ["Wiersz 3: Nazwa: ta sama placówka (nazwa i adres) jest już w wierszu 2 tego pliku."]
    assert (report.added, report.updated, report.unchanged, report.skipped) == (1, 1, 0, 1)
    school = db_session.scalars(select(Institution).where(Institution.address == SCHOOL["address"])).one()
    assert school.phone == "87 000 99 99"
    # what identifies the entry keeps the form it was typed in (the address its line break)
    assert school.name == SCHOOL["name"]
    assert school.email == SCHOOL["email"] and school.nip == "1234563218"  # empty cells kept what was stored

    again = directory.import_csv(db_session, office.id, text.encode())
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2)
    assert again.summary == "Dodano 0, zaktualizowano 0, bez zmian 2, pominięto 1 wiersz z błędami."


def test_broken_quotes_are_reported_at_their_line(db_session, office):
    text = (HEADER
            + 'Sąd Rejonowy;sąd;"ul. Sądowa 2\n22-100 Brzozówka";;;;;\n'  # 2–3
            + 'Klub "Przystań" dla młodzieży;NGO;ul. Mazurska 21;;;;;\n'  # 4: quotes inside a plain cell are fine
            + '"Klub" Przystań;NGO;ul. Mazurska 22;;;;;\n'  # 5: a quoted cell with text after it
            + "Ośrodek Zdrowia;zdrowie;ul. Zdrojowa 3;;;;;\n"  # 6
            + 'Fundacja;NGO;ul. A 1;"Wszystko;;;\n'  # 7: a quote never closed
            + "Poradnia;poradnia;ul. B 2;;;;;\n")  # 8: swallowed by it
    report = directory.import_csv(db_session, office.id, text.encode())
    assert [e.split(":")[0] for e in report.errors] == ["Wiersz 5", "Wiersz 7"]
    assert "cudzysłów otwarty i niezamknięty" in report.errors[1]
    assert names(db_session, office.id) == ["Klub \"Przystań\" dla młodzieży", "Ośrodek Zdrowia", "Sąd Rejonowy"]
    assert report.skipped == 2


def test_a_row_longer_than_the_header_is_reported(db_session, office):
    text = "Nazwa;Rodzaj;Adres\nPUP;pup;ul. Dworcowa 7; pok. 3\nPCPR;pcpr;ul. Polna 1;;\n"
    report = directory.import_csv(db_session, office.id, text.encode())
    assert report.errors == ["Wiersz 2: ma więcej komórek (4) niż nagłówek (3); jeśli w tekście jest znak „;”, "
                             "ujmij tę komórkę w cudzysłów."]
    assert names(db_session, office.id) == ["PCPR"]


@pytest.mark.parametrize("content, message", [
    (b"", "Plik jest pusty."),
    (b"\n \n", "Plik jest pusty."),
    ("Nazwa;Adres\nA;B\n".encode(), "W pierwszym wierszu pliku brak kolumn: Rodzaj."),
    ("Nazwa;Rodzaj;Adres;Nazwa\n".encode(), "Kolumna „Nazwa” występuje w nagłówku dwa razy."),
    ("A;B;C\n1;2;3\n".encode(), "brak kolumn: Nazwa, Rodzaj, Adres."),
    (b"PK\x03\x04\x00\x00binary", "to nie jest plik tekstowy CSV"),
    (b"x" * (directory.MAX_IMPORT_BYTES + 1), "Plik jest za duży"),
])
def test_a_file_that_cannot_be_used_saves_nothing_and_says_why(db_session, office, content, message):
    report = directory.import_csv(db_session, office.id, content)
    assert report.problem and message in report.problem
    assert report.summary == report.problem
    assert names(db_session, office.id) == []


def test_too_many_rows_are_refused_whole(db_session, office, monkeypatch):
    monkeypatch.setattr(directory, "MAX_IMPORT_ROWS", 3)
    text = HEADER + "".join(f"Szkoła nr {n};szkoła;ul. Szkolna {n};;;;;\n" for n in range(4))
    report = directory.import_csv(db_session, office.id, text.encode())
    assert "najwyżej 3" in report.problem
    assert names(db_session, office.id) == []


# --- the letter wizard's picker ---------------------------------------------------------------

def test_institution_choices_give_the_addressee_name_and_postal_lines(db_session, office):
    other = make_office(db_session, "Miejski Ośrodek Pomocy Społecznej w Olszynie", "MOPS.OL")
    directory.create(db_session, office.id, {"name": "Sąd Rejonowy w Brzozówce", "kind": "sad",
                                             "address": "ul. Sądowa 2, 22-100 Brzozówka"})
    directory.create(db_session, office.id, SCHOOL)
    directory.create(db_session, office.id, {"name": "Poradnia", "kind": "poradnia", "address": "ul. B 2"})
    directory.create(db_session, other.id, {"name": "Obca", "kind": "poradnia", "address": "ul. C 3"})
    choices = directory.institution_choices(db_session, office.id)
    assert [c.name for c in choices] == ["Poradnia", SCHOOL["name"], "Sąd Rejonowy w Brzozówce"]  # by kind
    court = choices[2]
    assert court.address == "ul. Sądowa 2\n22-100 Brzozówka"
    assert court.block == "Sąd Rejonowy w Brzozówce\nul. Sądowa 2\n22-100 Brzozówka"
    assert court.kind_label == "Sąd"


# --- demo -----------------------------------------------------------------------------------

def test_the_demo_holds_a_realistic_directory_of_its_town(db_session, instance_dir):
    demo.load_demo(db_session, password="haslo-demo-2026")
    office = demo.find_demo_office(db_session)
    entries = db_session.scalars(select(Institution).where(Institution.office_id == office.id)).all()
    assert 12 <= len(entries) <= 20
    assert {e.kind for e in entries} == set(directory.KINDS)
    assert any(e.name.startswith(demo.COURT) for e in entries)
    assert all("11-440 Lipowiec Mazurski" in e.address for e in entries)
    numbered = [e for e in entries if e.nip]
    assert len(numbered) >= 4
    assert all(nip_number.is_valid(e.nip) and regon_number.is_valid(e.regon) for e in numbered)
    assert all(directory.clean({**{f: getattr(e, f) for f in directory.FIELDS}})[1] == [] for e in entries)

    demo.load_demo(db_session, password="haslo-demo-2026")  # loading again replaces, never doubles
    office = demo.find_demo_office(db_session)
    assert db_session.scalar(select(func.count(Institution.id))) == len(entries)
    demo.delete_office(db_session, office)
    db_session.commit()
    assert db_session.scalar(select(func.count(Institution.id))) == 0
