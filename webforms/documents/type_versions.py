"""A document of an office's own type made by an older version of it: the summary offers to move it to
the version in use, listing what changes, and moves it only when the assistant confirms."""
from __future__ import annotations

from flask import flash, g, redirect, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from docgen.store import audit
from docgen.store.office_types import migrate_document, migration_offer

from .. import db
from ..audit import log
from .routes import bp


@bp.app_template_global()
def type_update_offer(document):
    """For the summary page: what moving `document` to its type's version in use would change, or None."""
    return migration_offer(db.session(), document)


@bp.post("/dokumenty/<int:document_id>/nowa-wersja-typu")
def move_to_current_type(document_id: int):
    document = g.document
    if not FlaskForm().validate_on_submit():
        return redirect(url_for("documents.review", document_id=document.id))
    try:
        offer = migrate_document(db.session(), document, current_user)
    except ValueError as refusal:
        db.session().rollback()
        flash(str(refusal), "error")
        return redirect(url_for("documents.review", document_id=document.id))
    log(audit.UPDATE, object_type="document", object_id=document.id, family_id=document.family_id,
        detail=f"przeniesiony na wersję typu: {offer.label}")
    db.session().commit()
    flash(f"Dokument jest teraz zgodny z obowiązującą wersją typu ({offer.label}). Sprawdź kroki oznaczone liczbą "
          "braków.", "success")
    return redirect(url_for("documents.review", document_id=document.id))
