"""The coordinated plan (art. 15 ust. 1 pkt 2) and the work plan's refusal of a child in foster care."""
from __future__ import annotations

import jsonschema
import pytest

from docgen.definition import Field, Repeat
from docgen.doctypes.coordinated_plan import COORDINATED_PLAN
from docgen.doctypes.work_plan import WORK_PLAN
from docgen.prefill import prefill
from docgen.schema import json_schema
from docgen.validate import validate

PLAN = COORDINATED_PLAN


def _issues(doctype, data):
    return {issue.path: issue.message for issue in validate(doctype, data)}


def _example(**changes):
    return {**PLAN.example(), **changes}


def _child(**changes):
    data = PLAN.example()
    data["children_in_care"][0].update(changes)
    return data


def test_example_is_valid_for_the_validator_and_the_schema():
    example = PLAN.example()
    assert validate(PLAN, example) == []
    jsonschema.Draft202012Validator(json_schema(PLAN)).validate(example)


# art. 15 ust. 1 pkt 2 names the family and the coordinator: the social worker's consultation, which the
# work plan requires (pkt 1), is optional in the coordinated plan
CONSULTATION = {"social_worker_name", "consultation_date"}


def test_everything_of_the_work_plan_is_there_with_the_same_fields():
    for _, item in WORK_PLAN.items():
        mine = PLAN.item(item.name)
        assert type(mine) is type(item) and mine.label == item.label
        if isinstance(item, Repeat):
            assert [(f.name, f.kind, f.required) for f in mine.fields] == \
                   [(f.name, f.kind, f.required) for f in item.fields]
        elif item.name in CONSULTATION:
            assert item.required and not mine.required
        else:
            assert (mine.kind, mine.required, mine.choices) == (item.kind, item.required, item.choices)
    for rule in WORK_PLAN.rules:
        if rule.name != "no_child_in_foster_care":
            assert rule in PLAN.rules
    # required by the form of care (the rule coordinator_or_facility), not always
    assert not PLAN.item("coordinator_name").required and not PLAN.item("facility_contact_name").required


def test_work_plan_items_are_prefilled_from_the_plan_in_force_without_changing_it():
    work_plan = WORK_PLAN.example()
    facts = {f"plan.{name}": value for name, value in work_plan.items()}
    facts.update(children_in_care=[work_plan["members"][3]], office_city="Lipowiec Mazurski", today="2027-02-15")
    data = prefill(PLAN, facts)
    for name in ("problems", "strengths", "main_goal", "goals", "actions", "institutions"):
        assert data[name] == work_plan[name], name
    assert data["children_in_care"][0]["first_name"] == "Kacper"
    assert data["children_in_care"][0]["birth_date"] == "2018-11-07"
    assert data["children_in_care"][0]["care_form"] is None
    assert data["plan_date"] == "2027-02-15" and data["valid_from"] is None
    # the work plan's own objects keep their (absent) prefill
    assert WORK_PLAN.item("goals").prefill is None and WORK_PLAN.item("goals").fields[0].prefill is None
    assert WORK_PLAN.item("strengths").prefill is None


def test_signatures_include_the_coordinator():
    assert [(s.role, s.name or s.each) for s in PLAN.signatures] == [
        ("Członkowie rodziny współtworzący plan", "signatories"),
        ("Asystent rodziny", "assistant_name"),
        ("Koordynator rodzinnej pieczy zastępczej", "coordinator_name"),
        ("W imieniu placówki", "facility_contact_name"),
        ("Plan skonsultowano z pracownikiem socjalnym", "social_worker_name"),
    ]
    assert [s["name"] for s in PLAN.derive(PLAN.example())["signatories"]] == ["Anna Zawadzka", "Tomasz Zawadzki"]
    assert "art. 15 ust. 1 pkt 2" in PLAN.legal_basis


@pytest.mark.parametrize("data, path, message", [
    (_child(placement_date="2027-02-16"), "children_in_care[0].placement_date",
     "Dzieci w pieczy zastępczej, dziecko 1 – data umieszczenia w pieczy jest późniejsza niż data sporządzenia "
     "planu (15 lutego 2027 r.)."),
    (_child(placement_date="2018-11-06"), "children_in_care[0].placement_date",
     "Dzieci w pieczy zastępczej, dziecko 1 – data umieszczenia w pieczy jest wcześniejsza niż data urodzenia."),
    (_child(help_plan_date="2027-02-20"), "children_in_care[0].help_plan_date",
     "Dzieci w pieczy zastępczej, dziecko 1 – plan pomocy dziecku ma datę późniejszą niż data sporządzenia "
     "planu (15 lutego 2027 r.); podaj plan, z którym ten plan skoordynowano."),
    (_example(return_conditions=[{"condition": "Stała opieka po szkole.", "responsible": "Anna Zawadzka",
                                  "deadline": "2027-02-14"}]), "return_conditions[0].deadline",
     "Warunki powrotu dziecka do rodziny, warunek 1 – termin jest przed początkiem planu (15 lutego 2027 r.)."),
])
def test_rules_of_the_coordinated_plan(data, path, message):
    assert _issues(PLAN, data) == {path: message}


def test_children_in_care_are_the_members_marked_as_in_care():
    data = _child(first_name="Kacperek")
    assert _issues(PLAN, data) == {
        "children_in_care[0].first_name": "Dzieci w pieczy zastępczej, dziecko 1 – Kacperek Zawadzki: w składzie "
                                          "rodziny nie ma tej osoby z zaznaczonym pobytem w pieczy zastępczej.",
        "children_in_care": "Dzieci w pieczy zastępczej: brak dziecka Kacper Zawadzki, zaznaczonego w składzie "
                            "rodziny jako przebywające w pieczy zastępczej.",
    }
    data = PLAN.example()
    data["members"][3]["foster_care"] = False
    assert list(_issues(PLAN, data)) == ["children_in_care[0].first_name"]


@pytest.mark.parametrize("changes, path, message", [
    ({"valid_to": "2027-02-01"}, "valid_to",
     "Plan obowiązuje do: data końca musi być późniejsza niż data początku."),
    ({"consultation_date": None}, "consultation_date",
     "Data konsultacji planu z pracownikiem socjalnym: podaj ją, skoro plan konsultowano z pracownikiem "
     "socjalnym (albo usuń jego nazwisko)."),
    ({"consent_date": "2027-03-01"}, "consent_date",
     "Zgoda rodziny musi poprzedzać plan (art. 8 ust. 3 ustawy): data jest późniejsza niż data sporządzenia "
     "planu."),
])
def test_work_plan_rules_apply_too(changes, path, message):
    assert _issues(PLAN, _example(**changes))[path] == message


def test_action_deadline_after_the_plan_is_a_warning_to_confirm():
    data = PLAN.example()
    data["actions"][0]["deadline"] = "2027-08-01"
    [issue] = validate(PLAN, data)
    assert issue.warning and issue.path == "actions[0].deadline"
    assert issue.message == ("Działania, działanie 1 – termin realizacji (1 sierpnia 2027 r.) wypada po końcu "
                             "planu (31 lipca 2027 r.).")


@pytest.mark.parametrize("name, label", [
    ("help_plan_coordination", "Ustalenia wspólne z planem pomocy dziecku"),
    ("contact_frequency", "Częstotliwość kontaktów"),
    ("contact_form", "Forma kontaktów"),
])
def test_required_fields_of_the_new_sections(name, label):
    assert _issues(PLAN, _example(**{name: "  "})) == {name: f"{label}: pole jest wymagane."}


@pytest.mark.parametrize("name, message", [
    ("children_in_care", "Dzieci w pieczy zastępczej: dodaj co najmniej jedną pozycję (dziecko)."),
    ("return_conditions", "Warunki powrotu dziecka do rodziny: dodaj co najmniej jedną pozycję (warunek)."),
])
def test_required_repeats_need_an_item(name, message):
    assert _issues(PLAN, _example(**{name: []}))[name] == message


@pytest.mark.parametrize("name, label", [
    ("care_form", "Forma pieczy zastępczej"),
    ("placement_date", "Data umieszczenia w pieczy"),
    ("court_case_number", "Sygnatura akt"),
    ("help_plan_date", "Data planu pomocy dziecku"),
])
def test_each_child_in_care_needs_care_court_and_help_plan(name, label):
    assert _issues(PLAN, _child(**{name: None})) == {
        f"children_in_care[0].{name}": f"Dzieci w pieczy zastępczej, dziecko 1 – {label}: pole jest wymagane."}


def test_the_placement_order_needs_a_case_signature_format():
    issues = _issues(PLAN, _child(court_case_number="41/27"))
    assert "to nie jest sygnatura akt" in issues["children_in_care[0].court_case_number"]


def test_step_validation_of_the_children_in_care():
    issues = validate(PLAN, {}, sections=["children_in_care", "coordinator", "child_plan", "contacts", "return"])
    assert {issue.path for issue in issues} == {"children_in_care", "help_plan_coordination", "contact_frequency",
                                                "contact_form", "return_conditions"}
    # a child in family foster care: its coordinator is required in the coordinator's step
    issues = validate(PLAN, {"children_in_care": [{"care_form": "zawodowa"}]}, sections=["coordinator"])
    assert [issue.path for issue in issues] == ["coordinator_name", "coordinator_unit"]


# --- who the plan is made with: the coordinator of family foster care, or the institution -----------

COORDINATOR_NEEDED = ("Koordynator rodzinnej pieczy zastępczej: dziecko przebywa w rodzinnej pieczy zastępczej, a "
                      "plan opracowuje się z koordynatorem (art. 15 ust. 1 pkt 2 ustawy) – podaj ")


@pytest.mark.parametrize("care_form", ["spokrewniona", "niezawodowa", "zawodowa", "rodzinny_dom"])
def test_family_foster_care_needs_the_coordinator(care_form):
    data = _child(care_form=care_form)
    assert validate(PLAN, data) == []
    data.update(coordinator_name=" ", coordinator_unit=None)
    assert _issues(PLAN, data) == {
        "coordinator_name": COORDINATOR_NEEDED + "imię i nazwisko koordynatora.",
        "coordinator_unit": COORDINATOR_NEEDED + "jednostkę, w której pracuje."}


@pytest.mark.parametrize("care_form", ["placowka", "regionalna_placowka", "osrodek_preadopcyjny"])
def test_a_child_in_an_institution_needs_its_contact_not_a_coordinator(care_form):
    data = _child(care_form=care_form, care_name="Placówka Opiekuńczo-Wychowawcza „Tęcza” w Lipowcu Mazurskim")
    data.update(coordinator_name=None, coordinator_unit=None, coordinator_contact=None)
    assert _issues(PLAN, data) == {
        "facility_contact_name": "Osoba do kontaktu w placówce: dziecko przebywa w placówce, która nie ma "
                                 "koordynatora rodzinnej pieczy zastępczej – podaj osobę, z którą asystent "
                                 "uzgadnia plan."}
    data.update(facility_contact_name="Jan Wróblewski, wychowawca", facility_contact="tel. 89 741 33 10")
    assert validate(PLAN, data) == []


def test_the_social_workers_consultation_is_optional_but_complete_when_given():
    assert validate(PLAN, _example(social_worker_name=None, consultation_date=None)) == []
    assert _issues(PLAN, _example(consultation_date=None, social_worker_name=None, coordinator_name="Monika Urbańska"
                                  )) == {}
    assert list(_issues(PLAN, _example(social_worker_name=None))) == ["social_worker_name"]
    # the work plan (art. 15 ust. 1 pkt 1) still requires it
    assert set(_issues(WORK_PLAN, {**WORK_PLAN.example(), "social_worker_name": None,
                                   "consultation_date": None})) == CONSULTATION


def test_tables_fill_the_text_width():
    for _, item in PLAN.items():
        if isinstance(item, Repeat) and item.table:
            assert sum(width for _, width in item.table) == pytest.approx(16.0), item.name


# -- the work plan refuses a family with a child in foster care (art. 15 ust. 1 pkt 2) ------------

def test_work_plan_with_a_child_in_foster_care_is_refused_naming_the_child():
    data = WORK_PLAN.example()
    data["members"][3]["foster_care"] = True
    assert validate(WORK_PLAN, data, sections=["family"]) == validate(WORK_PLAN, data)
    assert _issues(WORK_PLAN, data) == {
        "members[3].foster_care": "Członkowie rodziny, osoba 4 – Kacper Zawadzki przebywa w pieczy zastępczej: dla "
                                  "tej rodziny sporządza się plan skoordynowany z planem pomocy dziecku (art. 15 "
                                  "ust. 1 pkt 2 ustawy), a nie plan pracy z rodziną."}


def test_work_plan_accepts_members_not_in_foster_care():
    data = WORK_PLAN.example()
    for person in data["members"]:
        person["foster_care"] = False
    assert validate(WORK_PLAN, data) == []
    assert isinstance(WORK_PLAN.item("members").field("foster_care"), Field)
