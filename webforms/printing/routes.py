"""The print office: many documents into one PDF, printed in the background with progress."""
from __future__ import annotations

import calendar
import datetime as dt

from flask import Blueprint, abort, flash, g, jsonify, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, StringField

from docgen.store.office_types import named_types
from docgen.formatting import as_date, date_long
from docgen.jobqueue import redis_url
from docgen.pdf import LIBREOFFICE_MISSING, libreoffice_available
from docgen.store import audit, printjobs
from docgen.store.models import ROLE_ASSISTANT, ROLE_HEAD, Family, PrintJob

from .. import db
from ..access import may_see, visible_families
from ..audit import log
from ..jobs import print_runner

bp = Blueprint("printing", __name__, url_prefix="/drukarnia")

RECENT_JOBS = 10


class PrintForm(FlaskForm):
    title = StringField("Tytuł wydruku", render_kw={"maxlength": 200})
    cover_sheet = BooleanField("Dołącz stronę tytułową z wykazem dokumentów", default=True)
    duplex = BooleanField("Druk dwustronny: każdy dokument zaczyna się na nowej kartce")


def _pdf_ready() -> bool:
    """LibreOffice here, or the queue's workers have it (DOCGEN_REDIS_URL)."""
    return bool(redis_url()) or libreoffice_available()


def _only_staff() -> None:
    if current_user.role not in (ROLE_ASSISTANT, ROLE_HEAD):
        abort(404)


def _month(day: dt.date) -> tuple[dt.date, dt.date]:
    return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _filters() -> tuple[dict, dict[str, str]]:
    """The filters of the query string, and a Polish message per bad one (the typed text stays)."""
    args, errors = request.args, {}
    chosen = {"typ": args.get("typ", ""), "rodzina": args.get("rodzina", ""),
              "od": args.get("od", ""), "do": args.get("do", "")}
    if not any(chosen.values()) and "pokaz" not in args:  # first visit: this month's documents
        first, last = _month(dt.date.today())
        chosen.update(od=first.isoformat(), do=last.isoformat())
    if chosen["typ"] and chosen["typ"] not in named_types(db.session(), current_user.office_id):
        errors["typ"] = "Rodzaj dokumentu: wybierz z listy."
    for key, label in (("od", "Data od"), ("do", "Data do")):
        if chosen[key] and _date(chosen[key]) is None:
            errors[key] = f"{label}: podaj datę w postaci RRRR-MM-DD, np. 2026-11-30."
    if chosen["rodzina"] and not (chosen["rodzina"].isdigit() and _family(int(chosen["rodzina"]))):
        errors["rodzina"] = "Rodzina: nie znaleziono takiej rodziny wśród Twoich rodzin."
    return chosen, errors


def _date(text: str) -> dt.date | None:
    try:
        return as_date(text)
    except ValueError:
        return None


def _family(family_id: int) -> Family | None:
    family = db.session().get(Family, family_id)
    return family if may_see(current_user, family) else None


def _selection(chosen: dict, errors: dict) -> list[printjobs.Printable]:
    if errors:
        return []
    return printjobs.printable_documents(
        db.session(), visible_families(current_user), doc_type=chosen["typ"] or None,
        family_id=int(chosen["rodzina"]) if chosen["rodzina"] else None,
        date_from=_date(chosen["od"]) if chosen["od"] else None, date_to=_date(chosen["do"]) if chosen["do"] else None)


def _default_title(chosen: dict) -> str:
    names = named_types(db.session(), current_user.office_id)
    parts = [names[chosen["typ"]].title if chosen["typ"] in names else "Dokumenty"]
    if chosen["rodzina"].isdigit() and (family := _family(int(chosen["rodzina"]))):
        parts.append(f"rodzina {family.family_name}")
    since, until = _date(chosen["od"]), _date(chosen["do"])
    if since or until:
        parts.append(f"{date_long(since) if since else '…'}–{date_long(until) if until else '…'}")
    return " – ".join(parts)


def _recent_jobs() -> list[PrintJob]:
    query = select(PrintJob).where(PrintJob.office_id == current_user.office_id)
    if current_user.role != ROLE_HEAD:
        query = query.where(PrintJob.created_by_id == current_user.id)
    jobs = db.session().scalars(query.order_by(PrintJob.id.desc()).limit(RECENT_JOBS)).all()
    if any(printjobs.settle_if_stale(job) for job in jobs):
        db.session().commit()
    return jobs


@bp.route("/", methods=["GET", "POST"])
def index():
    _only_staff()
    chosen, errors = _filters()
    form = PrintForm()
    if request.method == "POST":
        if not form.validate():
            abort(400)
        wanted = [int(value) for value in request.form.getlist("plik") if value.isdigit()]
        files = printjobs.printable_documents(db.session(), visible_families(current_user), file_ids=wanted) \
            if wanted else []
        if not _pdf_ready():
            flash(LIBREOFFICE_MISSING, "error")
        else:
            try:
                job = printjobs.create_job(db.session(), current_user, files, title=form.title.data or "",
                                           cover_sheet=form.cover_sheet.data, duplex=form.duplex.data)
            except ValueError as refusal:
                flash(str(refusal), "error")
            else:
                # who printed which family's documents, in each family's own trail
                for family_id in sorted({p.family_id for p in files}):
                    log(audit.EXPORT, object_type="print_job", object_id=job.id, family_id=family_id,
                        detail="wydruk zbiorczy PDF")
                db.session().commit()
                print_runner().submit(job.id)
                return redirect(url_for("printing.job", job_id=job.id))
        selection, checked = _selection(chosen, errors), set(wanted)
    else:
        form.title.data = _default_title(chosen)
        selection = _selection(chosen, errors)
        checked = {p.file_id for p in selection}
    today = dt.date.today()
    month = _month(today)
    return render_template("printing/index.html", form=form, chosen=chosen, errors=errors, selection=selection,
                           checked=checked, doctypes=named_types(db.session(), current_user.office_id), jobs=_recent_jobs(), month=month,
                           limit=printjobs.MAX_JOB_DOCUMENTS, pdf_ready=_pdf_ready(),
                           libreoffice_missing=LIBREOFFICE_MISSING,
                           families=db.session().scalars(visible_families(current_user)
                                                         .order_by("family_name").limit(500)).all())


@bp.get("/<int:job_id>")
def job(job_id: int):
    job = g.job
    if printjobs.settle_if_stale(job):
        db.session().commit()
    return render_template("printing/job.html", job=job, state=printjobs.state(job),
                           ready=printjobs.job_pdf(job) is not None)


@bp.get("/<int:job_id>/stan")
def job_state(job_id: int):
    job = g.job
    if printjobs.settle_if_stale(job):
        db.session().commit()
    return jsonify(printjobs.state(job))


@bp.get("/<int:job_id>/pdf")
def job_pdf(job_id: int):
    path = printjobs.job_pdf(g.job)
    if path is None:
        abort(404)
    log(audit.DOWNLOAD, object_type="print_job", object_id=g.job.id, detail="wydruk PDF")
    db.session().commit()
    return send_file(path, as_attachment=not request.args.get("drukuj"), mimetype="application/pdf",
                     download_name=f"wydruk_{g.job.id}.pdf")
