"""The OpenAPI 3.1 description of /api/v1, written from the routes (every API rule must have its
operation here, or the document refuses to build) and from the definitions' JSON Schemas."""
from __future__ import annotations

import re
from typing import Any

from flask import Flask

from docgen.casefile import FAMILY_RECORD
from docgen.doctypes import DOCTYPES
from docgen.schema import json_schema
from docgen.store import family_list
from docgen.store import institutions as directory

from . import PROBLEM_TYPE
from .families import PAGE_SIZE_MAX


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _definition_schema(doctype) -> dict[str, Any]:
    schema = json_schema(doctype)
    return {key: value for key, value in schema.items() if key not in ("$schema", "$id")}


NULLABLE_TEXT = {"type": ["string", "null"]}
# the built-in types and the office's own (docgen.store.office_types): GET /types lists the caller's
TYPE_ID = {"type": "string", "pattern": "^[a-z][a-z0-9_]*$",
           "description": "Typ dokumentu: wbudowany (" + ", ".join(DOCTYPES) + ") albo typ ośrodka z GET /types."}

SCHEMAS: dict[str, Any] = {
    "Problem": {"type": "object", "required": ["type", "title", "status", "detail"], "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string", "description": "Co się stało, po polsku."}, "instance": {"type": "string"},
        "problems": {"type": "array", "items": _ref("Issue")}}},
    "Issue": {"type": "object", "required": ["path", "message", "severity"], "additionalProperties": False,
              "properties": {"path": {"type": "string", "description": "Pole, np. „actions[2].deadline”."},
                             "message": {"type": "string"}, "severity": {"enum": ["blocker", "warning"]},
                             "key": {"type": "string", "description": "Klucz ostrzeżenia do potwierdzenia."},
                             "confirmed": {"type": "boolean"}}},
    "TypeSummary": {"type": "object", "required": ["id", "title", "sections"], "properties": {
        "id": TYPE_ID, "title": {"type": "string"}, "in_case_file": {"type": "boolean"},
        "sections": {"type": "array", "items": {"type": "object", "required": ["name", "title"]}}}},
    "TypeList": {"type": "object", "required": ["items"], "properties": {
        "items": {"type": "array", "items": _ref("TypeSummary")}}},
    "JsonSchema": {"type": "object", "description": "JSON Schema (2020-12) danych typu dokumentu.",
                   "required": ["$schema", "type", "properties"]},
    "FamilyRecord": {**_definition_schema(FAMILY_RECORD), "description": "Dane rodziny (karta rodziny)."},
    "FamilyListItem": {"type": "object", "additionalProperties": False,
                       "required": ["id", "family_name", "address", "members", "documents", "status"],
                       "properties": {"id": {"type": "integer"}, "family_name": {"type": "string"},
                                      "address": {"type": "string"}, "assistant_name": NULLABLE_TEXT,
                                      "members": {"type": "integer"}, "documents": {"type": "integer"},
                                      "status": {"enum": list(family_list.STATUSES)}}},
    "FamilyList": {"type": "object", "required": ["items", "page", "pages", "total", "page_size"], "properties": {
        "items": {"type": "array", "maxItems": PAGE_SIZE_MAX, "items": _ref("FamilyListItem")},
        "page": {"type": "integer", "minimum": 1}, "pages": {"type": "integer", "minimum": 1},
        "total": {"type": "integer"}, "page_size": {"const": PAGE_SIZE_MAX}}},
    "DocumentSummary": {"type": "object", "required": ["id", "doc_type", "title", "status", "version"],
                        "properties": {"id": {"type": "integer"}, "doc_type": TYPE_ID,
                                       "title": {"type": "string"}, "status": {"enum": ["draft", "final"]},
                                       "version": {"type": "integer"}, "case_number": NULLABLE_TEXT,
                                       "updated_at": NULLABLE_TEXT}},
    "Family": {"type": "object", "required": ["id", "status", "active", "data", "documents"], "properties": {
        "id": {"type": "integer"}, "status": {"enum": list(family_list.STATUSES)}, "active": {"type": "boolean"},
        "closed_on": NULLABLE_TEXT, "social_worker_id": {"type": ["integer", "null"]},
        "assistant": {"type": ["object", "null"], "required": ["id", "full_name"]},
        "data": _ref("FamilyRecord"), "documents": {"type": "array", "items": _ref("DocumentSummary")}}},
    "FamilyWrite": {"type": "object", "required": ["data"], "properties": {
        "data": _ref("FamilyRecord"),
        "assistant_id": {"type": "integer", "description": "Asystent rodziny (podaje kierownik)."},
        "social_worker_id": {"type": ["integer", "null"], "description": "Konto pracownika socjalnego."}}},
    "EndOfWork": {"type": "object", "required": ["closed_on"], "properties": {
        "closed_on": {"type": "string", "format": "date"}}},
    "FileVersion": {"type": "object", "required": ["id", "version", "filename", "docx_url", "pdf_url"],
                    "properties": {"id": {"type": "integer"}, "version": {"type": "integer", "minimum": 1},
                                   "filename": {"type": "string"}, "size": {"type": "integer"},
                                   "sha256": {"type": "string"}, "template": {"type": "string"},
                                   "created_at": NULLABLE_TEXT, "docx_url": {"type": "string"},
                                   "pdf_url": {"type": "string"}}},
    "GeneratedVersion": {"allOf": [_ref("FileVersion"), {"type": "object", "required": ["document_id", "case_number"],
                                                         "properties": {"document_id": {"type": "integer"},
                                                                        "case_number": NULLABLE_TEXT}}]},
    "VersionList": {"type": "object", "required": ["items"], "properties": {
        "items": {"type": "array", "items": _ref("FileVersion")}}},
    "Document": {"allOf": [_ref("DocumentSummary"), {
        "type": "object", "required": ["family_id", "data", "confirmed_warnings", "versions"],
        "properties": {"family_id": {"type": "integer"},
                       "data": {"type": "object", "description": "Dane szkicu; kształt: GET /types/{type}/schema."},
                       "confirmed_warnings": {"type": "array", "items": {"type": "string"}},
                       "versions": {"type": "array", "items": _ref("FileVersion")}}}]},
    "DocumentCreate": {"type": "object", "required": ["doc_type"], "properties": {
        "doc_type": TYPE_ID,
        "data": {"type": "object", "description": "Pola dokumentu (zastępują podpowiedzi z karty rodziny); "
                                                  "kształt danych każdego typu: schematy data_<typ>."}}},
    "DocumentPatch": {"type": "object", "required": ["data"], "properties": {
        "data": {"type": "object", "description": "Zmieniane pola najwyższego poziomu; null usuwa pole."}}},
    "ProblemReport": {"type": "object", "required": ["ready", "problems"], "properties": {
        "ready": {"type": "boolean", "description": "Czy dokument można wygenerować."},
        "problems": {"type": "array", "items": _ref("Issue")}}},
    "WarningConfirmation": {"type": "object", "required": ["confirm"], "properties": {
        "confirm": {"type": "array", "items": {"type": "string"}}}},
    "PrintJobCreate": {"type": "object", "required": ["file_ids"], "properties": {
        "file_ids": {"type": "array", "minItems": 1, "items": {"type": "integer"}}, "title": {"type": "string"},
        "cover_sheet": {"type": "boolean"}, "duplex": {"type": "boolean"}}},
    "PrintJob": {"type": "object", "required": ["id", "status", "done", "total", "percent", "file_ids", "pdf_url"],
                 "properties": {"id": {"type": "integer"}, "status": {"type": "string"},
                                "done": {"type": "integer"}, "total": {"type": "integer"},
                                "percent": {"type": "integer", "minimum": 0, "maximum": 100},
                                "failures": {"type": "array"}, "message": {"type": "string"},
                                "pages": {"type": ["integer", "null"]}, "title": {"type": "string"},
                                "file_ids": {"type": "array", "items": {"type": "integer"}},
                                "pdf_url": {"type": "string"}}},
    "InstitutionWrite": {"type": "object", "required": ["name", "kind", "address"], "properties": {
        **{name: {"type": "string", "title": label} for name, label in directory.LABELS.items()},
        "kind": {"enum": list(directory.KINDS), "title": directory.LABELS["kind"],
                 "x-labels": dict(directory.KINDS)}}},
    "Institution": {"type": "object", "required": ["id", *directory.FIELDS, "kind_label"], "properties": {
        "id": {"type": "integer"}, **{name: {"type": "string"} for name in directory.FIELDS},
        "kind": {"enum": list(directory.KINDS)}, "kind_label": {"type": "string"}}},
    "InstitutionList": {"type": "object", "required": ["items", "page", "pages", "total", "page_size"], "properties": {
        "items": {"type": "array", "maxItems": directory.PAGE_SIZE, "items": _ref("Institution")},
        "page": {"type": "integer", "minimum": 1}, "pages": {"type": "integer", "minimum": 1},
        "total": {"type": "integer"}, "page_size": {"const": directory.PAGE_SIZE}}},
    "ImportReport": {"type": "object", "required": ["summary", "added", "updated", "unchanged", "skipped", "errors"],
                     "properties": {"summary": {"type": "string"}, "added": {"type": "integer"},
                                    "updated": {"type": "integer"}, "unchanged": {"type": "integer"},
                                    "skipped": {"type": "integer"},
                                    "errors": {"type": "array", "items": {"type": "string"},
                                               "description": "Błędy wierszy: „Wiersz 4: NIP: …”."},
                                    "notes": {"type": "array", "items": {"type": "string"}},
                                    "rejected_text": {"type": "string",
                                                      "description": "Nagłówek i odrzucone wiersze do poprawienia."}}},
    **{f"data_{doctype.id}": _definition_schema(doctype) for doctype in DOCTYPES.values()},
}

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_ERRORS = {
    "400": "Nieprawidłowy JSON albo parametr.", "401": "Brak albo nieważny token.",
    "404": "Nie ma takiego zasobu albo nie należy do wywołującego.", "405": "Niedozwolona metoda.",
    "409": "Konflikt ze stanem zasobu.", "412": "Nieaktualny ETag (If-Match).", "413": "Za duże dane.",
    "415": "Treść nie jest JSON.", "422": "Nieprawidłowe dane (lista problems).", "428": "Brak If-Match.",
    "429": "Limit żądań (nagłówek Retry-After).",
    "503": "Chwilowo zajęte (te same dane zapisuje ktoś inny, szablon ośrodka sprawdzany) albo brak LibreOffice; "
           "spróbuj ponownie (nagłówek Retry-After).",
}


def _json(schema: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


def _binary(mimetype: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {mimetype: {"schema": {"type": "string",
                                                                          "contentMediaType": mimetype}}}}


# endpoint -> (summary, success responses, request body schema or None, error codes, query parameters)
OPERATIONS: dict[str, tuple[str, dict[str, Any], str | None, tuple[str, ...], list[dict[str, Any]]]] = {
    "api.types": ("Typy dokumentów", {"200": _json("TypeList", "Lista typów")}, None, (), []),
    "api.type_schema": ("JSON Schema danych typu", {"200": _json("JsonSchema", "Schemat")}, None, ("404",), []),
    "api.type_example": ("Przykładowe (zmyślone) dane typu", {"200": {"description": "Dane", "content": {
        "application/json": {"schema": {"type": "object"}}}}}, None, ("404",), []),
    "api.families": ("Lista rodzin (stronicowana, z wyszukiwaniem; bez numerów PESEL)",
                     {"200": _json("FamilyList", "Strona listy")}, None, ("400",), [
                         {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 200},
                          "description": "Słowa: nazwisko, adres, znak sprawy, początek PESEL."},
                         {"name": "status", "in": "query", "schema": {"enum": list(family_list.STATUSES)}},
                         {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}}]),
    "api.create_family": ("Nowa rodzina (te same sprawdzenia co formularz, z PESEL)",
                          {"201": _json("Family", "Utworzona rodzina")}, "FamilyWrite", ("400", "415", "422"), []),
    "api.family": ("Karta rodziny z członkami (jedyna odpowiedź z numerami PESEL)",
                   {"200": _json("Family", "Rodzina")}, None, ("404",), []),
    "api.update_family": ("Zmiana karty rodziny", {"200": _json("Family", "Rodzina")}, "FamilyWrite",
                          ("400", "404", "415", "422"), []),
    "api.end_work": ("Zakończenie pracy z rodziną", {"200": _json("Family", "Rodzina")}, "EndOfWork",
                     ("400", "404", "409", "415", "422"), []),
    "api.create_draft": ("Nowy szkic dokumentu z danymi", {"201": _json("Document", "Szkic (nagłówek ETag)")},
                         "DocumentCreate", ("400", "404", "409", "413", "415", "422"), []),
    "api.document": ("Dokument z danymi i wersjami", {"200": _json("Document", "Dokument (nagłówek ETag)")},
                     None, ("404",), []),
    "api.update_draft": ("Częściowa zmiana szkicu (wymaga If-Match)", {"200": _json("Document", "Dokument")},
                         "DocumentPatch", ("400", "404", "412", "413", "415", "422", "428", "503"),
                         [{"name": "If-Match", "in": "header", "required": True, "schema": {"type": "string"}}]),
    "api.problems": ("Problemy danych: błędy i ostrzeżenia, ze ścieżką pola i komunikatem",
                     {"200": _json("ProblemReport", "Problemy")}, None, ("404",), []),
    "api.confirm": ("Potwierdzenie ostrzeżeń", {"200": _json("Document", "Dokument")}, "WarningConfirmation",
                    ("400", "404", "415", "422"), []),
    "api.generate_version": ("Wygenerowanie wersji (ze znakiem sprawy)",
                             {"201": _json("GeneratedVersion", "Nowa wersja")}, None, ("404", "409", "422", "503"),
                             []),
    "api.versions": ("Wersje dokumentu", {"200": _json("VersionList", "Wersje")}, None, ("404",), []),
    "api.file_docx": ("Plik .docx wersji", {"200": _binary(DOCX, "Plik Word")}, None, ("404",), []),
    "api.file_pdf": ("PDF wersji (pula LibreOffice programu)", {"200": _binary("application/pdf", "PDF")}, None,
                     ("404", "503"), []),
    "api.create_print_job": ("Wydruk zbiorczy z wersji", {"202": _json("PrintJob", "Przyjęte zadanie")},
                             "PrintJobCreate", ("400", "404", "415", "422", "503"), []),
    "api.print_job": ("Stan wydruku", {"200": _json("PrintJob", "Zadanie")}, None, ("404",), []),
    "api.print_job_pdf": ("PDF gotowego wydruku", {"200": _binary("application/pdf", "PDF")}, None,
                          ("404", "409"), []),
    "api.institutions": ("Wykaz placówek (wyszukiwanie, strony)", {"200": _json("InstitutionList", "Strona")}, None,
                         ("400",), [{"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 200}},
                                    {"name": "kind", "in": "query", "schema": {"enum": list(directory.KINDS)}},
                                    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}}]),
    "api.create_institution": ("Nowa placówka", {"201": _json("Institution", "Placówka")}, "InstitutionWrite",
                               ("400", "415", "422"), []),
    "api.institution": ("Placówka", {"200": _json("Institution", "Placówka")}, None, ("404",), []),
    "api.update_institution": ("Zmiana placówki", {"200": _json("Institution", "Placówka")}, "InstitutionWrite",
                               ("400", "404", "415", "422"), []),
    "api.import_institutions": ("Import wykazu z CSV (raport wiersz po wierszu)",
                                {"200": _json("ImportReport", "Raport importu")}, "text/csv", ("413", "415", "422"),
                                []),
    "api.openapi": ("Ten opis OpenAPI", {"200": {"description": "OpenAPI 3.1", "content": {
        "application/json": {"schema": {"type": "object", "required": ["openapi", "paths"]}}}}}, None, (), []),
}
PUBLIC = {"api.openapi"}  # needs no token: it holds no data


def openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def build(app: Flask) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint not in OPERATIONS and not rule.endpoint.startswith("api."):
            continue
        if rule.endpoint not in OPERATIONS:
            raise RuntimeError(f"{rule.rule}: the API route has no operation in webforms/api/openapi.py")
        summary, responses, body, errors, parameters = OPERATIONS[rule.endpoint]
        path = openapi_path(rule.rule)
        path_parameters = [{"name": name, "in": "path", "required": True,
                            "schema": {"type": "integer"} if name.endswith("_id") else {"type": "string"}}
                           for name in sorted(rule.arguments)]
        common = ("405", "429") if rule.endpoint in PUBLIC else ("401", "405", "429")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            operation: dict[str, Any] = {
                "operationId": rule.endpoint.removeprefix("api."), "summary": summary,
                "parameters": path_parameters + parameters,
                "responses": {**responses, **{code: {"description": _ERRORS[code], "content": {
                    PROBLEM_TYPE: {"schema": _ref("Problem")}}} for code in sorted(set(errors) | set(common))}},
            }
            if body == "text/csv":
                operation["requestBody"] = {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}
            elif body:
                operation["requestBody"] = {"required": True, "content": {
                    "application/json": {"schema": _ref(body)}}}
            if rule.endpoint in PUBLIC:
                operation["security"] = []
            paths.setdefault(path, {})[method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "Dokumenty asystenta rodziny – API", "version": "1",
                 "description": "Rodziny, dokumenty, wersje i wydruki dla innych systemów ośrodka. Uwierzytelnienie: "
                                "token API (nagłówek Authorization: Bearer). Błędy: application/problem+json "
                                "(RFC 9457) z polskim opisem w polu detail."},
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "servers": [{"url": "/"}],
        "security": [{"token": []}],
        "paths": paths,
        "components": {"schemas": SCHEMAS,
                       "securitySchemes": {"token": {"type": "http", "scheme": "bearer",
                                                     "description": "Token API z programu (Tokeny API)."}}},
    }
