"""Families: the paged, searchable list (no PESEL), the case file with its members (the one place
a PESEL is given), create and update with the HTML form's checks, and the end of work."""
from __future__ import annotations

import datetime as dt

from flask import g, request, url_for
from flask_login import current_user

from docgen.store import audit, family_list
from docgen.store.families import family_to_data, store_family_record
from docgen.store.lifecycle import close_family
from docgen.store.models import ROLE_ASSISTANT, ROLE_HEAD, Family
from docgen.store.office_types import title_of

from .. import db
from ..access import visible_families
from ..audit import log
from ..families.lifecycle import closing_day
from ..families.routes import record_problems
from . import ApiProblem, bp, json_body, json_response

PAGE_SIZE_MAX = family_list.PAGE_SIZE


def _staff_only() -> None:
    """Families are the assistants' and heads' work; an admin manages accounts (as in the app: 404)."""
    if current_user.role not in (ROLE_ASSISTANT, ROLE_HEAD):
        raise ApiProblem(404)


def _status(family: Family) -> str:
    return family_list.status_of(family.active, family.monitoring_until, family.anonymised_at is not None,
                                 dt.date.today())


def document_summary(document) -> dict:
    return {"id": document.id, "doc_type": document.doc_type, "title": title_of(db.session(), document.family.office_id, document.doc_type),
            "status": document.status, "version": document.version, "case_number": document.case_number,
            "updated_at": document.updated_at.isoformat() if document.updated_at else None}


def family_json(family: Family) -> dict:
    """The case file itself: the only answer of the API holding its members' PESEL numbers."""
    return {"id": family.id, "status": _status(family), "active": family.active,
            "closed_on": family.closed_on.isoformat() if family.closed_on else None,
            "assistant": ({"id": family.assistant.id, "full_name": family.assistant.full_name}
                          if family.assistant else None),
            "social_worker_id": family.social_worker_id,
            "data": family_to_data(family),
            "documents": [document_summary(d) for d in family.documents]}


@bp.get("/families")
def families():
    _staff_only()
    query = request.args.get("q", "").strip()[:200]
    status = request.args.get("status", "")
    if status and status not in family_list.STATUSES:
        raise ApiProblem(400, f"Parametr status: jedna z wartości {', '.join(family_list.STATUSES)}.")
    page = request.args.get("page", "1")
    if not page.isdigit() or int(page) < 1:
        raise ApiProblem(400, "Parametr page: numer strony, liczba całkowita od 1.")
    listing = family_list.family_page(db.session(), visible_families(current_user), query=query, status=status,
                                      page=int(page))
    items = [{"id": row.id, "family_name": row.family_name, "address": row.address,
              "assistant_name": row.assistant_name, "members": row.members, "documents": row.documents,
              "status": row.status} for row in listing.rows]
    return json_response({"items": items, "page": listing.page, "pages": listing.pages, "total": listing.total,
                          "page_size": PAGE_SIZE_MAX})


def _save(family: Family, body: dict, is_new: bool):
    data = body.get("data")
    if not isinstance(data, dict):
        raise ApiProblem(422, "Pole „data” musi być obiektem z danymi rodziny (jak w GET /api/v1/families/{id}).",
                         problems=[{"path": "data", "message": "Podaj dane rodziny jako obiekt JSON.",
                                    "severity": "blocker"}])
    data = {"members": [], **data}
    assistant_id, worker_id = body.get("assistant_id"), body.get("social_worker_id")
    if assistant_id is None and not is_new and current_user.role == ROLE_HEAD:
        assistant_id = family.assistant_id  # an update keeps the family's assistant unless it names another
    errors, assistant, worker, worker_account = record_problems(
        family, data, str(assistant_id if assistant_id is not None else ""),
        str(worker_id if worker_id is not None else ""))
    if errors:
        raise ApiProblem(422, problems=[{"path": path, "message": message, "severity": "blocker"}
                                        for path, messages in errors.items() for message in messages])
    store_family_record(db.session(), family, data, assistant=assistant, worker=worker, worker_id=worker_account,
                        office_id=current_user.office_id)
    log(audit.CREATE if is_new else audit.UPDATE, object_type="family", object_id=family.id, family_id=family.id,
        detail="API")
    db.session().commit()
    return family


@bp.post("/families")
def create_family():
    _staff_only()
    family = _save(Family(), json_body(), is_new=True)
    return json_response(family_json(family), 201,
                         {"Location": url_for("api.family", family_id=family.id)})


@bp.get("/families/<int:family_id>")
def family(family_id: int):
    _staff_only()
    return json_response(family_json(g.family))


@bp.put("/families/<int:family_id>")
def update_family(family_id: int):
    _staff_only()
    return json_response(family_json(_save(g.family, json_body(), is_new=False)))


@bp.post("/families/<int:family_id>/end")
def end_work(family_id: int):
    """Work with the family ended on `closed_on` (RRRR-MM-DD, not in the future)."""
    _staff_only()
    family = g.family
    body = json_body()
    day, problem = closing_day(str(body.get("closed_on") or ""))
    if problem:
        raise ApiProblem(422, problem, problems=[{"path": "closed_on", "message": problem, "severity": "blocker"}])
    try:
        close_family(db.session(), family, day)
    except ValueError as refusal:
        db.session().rollback()
        raise ApiProblem(409, str(refusal)) from None
    log(audit.CLOSE, object_type="family", object_id=family.id, family_id=family.id, detail="API")
    db.session().commit()
    return json_response(family_json(family))
