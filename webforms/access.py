"""Who may see what: the one place every route that takes an id goes through.

A family is visible to the head of its office and to the assistant it is
assigned to. Anything else answers 404, so an id reveals nothing."""
from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import Select, select

from docgen.store.models import ROLE_ASSISTANT, ROLE_HEAD, Document, Family, GeneratedFile, User

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


def family_or_404(family_id: int) -> Family:
    family = db.session().get(Family, family_id)
    if not may_see(current_user, family):
        abort(404)
    return family


def document_or_404(document_id: int) -> Document:
    document = db.session().get(Document, document_id)
    if document is None or not may_see(current_user, document.family):
        abort(404)
    return document


def file_or_404(file_id: int) -> GeneratedFile:
    record = db.session().get(GeneratedFile, file_id)
    if record is None or not may_see(current_user, record.document.family):
        abort(404)
    return record
