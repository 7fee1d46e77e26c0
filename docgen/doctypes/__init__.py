"""The registry of document types: one module per type, holding its definition only."""
from __future__ import annotations

from ..definition import DocType
from .closing_report import CLOSING_REPORT
from .coordinated_plan import COORDINATED_PLAN
from .court_opinion import COURT_OPINION
from .cv import CV
from .family_consent import FAMILY_CONSENT
from .letter import LETTER
from .monitoring_note import MONITORING_NOTE
from .periodic_assessment import PERIODIC_ASSESSMENT
from .visit_record import VISIT_RECORD
from .work_plan import WORK_PLAN

# in the order of the work with a family: the order the lists offer them in
DOCTYPES: dict[str, DocType] = {doctype.id: doctype for doctype in (
    FAMILY_CONSENT, WORK_PLAN, COORDINATED_PLAN, VISIT_RECORD, PERIODIC_ASSESSMENT, COURT_OPINION,
    CLOSING_REPORT, MONITORING_NOTE,
    # the family's own documents, written with the assistant's help (art. 15 ust. 1)
    LETTER, CV,
)}


class UnknownDocType(KeyError):
    """A type id that no definition declares."""


def get_doctype(type_id: str) -> DocType:
    try:
        return DOCTYPES[type_id]
    except KeyError:
        known = ", ".join(sorted(DOCTYPES))
        raise UnknownDocType(f"Nieznany typ dokumentu {type_id!r}. Dostępne: {known}.") from None
