"""The wizard of every document type: steps from its definition, drafts saved server-side."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from docgen.doctypes import UnknownDocType
from docgen.jobqueue import QueueUnavailable
from docgen.pdf import LIBREOFFICE_MISSING, PdfError
from docgen.prefill import prefill
from docgen.preview import page_images, preview_path
from docgen.store.cardsync import offered_changes
from docgen.store.documents import (AlreadyGenerated, StepConflict, case_facts, create_document, document_issues,
                                    file_path, generate, save_step, step_revision)
from docgen.store.locking import Busy
from docgen.store.office_types import TypeRejected, TypeUnavailable, doctype_of
from docgen.store.models import Document
from docgen.store.templates import TemplateUnavailable
from docgen.templates import TemplateBusy, TemplateRejected
from docgen.validate import DataInvalid, oversized, validate

from docgen.store import audit

from .. import db
from .. import pickers
from ..audit import log
from ..pdf import pdf_pool
from ..wizard import apply_row_action, blank_rows, errors_by_path, form_data, section_of_issue, step_form

bp = Blueprint("documents", __name__)


@bp.post("/rodziny/<int:family_id>/dokumenty")
def create(family_id: int):
    family = g.family
    doc_type = request.form.get("doc_type", "")
    try:
        document = create_document(db.session(), family, doc_type, current_user)
    except UnknownDocType:  # built-in, shipped or the office's own, as offered on the family's page
        abort(400)
    except ValueError as refusal:
        flash(str(refusal), "error")
        return redirect(url_for("families.show", family_id=family.id))
    log(audit.CREATE, object_type="document", object_id=document.id, family_id=family.id, detail=doc_type)
    db.session().commit()
    first = doctype_of(document).sections[0].name
    return redirect(url_for("documents.step", document_id=document.id, step=first))


REVIEW = "review"  # Document.last_step of the summary


def _steps(doctype, issues, confirmed=()):
    """The step list with each step's open problems: blockers, and warnings not yet confirmed."""
    confirmed = set(confirmed)
    counts: dict[str, list[int]] = {}
    for issue in issues:
        section = section_of_issue(doctype, issue)
        if section is not None and not (issue.warning and issue.key in confirmed):
            counts.setdefault(section.name, [0, 0])[1 if issue.warning else 0] += 1
    return [(section, *counts.get(section.name, (0, 0))) for section in doctype.sections]


def _remember_step(document, name: str) -> None:
    """Where resuming the draft opens. Not a change of the document: its `updated_at` stays."""
    if document.last_step == name:
        return
    db.session().execute(update(Document).where(Document.id == document.id)
                         .values(last_step=name, updated_at=Document.updated_at))
    set_committed_value(document, "last_step", name)
    db.session().commit()


@bp.route("/dokumenty/<int:document_id>/krok/<step>", methods=["GET", "POST"])
def step(document_id: int, step: str):
    document = g.document
    doctype = doctype_of(document)
    try:
        section = doctype.section(step)
    except KeyError:
        abort(404)
    index = doctype.sections.index(section)
    errors: dict[str, list[str]] = {}
    data = dict(document.data)
    if request.method == "POST":
        form = step_form(section, data, formdata=request.form)
        if not form.validate():  # WTForms checks only the CSRF token; the definition checks the data
            abort(400)
        data.update(form_data(section, form))
        too_large = oversized(doctype, data, [section.name])
        if too_large:
            # what the definition cannot hold is not stored, and not cut: the page comes back with
            # everything as typed and the fields named
            return _show_step(document, doctype, section, form, document.data, errors_by_path(too_large),
                              refused=True)
        action = request.form.get("action", "next")
        if action == "prefill":
            # the user asked to take this step's fields again from the family's current record
            fresh = prefill(doctype, case_facts(document.family, current_user, exclude=document))
            data.update({item.name: fresh[item.name] for item in section.items if item.prefill})
        # "Wstaw" beside a picker (webforms/pickers.py), the way without JavaScript: fill its fields
        picked = (pickers.apply_pick(section, action, request.form, db.session(), current_user, data,
                                     document.family) if action.startswith("pick:") else None)
        row_changed = apply_row_action(section, data, action)
        # save first, whatever was pressed: nothing typed is lost, and nothing another person saved
        refused = _save(document, section, data)
        if refused is not None:
            return refused
        data = dict(document.data)
        if row_changed:
            return redirect(url_for("documents.step", document_id=document.id, step=section.name,
                                    _anchor=f"grupa-{action.split(':')[1]}"))
        if action == "prefill":
            flash("Wczytano dane z karty rodziny i wcześniejszych dokumentów.", "success")
            return redirect(url_for("documents.step", document_id=document.id, step=section.name))
        if action.startswith("pick:"):
            if picked is None:
                flash("Wybierz pozycję z listy, a potem kliknij „Wstaw”.", "error")
            else:
                flash(f"Wstawiono: {picked.label}.", "success")
            return redirect(url_for("documents.step", document_id=document.id, step=section.name))
        if action == "back" and index > 0:
            return redirect(url_for("documents.step", document_id=document.id, step=doctype.sections[index - 1].name))
        if action == "save":
            flash("Zapisano szkic. Możesz wrócić do niego ze strony rodziny.", "success")
            return redirect(url_for("families.show", family_id=document.family_id))
        if action.startswith("goto:"):
            target = action[5:]
            if target == "review":
                return redirect(url_for("documents.review", document_id=document.id))
            if any(s.name == target for s in doctype.sections):
                return redirect(url_for("documents.step", document_id=document.id, step=target))
        # a warning does not hold the step: it is confirmed on the summary, before generating
        blockers = [issue for issue in validate(doctype, data, sections=[section.name]) if not issue.warning]
        if not blockers:
            if index + 1 < len(doctype.sections):
                return redirect(url_for("documents.step", document_id=document.id,
                                        step=doctype.sections[index + 1].name))
            return redirect(url_for("documents.review", document_id=document.id))
        errors = errors_by_path(blockers)
        form = step_form(section, data)
    else:
        # what follows from earlier answers (a letter's body from its kind) is offered in the
        # step's empty fields; never over what was typed, and saved only when the step is sent
        offered = doctype.blanks_filled(data, [item.name for item in section.items])
        form = step_form(section, {**data, **offered})
    _remember_step(document, section.name)
    return _show_step(document, doctype, section, form, data, errors)


def _show_step(document, doctype, section, form, data, errors, *, refused: bool = False, refusal: str | None = None):
    """The step's page: its form as given, the problems of `data` in the step list and the step's warnings;
    `refusal` says why what was typed (still in the form) was not saved."""
    issues = validate(doctype, data)
    confirmed = set(document.confirmed_warnings or ())
    step_warnings = [(issue, issue.key in confirmed) for issue in issues
                     if issue.warning and section_of_issue(doctype, issue) == section]
    field_warnings: dict[str, list[tuple[str, bool]]] = {}
    for issue, is_confirmed in step_warnings:
        field_warnings.setdefault(issue.path, []).append((issue.message, is_confirmed))
    return render_template("documents/step.html", document=document, doctype=doctype, section=section,
                           index=doctype.sections.index(section), form=form, errors=errors, refused=refused,
                           refusal=refusal, step_warnings=step_warnings, field_warnings=field_warnings,
                           steps=_steps(doctype, issues, confirmed),
                           blanks=blank_rows(section),
                           pickers=pickers.offered(section, db.session(), current_user, document.family),
                           revision=step_revision(document.data, _step_keys(section)))


def _step_keys(section) -> list[str]:
    return [item.name for item in section.items]


def _save(document, section, data):
    """Store the step through save_step; None when stored (or nothing changed), else the step's page
    again with what was typed and why it was not saved (someone saved the same step meanwhile)."""
    before = document.data or {}
    # the step's own keys, and any other a picker filled in
    keys = set(_step_keys(section)) | {key for key, value in data.items() if before.get(key) != value}
    session = db.session()
    try:
        changed = save_step(session, document, {key: data.get(key) for key in keys},
                            request.form.get("step_revision"))
    except (StepConflict, Busy) as refusal:
        session.rollback()
        doctype = doctype_of(document)
        page = _show_step(document, doctype, section, step_form(section, data, formdata=request.form),
                          document.data, {}, refusal=str(refusal))
        return page, 409 if isinstance(refusal, StepConflict) else 503
    if changed:
        log(audit.UPDATE, object_type="document", object_id=document.id, family_id=document.family_id,
            detail=f"krok: {section.name}")
    session.commit()
    return None


@bp.get("/dokumenty/<int:document_id>")
def review(document_id: int):
    document = g.document
    doctype = doctype_of(document)
    _remember_step(document, REVIEW)
    issues = document_issues(db.session(), document)
    confirmed = set(document.confirmed_warnings or ())
    by_section: dict[str, list] = {}
    for issue in issues:
        if not issue.warning:
            section = section_of_issue(doctype, issue)
            by_section.setdefault(section.name if section else "", []).append(issue)
    warnings = [(issue, section_of_issue(doctype, issue), issue.key in confirmed) for issue in issues if issue.warning]
    # what a generated document fixes about the family, offered back to the card (docgen.store.cardsync)
    card_changes = offered_changes(document) if document.version else []
    return render_template("documents/review.html", document=document, doctype=doctype,
                           blockers=[issue for issue in issues if not issue.warning], by_section=by_section,
                           warnings=warnings, open_warnings=[w for w in warnings if not w[2]],
                           card_changes=card_changes, show_card=request.args.get("karta") == "1",
                           steps=_steps(doctype, issues, confirmed))


@bp.post("/dokumenty/<int:document_id>/generuj")
def generate_file(document_id: int):
    document = g.document
    # the version the page showed: a second click of the same page makes no second version
    shown = request.form.get("expected_version", "")
    try:
        record = generate(db.session(), document, current_user,
                          expected_version=int(shown) if shown.isdigit() else None)
    except AlreadyGenerated as done:
        db.session().rollback()
        flash(str(done), "info")
        return redirect(url_for("documents.review", document_id=document_id))
    except Busy as busy:
        db.session().rollback()
        flash(str(busy), "error")
        return redirect(url_for("documents.review", document_id=document_id))
    except DataInvalid as refused:
        db.session().rollback()
        if any(not issue.warning for issue in refused.issues):
            flash("Dokument nie jest jeszcze kompletny – popraw wskazane pola.", "error")
        else:
            named = " ".join(f"({number}) {issue.message}" for number, issue in enumerate(refused.issues, 1))
            flash(f"Nie wygenerowano dokumentu: najpierw sprawdź i potwierdź ostrzeżenia albo popraw dane. "
                  f"Niepotwierdzone: {named}", "error")
        return redirect(url_for("documents.review", document_id=document_id))
    except TemplateBusy as busy:
        db.session().rollback()
        flash(f"Nie wygenerowano dokumentu: {busy}", "error")
        return redirect(url_for("documents.review", document_id=document_id))
    except (TemplateRejected, TemplateUnavailable, TypeUnavailable, TypeRejected) as problem:
        # the office's template stopped being usable after it was activated: say why, lose nothing
        db.session().rollback()
        flash(f"Nie wygenerowano dokumentu: {problem} Poproś administratora o sprawdzenie szablonu ośrodka.",
              "error")
        return redirect(url_for("documents.review", document_id=document_id))
    log(audit.GENERATE, object_type="document", object_id=document.id, family_id=document.family_id,
        detail=f"wersja {record.version}, plik {record.id}")
    db.session().commit()
    flash(f"Wygenerowano dokument {record.filename} (wersja {record.version}).", "success")
    if offered_changes(document):
        return redirect(url_for("documents.review", document_id=document_id, karta=1, _anchor="karta"))
    return redirect(url_for("documents.review", document_id=document_id, _anchor="pliki"))


@bp.get("/pliki/<int:file_id>")
def download(file_id: int):
    record = g.file
    path = file_path(record)
    if not path.is_file():
        abort(404)
    return send_file(path, as_attachment=True, download_name=record.filename,
                     mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document")


def _pdf_of(record):
    """(path of the version's PDF, None) made once beside its .docx, or (None, the way back with a message)."""
    source = file_path(record)
    if not source.is_file():
        abort(404)
    target = source.with_suffix(".pdf")
    if not target.is_file():
        pool = pdf_pool()
        back = redirect(url_for("documents.review", document_id=record.document_id, _anchor="pliki"))
        if pool is None:
            flash(LIBREOFFICE_MISSING, "error")
            return None, back
        try:
            pool.convert(source, target)
        except QueueUnavailable as busy:  # DOCGEN_REDIS_URL: Redis or the workers are away; the rest works
            return None, (render_template("errors/error.html", code=503, title="Spróbuj za chwilę", text=str(busy)),
                          503, {"Retry-After": "30"})
        except PdfError as problem:
            flash(str(problem), "error")
            return None, back
    return target, None


@bp.get("/pliki/<int:file_id>/pdf")
def download_pdf(file_id: int):
    """The version as a PDF, made once from its .docx by the warm LibreOffice pool and kept
    beside it; `?drukuj=1` opens it in the browser, to print."""
    record = g.file
    target, back = _pdf_of(record)
    if target is None:
        return back
    return send_file(target, as_attachment=not request.args.get("drukuj"),
                     download_name=Path(record.filename).with_suffix(".pdf").name, mimetype="application/pdf")


@bp.get("/pliki/<int:file_id>/podglad")
def preview(file_id: int):
    """The first pages as images, before downloading."""
    record = g.file
    target, back = _pdf_of(record)
    if target is None:
        return back
    try:
        pages = len(page_images(target))
    except PdfError as problem:
        flash(str(problem), "error")
        return redirect(url_for("documents.review", document_id=record.document_id, _anchor="pliki"))
    return render_template("documents/preview.html", record=record, document=record.document,
                           doctype=doctype_of(record.document), pages=pages)


@bp.get("/pliki/<int:file_id>/podglad/<int:page>.png")
def preview_image(file_id: int, page: int):
    image = preview_path(file_path(g.file).with_suffix(".pdf"), page)
    if not image.is_file():
        abort(404)
    return send_file(image, mimetype="image/png")
