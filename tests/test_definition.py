"""One definition drives the schema, the forms, the context and the validator."""
from __future__ import annotations

import datetime as dt

import jsonschema
import pytest

from docgen.casefile import FAMILY_RECORD
from docgen.context import Letterhead, build_context
from docgen.definition import DATE, DocType, Field, Repeat, Section
from docgen.doctypes import DOCTYPES, get_doctype
from docgen.prefill import prefill
from docgen.schema import json_schema
from docgen.validate import normalise, validate

PLAN = get_doctype("work_plan")
LETTERHEAD = Letterhead(name="MOPS w Lipowcu Mazurskim", address="ul. Kościuszki 5", city="Lipowiec Mazurski")


def _names(doctype):
    return [item.name for _, item in doctype.items()]


def test_a_field_declared_twice_is_refused():
    field = Field("name", "Imię")
    with pytest.raises(ValueError, match="declared twice"):
        DocType(id="x", title="X", template="x.docx",
                sections=(Section("a", "A", (field,)), Section("b", "B", (field,))))


def test_schema_has_every_field_with_its_requiredness():
    schema = json_schema(PLAN)
    assert list(schema["properties"]) == _names(PLAN)
    required = {item.name for _, item in PLAN.items()
                if (isinstance(item, Field) and item.required) or (isinstance(item, Repeat) and item.min_items)}
    assert set(schema["required"]) == required
    actions = schema["properties"]["actions"]
    assert actions["minItems"] == 1
    assert set(actions["items"]["required"]) >= {"action", "responsible", "deadline", "expected_effect"}
    assert schema["properties"]["basis"]["x-labels"]["postanowienie"] == "postanowienie sądu"
    assert [s["title"] for s in schema["x-sections"]] == [s.title for s in PLAN.sections]


@pytest.mark.parametrize("type_id", sorted(DOCTYPES))
def test_every_example_is_valid_for_its_validator_and_its_schema(type_id):
    doctype = DOCTYPES[type_id]
    example = doctype.example()
    assert validate(doctype, example) == []
    jsonschema.Draft202012Validator(json_schema(doctype)).validate(example)


def test_conditional_requirement_is_the_same_in_schema_and_validator():
    data = dict(PLAN.example(), basis="postanowienie")
    paths = {issue.path for issue in validate(PLAN, data)}
    assert {"court_name", "court_case_number", "court_order_date"} <= paths
    errors = list(jsonschema.Draft202012Validator(json_schema(PLAN)).iter_errors(data))
    assert errors, "the schema must also require the court order's fields"


def test_forms_have_one_input_per_field_of_each_step(app):
    from webforms.wizard import form_class

    with app.test_request_context():
        for section in PLAN.sections:
            form = form_class(section)()
            names = {name for name in form._fields if name != "csrf_token"}
            assert names == {item.name for item in section.items}
            for item in section.items:
                if isinstance(item, Repeat):
                    entry_form = form[item.name].append_entry().form
                    assert set(entry_form._fields) == {spec.name for spec in item.fields}
                else:
                    assert form[item.name].label.text == item.label


def test_context_formats_every_field_for_print():
    context = build_context(PLAN, normalise(PLAN, PLAN.example()), letterhead=LETTERHEAD,
                            case_number="MOPS.AR.4101.3.2026")
    for name in _names(PLAN):
        assert name in context
    assert context["basis"] == "zgoda rodziny"
    assert context["valid_from"] == dt.date(2026, 11, 2)
    assert context["members"][0]["relation"] == "matka"
    assert context["actions"][0]["area"] == "poszukiwanie, podejmowanie i utrzymywanie pracy"
    assert [s["name"] for s in context["signatories"]] == ["Anna Zawadzka", "Tomasz Zawadzki"]
    assert context["place_and_date"] == "Lipowiec Mazurski, dnia 2 listopada 2026 r."
    assert context["office"]["name"] == "MOPS w Lipowcu Mazurskim"


def test_prefill_takes_the_case_facts_the_fields_name():
    facts = {"family_name": "Zawadzcy", "address": "ul. Leśna 12", "members": [
        {"first_name": "Anna", "last_name": "Zawadzka", "birth_date": "1991-03-14", "pesel": None,
         "relation": "matka", "in_household": True, "took_part": True}],
        "assistant_name": "Ewa Kalinowska", "office_city": "Lipowiec Mazurski", "today": "2026-11-23",
        "basis": "zgoda", "consent_date": "2026-10-12", "social_worker_name": "Marek Sobczak"}
    data = prefill(PLAN, facts)
    assert data["family_name"] == "Zawadzcy"
    assert data["members"][0]["first_name"] == "Anna"
    assert data["place"] == "Lipowiec Mazurski" and data["plan_date"] == "2026-11-23"
    assert data["assistant_name"] == "Ewa Kalinowska" and data["social_worker_name"] == "Marek Sobczak"
    assert data["main_goal"] is None and data["actions"] == []


def test_family_record_reuses_the_plan_fields_but_asks_for_less():
    record_members = FAMILY_RECORD.item("members")
    plan_fields = PLAN.item("members").fields
    # the plan's very fields first, then what only the card keeps (work, disability, contact, placement)
    assert record_members.fields[:len(plan_fields)] == plan_fields
    assert {spec.name for spec in record_members.fields[len(plan_fields):]} == {
        "employment", "disability", "phone", "email", "care_form", "care_name", "placement_date", "placement_court",
        "placement_case_number", "placement_order_date"}
    assert not any(spec.required for spec in record_members.fields[len(plan_fields):])
    assert validate(FAMILY_RECORD, {"family_name": "Zawadzcy", "address": "ul. Leśna 12"}) == []
    assert PLAN.item("basis").required and not FAMILY_RECORD.item("basis").required


@pytest.mark.parametrize("changes, path, message", [
    ({"valid_to": "2026-10-01"}, "valid_to", "musi być późniejsza"),
    ({"consent_date": "2026-12-01"}, "consent_date", "musi poprzedzać plan"),
    ({"members": [{**PLAN.example()["members"][0], "sex": "M"}]}, "members[0].sex", "PESEL wskazuje inną płeć"),
    ({"plan_date": "bad"}, "plan_date", "RRRR-MM-DD"),
    ({"strengths": "tekst\x07z dzwonkiem"}, "strengths", "niedozwolony znak"),
    ({"basis": "ustnie"}, "basis", "nieznana wartość"),
    ({"unknown_field": "x"}, "unknown_field", "nieznane pole"),
])
def test_rules_and_formats_name_the_field(changes, path, message):
    issues = validate(PLAN, {**PLAN.example(), **changes})
    assert any(issue.path == path and message in issue.message for issue in issues), issues


def test_action_without_deadline_or_effect_is_refused():
    data = PLAN.example()
    data["actions"][1] = {**data["actions"][1], "deadline": None, "expected_effect": "  "}
    paths = {issue.path for issue in validate(PLAN, data)}
    assert {"actions[1].deadline", "actions[1].expected_effect"} <= paths


def test_plan_needs_an_adult_who_took_part():
    data = PLAN.example()
    for person in data["members"]:
        person["took_part"] = person["relation"] == "dziecko"
    issues = validate(PLAN, data)
    assert [issue.path for issue in issues] == ["members"]
    assert "dorosłą osobę" in issues[0].message


def test_member_needs_birth_date_or_pesel_and_they_must_agree():
    data = PLAN.example()
    data["members"][3] = {**data["members"][3], "birth_date": None, "pesel": None}
    data["members"][0] = {**data["members"][0], "birth_date": "1991-03-15"}
    issues = {issue.path: issue.message for issue in validate(PLAN, data)}
    assert "podaj datę urodzenia albo PESEL" in issues["members[3].birth_date"]
    assert "PESEL wskazuje inną datę urodzenia (14 marca 1991 r.)" in issues["members[0].pesel"]


def test_an_invalid_pesel_checksum_is_refused():
    data = PLAN.example()
    data["members"][0] = {**data["members"][0], "pesel": "91031441224"}
    assert any(i.path == "members[0].pesel" and "nieprawidłowy numer PESEL" in i.message
               for i in validate(PLAN, data))


def test_step_validation_reports_only_that_step():
    issues = validate(PLAN, {}, sections=["period"])
    assert {issue.path for issue in issues} == {"valid_from", "valid_to"}
    assert all(PLAN.section_of(issue.path).name == "period" for issue in issues)


def test_every_date_field_is_a_date_in_the_schema():
    schema = json_schema(PLAN)
    for _, item in PLAN.items():
        if isinstance(item, Field) and item.kind == DATE:
            spec = schema["properties"][item.name]
            spec = spec.get("anyOf", [spec])[0]
            assert spec["format"] == "date"
