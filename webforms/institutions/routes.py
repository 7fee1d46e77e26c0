"""The office's directory of local institutions ("wykaz placówek"): list and search, add, edit,
remove, CSV import and export.

Everyone logged in sees and keeps the directory of their own office (it holds no family data);
an entry of another office answers 404 like anything else one may not see.
"""
from __future__ import annotations

import datetime as dt
import io

from flask import Blueprint, abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from docgen.store import audit
from docgen.store import institutions as directory
from docgen.store.models import ROLE_ADMIN, ROLE_ASSISTANT, ROLE_HEAD, Institution

from .. import db
from ..audit import log
from .forms import InstitutionForm

bp = Blueprint("institutions", __name__, url_prefix="/placowki")

# who may change the directory: every role there is (kept explicit for a future read-only role)
EDITORS = (ROLE_ASSISTANT, ROLE_HEAD, ROLE_ADMIN)
OBJECT_TYPE = "institution"


@bp.before_request
def _editors_only_change():
    if request.method == "POST" and current_user.is_authenticated and current_user.role not in EDITORS:
        abort(404)


@bp.context_processor
def _helpers():
    return {"kinds": directory.KINDS, "kind_label": directory.kind_label, "format_nip": directory.format_nip,
            "may_edit": current_user.is_authenticated and current_user.role in EDITORS}


@bp.get("/")
def index():
    query = request.args.get("q", "").strip()[:200]
    kind = request.args.get("rodzaj", "")
    kind = kind if kind in directory.KINDS else ""
    size = directory.PAGE_SIZE
    page = max(request.args.get("strona", 1, type=int), 1)
    entries, total = directory.search(db.session(), current_user.office_id, query, kind, limit=size,
                                      offset=(page - 1) * size)
    pages = max(1, -(-total // size))
    if page > pages:
        return redirect(url_for("institutions.index", q=query or None, rodzaj=kind or None, strona=pages))
    return render_template("institutions/list.html", entries=entries, total=total, page=page, pages=pages,
                           query=query, kind=kind)


def _edit(entry: Institution | None):
    is_new = entry is None
    if request.method == "POST":
        form = InstitutionForm()
        if not form.validate():  # only the CSRF token; docgen.store.institutions checks the values
            abort(400)
        raw = {name: form[name].data for name in directory.FIELDS}
        try:
            if is_new:
                entry = directory.create(db.session(), current_user.office_id, raw)
            else:
                directory.update(db.session(), entry, raw)
        except directory.InvalidInstitution as invalid:
            db.session().rollback()
            for problem in invalid.problems:
                form[problem.field].errors.append(str(problem))
        else:
            log(audit.CREATE if is_new else audit.UPDATE, object_type=OBJECT_TYPE, object_id=entry.id)
            db.session().commit()
            flash(f"Zapisano placówkę „{entry.name}”.", "success")
            return redirect(url_for("institutions.index"))
    elif is_new:
        form = InstitutionForm(formdata=None)
    else:
        form = InstitutionForm(formdata=None, data={
            **{name: getattr(entry, name) for name in directory.FIELDS}, "nip": directory.format_nip(entry.nip)})
    return render_template("institutions/edit.html", form=form, entry=entry, is_new=is_new)


@bp.route("/nowa", methods=["GET", "POST"])
def create():
    return _edit(None)


@bp.route("/<int:institution_id>/edycja", methods=["GET", "POST"])
def edit(institution_id: int):
    return _edit(g.institution)


@bp.post("/<int:institution_id>/usuniecie")
def delete(institution_id: int):
    entry = g.institution
    if request.form.get("confirm") != "tak":
        flash("Aby usunąć placówkę z wykazu, zaznacz potwierdzenie.", "error")
        return redirect(url_for("institutions.edit", institution_id=entry.id))
    name = entry.name
    log(audit.DELETE, object_type=OBJECT_TYPE, object_id=entry.id)
    directory.delete(db.session(), entry)
    db.session().commit()
    flash(f"Usunięto placówkę „{name}” z wykazu.", "success")
    return redirect(url_for("institutions.index"))


@bp.get("/eksport")
def export():
    content = directory.export_csv(db.session(), current_user.office_id)
    log(audit.EXPORT, object_type=OBJECT_TYPE, detail="wykaz placówek CSV")
    db.session().commit()
    return send_file(io.BytesIO(content), as_attachment=True, mimetype="text/csv; charset=utf-8",
                     download_name=f"wykaz_placowek_{dt.date.today().isoformat()}.csv")


def _import_page(report=None, text="", error=None, status=200):
    return render_template("institutions/import.html", report=report, text=text, error=error,
                           header="; ".join(directory.CSV_HEADER), max_rows=directory.MAX_IMPORT_ROWS), status


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error):
    # a file over the app's request limit (MAX_CONTENT_LENGTH): the import page says so in its place
    return _import_page(error=directory.TOO_LARGE, status=413)


@bp.route("/import", methods=["GET", "POST"])
def import_csv():
    if request.method == "GET":
        return _import_page()
    upload = request.files.get("plik")
    pasted = request.form.get("tekst", "")
    content = upload.stream.read(directory.MAX_IMPORT_BYTES + 1) if upload and upload.filename else b""
    if not content and pasted.strip():
        content = pasted.encode("utf-8")
    if not content:
        return _import_page(text=pasted, error="Wybierz plik CSV albo wklej jego zawartość w pole poniżej.")
    report = directory.import_csv(db.session(), current_user.office_id, content)
    if report.added or report.updated:
        log(audit.CREATE, object_type=OBJECT_TYPE,
            detail=f"import CSV: dodano {report.added}, zaktualizowano {report.updated}, pominięto {report.skipped}")
        db.session().commit()
    else:
        db.session().rollback()
    # the rejected rows come back in the text box, to be fixed there and sent again
    return _import_page(report=report, text=report.rejected_text if not report.problem else pasted)
