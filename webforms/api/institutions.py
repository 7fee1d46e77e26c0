"""The office's directory of institutions: search, create, update, and the CSV import with the same
per-row report as its page. Every role of the office may use it (no family data in it)."""
from __future__ import annotations

from flask import g, request, url_for
from flask_login import current_user

from docgen.store import audit
from docgen.store import institutions as directory

from .. import db
from ..audit import log
from . import ApiProblem, bp, json_body, json_response

OBJECT_TYPE = "institution"


def institution_json(entry) -> dict:
    return {"id": entry.id, **{name: getattr(entry, name) for name in directory.FIELDS},
            "kind_label": directory.kind_label(entry.kind)}


@bp.get("/institutions")
def institutions():
    query = request.args.get("q", "").strip()[:200]
    kind = request.args.get("kind", "")
    if kind and kind not in directory.KINDS:
        raise ApiProblem(400, f"Parametr kind: jedna z wartości {', '.join(directory.KINDS)}.")
    page = request.args.get("page", "1")
    if not page.isdigit() or int(page) < 1:
        raise ApiProblem(400, "Parametr page: numer strony, liczba całkowita od 1.")
    size = directory.PAGE_SIZE
    entries, total = directory.search(db.session(), current_user.office_id, query, kind, limit=size,
                                      offset=(int(page) - 1) * size)
    return json_response({"items": [institution_json(e) for e in entries], "page": int(page),
                          "pages": max(1, -(-total // size)), "total": total, "page_size": size})


def _raw(body: dict) -> dict:
    """The entry's fields as the form sends them: text, each checked by docgen.store.institutions."""
    wrong = [name for name in directory.FIELDS if body.get(name) is not None and not isinstance(body[name], str)]
    if wrong:
        raise ApiProblem(422, problems=[{"path": name, "message": f"{directory.LABELS.get(name, name)}: podaj tekst.",
                                         "severity": "blocker"} for name in wrong])
    return {name: body.get(name) or "" for name in directory.FIELDS}


def _refused(invalid: directory.InvalidInstitution) -> ApiProblem:
    db.session().rollback()
    return ApiProblem(422, problems=[{"path": p.field, "message": str(p), "severity": "blocker"}
                                     for p in invalid.problems])


@bp.post("/institutions")
def create_institution():
    raw = _raw(json_body())
    try:
        entry = directory.create(db.session(), current_user.office_id, raw)
    except directory.InvalidInstitution as invalid:
        raise _refused(invalid) from None
    log(audit.CREATE, object_type=OBJECT_TYPE, object_id=entry.id, detail="API")
    db.session().commit()
    return json_response(institution_json(entry), 201,
                         {"Location": url_for("api.institution", institution_id=entry.id)})


@bp.get("/institutions/<int:institution_id>")
def institution(institution_id: int):
    return json_response(institution_json(g.institution))


@bp.put("/institutions/<int:institution_id>")
def update_institution(institution_id: int):
    raw = _raw(json_body())
    try:
        directory.update(db.session(), g.institution, raw)
    except directory.InvalidInstitution as invalid:
        raise _refused(invalid) from None
    log(audit.UPDATE, object_type=OBJECT_TYPE, object_id=g.institution.id, detail="API")
    db.session().commit()
    return json_response(institution_json(g.institution))


@bp.post("/institutions/import")
def import_institutions():
    """A CSV file as the request's body (Content-Type: text/csv), read like the import page reads it."""
    if request.mimetype != "text/csv":
        raise ApiProblem(415, "Wyślij plik CSV jako treść żądania z nagłówkiem Content-Type: text/csv.")
    content = request.get_data()
    if len(content) > directory.MAX_IMPORT_BYTES:
        raise ApiProblem(413, directory.TOO_LARGE)
    report = directory.import_csv(db.session(), current_user.office_id, content)
    if report.problem:  # nothing could be read: no header, a wrong encoding, too many rows
        db.session().rollback()
        raise ApiProblem(422, report.problem)
    if report.added or report.updated:
        log(audit.CREATE, object_type=OBJECT_TYPE,
            detail=f"import CSV (API): dodano {report.added}, zaktualizowano {report.updated}, "
                   f"pominięto {report.skipped}")
        db.session().commit()
    else:
        db.session().rollback()
    return json_response({"summary": report.summary, "added": report.added, "updated": report.updated,
                          "unchanged": report.unchanged, "skipped": report.skipped, "errors": report.errors,
                          "notes": report.notes, "rejected_text": report.rejected_text})
