"""Documents: a draft made with data, changed in part (ETag / If-Match: two systems never write
over each other), checked like the wizard and the CLI check it, generated into a version with its
case number by the same store functions as the HTML app, and downloaded as .docx or PDF."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from flask import g, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select, text

from docgen.pdf import LIBREOFFICE_MISSING, PdfError
from docgen.store import audit
from docgen.store.documents import confirm_warnings, create_document, document_issues, file_path, generate
from docgen.store.models import STATUS_DRAFT, Document
from docgen.store.office_types import TypeRejected, TypeUnavailable, doctype_of, types_for_office
from docgen.store.templates import TemplateUnavailable
from docgen.templates import TemplateBusy, TemplateRejected
from docgen.validate import DataInvalid, oversized

from .. import db
from ..audit import log
from ..pdf import pdf_pool
from . import ApiProblem, bp, issue_json, json_body, json_response
from .families import _staff_only, document_summary

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def etag(document: Document) -> str:
    """Changes with every change of the draft's data, its confirmed warnings and its versions."""
    state = json.dumps({"data": document.data, "confirmed": document.confirmed_warnings or [],
                        "version": document.version}, sort_keys=True, ensure_ascii=False, default=str)
    return '"' + hashlib.sha256(state.encode("utf-8")).hexdigest()[:32] + '"'


def document_json(document: Document) -> dict:
    return {**document_summary(document), "family_id": document.family_id, "data": document.data,
            "confirmed_warnings": list(document.confirmed_warnings or []),
            "versions": [file_json(record) for record in document.files]}


def file_json(record) -> dict:
    return {"id": record.id, "version": record.version, "filename": record.filename, "size": record.size,
            "sha256": record.sha256, "template": record.template_name,
            "created_at": record.created_at.isoformat() if record.created_at else None,
            "docx_url": url_for("api.file_docx", file_id=record.id),
            "pdf_url": url_for("api.file_pdf", file_id=record.id)}


def _answer(document: Document, status: int = 200, headers: dict | None = None):
    return json_response(document_json(document), status, {"ETag": etag(document), **(headers or {})})


def _refuse_oversized(doctype, data: dict) -> None:
    """What the definition cannot hold is refused whole, never cut (as the wizard does): 413 naming the fields."""
    too_large = oversized(doctype, data, [section.name for section in doctype.sections])
    if too_large:
        raise ApiProblem(413, "Niektóre pola są dłuższe, niż dokument może pomieścić; nic nie zostało zapisane.",
                         problems=[issue_json(issue) for issue in too_large])


def _data_of(body: dict, name: str = "data") -> dict:
    data = body.get(name, {})
    if not isinstance(data, dict):
        raise ApiProblem(422, f"Pole „{name}” musi być obiektem JSON z danymi dokumentu.",
                         problems=[{"path": name, "message": "Podaj dane dokumentu jako obiekt JSON.",
                                    "severity": "blocker"}])
    return data


@bp.post("/families/<int:family_id>/documents")
def create_draft(family_id: int):
    """A new draft prefilled from the case file, then `data` over it (top-level keys replace)."""
    _staff_only()
    body = json_body()
    doc_type = body.get("doc_type")
    offered = types_for_office(db.session(), g.family.office_id)
    if not isinstance(doc_type, str) or doc_type not in offered:
        raise ApiProblem(422, "Podaj typ dokumentu (doc_type) z listy GET /api/v1/types.",
                         problems=[{"path": "doc_type", "message": "Nieznany typ dokumentu.", "severity": "blocker"}])
    data = _data_of(body)
    try:
        document = create_document(db.session(), g.family, doc_type, current_user)
    except ValueError as refusal:
        db.session().rollback()
        raise ApiProblem(409, str(refusal)) from None
    merged = {**document.data, **data}
    _refuse_oversized(offered[doc_type], merged)
    document.data = merged
    log(audit.CREATE, object_type="document", object_id=document.id, family_id=document.family_id,
        detail=f"{doc_type} (API)")
    db.session().commit()
    return _answer(document, 201, {"Location": url_for("api.document", document_id=document.id)})


@bp.get("/documents/<int:document_id>")
def document(document_id: int):
    return _answer(g.document)


def _lock(document: Document) -> None:
    """Until this transaction ends nobody else changes the document (see docgen.store.cases._lock_family):
    SQLite's write lock by a write that changes nothing, PostgreSQL's row lock; then the row is read afresh."""
    session = db.session()
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("UPDATE document SET version = version WHERE id = :id"), {"id": document.id})
    else:
        session.execute(select(Document.id).where(Document.id == document.id).with_for_update())
    session.refresh(document)


@bp.patch("/documents/<int:document_id>")
def update_draft(document_id: int):
    """`data`'s top-level keys replace the draft's (null removes one). Needs If-Match: the ETag read."""
    document = g.document
    body = json_body()
    changes = _data_of(body)
    wanted = request.headers.get("If-Match")
    if not wanted:
        raise ApiProblem(428)
    _lock(document)
    if wanted.strip() not in (etag(document), "*"):
        db.session().rollback()
        raise ApiProblem(412, headers={"ETag": etag(document)})
    doctype = doctype_of(document)
    data = {key: value for key, value in {**document.data, **changes}.items() if value is not None}
    _refuse_oversized(doctype, data)
    if data != document.data:
        document.data = data
        document.status = STATUS_DRAFT
        log(audit.UPDATE, object_type="document", object_id=document.id, family_id=document.family_id,
            detail="API")
    db.session().commit()
    return _answer(document)


@bp.get("/documents/<int:document_id>/problems")
def problems(document_id: int):
    """Every problem of the draft with its path and Polish message: blockers and warnings (confirmed or not)."""
    document = g.document
    issues = document_issues(db.session(), document)
    confirmed = set(document.confirmed_warnings or ())
    blockers = [issue for issue in issues if not issue.warning]
    open_warnings = [issue for issue in issues if issue.warning and issue.key not in confirmed]
    return json_response({"ready": not blockers and not open_warnings,
                          "problems": [issue_json(issue, confirmed) for issue in issues]},
                         headers={"ETag": etag(document)})


@bp.post("/documents/<int:document_id>/warnings")
def confirm(document_id: int):
    """The caller read these warnings (their `key`s) and generates anyway, as on the wizard's summary."""
    document = g.document
    keys = json_body().get("confirm")
    if not isinstance(keys, list) or not all(isinstance(key, str) for key in keys):
        raise ApiProblem(422, "Pole „confirm” musi być listą kluczy ostrzeżeń (pole „key” z /problems).",
                         problems=[{"path": "confirm", "message": "Podaj listę kluczy ostrzeżeń.",
                                    "severity": "blocker"}])
    _lock(document)
    confirm_warnings(document, keys)
    log(audit.UPDATE, object_type="document", object_id=document.id, family_id=document.family_id,
        detail="potwierdzone ostrzeżenia (API)")
    db.session().commit()
    return _answer(document)


@bp.post("/documents/<int:document_id>/versions")
def generate_version(document_id: int):
    """A new version with its case number; 422 with every problem when the data is not ready."""
    document = g.document
    try:
        record = generate(db.session(), document, current_user)
    except DataInvalid as refused:
        db.session().rollback()
        confirmed = set(document.confirmed_warnings or ())
        raise ApiProblem(422, "Dokument nie jest jeszcze kompletny albo ma niepotwierdzone ostrzeżenia; "
                              "nic nie zostało wygenerowane.",
                         problems=[issue_json(issue, confirmed) for issue in refused.issues]) from None
    except TemplateBusy as busy:
        db.session().rollback()
        raise ApiProblem(503, f"Nie wygenerowano dokumentu: {busy}", headers={"Retry-After": "5"}) from None
    except (TemplateRejected, TemplateUnavailable, TypeRejected, TypeUnavailable) as problem:
        db.session().rollback()
        raise ApiProblem(409, f"Nie wygenerowano dokumentu: {problem} Poproś administratora o sprawdzenie "
                              "szablonu ośrodka.") from None
    log(audit.GENERATE, object_type="document", object_id=document.id, family_id=document.family_id,
        detail=f"wersja {record.version}, plik {record.id} (API)")
    db.session().commit()
    return json_response({**file_json(record), "document_id": document.id, "case_number": document.case_number},
                         201, {"Location": url_for("api.file_docx", file_id=record.id), "ETag": etag(document)})


@bp.get("/documents/<int:document_id>/versions")
def versions(document_id: int):
    return json_response({"items": [file_json(record) for record in g.document.files]})


@bp.get("/files/<int:file_id>")
def file_docx(file_id: int):
    record = g.file
    path = file_path(record)
    if not path.is_file():
        raise ApiProblem(404, "Plik tej wersji nie jest już dostępny na serwerze.")
    return send_file(path, as_attachment=True, download_name=record.filename, mimetype=DOCX)


@bp.get("/files/<int:file_id>/pdf")
def file_pdf(file_id: int):
    """The version as PDF: made once beside its .docx by the app's warm LibreOffice pool, as in the app."""
    record = g.file
    source = file_path(record)
    if not source.is_file():
        raise ApiProblem(404, "Plik tej wersji nie jest już dostępny na serwerze.")
    target = source.with_suffix(".pdf")
    if not target.is_file():
        pool = pdf_pool()
        if pool is None:
            raise ApiProblem(503, LIBREOFFICE_MISSING)
        try:
            pool.convert(source, target)
        except PdfError as problem:
            raise ApiProblem(503, str(problem)) from None
    return send_file(target, as_attachment=True, download_name=Path(record.filename).with_suffix(".pdf").name,
                     mimetype="application/pdf")
