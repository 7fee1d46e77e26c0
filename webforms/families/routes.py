"""Families: the list, the case file (entered once), and its documents."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from docgen.casefile import FAMILY_RECORD
from docgen.definition import Section
from docgen.store.cases import family_case_file
from docgen.store.office_types import named_types, types_for_office
from docgen.polish import family_name_forms
from docgen.store import family_list
from docgen.store.families import (account_named, family_to_data, social_worker_conflict, store_family_record,
                                   staff_accounts)
from docgen.store.models import ROLE_ASSISTANT, ROLE_HEAD, Family, User
from docgen.validate import validate

from docgen.store import audit

from .. import db
from ..audit import log
from ..access import visible_families
from ..wizard import apply_row_action, blank_rows, errors_by_path, form_data, step_form

bp = Blueprint("families", __name__, url_prefix="/rodziny")

# the whole case file on one page, fieldset by fieldset
RECORD = Section("record", FAMILY_RECORD.title, tuple(item for _, item in FAMILY_RECORD.items()))


@bp.get("/")
def index():
    """One page of the families, searched and filtered, counted by the database (a head may have thousands)."""
    query = request.args.get("q", "").strip()[:200]
    status = request.args.get("stan", "")
    status = status if status in family_list.STATUSES else ""
    assistant = request.args.get("asystent", "") if current_user.role == ROLE_HEAD else ""
    listing = family_list.family_page(db.session(), visible_families(current_user), query=query, status=status,
                                      assistant=assistant, page=request.args.get("strona", 1, type=int))
    assistants = []
    if current_user.role == ROLE_HEAD:
        # everyone who may hold families, also accounts switched off since
        assistants = db.session().execute(
            select(User.id, User.full_name, User.active).where(User.office_id == current_user.office_id,
                                                                User.role == ROLE_ASSISTANT)
            .order_by(User.active.desc(), User.full_name)).all()
    filters = {"q": query or None, "stan": status or None, "asystent": assistant or None}
    return render_template("families/list.html", listing=listing, filters=filters, query=query, status=status,
                           assistant=assistant, assistants=assistants, statuses=family_list.STATUSES,
                           no_assistant=family_list.NO_ASSISTANT)


def _assistants() -> list[User]:
    return list(db.session().scalars(
        select(User).where(User.office_id == current_user.office_id, User.role == ROLE_ASSISTANT,
                           User.active.is_(True)).order_by(User.full_name)))


def _workers() -> list[User]:
    """Accounts a family's social worker may be picked from (see docgen.store.families.staff_accounts)."""
    return [user for user in staff_accounts(db.session(), current_user.office_id) if user.active]


def _caseload_error(assistant: User, family: Family) -> str | None:
    """art. 15 ust. 4: the office's limit of families per assistant."""
    count = db.session().scalar(
        select(func.count(Family.id)).where(Family.assistant_id == assistant.id, Family.active.is_(True),
                                            Family.id != (family.id or 0)))
    limit = assistant.office.caseload_limit
    if count >= limit:
        return (f"{assistant.full_name} prowadzi już {count} rodzin – to limit ośrodka ({limit}). "
                "Wybierz innego asystenta.")
    return None


def record_problems(family: Family, data: dict, assistant_chosen: str, worker_chosen: str):
    """Everything the case file's form refuses, by field: the definition's checks (PESEL with
    python-stdnum), the assistant a head chose, art. 17 and the caseload limit. Returns (errors,
    the assistant, the social worker's account picked from the list, the worker's account id).
    The HTML form and the API (webforms/api) both ask here."""
    errors = errors_by_path(validate(FAMILY_RECORD, data))
    assistant = current_user._get_current_object()
    if current_user.role == ROLE_HEAD:
        assistant = next((a for a in _assistants() if str(a.id) == assistant_chosen), None)
        if assistant is None:
            errors.setdefault("assistant_id", []).append("Wybierz asystenta rodziny.")
    # the social worker: an account picked from the list (its holder's name is printed), or a person
    # without one, typed; a typed name of an account holder is that account (art. 17 compares accounts)
    worker = next((w for w in _workers() if str(w.id) == worker_chosen), None)
    worker_id = worker.id if worker else account_named(db.session(), current_user.office_id,
                                                        data.get("social_worker_name"))
    if assistant is not None:
        problem = social_worker_conflict(db.session(), current_user.office_id, assistant.id, worker_id,
                                         data.get("social_worker_name"))
        if problem:
            errors.setdefault("social_worker_id" if worker else "social_worker_name", []).append(
                problem + " Wybierz innego pracownika socjalnego albo innego asystenta.")
    if assistant is not None and assistant.id != family.assistant_id:
        problem = _caseload_error(assistant, family)
        if problem:
            errors.setdefault("assistant_id", []).append(problem)
    return errors, assistant, worker, worker_id


def _edit(family: Family, is_new: bool):
    if current_user.role not in (ROLE_ASSISTANT, ROLE_HEAD):
        abort(404)
    data = family_to_data(family) if not is_new else {"members": []}
    assistants = _assistants() if current_user.role == ROLE_HEAD else []
    workers = _workers()
    worker_chosen = str(family.social_worker_id or "")
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        form = step_form(RECORD, {}, formdata=request.form)
        if not form.validate():  # only the CSRF token is checked by WTForms
            abort(400)
        data = form_data(RECORD, form)
        action = request.form.get("action", "save")
        worker_chosen = request.form.get("social_worker_id", "")
        if apply_row_action(RECORD, data, action):
            return render_template("families/edit.html", form=step_form(RECORD, data), family=family,
                                   is_new=is_new, errors={}, record=FAMILY_RECORD, assistants=assistants,
                                   chosen=request.form.get("assistant_id", ""), workers=workers,
                                   worker_chosen=worker_chosen, blanks=blank_rows(RECORD))
        errors, assistant, worker, worker_id = record_problems(family, data, request.form.get("assistant_id", ""),
                                                              worker_chosen)
        if not errors:
            store_family_record(db.session(), family, data, assistant=assistant, worker=worker, worker_id=worker_id,
                                office_id=current_user.office_id)
            log(audit.CREATE if is_new else audit.UPDATE, object_type="family", object_id=family.id,
                family_id=family.id)
            db.session().commit()
            flash("Zapisano dane rodziny.", "success")
            return redirect(url_for("families.show", family_id=family.id))
    if data.get("family_name") and not data.get("family_name_gen"):
        # shown prefilled: the program's declension, for the assistant to check
        data["family_name_gen"] = family_name_forms(data["family_name"]).genitive
    form = step_form(RECORD, data)
    chosen = request.form.get("assistant_id") or str(family.assistant_id or "")
    return render_template("families/edit.html", form=form, family=family, is_new=is_new, errors=errors,
                           record=FAMILY_RECORD, assistants=assistants, chosen=chosen, workers=workers,
                           worker_chosen=worker_chosen, blanks=blank_rows(RECORD))


@bp.route("/nowa", methods=["GET", "POST"])
def create():
    return _edit(Family(), is_new=True)


@bp.route("/<int:family_id>/edycja", methods=["GET", "POST"])
def edit(family_id: int):
    return _edit(g.family, is_new=False)


@bp.get("/<int:family_id>")
def show(family_id: int):
    family = g.family
    # "Nowy dokument" offers the office's types now (built-in, shipped, its own); the list of documents
    # names every type a document may be of
    return render_template("families/show.html", family=family, offered=types_for_office(db.session(), family.office_id),
                           doctypes=named_types(db.session(), family.office_id), record=FAMILY_RECORD,
                           case=family_case_file(db.session(), family.id))
