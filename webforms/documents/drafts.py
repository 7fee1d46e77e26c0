"""A draft's life beside the wizard: resuming it where it was left, confirming its warnings,
deleting it, and writing what a generated document fixes back to the family card."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from docgen.doctypes import get_doctype
from docgen.store import audit
from docgen.store.cardsync import accept_changes
from docgen.store.documents import confirm_warnings, delete_draft as delete_stored_draft
from docgen.validate import validate, warnings

from .. import db
from ..audit import log
from .routes import REVIEW, bp


@bp.get("/dokumenty/<int:document_id>/wznow")
def resume(document_id: int):
    """The step the assistant last had open (Document.last_step), else the first one."""
    document = g.document
    doctype = get_doctype(document.doc_type)
    if document.last_step == REVIEW:
        return redirect(url_for("documents.review", document_id=document.id))
    names = [section.name for section in doctype.sections]
    step = document.last_step if document.last_step in names else names[0]
    return redirect(url_for("documents.step", document_id=document.id, step=step))


@bp.post("/dokumenty/<int:document_id>/ostrzezenia")
def confirm(document_id: int):
    """The assistant confirms, on purpose, a warning of the summary (or several, by their keys)."""
    document = g.document
    keys = request.form.getlist("key")
    current = {issue.key: issue for issue in warnings(validate(get_doctype(document.doc_type), document.data))}
    chosen = [current[key] for key in keys if key in current]
    if not chosen:
        flash("To ostrzeżenie już nie dotyczy tych danych – sprawdź podsumowanie jeszcze raz.", "error")
        return redirect(url_for("documents.review", document_id=document.id, _anchor="ostrzezenia"))
    still_open = confirm_warnings(document, [issue.key for issue in chosen])
    # the rule and the place only: a message may name a person
    log(audit.UPDATE, object_type="document", object_id=document.id, family_id=document.family_id,
        detail="potwierdzone ostrzeżenia: " + ", ".join(f"{issue.rule} ({issue.path})" for issue in chosen))
    db.session().commit()
    flash("Potwierdzono ostrzeżenie." + (f" Do potwierdzenia zostały: {len(still_open)}." if still_open else
                                         " Wszystkie ostrzeżenia są potwierdzone."), "success")
    return redirect(url_for("documents.review", document_id=document.id, _anchor="ostrzezenia"))


@bp.route("/dokumenty/<int:document_id>/usun", methods=["GET", "POST"])
def delete_draft(document_id: int):
    """GET asks (a page, so it works without JavaScript); POST deletes a draft never generated."""
    document = g.document
    doctype = get_doctype(document.doc_type)
    family_id = document.family_id
    if request.method == "GET":
        return render_template("documents/delete.html", document=document, doctype=doctype)
    try:
        delete_stored_draft(db.session(), document)
    except ValueError as refusal:
        db.session().rollback()
        flash(str(refusal), "error")
        return redirect(url_for("documents.review", document_id=document_id))
    log(audit.DELETE, object_type="document", object_id=document_id, family_id=family_id, detail=doctype.id)
    db.session().commit()
    flash(f"Usunięto szkic: {doctype.title}.", "success")
    return redirect(url_for("families.show", family_id=family_id))


@bp.post("/dokumenty/<int:document_id>/karta")
def accept_card(document_id: int):
    """Write the differences the user ticked (docgen.store.cardsync) into the family card."""
    document = g.document
    try:
        written = accept_changes(db.session(), document, request.form.getlist("change"))
    except ValueError as refusal:  # closing the family refused (e.g. anonymised meanwhile)
        db.session().rollback()
        flash(str(refusal), "error")
        return redirect(url_for("documents.review", document_id=document.id, karta=1, _anchor="karta"))
    if not written:
        flash("Nic nie zapisano w karcie rodziny.", "success")
        return redirect(url_for("documents.review", document_id=document.id))
    fields = sorted({change.field for change in written})
    log(audit.UPDATE, object_type="family", object_id=document.family_id, family_id=document.family_id,
        detail=f"z dokumentu {document.id}: {', '.join(fields)}")
    if any(change.field == "closed_on" for change in written):
        log(audit.CLOSE, object_type="family", object_id=document.family_id, family_id=document.family_id,
            detail=f"z dokumentu {document.id}")
    db.session().commit()
    flash("Zapisano w karcie rodziny: " + "; ".join(change.label for change in written) + ".", "success")
    return redirect(url_for("documents.review", document_id=document.id))
