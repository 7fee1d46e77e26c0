"""A demo office with something on every page: a generated work plan with deadlines, a document of
every type (complete, for the wizard's steps and the summary), a family whose work ended and which is
in its monitoring period, a print job, an office template, a calendar feed, an office's own document
type published with a document of it. Dates are relative to
today so deadlines fall in the current month. Used by the page-wide tests (every page, every role)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from docgen.doctypes import DOCTYPES, get_doctype
from docgen.store import api_tokens, approvals, office_types
from docgen.store import templates as office_templates
from docgen.store.documents import create_document, generate
from docgen.store.institutions import search as search_institutions
from docgen.store.lifecycle import close_family
from docgen.store.models import JOB_FINISHED, Family, PrintJob, User


def _day(today: dt.date, offset: int) -> str:
    return (today + dt.timedelta(days=offset)).isoformat()


def _family(session, name: str) -> Family:
    return session.scalars(select(Family).where(Family.family_name == name)).one()


def _user(session, username: str) -> User:
    return session.scalars(select(User).where(User.username == username)).one()


def generated_plan(session, family: Family, today: dt.date):
    """A work plan of the family from the example, dated three weeks ago, with deadlines this month and later."""
    plan_type = get_doctype("work_plan")
    document = create_document(session, family, "work_plan", family.assistant)
    own = {item.name for section in plan_type.sections if section.name in ("family", "basis", "signatures")
           for item in section.items}
    example = plan_type.example()
    actions = [{**action, "deadline": _day(today, 3 + 30 * index)} for index, action in enumerate(example["actions"])]
    document.data = {**document.data, **{k: v for k, v in example.items() if k not in own}, "actions": actions,
                     "valid_from": _day(today, -21), "valid_to": _day(today, 150), "plan_date": _day(today, -21),
                     "consultation_date": _day(today, -22)}
    return document, generate(session, document, family.assistant)


def ended_in_monitoring(session, family: Family, today: dt.date):
    """Work with the family ended three weeks ago; a generated closing report plans monitoring for
    100 more days; a monitoring note records one contact and plans the next."""
    report_type = get_doctype("closing_report")
    report = create_document(session, family, "closing_report", family.assistant)
    example = report_type.example()
    report.data = {**report.data, **{k: v for k, v in example.items() if k not in ("family_name", "address")},
                   "work_start": family.assignment_date.isoformat(), "work_end": _day(today, -21),
                   "monitoring_from": _day(today, -20), "monitoring_to": _day(today, 100),
                   "document_date": _day(today, -20)}
    generate(session, report, family.assistant)
    close_family(session, family, today - dt.timedelta(days=21))
    note = create_document(session, family, "monitoring_note", family.assistant)
    note.data = {**note.data, "monitoring_from": _day(today, -20), "monitoring_to": _day(today, 100),
                 "contacts": [{"date": _day(today, -10), "form": "wizyta", "note": "Rozmowa z matką."},
                              {"date": _day(today, 15), "form": "telefon", "note": None}]}
    return report, note


def build(session, today: dt.date | None = None) -> dict[str, Any]:
    today = today or dt.date.today()
    assistant = _user(session, "asystent1")
    krajewscy, wieczorek, jablonscy = (_family(session, name) for name in ("Krajewscy", "Wieczorek", "Jabłońscy"))
    plan, plan_file = generated_plan(session, krajewscy, today)
    # a document of every type with its example's data (the family's own fields stay), for the steps
    examples = {}
    for doc_type, doctype in DOCTYPES.items():
        # the coordinated plan is for a family with a child in foster care
        family = wieczorek if doc_type == "coordinated_plan" else krajewscy
        document = create_document(session, family, doc_type, assistant)
        document.data = {**doctype.example(), **{k: v for k, v in document.data.items() if v not in (None, "", [])}}
        examples[doc_type] = document
    # and one just begun, with problems to show
    begun = create_document(session, krajewscy, "work_plan", assistant)
    report, note = ended_in_monitoring(session, jablonscy, today)
    job = PrintJob(office_id=krajewscy.office_id, created_by_id=assistant.id, title="Plany pracy – próba wydruku",
                   file_ids=[plan_file.id], status=JOB_FINISHED, done=1, pages=3,
                   finished_at=dt.datetime.now(dt.timezone.utc))
    session.add(job)
    template = office_templates.upload(session, krajewscy.office, "work_plan", _changed_template(), "plan-osrodka.docx",
                                       None)
    # the office's own type, published, and a document of it with the type's example (its steps and summary)
    own_type = office_types.start_type(session, krajewscy.office, _own_template(), "notatka.docx",
                                       _user(session, "kierownik"), title="Notatka z rozmowy")
    office_types.publish(session, own_type, _user(session, "kierownik"))
    own_document = create_document(session, krajewscy, own_type.type_id, assistant)
    own_document.data = {**office_types.doctype_of(own_document).example(),
                         **{k: v for k, v in own_document.data.items() if v not in (None, "", [])}}
    # an admin's change of an account waiting for a head (the head's list and the admin's page of it)
    change = approvals.request(session, _user(session, "admin"), _user(session, "asystent2"), approvals.PROMOTION)
    # API tokens of the assistant: one working, one revoked (her page and the admin's list of the office)
    api_tokens.create(session, assistant, "System obsługi spraw")
    revoked, _ = api_tokens.create(session, assistant, "Stary import")
    api_tokens.revoke(session, revoked, assistant)
    session.commit()
    institution = search_institutions(session, krajewscy.office_id)[0][0]
    return {"today": today, "plan": plan, "plan_file": plan_file, "examples": examples, "begun": begun,
            "krajewscy": krajewscy, "wieczorek": wieczorek, "jablonscy": jablonscy, "report": report,
            "note": note, "job": job, "template": template, "institution": institution, "change": change,
            "own_type": own_type, "own_document": own_document, "assistant": assistant, "head": _user(session, "kierownik"), "admin": _user(session, "admin")}


def _changed_template() -> bytes:
    from test_office_templates import changed_template

    return changed_template()


def _own_template() -> bytes:
    from test_custom_infer import NOTATKA

    return NOTATKA
