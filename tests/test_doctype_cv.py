"""A family member's CV: every section when filled, none of an empty one, the RODO consent clause,
no office marks, and what was typed exactly as typed."""
from __future__ import annotations

import io
import re
import zipfile

import docx
import jsonschema
import pytest
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from docgen.context import Letterhead
from docgen.doctypes.cv import CV
from docgen.docxcheck import check_docx
from docgen.prefill import prefill
from docgen.render import render
from docgen.schema import json_schema
from docgen.validate import validate

LETTERHEAD = Letterhead(name="Miejski Ośrodek Pomocy Społecznej w Lipowcu Mazurskim",
                        address="ul. Kościuszki 5, 11-440 Lipowiec Mazurski", city="Lipowiec Mazurski",
                        phone="89 123 45 67", email="sekretariat@mops-lipowiec.example")
CASE_NUMBER = "MOPS.AR.4101.9.2026"
OPTIONAL_SECTIONS = ("Profil zawodowy", "Doświadczenie zawodowe", "Wykształcenie", "Kursy i szkolenia",
                     "Uprawnienia i kwalifikacje", "Umiejętności", "Zainteresowania")
CONSENT = ("Wyrażam zgodę na przetwarzanie moich danych osobowych przez {} dla potrzeb niezbędnych do realizacji "
           "procesu rekrutacji zgodnie z Rozporządzeniem Parlamentu Europejskiego i Rady (UE) 2016/679 z dnia "
           "27 kwietnia 2016 r. w sprawie ochrony osób fizycznych w związku z przetwarzaniem danych osobowych "
           "i w sprawie swobodnego przepływu takich danych oraz uchylenia dyrektywy 95/46/WE (RODO).")
BARE = {"full_name": "Anna Zawadzka", "phone": "607 318 244"}


def _render(data):
    return render(CV, data, letterhead=LETTERHEAD, case_number=CASE_NUMBER)


def _lines(content: bytes) -> list[str]:
    """The text of every paragraph, tables included, in document order; empty ones left out."""
    document = docx.Document(io.BytesIO(content))
    texts = (Paragraph(p, document).text for p in document.element.body.iter(qn("w:p")))
    return [text for text in texts if text.strip()]


def _xml(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "".join(archive.read(name).decode("utf-8") for name in archive.namelist()
                       if re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", name))


def test_example_is_valid_and_prints_every_section_in_order():
    example = CV.example()
    assert validate(CV, example) == []
    jsonschema.Draft202012Validator(json_schema(CV)).validate(example)
    content = _render(example)
    assert check_docx(CV, content) == []
    lines = _lines(content)
    assert lines[:3] == ["Anna Zawadzka", "ul. Leśna 12 m. 4, 11-440 Lipowiec Mazurski",
                         "tel. 607 318 244   |   e-mail: anna.zawadzka@example.pl"]
    positions = [lines.index(title) for title in OPTIONAL_SECTIONS]
    assert positions == sorted(positions)
    assert "04.2018 – 02.2026" in lines and "Sprzedawca – kasjer" in lines
    assert "Sklep spożywczy „Pod Lipami”, Lipowiec Mazurski" in lines
    assert "Zespół Szkół Zawodowych w Lipowcu Mazurskim" in lines
    assert "•\tOrzeczenie lekarskie do celów sanitarno-epidemiologicznych (aktualne)" in lines
    assert "Języki obce: Język angielski – podstawowy (A1)" in lines
    # consent last, in small print, for any employer; the future-recruitment sentence asked for
    assert lines[-2:] == [CONSENT.format("pracodawcę"),
                          "Wyrażam również zgodę na przetwarzanie moich danych osobowych przez pracodawcę w celu "
                          "prowadzenia przyszłych procesów rekrutacyjnych."]


def test_a_cv_without_optional_sections_leaves_no_heading_or_label_behind():
    assert validate(CV, BARE) == []
    lines = _lines(_render(BARE))
    assert lines == ["Anna Zawadzka", "tel. 607 318 244", CONSENT.format("pracodawcę")]


def test_a_section_with_some_data_prints_only_what_it_has():
    data = {**BARE, "computer": "MS Word", "experience": [
        {"date_from": "05.2024", "date_to": None, "employer": "Piekarnia „Kłos”", "position": "Pomoc piekarza",
         "duties": None}]}
    lines = _lines(_render(data))
    assert lines == ["Anna Zawadzka", "tel. 607 318 244", "Doświadczenie zawodowe", "05.2024 – obecnie",
                     "Pomoc piekarza", "Piekarnia „Kłos”", "Umiejętności", "Obsługa komputera: MS Word",
                     CONSENT.format("pracodawcę")]


def test_the_consent_names_the_employer_when_given():
    lines = _lines(_render({**BARE, "employer_name": "Piekarnia „Kłos” sp. z o.o.", "future_recruitment": True}))
    assert lines[-2:] == [CONSENT.format("Piekarnia „Kłos” sp. z o.o."),
                          "Wyrażam również zgodę na przetwarzanie moich danych osobowych przez Piekarnia „Kłos” "
                          "sp. z o.o. w celu prowadzenia przyszłych procesów rekrutacyjnych."]


def test_no_office_letterhead_case_number_signature_or_page_numbers():
    xml = _xml(_render(CV.example()))
    for office_only in (LETTERHEAD.name, LETTERHEAD.address, CASE_NUMBER, "Znak sprawy", "podpis", "PAGE"):
        assert office_only not in xml


@pytest.mark.parametrize("changes, expected", [
    ({"phone": None}, [("phone", "Telefon: podaj telefon lub adres e-mail – pracodawca musi mieć jak się "
                                 "skontaktować.")]),
    ({"phone": None, "email": "anna@example.pl"}, []),
    ({"experience": [{"date_from": "marzec 2020", "date_to": "2021", "employer": "X", "position": "Y"}]},
     [("experience[0].date_from", "Doświadczenie zawodowe, miejsce pracy 1 – „marzec 2020”: podaj miesiąc i rok "
                                  "(np. 03.2021) albo sam rok.")]),
    ({"experience": [{"date_from": "03.2020", "date_to": "02.2020", "employer": "X", "position": "Y"}]},
     [("experience[0].date_to", "Doświadczenie zawodowe, miejsce pracy 1 – koniec nie może być wcześniejszy niż "
                                "początek.")]),
    ({"experience": [{"date_from": "2020", "date_to": "03.2020", "employer": "X", "position": "Y"}]}, []),
    ({"education": [{"date_from": "2010", "date_to": "2007", "school": "Z"}]},
     [("education[0].date_to", "Wykształcenie, szkoła 1 – koniec nie może być wcześniejszy niż początek.")]),
])
def test_rules(changes, expected):
    assert [(i.path, i.message) for i in validate(CV, {**BARE, **changes})] == expected


def test_only_the_name_is_required_and_it_is_prefilled_with_the_address():
    # the name is the one required field; a way to reach the person is a rule, reported beside it
    assert {(issue.path, issue.rule) for issue in validate(CV, {})} == {("full_name", ""), ("phone", "contact")}
    data = prefill(CV, {"family_head_name": "Anna Zawadzka", "address": "ul. Leśna 12 m. 4, 11-440 Lipowiec"})
    assert (data["full_name"], data["address"]) == ("Anna Zawadzka", "ul. Leśna 12 m. 4, 11-440 Lipowiec")
    assert data["experience"] == [] and data["phone"] is None


def test_what_was_typed_comes_out_exactly_as_typed():
    typed = 'Kasia & <Bartek> {{ x }} {%p if %} "cytat" \'ap\' 🙂 zażółć'
    many = typed + "\nDrugi wiersz\tpo tabulatorze"
    data = {"full_name": typed, "address": typed + " adres", "phone": "<607> & 318", "email": "a&b@example.pl",
            "profile": many, "experience": [{"date_from": "01.2020", "date_to": "02.2021", "employer": typed + " firma",
                                             "position": typed + " stanowisko", "duties": many + " obowiązki"}],
            "education": [{"date_from": "2010", "date_to": None, "school": typed + " szkoła", "details": typed}],
            "courses": [{"year": "2024", "name": typed + " kurs", "organiser": typed + " organizator"}],
            "qualifications": [{"name": typed + " prawo jazdy", "details": "kat. <B>"}],
            "languages": typed, "computer": typed, "other_skills": many, "interests": typed,
            "employer_name": typed + " pracodawca", "future_recruitment": True}
    assert validate(CV, data) == []
    text = "\n".join(_lines(_render(data)))
    for value in (typed, typed + " adres", "tel. <607> & 318   |   e-mail: a&b@example.pl", many,
                  typed + " firma", typed + " stanowisko", many + " obowiązki", typed + " szkoła",
                  "2010 – obecnie", typed + " kurs", typed + " organizator", f"{typed} prawo jazdy (kat. <B>)",
                  f"Języki obce: {typed}", f"Obsługa komputera: {typed}", f"Inne umiejętności: {many}",
                  CONSENT.format(typed + " pracodawca")):
        assert value in text, value
