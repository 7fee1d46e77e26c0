"""Who may see what: the one place every route that takes an id goes through.

Before any view runs, every id in the URL (family_id, document_id, file_id, user_id)
is loaded and checked against the logged-in user; the objects land on `flask.g`.
Anything the user may not see answers 404, so an id reveals nothing. The app refuses
to start with a route whose id is not known here, so a new route cannot forget it.

A family is visible to the head of its office and to the assistant it is assigned to;
an admin sees no family data. Offices never see each other's data.
"""
from __future__ import annotations

from typing import Any, Callable

from flask import Flask, abort, g
from flask_login import current_user
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import joinedload

from docgen.store import api_tokens, institutions
from docgen.store.models import (ROLE_ADMIN, ROLE_ASSISTANT, ROLE_HEAD, AccountChange, ApiToken, Document, Family,
                                   GeneratedFile, Institution, OfficeTypeVersion, PrintJob, TemplateVersion, User)

from . import db


def visible_families(user: User) -> Select:
    query = select(Family).where(Family.office_id == user.office_id)
    if user.role == ROLE_HEAD:
        return query
    if user.role == ROLE_ASSISTANT:
        return query.where(Family.assistant_id == user.id)
    return query.where(False)


def may_see(user: User, family: Family | None) -> bool:
    if family is None or family.office_id != user.office_id:
        return False
    return user.role == ROLE_HEAD or (user.role == ROLE_ASSISTANT and family.assistant_id == user.id)


def _family(family_id: int) -> Family | None:
    family = db.session().get(Family, family_id)
    return family if may_see(current_user, family) else None


# with the family in the same query (every check and most views need it); built once, since
# building a statement costs about as much as running it and this runs on most requests
_DOCUMENT = select(Document).options(joinedload(Document.family)).where(Document.id == bindparam("id"))
_FILE = (select(GeneratedFile).options(joinedload(GeneratedFile.document).joinedload(Document.family))
         .where(GeneratedFile.id == bindparam("id")))


def _document(document_id: int) -> Document | None:
    document = db.session().scalar(_DOCUMENT, {"id": document_id})
    return document if document is not None and may_see(current_user, document.family) else None


def _file(file_id: int) -> GeneratedFile | None:
    record = db.session().scalar(_FILE, {"id": file_id})
    return record if record is not None and may_see(current_user, record.document.family) else None


def _user(user_id: int) -> User | None:
    """Another account: only the office's admin (to manage it) and head (to read its log)."""
    user = db.session().get(User, user_id)
    if user is None or user.office_id != current_user.office_id:
        return None
    return user if current_user.role in (ROLE_ADMIN, ROLE_HEAD) else None


def _institution(institution_id: int) -> Institution | None:
    """An entry of the office's directory of institutions: everyone of that office (no family data)."""
    return institutions.get(db.session(), current_user.office_id, institution_id)


def _print_job(job_id: int) -> PrintJob | None:
    """A print job: the head of its office, and its author while every family in it is still theirs."""
    job = db.session().get(PrintJob, job_id)
    if job is None or job.office_id != current_user.office_id:
        return None
    if current_user.role == ROLE_HEAD:
        return job
    if current_user.role != ROLE_ASSISTANT or job.created_by_id != current_user.id:
        return None
    families = set(db.session().scalars(
        select(Family.assistant_id).join(Document, Document.family_id == Family.id)
        .join(GeneratedFile, GeneratedFile.document_id == Document.id)
        .where(GeneratedFile.id.in_(job.file_ids or [])).distinct()))
    return job if families <= {current_user.id} else None


def _template_version(template_id: int) -> TemplateVersion | None:
    """An office's uploaded Word template: only that office's administrator."""
    if current_user.role != ROLE_ADMIN:
        return None
    version = db.session().get(TemplateVersion, template_id)
    return version if version is not None and version.office_id == current_user.office_id else None


def _type_version(version_id: int) -> OfficeTypeVersion | None:
    """A version of an office's own document type: that office's administrator and head."""
    if current_user.role not in (ROLE_ADMIN, ROLE_HEAD):
        return None
    version = db.session().get(OfficeTypeVersion, version_id)
    return version if version is not None and version.office_id == current_user.office_id else None


def _account_change(change_id: int) -> AccountChange | None:
    """An account change waiting for (or past) a second person: the office's admin and heads."""
    change = db.session().get(AccountChange, change_id)
    if change is None or change.office_id != current_user.office_id:
        return None
    return change if current_user.role in (ROLE_ADMIN, ROLE_HEAD) else None


def _api_token(token_id: int) -> ApiToken | None:
    """An API token: its own user, and the admin of its office (to revoke it)."""
    record = db.session().get(ApiToken, token_id)
    return record if api_tokens.may_revoke(current_user, record) else None


# URL argument -> (loader that returns None when not allowed, name on flask.g)
CHECKS: dict[str, tuple[Callable[[int], Any], str]] = {
    "family_id": (_family, "family"),
    "document_id": (_document, "document"),
    "file_id": (_file, "file"),
    "user_id": (_user, "account"),
    "job_id": (_print_job, "job"),
    "institution_id": (_institution, "institution"),
    "template_id": (_template_version, "template_version"),
    "change_id": (_account_change, "account_change"),
    "type_version_id": (_type_version, "type_version"),
    "token_id": (_api_token, "api_token_record"),
}


def _check_url_ids(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    if not values or not current_user.is_authenticated:
        return  # the login check answers anonymous requests
    for name, (load, attribute) in CHECKS.items():
        if name in values:
            found = load(values[name])
            if found is None:
                abort(404)
            setattr(g, attribute, found)


def install(app: Flask) -> None:
    unchecked = sorted({f"{rule.rule} ({argument})" for rule in app.url_map.iter_rules()
                        for argument in rule.arguments
                        if argument.endswith("_id") and argument not in CHECKS})
    if unchecked:
        raise RuntimeError(f"Routes with ids that webforms/access.py does not check: {', '.join(unchecked)}")
    app.url_value_preprocessor(_check_url_ids)
