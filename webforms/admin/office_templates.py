"""The office's Word templates, in the administration: per document type the built-in template and
its guide to download, an upload that is checked (every problem named with its place), the preview
of a checked version (the type's example rendered with it, as page images) before it is put in use,
and every earlier version, or the built-in template, to switch back to.

Routes on the admin blueprint, so only the office's administrator gets here (404 for anyone else);
a version's id in the URL is checked by webforms/access.py (the admin's own office only).
"""
from __future__ import annotations

import io

from flask import abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from docgen.doctypes import DOCTYPES
from docgen.pdf import PdfError
from docgen.templates.engine import template_path
from docgen.store import audit
from docgen.store import templates as office_templates
from docgen.store.models import ROLE_ADMIN
from docgen.templates import MAX_TEMPLATE_BYTES, TemplateRejected, template_guide

from .. import db
from ..audit import log
from ..pdf import pdf_pool
from .forms import TemplateUploadForm
from .guide import to_html
from .routes import bp

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
OBJECT_TYPE = "template"
MAX_MB = MAX_TEMPLATE_BYTES // 2 ** 20
# the upload's request may carry the largest template the check accepts, and then some (the form
# around it, a file a little over the limit, which the check then names by its size)
UPLOAD_LIMIT = MAX_TEMPLATE_BYTES + 2 ** 20
TOO_LARGE = (f"Plik jest za duży: szablon może mieć najwyżej {MAX_MB} MB. Usuń z niego duże obrazy i wgraj "
             "go ponownie.")
NO_LIBREOFFICE = ("Podglądu stron nie ma, bo na serwerze nie zainstalowano LibreOffice. Pobierz próbny dokument "
                  "(.docx) i obejrzyj go w Wordzie przed aktywowaniem szablonu.")


@bp.url_value_preprocessor
def _upload_limit(endpoint, _values):
    # before anything reads the form (the CSRF check does, before the views): the app's limit is
    # meant for forms, not for a template up to MAX_TEMPLATE_BYTES; only an admin gets the larger one
    if endpoint == "admin.template_upload" and current_user.is_authenticated and current_user.role == ROLE_ADMIN:
        request.max_content_length = UPLOAD_LIMIT


def _doctype(doc_type: str):
    doctype = DOCTYPES.get(doc_type)
    if doctype is None:
        abort(404)
    return doctype


def _type_page(doctype, form, problems=None, uploaded_name="", status=200):
    session = db.session()
    return render_template(
        "admin/template_type.html", doctype=doctype, form=form, problems=problems, uploaded_name=uploaded_name,
        active=office_templates.active_version(session, current_user.office_id, doctype.id),
        versions=office_templates.versions(session, current_user.office_id, doctype.id), max_mb=MAX_MB), status


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error):
    doc_type = (request.view_args or {}).get("doc_type")
    if (request.endpoint == "admin.template_upload" and doc_type in DOCTYPES and current_user.is_authenticated
            and current_user.role == ROLE_ADMIN):
        form = TemplateUploadForm(formdata=None)
        form.template.errors = [TOO_LARGE]
        return _type_page(DOCTYPES[doc_type], form, status=413)
    return render_template("errors/error.html", code=413, title="Za duże dane",
                           text="Przesłane dane są zbyt duże."), 413


@bp.get("/szablony")
def templates():
    overview = office_templates.overview(db.session(), current_user.office_id)
    rows = [(doctype, *overview.get(doctype.id, (None, 0))) for doctype in DOCTYPES.values()]
    return render_template("admin/templates.html", rows=rows)


@bp.get("/szablony/<doc_type>")
def template_type(doc_type: str):
    return _type_page(_doctype(doc_type), TemplateUploadForm())


@bp.get("/szablony/<doc_type>/wbudowany.docx")
def template_builtin(doc_type: str):
    doctype = _doctype(doc_type)
    return send_file(template_path(doctype), as_attachment=True, download_name=doctype.template, mimetype=DOCX)


@bp.get("/szablony/<doc_type>/przewodnik")
def template_guide_page(doc_type: str):
    doctype = _doctype(doc_type)
    return render_template("admin/template_guide.html", doctype=doctype, guide=to_html(template_guide(doctype), 1))


@bp.post("/szablony/<doc_type>")
def template_upload(doc_type: str):
    doctype = _doctype(doc_type)
    form = TemplateUploadForm()
    if not form.validate_on_submit():
        return _type_page(doctype, form)
    upload = form.template.data
    data = upload.stream.read(MAX_TEMPLATE_BYTES + 1)  # one byte over: the check names the size
    session = db.session()
    try:
        version = office_templates.upload(session, current_user.office, doctype.id, data, upload.filename,
                                          current_user)
    except TemplateRejected as refused:
        session.rollback()
        form.template.errors.append(f"Szablon nie przeszedł sprawdzenia (problemy: {len(refused.problems)}) – "
                                    "nie został zapisany ani włączony. Popraw w Wordzie miejsca wymienione powyżej "
                                    "i wgraj go ponownie.")
        return _type_page(doctype, form, problems=refused.problems,
                          uploaded_name=office_templates.shown_name(upload.filename))
    log(audit.CREATE, object_type=OBJECT_TYPE, object_id=version.id, detail=f"{doctype.id} v{version.number}")
    session.commit()
    flash(f"Szablon „{version.filename}” przeszedł sprawdzenie i został zapisany jako wersja {version.number}.",
          "success")
    return redirect(url_for("admin.template_preview", template_id=version.id))


@bp.post("/szablony/<doc_type>/wbudowany")
def template_restore_builtin(doc_type: str):
    doctype = _doctype(doc_type)
    office_templates.activate(db.session(), current_user.office_id, doctype.id, None, current_user)
    log(audit.UPDATE, object_type=OBJECT_TYPE, detail=f"{doctype.id}: szablon wbudowany w użyciu")
    db.session().commit()
    flash(f"Przywrócono szablon wbudowany: nowe dokumenty „{doctype.title}” powstają z niego. "
          "Wygenerowane wcześniej pliki się nie zmieniają.", "success")
    return redirect(url_for("admin.template_type", doc_type=doctype.id))


@bp.get("/szablony/wersje/<int:template_id>")
def template_preview(template_id: int):
    version = g.template_version  # webforms/access.py: a version of the admin's own office, or 404
    doctype = DOCTYPES[version.doc_type]
    pages, problems = 0, []
    pool = pdf_pool()
    try:
        if pool is None:
            office_templates.preview_document(current_user.office, version)  # the .docx to download
            problems = [NO_LIBREOFFICE]
        else:
            pages = len(office_templates.preview_pages(current_user.office, version, pool))
    except TemplateRejected as refused:
        problems = [str(problem) for problem in refused.problems]
    except (office_templates.TemplateUnavailable, PdfError) as failure:
        problems = [str(failure)]
    active = office_templates.active_version(db.session(), current_user.office_id, version.doc_type)
    return render_template("admin/template_preview.html", version=version, doctype=doctype, pages=pages,
                           problems=problems, in_use=active is not None and active.id == version.id)


@bp.get("/szablony/wersje/<int:template_id>/podglad/<int:page>.png")
def template_preview_image(template_id: int, page: int):
    image = office_templates.preview_image(current_user.office, g.template_version, page)
    if not image.is_file():
        abort(404)
    return send_file(image, mimetype="image/png")


def _back_to_preview(version, message: str):
    flash(message, "error")
    return redirect(url_for("admin.template_preview", template_id=version.id))


@bp.get("/szablony/wersje/<int:template_id>/przyklad.docx")
def template_example(template_id: int):
    """The type's example rendered with the version: the preview where no LibreOffice is."""
    version = g.template_version
    try:
        path = office_templates.preview_document(current_user.office, version)
    except (TemplateRejected, office_templates.TemplateUnavailable) as failure:
        return _back_to_preview(version, str(failure))
    return send_file(path, as_attachment=True, mimetype=DOCX,
                     download_name=f"przyklad_{version.doc_type}_szablon_v{version.number}.docx")


@bp.get("/szablony/wersje/<int:template_id>/szablon.docx")
def template_download(template_id: int):
    version = g.template_version
    try:
        data = office_templates.template_bytes(version)
    except office_templates.TemplateUnavailable as failure:
        return _back_to_preview(version, str(failure))
    return send_file(io.BytesIO(data), as_attachment=True, mimetype=DOCX, download_name=version.filename)


@bp.post("/szablony/wersje/<int:template_id>/aktywuj")
def template_activate(template_id: int):
    version = g.template_version
    doctype = DOCTYPES[version.doc_type]
    session = db.session()
    try:
        office_templates.activate(session, current_user.office_id, version.doc_type, version, current_user)
    except TemplateRejected as refused:
        session.rollback()
        return _back_to_preview(version, str(refused))
    except office_templates.TemplateUnavailable as failure:
        session.rollback()
        return _back_to_preview(version, str(failure))
    log(audit.UPDATE, object_type=OBJECT_TYPE, object_id=version.id,
        detail=f"{version.doc_type}: v{version.number} w użyciu")
    session.commit()
    flash(f"Od teraz nowe dokumenty „{doctype.title}” powstają z szablonu ośrodka v{version.number}. "
          "Wygenerowane wcześniej pliki się nie zmieniają.", "success")
    return redirect(url_for("admin.template_type", doc_type=doctype.id))
