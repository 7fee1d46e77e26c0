"""The registry of document types: one module per type, holding its definition only."""
from __future__ import annotations

from ..definition import DocType
from .work_plan import WORK_PLAN

DOCTYPES: dict[str, DocType] = {doctype.id: doctype for doctype in (WORK_PLAN,)}


class UnknownDocType(KeyError):
    """A type id that no definition declares."""


def get_doctype(type_id: str) -> DocType:
    try:
        return DOCTYPES[type_id]
    except KeyError:
        known = ", ".join(sorted(DOCTYPES))
        raise UnknownDocType(f"Nieznany typ dokumentu {type_id!r}. Dostępne: {known}.") from None
