"""Records of the work: monitoring after the end of work, a visit, the family's consent."""
from __future__ import annotations

import jsonschema
import pytest

from docgen.definition import Field, Repeat
from docgen.doctypes.family_consent import FAMILY_CONSENT
from docgen.doctypes.monitoring_note import MONITORING_NOTE
from docgen.doctypes.visit_record import VISIT_RECORD
from docgen.prefill import prefill
from docgen.schema import json_schema
from docgen.validate import validate

TYPES = (MONITORING_NOTE, VISIT_RECORD, FAMILY_CONSENT)
MEMBERS = [
    {"first_name": "Anna", "last_name": "Zawadzka", "birth_date": "1991-03-14", "pesel": "91031441223",
     "relation": "matka", "in_household": True, "took_part": True, "foster_care": False},
    {"first_name": "Julia", "last_name": "Zawadzka", "birth_date": "2014-05-21", "pesel": "14252125523",
     "relation": "dziecko", "in_household": True, "took_part": False, "foster_care": False},
]


def _issues(doctype, data):
    return [(issue.path, issue.message) for issue in validate(doctype, data)]


def _changed(doctype, **changes):
    return {**doctype.example(), **changes}


@pytest.mark.parametrize("doctype", TYPES, ids=lambda d: d.id)
def test_example_is_valid_for_validator_and_schema(doctype):
    example = doctype.example()
    assert validate(doctype, example) == []
    jsonschema.Draft202012Validator(json_schema(doctype)).validate(example)


@pytest.mark.parametrize("doctype", TYPES, ids=lambda d: d.id)
def test_required_sections_are_required(doctype):
    for section in doctype.sections:
        wanted = {item.name for item in section.items
                  if (isinstance(item, Field) and item.required) or (isinstance(item, Repeat) and item.min_items)}
        assert {issue.path for issue in validate(doctype, {}, sections=[section.name])} == wanted
        assert bool(wanted) != section.optional, section.name


@pytest.mark.parametrize("doctype", TYPES, ids=lambda d: d.id)
def test_every_table_fills_the_text_width(doctype):
    for _, item in doctype.items():
        if isinstance(item, Repeat) and item.table:
            assert sum(width for _, width in item.table) == pytest.approx(16.0)


# --- monitoring note -------------------------------------------------------------------------


@pytest.mark.parametrize("day", ["2027-12-17", "2027-12-01"])
def test_every_contact_is_after_the_end_of_work(day):
    data = MONITORING_NOTE.example()
    data["contacts"][1] = {**data["contacts"][1], "date": day}
    assert _issues(MONITORING_NOTE, data) == [
        ("contacts[1].date", "Kontakty z rodziną, kontakt 2 – data kontaktu musi być późniejsza niż data "
                             "zakończenia pracy z rodziną (17 grudnia 2027 r.).")]


def test_contacts_fall_within_the_monitoring_period():
    data = MONITORING_NOTE.example()
    data["contacts"][3] = {**data["contacts"][3], "date": "2028-07-05"}
    assert _issues(MONITORING_NOTE, data) == [
        ("contacts[3].date", "Kontakty z rodziną, kontakt 4 – data kontaktu wypada poza okresem monitorowania.")]


@pytest.mark.parametrize("changes, expected", [
    ({"monitoring_from": "2027-12-17"},
     [("monitoring_from", "Monitorowanie od: monitorowanie zaczyna się po zakończeniu pracy z rodziną "
                          "(17 grudnia 2027 r.).")]),
    ({"monitoring_to": "2028-01-02"},
     [("monitoring_to", "Monitorowanie do: data końca musi być późniejsza niż data początku.")]),
    ({"contacts": []}, [("contacts", "Kontakty z rodziną: dodaj co najmniej jedną pozycję (kontakt).")]),
    ({"conclusion": None}, [("conclusion", "Wniosek: pole jest wymagane.")]),
    ({"justification": ""}, [("justification", "Uzasadnienie: pole jest wymagane.")]),
])
def test_monitoring_rules_name_their_field(changes, expected):
    assert _issues(MONITORING_NOTE, _changed(MONITORING_NOTE, **changes)) == expected


def test_monitoring_contact_form_is_one_of_four():
    data = MONITORING_NOTE.example()
    data["contacts"][0] = {**data["contacts"][0], "form": "list"}
    [(path, message)] = _issues(MONITORING_NOTE, data)
    assert path == "contacts[0].form" and "nieznana wartość 'list'" in message


def test_monitoring_prefills_the_end_of_work():
    data = prefill(MONITORING_NOTE, {"work_end": "2027-09-30", "today": "2027-12-31", "office_city": "Lipowiec"})
    assert data["work_end"] == "2027-09-30" and data["document_date"] == "2027-12-31"
    assert data["contacts"] == [] and data["place"] == "Lipowiec"


# --- visit record ----------------------------------------------------------------------------


@pytest.mark.parametrize("changes, expected", [
    ({"visit_date": "2026-11-17"},
     [("visit_date", "Data wizyty: wizyta nie może być późniejsza niż data sporządzenia karty "
                     "(16 listopada 2026 r.).")]),
    ({"visit_time": "16.30"},
     [("visit_time", "Godzina wizyty: podaj godzinę w postaci GG:MM, np. 16:30 albo 16:30–18:00.")]),
    ({"visit_place": "inne"}, [("visit_place_other", "Inne miejsce: pole jest wymagane.")]),
    ({"present": []}, [("present", "Obecni podczas wizyty: dodaj co najmniej jedną pozycję (osoba).")]),
    ({"family_signatory": "Tomasz Zawadzki"},
     [("family_signatory", "Podpisuje za rodzinę: kartę podpisuje osoba obecna podczas wizyty; wpisz imię "
                           "i nazwisko jak na liście obecnych.")]),
    ({"topics": None}, [("topics", "Omówione sprawy: pole jest wymagane.")]),
])
def test_visit_rules_name_their_field(changes, expected):
    assert _issues(VISIT_RECORD, _changed(VISIT_RECORD, **changes)) == expected


def test_next_step_deadline_is_not_before_the_visit():
    data = VISIT_RECORD.example()
    data["next_steps"][1] = {**data["next_steps"][1], "deadline": "2026-11-15"}
    assert _issues(VISIT_RECORD, data) == [
        ("next_steps[1].deadline", "Ustalenia, zadanie 2 – termin nie może być wcześniejszy niż data wizyty "
                                   "(16 listopada 2026 r.).")]


@pytest.mark.parametrize("time", [None, "9:05", "16:30", "16:30-18:00", "16:30 – 18:00"])
def test_visit_time_is_optional_and_accepts_hours(time):
    assert _issues(VISIT_RECORD, _changed(VISIT_RECORD, visit_time=time)) == []


def test_visit_without_next_steps_or_earlier_tasks_is_valid():
    data = _changed(VISIT_RECORD, next_steps=[], tasks_done=None, visit_date="2026-11-16")
    assert _issues(VISIT_RECORD, data) == []


def test_visit_place_is_printed_as_chosen_or_typed():
    assert VISIT_RECORD.derive(VISIT_RECORD.example())["visit_place_text"] == "miejsce zamieszkania rodziny"
    other = _changed(VISIT_RECORD, visit_place="inne", visit_place_other="Szkoła Podstawowa nr 2")
    assert VISIT_RECORD.derive(other)["visit_place_text"] == "Szkoła Podstawowa nr 2"


def test_visit_prefills_who_was_present_from_the_members():
    members = [{**m, "relation_label": m["relation"]} for m in MEMBERS]
    data = prefill(VISIT_RECORD, {"members": members, "today": "2026-11-16", "assistant_name": "Ewa Kalinowska"})
    assert data["present"][1] == {"first_name": "Julia", "last_name": "Zawadzka", "role": "dziecko"}
    assert data["visit_date"] == data["document_date"] == "2026-11-16"


def test_visit_signatures():
    assert [(s.role, s.name) for s in VISIT_RECORD.signatures] == [("Członek rodziny", "family_signatory"),
                                                                   ("Asystent rodziny", "assistant_name")]


# --- family consent --------------------------------------------------------------------------


def _with_person(**person):
    data = FAMILY_CONSENT.example()
    data["consenting"].append({"first_name": "Julia", "last_name": "Zawadzka", "birth_date": None, "pesel": None,
                               "sex": "K", "relation": "dziecko", **person})
    return data


def test_a_minor_cannot_consent():
    data = _with_person(birth_date="2014-05-21", pesel="14252125523", sex=None)
    assert _issues(FAMILY_CONSENT, data) == [
        ("consenting[2].birth_date", "Osoby wyrażające zgodę, osoba 3 – Julia Zawadzka nie ma ukończonych 18 lat "
                                     "w dniu wyrażenia zgody; zgodę wyrażają pełnoletni członkowie rodziny (także "
                                     "małoletni, który zawarł małżeństwo – zaznacz to wtedy). Usuń tę osobę z "
                                     "listy.")]


@pytest.mark.parametrize("born, adult", [("2008-10-12", True), ("2008-10-13", False)])
def test_eighteen_on_the_consent_date_counts(born, adult):
    issues = _issues(FAMILY_CONSENT, _with_person(birth_date=born))
    assert (issues == []) is adult


@pytest.mark.parametrize("born, ok", [("2009-05-01", True), ("2010-10-12", True), ("2010-10-13", False)])
def test_a_married_minor_consents_from_sixteen(born, ok):
    """art. 10 § 2 k.c.: marriage confers majority; art. 10 § 1 k.r.o.: a marriage from 16 at the earliest."""
    data = _with_person(birth_date=born, married_minor=True, relation="inny")
    issues = _issues(FAMILY_CONSENT, data)
    if ok:
        assert issues == []
        assert FAMILY_CONSENT.derive(data)["signatories"][-1] == {"name": "Julia Zawadzka"}
    else:
        assert issues == [("consenting[2].married_minor",
                           "Osoby wyrażające zgodę, osoba 3 – Julia Zawadzka nie ma ukończonych 16 lat w dniu "
                           "wyrażenia zgody, a małżeństwo może zawrzeć osoba, która je ukończyła (art. 10 § 1 "
                           "k.r.o.).")]


def test_only_minors_is_refused_with_the_reason():
    data = _with_person(birth_date="2014-05-21")
    data["consenting"] = data["consenting"][2:]
    assert _issues(FAMILY_CONSENT, data)[-1] == (
        "consenting", "Osoby wyrażające zgodę: zgodę wyraża co najmniej jeden pełnoletni członek rodziny.")


def test_consenting_person_needs_birth_date_or_pesel_that_agree():
    assert _issues(FAMILY_CONSENT, _with_person()) == [
        ("consenting[2].birth_date", "Osoby wyrażające zgodę, osoba 3 – podaj datę urodzenia albo PESEL; zgodę "
                                     "wyraża osoba pełnoletnia.")]
    data = FAMILY_CONSENT.example()
    data["consenting"][0] = {**data["consenting"][0], "birth_date": "1991-03-15"}
    assert _issues(FAMILY_CONSENT, data) == [
        ("consenting[0].pesel", "Osoby wyrażające zgodę, osoba 1 – PESEL wskazuje inną datę urodzenia "
                                "(14 marca 1991 r.) niż podana.")]


def test_the_sex_of_a_consenting_person_is_known_from_the_pesel_or_the_field():
    assert _issues(FAMILY_CONSENT, _with_person(birth_date="1995-01-01", sex=None)) == [
        ("consenting[2].sex", "Osoby wyrażające zgodę, osoba 3 – podaj płeć (albo PESEL, który ją wskazuje): od "
                              "niej zależy forma „niżej podpisany” albo „niżej podpisana” w dokumencie.")]
    data = FAMILY_CONSENT.example()
    data["consenting"][0] = {**data["consenting"][0], "sex": "M"}  # Anna's PESEL says: a woman
    assert _issues(FAMILY_CONSENT, data) == [
        ("consenting[0].sex", "Osoby wyrażające zgodę, osoba 1 – PESEL wskazuje inną płeć (kobieta) niż podana.")]


@pytest.mark.parametrize("changes, expected", [
    ({"info_clause_given": False},
     [("info_clause_given", "Informacja o przetwarzaniu danych osobowych: przed przyjęciem zgody przekaż rodzinie "
                            "klauzulę informacyjną o przetwarzaniu danych osobowych (art. 13 RODO); dokument "
                            "drukuje oświadczenie, że ją otrzymała.")]),
    ({"info_clause_given": None},
     [("info_clause_given", "Osoby wyrażające zgodę otrzymały informację o przetwarzaniu danych osobowych: pole "
                            "jest wymagane.")]),
    ({"consenting": []}, [("consenting", "Osoby wyrażające zgodę: dodaj co najmniej jedną pozycję (osoba).")]),
    ({"consent_date": None}, [("consent_date", "Data wyrażenia zgody: pole jest wymagane.")]),
])
def test_consent_rules_name_their_field(changes, expected):
    assert _issues(FAMILY_CONSENT, _changed(FAMILY_CONSENT, **changes)) == expected


def test_each_consenting_person_has_a_name():
    data = FAMILY_CONSENT.example()
    data["consenting"][1] = {**data["consenting"][1], "first_name": ""}
    assert _issues(FAMILY_CONSENT, data) == [
        ("consenting[1].first_name", "Osoby wyrażające zgodę, osoba 2 – Imię: pole jest wymagane.")]


def test_the_statement_is_not_a_field_and_each_adult_signs():
    assert "statement" not in {item.name for _, item in FAMILY_CONSENT.items()}
    assert FAMILY_CONSENT.section("statement").statement.startswith("Dorośli członkowie rodziny wyrażają zgodę")
    derived = FAMILY_CONSENT.derive(FAMILY_CONSENT.example())
    assert derived["signatories"] == [{"name": "Anna Zawadzka"}, {"name": "Tomasz Zawadzki"}]
    assert derived["family_name_gen"] == "Zawadzkich"
    assert [(s.each, s.name) for s in FAMILY_CONSENT.signatures] == [("signatories", ""), ("", "assistant_name")]
    assert FAMILY_CONSENT.date_field == "consent_date"
    assert FAMILY_CONSENT.legal_basis.startswith("(art. 8 ust. 3 ustawy")


def test_consent_prefills_members_and_drops_household_keys():
    data = prefill(FAMILY_CONSENT, {"members": MEMBERS, "consent_date": "2026-10-12"})
    assert data["consenting"][0] == {"first_name": "Anna", "last_name": "Zawadzka", "birth_date": "1991-03-14",
                                     "pesel": "91031441223", "sex": None, "relation": "matka",
                                     "married_minor": None}
    assert data["consent_date"] == "2026-10-12" and data["info_clause_given"] is None
