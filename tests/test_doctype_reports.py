"""The periodic assessment (art. 15 ust. 1 pkt 15) and the closing report."""
from __future__ import annotations

import datetime as dt

import jsonschema
import pytest

from docgen.definition import Repeat
from docgen.doctypes.closing_report import CLOSING_REPORT
from docgen.doctypes.periodic_assessment import GOAL_STATUSES, PERIODIC_ASSESSMENT
from docgen.prefill import prefill
from docgen.rules import add_months
from docgen.schema import json_schema
from docgen.validate import validate

ASSESSMENT = PERIODIC_ASSESSMENT
REPORT = CLOSING_REPORT


def _issues(doctype, data):
    return {issue.path: issue.message for issue in validate(doctype, data)}


def _changed(doctype, **changes):
    return {**doctype.example(), **changes}


@pytest.mark.parametrize("doctype", [ASSESSMENT, REPORT], ids=lambda d: d.id)
def test_example_is_valid_for_the_validator_and_the_schema(doctype):
    example = doctype.example()
    assert validate(doctype, example) == []
    jsonschema.Draft202012Validator(json_schema(doctype)).validate(example)


@pytest.mark.parametrize("doctype", [ASSESSMENT, REPORT], ids=lambda d: d.id)
def test_every_type_has_place_date_and_assistant_prefilled(doctype):
    assert doctype.item(doctype.place_field).prefill == "office_city"
    assert doctype.item(doctype.date_field).prefill == "today"
    assert doctype.item("assistant_name").prefill == "assistant_name"
    for _, item in doctype.items():
        if isinstance(item, Repeat) and item.table:
            assert sum(width for _, width in item.table) == pytest.approx(16.0), item.name


# -- add_months --------------------------------------------------------------------------------

@pytest.mark.parametrize("day, months, expected", [
    ("2026-08-31", 6, "2027-02-28"),
    ("2027-08-31", 6, "2028-02-29"),
    ("2026-11-02", 6, "2027-05-02"),
    ("2026-12-15", 1, "2027-01-15"),
    ("2026-03-31", 1, "2026-04-30"),
    ("2026-05-20", 12, "2027-05-20"),
])
def test_add_months_clamps_the_day_to_the_month(day, months, expected):
    assert add_months(dt.date.fromisoformat(day), months) == dt.date.fromisoformat(expected)


# -- periodic assessment -----------------------------------------------------------------------

def test_assessment_period_is_at_most_half_a_year_month_end_included():
    data = _changed(ASSESSMENT, period_from="2026-08-31", period_to="2027-02-28", document_date="2027-02-28",
                    receipt_date=None)
    assert validate(ASSESSMENT, data) == []
    data["period_to"] = data["document_date"] = "2027-03-01"
    assert _issues(ASSESSMENT, data) == {
        "period_to": "Okres objęty oceną do: ocenę sporządza się nie rzadziej niż co pół roku (art. 15 ust. 1 "
                     "pkt 15 ustawy), więc okres może trwać najwyżej do 28 lutego 2027 r."}


@pytest.mark.parametrize("changes, path, message", [
    ({"period_to": "2026-11-02"}, "period_to",
     "Okres objęty oceną do: data końca musi być późniejsza niż data początku."),
    ({"document_date": "2026-11-01", "receipt_date": None}, "document_date",
     "Data sporządzenia oceny: ocena nie może być wcześniejsza niż początek okresu, który obejmuje "
     "(2 listopada 2026 r.)."),
    ({"receipt_date": "2027-04-29"}, "receipt_date",
     "Data otrzymania oceny przez kierownika nie może być wcześniejsza niż data sporządzenia oceny."),
])
def test_assessment_rules(changes, path, message):
    assert _issues(ASSESSMENT, _changed(ASSESSMENT, **changes)) == {path: message}


def test_assessment_checks_the_members_like_the_plan():
    data = ASSESSMENT.example()
    data["members"][3]["birth_date"] = None
    assert _issues(ASSESSMENT, data) == {
        "members[3].birth_date": "Członkowie rodziny, osoba 4 – podaj datę urodzenia albo PESEL."}


def test_receipt_date_may_wait_until_the_head_gets_the_assessment():
    assert validate(ASSESSMENT, _changed(ASSESSMENT, receipt_date=None)) == []


def test_limited_parental_authority_needs_the_form_of_limitation():
    data = _changed(ASSESSMENT, authority_limitation=None)
    assert _issues(ASSESSMENT, data) == {
        "authority_limitation": "Forma ograniczenia władzy rodzicielskiej: pole jest wymagane."}
    data["parental_authority"] = "pelna"
    assert validate(ASSESSMENT, data) == []
    assert jsonschema.Draft202012Validator(json_schema(ASSESSMENT)).is_valid(data)
    data["parental_authority"] = "ograniczona"
    assert not jsonschema.Draft202012Validator(json_schema(ASSESSMENT)).is_valid(data)


@pytest.mark.parametrize("name, label", [
    ("period_from", "Okres objęty oceną od"),
    ("plan_reference", "Oceniany plan"),
    ("housing", "Warunki mieszkaniowe"),
    ("finances", "Sytuacja materialna i zawodowa"),
    ("health", "Stan zdrowia członków rodziny"),
    ("parental_authority", "Władza rodzicielska"),
    ("cooperation_level", "Poziom współpracy"),
    ("cooperation_description", "Opis współpracy"),
    ("conclusion", "Wniosek"),
    ("justification", "Uzasadnienie"),
    ("head_name", "Kierownik ośrodka pomocy społecznej"),
])
def test_assessment_required_sections(name, label):
    issues = _issues(ASSESSMENT, _changed(ASSESSMENT, **{name: None}))
    assert issues[name] == f"{label}: pole jest wymagane."


def test_assessment_needs_the_plans_goals_each_with_a_status():
    assert _issues(ASSESSMENT, _changed(ASSESSMENT, goals=[]))["goals"] == \
        "Realizacja celów planu: dodaj co najmniej jedną pozycję (cel)."
    data = ASSESSMENT.example()
    data["goals"][1]["status"] = None
    assert _issues(ASSESSMENT, data) == {
        "goals[1].status": "Realizacja celów planu, cel 2 – Stopień realizacji: pole jest wymagane."}
    data["goals"][1]["status"] = "prawie"
    assert "nieznana wartość 'prawie'" in _issues(ASSESSMENT, data)["goals[1].status"]


def test_optional_sections_may_stay_empty():
    assert validate(ASSESSMENT, _changed(ASSESSMENT, children=[], institutions=[])) == []


def test_assessment_statuses_and_choices():
    assert GOAL_STATUSES == (("zrealizowany", "zrealizowany"), ("czesciowo", "częściowo zrealizowany"),
                             ("niezrealizowany", "niezrealizowany"))
    conclusions = [label for _, label in ASSESSMENT.item("conclusion").choices]
    assert conclusions == ["kontynuacja pracy bez zmian", "modyfikacja planu", "zakończenie pracy",
                           "powiadomienie sądu"]
    assert [code for code, _ in ASSESSMENT.item("parental_authority").choices] == \
           ["pelna", "ograniczona", "zawieszona", "odebrana"]


def test_assessment_prefills_from_the_plan_and_the_case():
    facts = {"assessment_period_from": "2026-11-02", "today": "2027-04-30", "plan_reference": "Plan z dnia …",
             "plan.goals": [{"goal": "Praca dla jednego z rodziców."}],
             "plan.institutions": [{"institution": "PUP", "scope": "Oferty pracy."}],
             "children": [{"first_name": "Julia", "last_name": "Zawadzka", "birth_date": "2014-05-21",
                           "relation": "dziecko"}],
             "head_name": "Grażyna Olech", "office_city": "Lipowiec Mazurski", "assistant_name": "Ewa Kalinowska"}
    data = prefill(ASSESSMENT, facts)
    assert (data["period_from"], data["period_to"], data["document_date"]) == ("2026-11-02", "2027-04-30",
                                                                               "2027-04-30")
    assert data["goals"] == [{"goal": "Praca dla jednego z rodziców.", "status": None, "comment": None}]
    assert data["institutions"] == [{"institution": "PUP", "support": "Oferty pracy."}]
    assert data["children"][0] == {"first_name": "Julia", "last_name": "Zawadzka", "birth_date": "2014-05-21",
                                   "school": None, "care": None, "health": None}
    assert data["head_name"] == "Grażyna Olech" and data["receipt_date"] is None


def test_assessment_derives_the_childrens_ages_and_signatures():
    assert ASSESSMENT.derive(ASSESSMENT.example()) == {"family_name_gen": "Zawadzkich", "children_ages": [12, 8]}
    assert [(s.role, s.name) for s in ASSESSMENT.signatures] == [
        ("Asystent rodziny", "assistant_name"), ("Ocenę otrzymuje kierownik ośrodka pomocy społecznej", "head_name")]
    assert "art. 15 ust. 1 pkt 15" in ASSESSMENT.legal_basis
    assert "social_worker_name" not in {item.name for _, item in ASSESSMENT.items()}


# -- closing report ----------------------------------------------------------------------------

@pytest.mark.parametrize("changes, path, message", [
    ({"work_end": "2026-10-05"}, "work_end",
     "Data zakończenia pracy z rodziną: musi być późniejsza niż data rozpoczęcia."),
    ({"monitoring_from": "2027-12-17"}, "monitoring_from",
     "Monitorowanie od: monitorowanie zaczyna się po zakończeniu pracy z rodziną (17 grudnia 2027 r.)."),
    ({"monitoring_to": "2028-01-03"}, "monitoring_to",
     "Monitorowanie do: data końca musi być późniejsza niż data początku."),
    ({"document_date": "2027-12-16"}, "document_date",
     "Data sporządzenia sprawozdania: sprawozdanie sporządza się po zakończeniu pracy z rodziną (17 grudnia 2027 r.)."),
    ({"end_reason": "inne", "reason_description": " "}, "reason_description", "Opis przyczyny: pole jest wymagane."),
])
def test_closing_report_rules(changes, path, message):
    assert _issues(REPORT, _changed(REPORT, **changes)) == {path: message}


def test_reason_description_is_optional_unless_other():
    assert validate(REPORT, _changed(REPORT, reason_description=None)) == []
    data = _changed(REPORT, end_reason="inne", reason_description=None)
    assert not jsonschema.Draft202012Validator(json_schema(REPORT)).is_valid(data)


def test_every_goal_of_the_closing_report_has_a_status():
    data = REPORT.example()
    data["goals"][3]["status"] = ""
    assert _issues(REPORT, data) == {
        "goals[3].status": "Stopień osiągnięcia celów, cel 4 – Stopień realizacji: pole jest wymagane."}
    assert REPORT.item("goals").field("status").choices is GOAL_STATUSES


@pytest.mark.parametrize("name, label", [
    ("family_name", "Nazwisko rodziny"),
    ("work_start", "Data rozpoczęcia pracy z rodziną"),
    ("end_reason", "Przyczyna zakończenia pracy"),
    ("recommendations", "Zalecenia dla rodziny i instytucji"),
    ("monitoring_forms", "Planowane formy kontaktu"),
    ("head_name", "Kierownik ośrodka pomocy społecznej"),
])
def test_closing_report_required_sections(name, label):
    assert _issues(REPORT, _changed(REPORT, **{name: None}))[name] == f"{label}: pole jest wymagane."


def test_closing_report_prefills_the_current_goals_and_the_period():
    facts = {"work_start": "2026-10-05", "work_end": "2027-12-17", "head_name": "Grażyna Olech",
             "current_goals": [{"goal": "Stała praca.", "status": "czesciowo", "comment": "Pół etatu."}]}
    data = prefill(REPORT, facts)
    assert (data["work_start"], data["work_end"]) == ("2026-10-05", "2027-12-17")
    assert data["goals"] == facts["current_goals"]
    assert ASSESSMENT.item("goals").prefill == "plan.goals"  # the shared Repeat is not changed
    assert [(s.role, s.name) for s in REPORT.signatures] == [
        ("Asystent rodziny", "assistant_name"), ("Zatwierdzam – kierownik ośrodka pomocy społecznej", "head_name")]
