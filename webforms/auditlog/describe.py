"""Audit entries in Polish for the head: names of the people, families, documents and files they
mention (entries keep only ids), step titles instead of step codes, page names instead of endpoints.

Every name on a page is looked up in one query per kind of object, only within the office; an
object deleted since reads "nr 12 (usunięty)".
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from docgen.doctypes import DOCTYPES
from docgen.store.models import (ROLES, AuditEntry, Document, Family, GeneratedFile, Institution, PrintJob,
                                   TemplateVersion, User)

from ..display import ACTION_LABELS, OBJECT_LABELS, PAGE_LABELS


@dataclass(frozen=True)
class EntryView:
    at: dt.datetime
    who: str
    action: str
    subject: str
    family_id: int | None
    family: str
    detail: str


def _names(session: Session, columns, where, ids: set[int]) -> dict[int, tuple]:
    if not ids:
        return {}
    return {row[0]: tuple(row[1:]) for row in session.execute(select(*columns).where(where, columns[0].in_(ids)))}


def _doc_title(doc_type: str) -> str:
    doctype = DOCTYPES.get(doc_type)
    return doctype.title if doctype else doc_type


def _step_title(doc_type: str | None, step: str) -> str:
    """The step's title in its document type; for a document deleted since, the title every type
    with a step of that name gives it (else the code, rather than a guess)."""
    doctypes = [DOCTYPES[doc_type]] if doc_type in DOCTYPES else list(DOCTYPES.values())
    titles = {section.title for doctype in doctypes for section in doctype.sections if section.name == step}
    return titles.pop() if len(titles) == 1 else step


_TEMPLATE_DETAIL = re.compile(r"^(?P<type>[a-z_]+)(?P<rest>(:| v\d).*)$")
_ROLE_DETAIL = re.compile(r"^rola: (?P<role>\w+)(?P<rest>.*)$")


def _detail(entry: AuditEntry, documents: dict[int, tuple]) -> str:
    detail = entry.detail or ""
    if detail in PAGE_LABELS:
        return PAGE_LABELS[detail]
    if entry.object_type == "document":
        if detail.startswith("krok: "):
            doc_type = documents.get(entry.object_id or 0, (None,))[0]
            return f"krok: {_step_title(doc_type, detail[len('krok: '):])}"
        if detail in DOCTYPES:
            return _doc_title(detail)
    if entry.object_type == "template" and (found := _TEMPLATE_DETAIL.match(detail)) and found["type"] in DOCTYPES:
        return f"{_doc_title(found['type'])}{found['rest']}"
    if found := _ROLE_DETAIL.match(detail):
        return f"rola: {ROLES.get(found['role'], found['role'])}{found['rest']}"
    return detail


def describe(session: Session, office_id: int, entries: Iterable[AuditEntry]) -> list[EntryView]:
    entries = list(entries)
    ids: dict[str, set[int]] = {}
    for entry in entries:
        if entry.object_id is not None:
            ids.setdefault(entry.object_type, set()).add(entry.object_id)
    people = _names(session, (User.id, User.full_name), User.office_id == office_id,
                    {e.user_id for e in entries if e.user_id} | ids.get("user", set()))
    families = _names(session, (Family.id, Family.family_name), Family.office_id == office_id,
                      {e.family_id for e in entries if e.family_id} | ids.get("family", set()))
    documents = _names(session, (Document.id, Document.doc_type), Document.office_id == office_id,
                       ids.get("document", set()))
    files = _names(session, (GeneratedFile.id, GeneratedFile.filename, GeneratedFile.version),
                   GeneratedFile.document.has(Document.office_id == office_id), ids.get("file", set()))
    institutions = _names(session, (Institution.id, Institution.name), Institution.office_id == office_id,
                          ids.get("institution", set()))
    jobs = _names(session, (PrintJob.id, PrintJob.title), PrintJob.office_id == office_id, ids.get("print_job", set()))
    templates = _names(session, (TemplateVersion.id, TemplateVersion.doc_type, TemplateVersion.number),
                       TemplateVersion.office_id == office_id, ids.get("template", set()))

    def subject(entry: AuditEntry) -> str:
        kind = OBJECT_LABELS.get(entry.object_type, entry.object_type)
        number = entry.object_id
        if not entry.object_type:
            return "—"
        if number is None:
            return kind
        gone = f"{kind} nr {number} (usunięty)"
        if entry.object_type == "family":
            return kind
        if entry.object_type == "document":
            return f"{kind}: {_doc_title(documents[number][0])}" if number in documents else gone
        if entry.object_type == "file":
            return f"{kind}: {files[number][0]} (wersja {files[number][1]})" if number in files else gone
        if entry.object_type == "user":
            return f"{kind}: {people[number][0]}" if number in people else gone
        if entry.object_type == "institution":
            return f"{kind}: {institutions[number][0]}" if number in institutions else gone
        if entry.object_type == "print_job":
            return f"{kind}: {jobs[number][0]}" if number in jobs else gone
        if entry.object_type == "template":
            return (f"{kind}: {_doc_title(templates[number][0])}, wersja {templates[number][1]}"
                    if number in templates else gone)
        return kind

    views = []
    for entry in entries:
        if entry.user_id in people:
            who = f"{people[entry.user_id][0]} ({entry.username})"
        else:
            who = entry.username or "—"
        if entry.family_id is None:
            family = "—"
        else:
            family = families[entry.family_id][0] if entry.family_id in families else \
                f"nr {entry.family_id} (usunięta)"
        views.append(EntryView(at=entry.at, who=who, action=ACTION_LABELS.get(entry.action, entry.action),
                               subject=subject(entry), family_id=entry.family_id if entry.family_id in families else None,
                               family=family, detail=_detail(entry, documents)))
    return views
