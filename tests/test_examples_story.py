"""The examples of every type tell one story: the invented Zawadzcy family from the assistant's
assignment (5 October 2026) to the end of monitoring (30 June 2028). The same people with the same
birth dates and PESELs, dates in the order of the work, and the rent arrears paid off as agreed."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from docgen.doctypes import DOCTYPES, get_doctype
from docgen.formatting import age_on
from docgen.rules import full_name

FAMILY_TYPES = [t for t, d in DOCTYPES.items() if any(item.name == "family_name" for _, item in d.items())]
PEOPLE_GROUPS = ("members", "consenting", "children", "children_in_care", "present", "member_profiles")
ADDRESS = "ul. Leśna 12 m. 4, 11-440 Lipowiec Mazurski"
# the arrears of May–September 2026, spread into 12 monthly instalments due by the 15th from December 2026
ARREARS, INSTALMENT, FIRST_DUE = 4320, 360, dt.date(2026, 12, 15)


def _example(type_id: str) -> dict:
    return get_doctype(type_id).example()


def _day(type_id: str, field: str) -> dt.date:
    return dt.date.fromisoformat(_example(type_id)[field])


def _people() -> dict[str, dict]:
    """Everyone named in a list of people, by name, with what any example says of them."""
    seen: dict[str, dict] = {}
    for type_id in DOCTYPES:
        data = _example(type_id)
        for group in PEOPLE_GROUPS:
            for person in data.get(group) or []:
                known = seen.setdefault(full_name(person), {})
                for key in ("birth_date", "pesel", "relation"):
                    if person.get(key):
                        assert known.setdefault(key, person[key]) == person[key], (type_id, group, person)
    return seen


def test_one_family_one_address_one_assistant():
    assert len(FAMILY_TYPES) == 8
    for type_id in FAMILY_TYPES:
        data = _example(type_id)
        assert data["family_name"] == "Zawadzcy", type_id
        if "address" in data:
            assert data["address"] == ADDRESS, type_id
    assert _example("letter")["sender_address"].replace("\n", ", ") == ADDRESS
    assert _example("cv")["address"] == ADDRESS
    assistants = {_example(t).get("assistant_name") for t in DOCTYPES} - {None}
    assert assistants == {"Ewa Kalinowska"}
    assert {_example(t).get("head_name") for t in DOCTYPES} - {None} == {"Grażyna Olech"}
    assert {_example(t).get("social_worker_name") for t in DOCTYPES} - {None} == {"Marek Sobczak"}


def test_the_same_people_with_the_same_dates_everywhere():
    people = _people()
    assert set(people) == {"Anna Zawadzka", "Tomasz Zawadzki", "Julia Zawadzka", "Kacper Zawadzki"}
    assert people["Anna Zawadzka"] == {"birth_date": "1991-03-14", "pesel": "91031441223", "relation": "matka"}
    assert people["Kacper Zawadzki"]["birth_date"] == "2018-11-07" and "pesel" not in people["Kacper Zawadzki"]
    # the letter's sender and the CV's person are members of the family
    assert {_example("letter")["sender_name"], _example("cv")["full_name"]} <= set(people)


def test_the_work_runs_in_order_from_assignment_to_the_end_of_monitoring():
    assigned = _day("work_plan", "assignment_date")
    consent = _day("family_consent", "consent_date")
    plan, plan_from, plan_to = (_day("work_plan", f) for f in ("plan_date", "valid_from", "valid_to"))
    visit, letter = _day("visit_record", "visit_date"), _day("letter", "document_date")
    coordinated = _day("coordinated_plan", "plan_date")
    placed = dt.date.fromisoformat(_example("coordinated_plan")["children_in_care"][0]["placement_date"])
    opinion, assessment = _day("court_opinion", "document_date"), _day("periodic_assessment", "document_date")
    closing, work_end = _day("closing_report", "document_date"), _day("closing_report", "work_end")
    note = _day("monitoring_note", "document_date")
    assert assigned < consent < plan < visit < letter < placed < coordinated < opinion < assessment
    assert assessment <= plan_to and work_end < closing < note
    assert _day("family_consent", "consent_date") == _day("work_plan", "consent_date")
    assert assigned == _day("court_opinion", "work_from") == _day("closing_report", "work_start")
    # the assessment covers the first plan's half year, and follows both plans
    assert (_day("periodic_assessment", "period_from"), _day("periodic_assessment", "period_to")) == (plan_from,
                                                                                                      plan_to)
    # monitoring follows the closing report's plan of it
    assert _day("monitoring_note", "work_end") == work_end
    assert _day("monitoring_note", "monitoring_from") == _day("closing_report", "monitoring_from")
    assert _day("monitoring_note", "monitoring_to") == _day("closing_report", "monitoring_to")


def test_ages_and_school_classes_agree_on_each_documents_date():
    ages = get_doctype("periodic_assessment").derive(_example("periodic_assessment"))["children_ages"]
    on = _day("periodic_assessment", "document_date")
    people = _people()
    assert ages == [age_on(dt.date.fromisoformat(people[name]["birth_date"]), on)
                    for name in ("Julia Zawadzka", "Kacper Zawadzki")] == [12, 8]
    # born in 2014 and 2018: class VI and II in the school year 2026/27
    assert "klasa VI" in _example("periodic_assessment")["children"][0]["school"]
    assert "klasa II" in _example("periodic_assessment")["children"][1]["school"]
    assert "klasy VI" in _example("court_opinion")["member_profiles"][2]["characteristic"]


def _amount(text: str) -> int:
    return int(text.replace(" ", "").split(",")[0])


def _instalments_paid_by(day: dt.date) -> int:
    return sum(1 for n in range(12) if dt.date(FIRST_DUE.year + (FIRST_DUE.month + n - 1) // 12,
                                               (FIRST_DUE.month + n - 1) % 12 + 1, 15) <= day)


@pytest.mark.parametrize("type_id, field", [("court_opinion", "material_situation"),
                                            ("periodic_assessment", "finances")])
def test_the_arrears_are_paid_off_as_agreed(type_id, field):
    letter = _example("letter")["body"]
    assert _amount(re.search(r"w łącznej kwocie ([\d ]+,\d\d) zł", letter).group(1)) == ARREARS
    assert _amount(re.search(r"w ratach po ([\d ]+) zł", letter).group(1)) == INSTALMENT
    assert f"{ARREARS:,}".replace(",", " ") + " zł" in _example("work_plan")["problems"][1]["description"]
    text = _example(type_id)[field]
    paid = _instalments_paid_by(_day(type_id, "document_date")) * INSTALMENT
    assert _amount(re.search(r"spłacono ([\d ]+) zł", text).group(1)) == paid
    assert _amount(re.search(r"pozostało ([\d ]+) zł", text).group(1)) == ARREARS - paid
    # twelve instalments: the last one in November 2027, before the work ended
    assert _instalments_paid_by(_day("closing_report", "work_end")) == 12
    assert "listopadzie 2027 r." in _example("monitoring_note")["observations"]
