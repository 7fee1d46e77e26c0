"""The court opinion: made only at the court's request, so its header is required."""
from __future__ import annotations

import jsonschema
import pytest

from docgen.definition import Field, Repeat
from docgen.doctypes.court_opinion import COURT_OPINION
from docgen.prefill import prefill
from docgen.schema import json_schema
from docgen.validate import validate

OPINION = COURT_OPINION
SIGNATURE_MESSAGE = ("Sygn. akt: to nie jest sygnatura akt; podaj ją jak na piśmie sądu, np. III Nsm 253/19 "
                     "(wydział, repertorium, numer/rok).")


def _issues(data):
    return [(issue.path, issue.message) for issue in validate(OPINION, data)]


def _schema_errors(data):
    return list(jsonschema.Draft202012Validator(json_schema(OPINION)).iter_errors(data))


def test_example_is_valid_for_validator_and_schema():
    example = OPINION.example()
    assert validate(OPINION, example) == []
    assert _schema_errors(example) == []


def test_header_is_an_unnumbered_step_and_sections_one_to_nine_follow():
    header, *numbered = OPINION.sections
    assert not header.numbered and header.name == "court"
    assert [OPINION.numbered_title(section) for section in numbered] == [
        "1. Okres i formy pracy z rodziną", "2. Źródła informacji", "3. Skład rodziny",
        "4. Charakterystyka członków rodziny", "5. Sytuacja opiekuńczo-wychowawcza dzieci",
        "6. Warunki mieszkaniowe i materialne", "7. Relacje w rodzinie",
        "8. Współpraca z asystentem i realizacja planu", "9. Wnioski", "10. Podpis"]


def test_without_court_division_signature_or_letter_date_one_message_each():
    data = {**OPINION.example(), "court_name": None, "court_division": " ", "court_case_number": "",
            "request_date": None}
    assert _issues(data) == [
        ("court_name", "Sąd: pole jest wymagane."),
        ("court_division", "Wydział: pole jest wymagane."),
        ("court_case_number", "Sygn. akt: pole jest wymagane."),
        ("request_date", "Data pisma sądu: pole jest wymagane."),
    ]
    assert _schema_errors({**OPINION.example(), "court_name": None})


@pytest.mark.parametrize("signature", ["253/19", "III Nsm", "Nsm 253/19", "III Nsm 253-19"])
def test_a_malformed_case_signature_is_refused(signature):
    data = {**OPINION.example(), "court_case_number": signature}
    assert _issues(data) == [("court_case_number", SIGNATURE_MESSAGE)]
    assert _schema_errors(data)


@pytest.mark.parametrize("signature", ["III Nsm 253/19", "IV RNs 12/2021", "III Nsm 253/26"])
def test_a_well_formed_case_signature_passes(signature):
    data = {**OPINION.example(), "court_case_number": signature}
    assert _issues(data) == []
    assert _schema_errors(data) == []


@pytest.mark.parametrize("changes, expected", [
    ({"request_date": "2027-03-23"},
     [("request_date", "Data pisma sądu: opinię sporządza się w odpowiedzi na pismo sądu, więc pismo nie może "
                       "być późniejsze niż data sporządzenia opinii (22 marca 2027 r.).")]),
    ({"work_to": "2026-10-04"},
     [("work_to", "Praca z rodziną do: data końca nie może być wcześniejsza niż data początku.")]),
    ({"work_from": "2027-04-01"},
     [("work_from", "Praca z rodziną od: praca nie może zaczynać się po dacie sporządzenia opinii "
                    "(22 marca 2027 r.).")]),
    ({"work_to": "2027-03-31"},
     [("work_to", "Praca z rodziną do: data końca nie może być późniejsza niż data sporządzenia opinii "
                  "(22 marca 2027 r.).")]),
    ({"opinion_basis": "inna"}, [("opinion_basis_other", "Inna podstawa prawna: pole jest wymagane.")]),
])
def test_each_rule_broken_names_its_field(changes, expected):
    assert _issues({**OPINION.example(), **changes}) == expected


def test_a_member_without_birth_date_or_pesel_is_refused():
    data = OPINION.example()
    data["members"][3] = {**data["members"][3], "birth_date": None, "pesel": None}
    assert _issues(data) == [("members[3].birth_date",
                              "Członkowie rodziny, osoba 4 – podaj datę urodzenia albo PESEL.")]


def test_every_member_needs_a_profile():
    data = OPINION.example()
    del data["member_profiles"][3]
    assert _issues(data) == [("member_profiles", "Charakterystyka członków rodziny: brak charakterystyki osoby "
                                                 "Kacper Zawadzki ze składu rodziny.")]


def test_a_profile_of_someone_outside_the_family_is_refused():
    data = OPINION.example()
    data["member_profiles"][1] = {**data["member_profiles"][1], "last_name": "Zawadzka"}
    assert _issues(data) == [
        ("member_profiles[1].last_name",
         "Charakterystyka członków rodziny, osoba 2 – Tomasz Zawadzka nie występuje w składzie rodziny; popraw "
         "imię i nazwisko albo dodaj tę osobę w części „Skład rodziny”."),
        ("member_profiles", "Charakterystyka członków rodziny: brak charakterystyki osoby Tomasz Zawadzki ze "
                            "składu rodziny."),
    ]


def test_a_second_profile_of_the_same_person_is_refused():
    data = OPINION.example()
    data["member_profiles"].append(dict(data["member_profiles"][0]))
    assert _issues(data) == [("member_profiles[4].last_name",
                              "Charakterystyka członków rodziny, osoba 5 – Anna Zawadzka ma już charakterystykę; "
                              "połącz obie w jedną.")]


def test_profiles_match_names_regardless_of_case_and_spaces():
    data = OPINION.example()
    data["member_profiles"][0] = {**data["member_profiles"][0], "first_name": " anna", "last_name": "ZAWADZKA "}
    assert _issues(data) == []


def test_no_profiles_at_all_is_refused():
    data = {**OPINION.example(), "member_profiles": []}
    assert _issues(data) == [("member_profiles", "Charakterystyka członków rodziny: dodaj co najmniej jedną "
                                                 "pozycję (osoba).")]


@pytest.mark.parametrize("section", [s.name for s in COURT_OPINION.sections])
def test_required_sections_are_required(section):
    wanted = {item.name for item in OPINION.section(section).items
              if (isinstance(item, Field) and item.required) or (isinstance(item, Repeat) and item.min_items)}
    if section == "sources":  # any one of the four; the rule sources_named asks for one
        wanted = {"source_visits"}
    issues = validate(OPINION, {}, sections=[section])
    assert {issue.path for issue in issues} == wanted
    assert wanted, f"section {section} asks for nothing"
    assert not any(s.optional for s in OPINION.sections)


def test_prefill_takes_court_family_and_members_from_the_facts():
    facts = {"court_name": "Sąd Rejonowy w Lipowcu Mazurskim", "court_case_number": "III Nsm 253/26",
             "basis": "zgoda", "work_start": "2026-10-05", "work_end": None, "head_name": "Barbara Wilk",
             "assistant_name": "Ewa Kalinowska", "office_city": "Lipowiec Mazurski", "today": "2027-03-22",
             "family_name": "Zawadzcy", "assessment.housing": "Dwa pokoje.", "assessment.finances": "Zasiłek.",
             "assessment.cooperation_description": "Dobra.",
             "members": [{**person, "took_part": True} for person in OPINION.example()["members"]]}
    data = prefill(OPINION, facts)
    assert "took_part" not in data["members"][0] and data["members"][0]["birth_date"] == "1991-03-14"
    assert (data["housing"], data["material_situation"], data["cooperation"]) == ("Dwa pokoje.", "Zasiłek.", "Dobra.")
    assert data["court_case_number"] == "III Nsm 253/26" and data["court_division"] is None
    assert data["work_basis"] == "zgoda" and data["work_from"] == "2026-10-05"
    assert data["member_profiles"][2] == {"first_name": "Julia", "last_name": "Zawadzka", "relation": "dziecko",
                                          "characteristic": None}
    assert data["place"] == "Lipowiec Mazurski" and data["document_date"] == "2027-03-22"
    assert data["head_name"] == "Barbara Wilk"


def test_derive_prints_the_basis_and_the_countersignature():
    assert OPINION.derive(OPINION.example()) == {
        "family_name_gen": "Zawadzkich",
        "opinion_basis_text": "art. 15 ust. 1 pkt 17 ustawy z dnia 9 czerwca 2011 r. o wspieraniu rodziny i systemie "
                              "pieczy zastępczej",
        "head_countersigns": False}
    other = {**OPINION.example(), "opinion_basis": "inna", "opinion_basis_other": "art. 109 § 2 k.r.o.",
             "head_name": "Barbara Wilk"}
    assert OPINION.derive(other) == {"family_name_gen": "Zawadzkich", "opinion_basis_text": "art. 109 § 2 k.r.o.",
                                     "head_countersigns": True}


def test_the_opinion_names_its_sources():
    data = {**OPINION.example(), **{name: None for name in ("source_visits", "source_talks", "source_documents",
                                                             "source_institutions")}}
    assert _issues(data) == [("source_visits", "Źródła informacji: opinia dla sądu podaje, na czym się opiera – "
                                               "wpisz co najmniej wizyty, rozmowy, dokumenty albo informacje innych "
                                               "instytucji.")]
    assert _issues({**data, "source_documents": "Plan pracy z rodziną."}) == []


def test_signatures_and_print_hints():
    assert [(s.role, s.name) for s in OPINION.signatures] == [("Asystent rodziny", "assistant_name"),
                                                              ("Kierownik ośrodka", "head_name")]
    assert OPINION.file_stem == "opinia_o_rodzinie" and OPINION.template == "court_opinion.docx"
    # the basis is printed once, in the opening sentence (it may be another than art. 15): no subtitle
    assert OPINION.legal_basis == ""
