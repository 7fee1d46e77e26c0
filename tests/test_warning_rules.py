"""Which rules warn and which block: a deadline already passed, a plan starting before the day it is
made, a monitoring contact far ahead are warnings the assistant confirms; only what the Act or the
document's integrity forbids blocks. "Today" is the date the document bears, so the same data gives
the same answer on any day."""
from __future__ import annotations

from docgen.definition import WARNING
from docgen.doctypes import DOCTYPES, get_doctype
from docgen.validate import blocking, validate, warnings

PLAN = get_doctype("work_plan")
COORDINATED = get_doctype("coordinated_plan")
MONITORING = get_doctype("monitoring_note")
ASSESSMENT = get_doctype("periodic_assessment")


def _only(doctype, data):
    """{path: (warning?, message)} of every issue."""
    return {issue.path: (issue.warning, issue.message) for issue in validate(doctype, data)}


def test_every_example_is_free_of_warnings_and_blockers():
    for doctype in DOCTYPES.values():
        assert validate(doctype, doctype.example()) == [], doctype.id


def test_a_deadline_passed_before_the_plan_is_made_is_a_warning():
    data = {**PLAN.example(), "plan_date": "2026-12-20"}  # the example's first deadline is 15 December
    issues = _only(PLAN, data)
    assert issues["actions[0].deadline"] == (
        True, "Działania, działanie 1 – termin (15 grudnia 2026 r.) minął przed datą sporządzenia planu "
              "(20 grudnia 2026 r.).")
    assert issues["valid_from"][0] is True and set(issues) == {"actions[0].deadline", "valid_from"}
    # confirmed, they no longer stop the document
    assert blocking(validate(PLAN, data), [issue.key for issue in validate(PLAN, data)]) == []


def test_a_deadline_before_the_plans_start_is_refused_once_not_also_warned_about():
    data = PLAN.example()
    data["actions"][0]["deadline"] = "2026-10-30"  # before valid_from (2 November) and plan_date
    assert _only(PLAN, data) == {"actions[0].deadline": (
        False, "Działania, działanie 1 – termin realizacji jest przed początkiem planu.")}


def test_a_plan_starting_before_the_day_it_is_made_is_a_warning():
    data = {**PLAN.example(), "plan_date": "2026-11-09", "consultation_date": "2026-11-05"}
    assert _only(PLAN, data) == {"valid_from": (
        True, "Plan obowiązuje od: 2 listopada 2026 r., czyli przed datą sporządzenia planu (9 listopada 2026 r.) "
              "– plan obejmie czas, który już minął.")}
    # starting before the assignment is forbidden, and said once, as a blocker
    data["valid_from"] = "2026-10-01"
    assert [(i.path, i.warning) for i in validate(PLAN, data)] == [("valid_from", False)]


def test_the_coordinated_plan_warns_about_passed_deadlines_of_return_conditions_too():
    data = COORDINATED.example()  # made on 15 February 2027, from that day on
    data["return_conditions"][0]["deadline"] = "2027-02-15"
    assert validate(COORDINATED, data) == []  # a deadline on the very day is not passed
    data["plan_date"] = "2027-02-16"
    issues = validate(COORDINATED, data)
    assert {(i.path, i.rule) for i in issues} >= {("return_conditions[0].deadline", "return_deadlines_passed"),
                                                  ("valid_from", "plan_starts_before_it_is_made")}
    assert all(issue.warning for issue in issues)


def test_a_monitoring_contact_more_than_a_month_after_the_note_is_a_warning():
    data = MONITORING.example()
    data["document_date"] = "2028-03-31"  # a note written in the middle of the monitoring period
    data["contacts"][3]["date"] = "2028-04-30"  # a month ahead: the next contact planned
    data["contacts"][4]["date"] = "2028-04-20"
    assert validate(MONITORING, data) == []
    data["contacts"][3]["date"] = "2028-05-02"
    assert _only(MONITORING, data) == {"contacts[3].date": (
        True, "Kontakty z rodziną, kontakt 4 – data kontaktu (2 maja 2028 r.) wypada ponad miesiąc po dacie "
              "sporządzenia notatki (31 marca 2028 r.); notatka opisuje kontakty, które się odbyły. "
              "Sprawdź datę.")}
    # outside the monitoring period it is refused, once
    data["contacts"][3]["date"] = "2072-12-17"
    assert [(i.path, i.warning) for i in validate(MONITORING, data)] == [("contacts[3].date", False)]


def test_an_assessment_covering_days_after_it_was_made_is_a_warning():
    data = {**ASSESSMENT.example(), "document_date": "2027-04-20", "receipt_date": None}
    [issue] = validate(ASSESSMENT, data)
    assert (issue.path, issue.warning) == ("period_to", True)
    assert "po dacie sporządzenia oceny (20 kwietnia 2027 r.)" in issue.message


def test_the_act_still_blocks():
    """A half-year assessment period (art. 15 ust. 1 pkt 15) and a plan with no adult (art. 15 ust. 3) block."""
    data = {**ASSESSMENT.example(), "period_to": "2027-06-01", "document_date": "2027-06-01", "receipt_date": None}
    assert [issue.warning for issue in validate(ASSESSMENT, data)] == [False]
    plan = PLAN.example()
    for person in plan["members"]:
        person["took_part"] = False
    assert [(i.path, i.warning) for i in validate(PLAN, plan)] == [("members", False)]


def test_warning_rules_are_declared_as_such():
    declared = {(doctype.id, rule.name) for doctype in DOCTYPES.values() for rule in doctype.rules
                if rule.severity == WARNING}
    assert declared >= {("work_plan", "deadlines_passed"), ("work_plan", "plan_starts_before_it_is_made"),
                        ("work_plan", "deadlines_after_plan_end"), ("coordinated_plan", "deadlines_passed"),
                        ("coordinated_plan", "return_deadlines_passed"), ("monitoring_note", "contacts_far_ahead"),
                        ("periodic_assessment", "period_not_ahead")}
    assert warnings(validate(PLAN, PLAN.example())) == []
