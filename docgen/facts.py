"""Facts drawn from a family's earlier documents, for prefilling its later ones.

Where the spec says so, a later document starts from the earlier ones: the
periodic assessment from the plan's goals, the closing report from the plan and
the last assessment, the coordinated plan from the work plan. Each earlier
document's fields are offered as "<prefix>.<field name>" keys, which the
definitions name in their fields' `prefill`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Iterable

from .doctypes import DOCTYPES
from .formatting import date_long
from .rules import date_of, rows

PLAN_TYPES = ("work_plan", "coordinated_plan")
ASSESSMENT = "periodic_assessment"
CLOSING_REPORT = "closing_report"


@dataclass(frozen=True)
class EarlierDocument:
    doc_type: str
    data: dict[str, Any]
    case_number: str | None
    # the date its last generated version bears; None for a draft never generated
    document_date: dt.date | None
    updated_at: dt.datetime


def latest(documents: Iterable[EarlierDocument], types: tuple[str, ...]) -> EarlierDocument | None:
    """The one in force: the latest generated document of the types; a draft only if none was generated."""
    candidates = [document for document in documents if document.doc_type in types]
    if not candidates:
        return None
    return max(candidates, key=lambda d: (d.document_date is not None, d.document_date or dt.date.min,
                                          d.updated_at))


def reference(document: EarlierDocument) -> str:
    """'Plan pracy z rodziną z dnia 2 listopada 2026 r. (znak sprawy MOPS.AR.4101.3.2026)'"""
    doctype = DOCTYPES.get(document.doc_type)
    text = doctype.title if doctype else document.doc_type
    day = document.document_date or date_of(document.data, doctype.date_field if doctype else "document_date")
    if day:
        text += f" z dnia {date_long(day)}"
    if document.case_number:
        text += f" (znak sprawy {document.case_number})"
    return text


def _goal_rows(document: EarlierDocument, with_status: bool) -> list[dict[str, Any]]:
    return [{"goal": row.get("goal"),
             "status": row.get("status") if with_status else None,
             "comment": row.get("comment") if with_status else None}
            for row in rows(document.data, "goals")]


def document_facts(documents: Iterable[EarlierDocument], *, work_start: str | None = None) -> dict[str, Any]:
    documents = list(documents)
    facts: dict[str, Any] = {}
    work_plan = latest(documents, ("work_plan",))
    plan = latest(documents, PLAN_TYPES)
    assessment = latest(documents, (ASSESSMENT,))
    closing = latest(documents, (CLOSING_REPORT,))
    for prefix, document in (("work_plan", work_plan), ("plan", plan), ("assessment", assessment),
                             ("closing_report", closing)):
        if document is not None:
            facts.update({f"{prefix}.{name}": value for name, value in document.data.items()})

    facts["plan_reference"] = reference(plan) if plan else None
    newer_assessment = assessment is not None and (
        plan is None or (assessment.document_date or dt.date.min) >= (plan.document_date or dt.date.min))
    if newer_assessment:
        facts["current_goals"] = _goal_rows(assessment, with_status=True)
    else:
        facts["current_goals"] = _goal_rows(plan, with_status=False) if plan else []

    previous_end = date_of(assessment.data, "period_to") if assessment and assessment.document_date else None
    if previous_end:
        facts["assessment_period_from"] = (previous_end + dt.timedelta(days=1)).isoformat()
    else:
        facts["assessment_period_from"] = (plan.data.get("valid_from") if plan else None) or work_start
    return facts
