"""The web side of the audit trail: reading a family's data is logged from the URL's ids,
changes are logged by the views that make them. Entries carry ids, never personal data."""
from __future__ import annotations

from typing import Any

from flask import Flask, g, request
from flask_login import current_user

from docgen.store import audit

from . import db


def log(action: str, *, object_type: str = "", object_id: int | None = None, family_id: int | None = None,
        detail: str = "", username: str = "") -> None:
    """Adds an entry to the request's session; the view's own commit stores it with its change."""
    user = current_user if current_user.is_authenticated else None
    audit.record(db.session(), user=user, username=username, action=action, object_type=object_type,
                 object_id=object_id, family_id=family_id, detail=detail)


def _subject() -> tuple[str, int | None, int | None] | None:
    """What a GET request showed: the most specific object the URL named."""
    if "file" in g:
        return "file", g.file.id, g.file.document.family_id
    if "document" in g:
        return "document", g.document.id, g.document.family_id
    if "family" in g:
        return "family", g.family.id, g.family.id
    return None


def _log_reads(response: Any) -> Any:
    if request.method != "GET" or response.status_code != 200 or not current_user.is_authenticated:
        return response
    subject = _subject()
    if subject is not None:
        object_type, object_id, family_id = subject
        action = audit.DOWNLOAD if object_type == "file" else audit.VIEW
        log(action, object_type=object_type, object_id=object_id, family_id=family_id,
            detail=request.endpoint or "")
        db.session().commit()
    return response


def install(app: Flask) -> None:
    app.after_request(_log_reads)
