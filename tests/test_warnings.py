"""Warnings versus blockers: every problem is found at once, and a warning generates once confirmed.

A rule declared with severity WARNING (a deadline already passed) is shown but stops generating
only until the user confirms it; a blocker (the Act, the document's integrity) stops it until fixed.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any, Iterator

import pytest

from docgen.cli import main
from docgen.definition import BLOCKER, WARNING, Issue, Repeat, Rule
from docgen.doctypes import DOCTYPES, get_doctype
from docgen.rules import date_of, rows
from docgen.store.documents import confirm_warnings, create_document, generate
from docgen.validate import DataInvalid, blocking, require_valid, validate, warnings

from test_store import make_family, make_office, make_user

TODAY = dt.date(2026, 12, 3)


def _deadline_passed(data: dict[str, Any]) -> Iterator[Issue]:
    for index, row in enumerate(rows(data, "actions")):
        deadline = date_of(row, "deadline")
        if deadline and deadline < TODAY:
            yield Issue(f"actions[{index}].deadline", f"Działanie {index + 1}: termin {deadline:%d.%m.%Y} już minął.")


DEADLINE_PASSED = Rule("deadline_passed", "Termin działania jeszcze nie minął.", _deadline_passed,
                       section="actions", severity=WARNING)


@pytest.fixture
def plan_with_warning(monkeypatch):
    """The work plan with one more rule, a warning, as the office-practice rules will add them."""
    plan = get_doctype("work_plan")
    patched = dataclasses.replace(plan, rules=plan.rules + (DEADLINE_PASSED,))
    monkeypatch.setitem(DOCTYPES, "work_plan", patched)
    return patched


def _past_deadline(data: dict[str, Any]) -> dict[str, Any]:
    data = json.loads(json.dumps(data))
    data["actions"][0]["deadline"] = "2026-11-30"
    data["valid_from"] = "2026-11-02"
    return data


def test_a_rule_declares_its_severity():
    assert DEADLINE_PASSED.severity == WARNING
    assert Rule("r", "", _deadline_passed, section="s").severity == BLOCKER
    with pytest.raises(ValueError, match="severity"):
        Rule("r", "", _deadline_passed, section="s", severity="maybe")


def test_a_warning_is_marked_and_keyed_by_what_it_says(plan_with_warning):
    data = _past_deadline(plan_with_warning.example())
    [warning] = warnings(validate(plan_with_warning, data))
    assert warning.rule == "deadline_passed" and warning.path == "actions[0].deadline"
    assert str(warning) == "actions[0].deadline: ostrzeżenie: Działanie 1: termin 30.11.2026 już minął."
    # another date is another warning: what was confirmed before does not cover it
    data["actions"][0]["deadline"] = "2026-11-29"
    [other] = warnings(validate(plan_with_warning, data))
    assert other.key != warning.key and other.key.startswith("deadline_passed:actions[0].deadline:")


def test_an_unconfirmed_warning_blocks_and_a_confirmed_one_does_not(plan_with_warning):
    data = _past_deadline(plan_with_warning.example())
    with pytest.raises(DataInvalid) as refused:
        require_valid(plan_with_warning, data)
    assert [issue.path for issue in refused.value.issues] == ["actions[0].deadline"]
    [warning] = refused.value.issues
    assert require_valid(plan_with_warning, data, confirmed=[warning.key])["actions"][0]["deadline"] == "2026-11-30"


def test_confirming_a_warning_never_lets_a_blocker_through(plan_with_warning):
    data = _past_deadline(plan_with_warning.example())
    data["main_goal"] = ""
    issues = validate(plan_with_warning, data)
    confirmed = [issue.key for issue in warnings(issues)]
    assert [issue.path for issue in blocking(issues, confirmed)] == ["main_goal"]


def test_every_problem_at_once_fields_and_rules_together():
    """The summary lists a missing field and a rule that spans fields together (before, a rule's
    problem appeared only once every field was right)."""
    plan = get_doctype("work_plan")
    data = plan.example()
    data["main_goal"] = ""
    data["valid_to"] = data["valid_from"]  # the plan's end must follow its start: a rule
    paths = {issue.path for issue in validate(plan, data)}
    assert {"main_goal", "valid_to"} <= paths


def test_a_rule_is_silent_where_the_field_itself_is_wrong():
    plan = get_doctype("work_plan")
    data = plan.example()
    data["valid_to"] = "31.01.2027"  # not a date: the field says so, the period rule does not repeat it
    messages = [issue.message for issue in validate(plan, data) if issue.path == "valid_to"]
    assert messages == ["Plan obowiązuje do: nieprawidłowa data; podaj ją w postaci RRRR-MM-DD."]


MALFORMED = [1, 2.5, True, None, "", "x", "2026-13-45", "0" * 11, [], [1, 2], [None, "a"], {}, {"a": 1},
             [{"a": 1}]]


@pytest.mark.parametrize("type_id", sorted(DOCTYPES))
def test_rules_read_any_json_without_failing(type_id):
    """The CLI and the API take any JSON: every rule runs beside every malformed value, and the
    malformed value is reported by its field, never by a crash."""
    doctype = get_doctype(type_id)
    example = doctype.example()
    for _, item in doctype.items():
        variants = []
        for value in MALFORMED:
            variants.append({**example, item.name: value})
            if isinstance(item, Repeat) and example.get(item.name):
                for spec in item.fields:
                    rows_ = [dict(row) for row in example[item.name]]
                    rows_[0][spec.name] = value
                    variants.append({**example, item.name: rows_})
        for data in variants:
            assert all(isinstance(issue, Issue) for issue in validate(doctype, data))


# --- stored documents: generating waits for the confirmation --------------------------------

def test_generate_waits_for_the_confirmation_of_a_warning(db_session, output_dir, plan_with_warning):
    office = make_office(db_session)
    user = make_user(db_session, office)
    family = make_family(db_session, office, user)
    document = create_document(db_session, family, "work_plan", user)
    document.data = _past_deadline(plan_with_warning.example())
    db_session.commit()

    with pytest.raises(DataInvalid) as refused:
        generate(db_session, document, user)
    db_session.rollback()
    assert [issue.rule for issue in refused.value.issues] == ["deadline_passed"]
    assert document.version == 0 and document.case_number is None  # no number spent on a refusal

    # a key the data does not raise is not stored; the real one is
    still_open = confirm_warnings(document, ["deadline_passed:actions[5].deadline:0", refused.value.issues[0].key])
    assert still_open == [] and document.confirmed_warnings == [refused.value.issues[0].key]
    db_session.commit()
    record = generate(db_session, document, user)
    db_session.commit()
    assert record.version == 1

    # a new warning (another date) is not covered by the old confirmation
    data = dict(document.data)
    data["actions"] = [dict(row) for row in data["actions"]]
    data["actions"][1]["deadline"] = "2026-11-20"
    document.data = data
    db_session.commit()
    with pytest.raises(DataInvalid) as refused_again:
        generate(db_session, document, user)
    db_session.rollback()
    assert [issue.path for issue in refused_again.value.issues] == ["actions[1].deadline"]


# --- the command line -------------------------------------------------------------------------

def test_cli_render_stops_at_warnings_until_accepted(capsys, tmp_path, monkeypatch, instance_dir, output_dir,
                                                     plan_with_warning):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    assert main(["demo", "--password", "hasło-testowe-cli"]) == 0
    source = tmp_path / "plan.json"
    source.write_text(json.dumps(_past_deadline(plan_with_warning.example()), ensure_ascii=False), encoding="utf-8")
    target = tmp_path / "plan.docx"
    capsys.readouterr()

    assert main(["render", "work_plan", str(source), "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert "actions[0].deadline: ostrzeżenie: Działanie 1: termin 30.11.2026 już minął." in err
    assert "--accept-warnings" in err and not target.exists()

    assert main(["render", "work_plan", str(source), "-o", str(target), "--accept-warnings"]) == 0
    captured = capsys.readouterr()
    assert "ostrzeżenie" in captured.err and target.is_file()
