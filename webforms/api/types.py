"""The document types: what each one asks for (its JSON Schema) and a complete invented example."""
from __future__ import annotations

from flask_login import current_user

from docgen.schema import json_schema
from docgen.store.office_types import types_for_office

from .. import db

from . import ApiProblem, bp, json_response


def type_summary(doctype) -> dict:
    return {"id": doctype.id, "title": doctype.title, "in_case_file": bool(doctype.in_case_file),
            "sections": [{"name": s.name, "title": s.title} for s in doctype.sections]}


def _offered() -> dict:
    """The types the caller's office makes documents of: built-in, shipped and the office's own (as "Nowy dokument")."""
    return types_for_office(db.session(), current_user.office_id)


def _doctype(doc_type: str):
    offered = _offered()
    if doc_type not in offered:
        raise ApiProblem(404, f"Nie ma typu dokumentu „{doc_type}”. Listę typów podaje GET /api/v1/types.")
    return offered[doc_type]


@bp.get("/types")
def types():
    return json_response({"items": [type_summary(doctype) for doctype in _offered().values()]})


@bp.get("/types/<doc_type>/schema")
def type_schema(doc_type: str):
    return json_response(json_schema(_doctype(doc_type)))


@bp.get("/types/<doc_type>/example")
def type_example(doc_type: str):
    return json_response(_doctype(doc_type).example())
