"""The document types: what each one asks for (its JSON Schema) and a complete invented example."""
from __future__ import annotations

from docgen.doctypes import DOCTYPES
from docgen.schema import json_schema

from . import ApiProblem, bp, json_response


def type_summary(doctype) -> dict:
    return {"id": doctype.id, "title": doctype.title, "in_case_file": bool(doctype.in_case_file),
            "sections": [{"name": s.name, "title": s.title} for s in doctype.sections]}


def _doctype(doc_type: str):
    if doc_type not in DOCTYPES:
        raise ApiProblem(404, f"Nie ma typu dokumentu „{doc_type}”. Listę typów podaje GET /api/v1/types.")
    return DOCTYPES[doc_type]


@bp.get("/types")
def types():
    return json_response({"items": [type_summary(doctype) for doctype in DOCTYPES.values()]})


@bp.get("/types/<doc_type>/schema")
def type_schema(doc_type: str):
    return json_response(json_schema(_doctype(doc_type)))


@bp.get("/types/<doc_type>/example")
def type_example(doc_type: str):
    return json_response(_doctype(doc_type).example())
