"""A family's data over time: export (RODO art. 15/20), end of work, anonymisation, deletion."""
from __future__ import annotations

import datetime as dt

from flask import abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_login import current_user
import io

from docgen.store import audit
from docgen.store.documents import safe_filename
from docgen.store.export import export_family
from docgen.store.lifecycle import (anonymise_family, close_family, delete_family, purge_sqlite_free_space,
                                    reopen_family)

from .. import db
from ..audit import log
from .routes import _caseload_error, bp


def _head_only() -> None:
    if current_user.role != "kierownik":
        abort(404)


@bp.get("/<int:family_id>/eksport")
def export(family_id: int):
    family = g.family
    content = export_family(db.session(), family)
    log(audit.EXPORT, object_type="family", object_id=family.id, family_id=family.id)
    db.session().commit()
    name = safe_filename(f"rodzina_{family.family_name}_{dt.date.today().isoformat()}") + ".zip"
    return send_file(io.BytesIO(content), as_attachment=True, download_name=name, mimetype="application/zip")


def closing_day(raw: str) -> tuple[dt.date | None, str | None]:
    """(the day work ended, None) from the form's or the API's text, or (None, why not in Polish)."""
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        return None, "Data zakończenia pracy: podaj datę w postaci RRRR-MM-DD."
    if day > dt.date.today():
        return None, "Data zakończenia pracy nie może być z przyszłości."
    return day, None


@bp.post("/<int:family_id>/zakonczenie")
def close(family_id: int):
    """The first POST asks (a page, so it works without JavaScript); the second, with confirm=tak, closes."""
    family = g.family
    day, problem = closing_day(request.form.get("closed_on", ""))
    if problem:
        flash(problem, "error")
        return redirect(url_for("families.show", family_id=family.id))
    if request.form.get("confirm") != "tak":
        drafts = [document for document in family.documents if not document.version]
        return render_template("families/close_confirm.html", family=family, day=day, drafts=drafts)
    try:
        close_family(db.session(), family, day)
    except ValueError as refusal:
        db.session().rollback()
        flash(str(refusal), "error")
        return redirect(url_for("families.show", family_id=family.id))
    log(audit.CLOSE, object_type="family", object_id=family.id, family_id=family.id)
    db.session().commit()
    flash("Zapisano zakończenie pracy z rodziną.", "success")
    return redirect(url_for("families.show", family_id=family.id))


@bp.post("/<int:family_id>/wznowienie")
def reopen(family_id: int):
    """The head resumes work with a closed family (closed by mistake, a new referral): no retention runs."""
    _head_only()
    family = g.family
    if family.assistant is not None:
        problem = _caseload_error(family.assistant, family)
        if problem:
            flash(f"Nie wznowiono pracy z rodziną: {problem}", "error")
            return redirect(url_for("families.show", family_id=family.id))
    try:
        reopen_family(db.session(), family)
    except ValueError as refusal:
        db.session().rollback()
        flash(str(refusal), "error")
        return redirect(url_for("families.show", family_id=family.id))
    log(audit.REOPEN, object_type="family", object_id=family.id, family_id=family.id)
    db.session().commit()
    flash("Wznowiono pracę z rodziną. Okres przechowywania danych nie biegnie.", "success")
    return redirect(url_for("families.show", family_id=family.id))


@bp.post("/<int:family_id>/anonimizacja")
def anonymise(family_id: int):
    _head_only()
    family = g.family
    try:
        anonymise_family(db.session(), family)
    except ValueError as problem:
        db.session().rollback()
        flash(str(problem), "error")
        return redirect(url_for("families.show", family_id=family.id))
    log(audit.ANONYMISE, object_type="family", object_id=family.id, family_id=family.id)
    db.session().commit()
    purge_sqlite_free_space(db.session().get_bind())
    flash("Dane rodziny zanonimizowano, a jej pliki usunięto.", "success")
    return redirect(url_for("families.show", family_id=family.id))


@bp.post("/<int:family_id>/usuniecie")
def delete(family_id: int):
    _head_only()
    family = g.family
    if request.form.get("confirm") != "tak":
        flash("Aby usunąć rodzinę, zaznacz potwierdzenie.", "error")
        return redirect(url_for("families.show", family_id=family.id))
    log(audit.DELETE, object_type="family", object_id=family.id, family_id=family.id)
    delete_family(db.session(), family)
    db.session().commit()
    purge_sqlite_free_space(db.session().get_bind())
    flash("Rodzinę usunięto razem z jej dokumentami i plikami.", "success")
    return redirect(url_for("families.index"))
