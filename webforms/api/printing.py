"""Print jobs: one PDF of many versions (the app's print room), its progress, its download."""
from __future__ import annotations

from flask import g, send_file, url_for
from flask_login import current_user

from docgen.pdf import LIBREOFFICE_MISSING, libreoffice_available
from docgen.store import audit, printjobs

from .. import db
from ..access import visible_families
from ..audit import log
from ..jobs import print_runner
from . import ApiProblem, bp, json_body, json_response
from .families import _staff_only


def job_json(job) -> dict:
    return {**printjobs.state(job), "title": job.title, "file_ids": list(job.file_ids or []),
            "pdf_url": url_for("api.print_job_pdf", job_id=job.id)}


@bp.post("/print-jobs")
def create_print_job():
    """From the latest versions named by `file_ids`; runs in the background like the app's."""
    _staff_only()
    body = json_body()
    wanted = body.get("file_ids")
    if not isinstance(wanted, list) or not wanted or not all(isinstance(i, int) and not isinstance(i, bool)
                                                             for i in wanted):
        raise ApiProblem(422, "Pole „file_ids” musi być niepustą listą numerów wersji (pole „id” wersji).",
                         problems=[{"path": "file_ids", "message": "Podaj listę numerów wersji.",
                                    "severity": "blocker"}])
    title = body.get("title", "")
    if not isinstance(title, str):
        raise ApiProblem(422, problems=[{"path": "title", "message": "Tytuł wydruku musi być tekstem.",
                                         "severity": "blocker"}])
    files = printjobs.printable_documents(db.session(), visible_families(current_user), file_ids=wanted)
    missing = sorted(set(wanted) - {p.file_id for p in files})
    if missing:
        raise ApiProblem(404, "Tych wersji nie ma, nie są najnowszymi wersjami swoich dokumentów albo nie masz "
                              f"do nich dostępu: {', '.join(map(str, missing))}.")
    if not libreoffice_available():
        raise ApiProblem(503, LIBREOFFICE_MISSING)
    try:
        job = printjobs.create_job(db.session(), current_user, files, title=title,
                                   cover_sheet=bool(body.get("cover_sheet", True)), duplex=bool(body.get("duplex")))
    except ValueError as refusal:
        db.session().rollback()
        raise ApiProblem(422, str(refusal), problems=[{"path": "file_ids", "message": str(refusal),
                                                       "severity": "blocker"}]) from None
    for family_id in sorted({p.family_id for p in files}):
        log(audit.EXPORT, object_type="print_job", object_id=job.id, family_id=family_id,
            detail="wydruk zbiorczy PDF (API)")
    db.session().commit()
    print_runner().submit(job.id)
    return json_response(job_json(job), 202, {"Location": url_for("api.print_job", job_id=job.id)})


@bp.get("/print-jobs/<int:job_id>")
def print_job(job_id: int):
    if printjobs.settle_if_stale(g.job):
        db.session().commit()
    return json_response(job_json(g.job))


@bp.get("/print-jobs/<int:job_id>/pdf")
def print_job_pdf(job_id: int):
    path = printjobs.job_pdf(g.job)
    if path is None:
        raise ApiProblem(409, "Wydruk nie jest jeszcze gotowy (albo się nie udał); sprawdź jego stan "
                              "pod adresem zadania.")
    log(audit.DOWNLOAD, object_type="print_job", object_id=g.job.id, detail="wydruk PDF (API)")
    db.session().commit()
    return send_file(path, as_attachment=True, mimetype="application/pdf", download_name=f"wydruk_{g.job.id}.pdf")
