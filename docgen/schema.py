"""Definition -> JSON Schema (draft 2020-12) of a document type's input."""
from __future__ import annotations

from typing import Any

from .definition import BOOL, CHOICE, COURT_CASE, DATE, PESEL, DocType, Field, Repeat
from .validate import COURT_CASE_PATTERN


def field_schema(spec: Field) -> dict[str, Any]:
    schema: dict[str, Any] = {"title": spec.label}
    if spec.help:
        schema["description"] = spec.help
    if spec.kind == DATE:
        schema.update(type="string", format="date", pattern=r"^\d{4}-\d{2}-\d{2}$")
    elif spec.kind == CHOICE:
        schema["enum"] = [code for code, _ in spec.choices]
        schema["x-labels"] = dict(spec.choices)
    elif spec.kind == BOOL:
        schema["type"] = "boolean"
    elif spec.kind == PESEL:
        schema.update(type="string", pattern=r"^\d{11}$")
    elif spec.kind == COURT_CASE:
        schema.update(type="string", pattern=COURT_CASE_PATTERN)
    else:
        schema["type"] = "string"
        if spec.limit:
            schema["maxLength"] = spec.limit
    if spec.required:
        if schema.get("type") == "string":
            schema["minLength"] = 1
        return schema
    # an optional value may be given as null
    return {"anyOf": [schema, {"type": "null"}], "title": spec.label}


def _object_schema(fields: tuple[Field, ...]) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {spec.name: field_schema(spec) for spec in fields},
        "required": [spec.name for spec in fields if spec.required],
        "additionalProperties": False,
    }
    conditional = [
        {"if": {"properties": {other: {"const": value}}, "required": [other]},
         "then": {"required": [spec.name], "properties": {spec.name: {"not": {"type": "null"}}}}}
        for spec in fields if spec.required_when for other, value in [spec.required_when]
    ]
    if conditional:
        schema["allOf"] = conditional
    return schema


def repeat_schema(group: Repeat) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "title": group.label,
        "type": "array",
        "items": _object_schema(group.fields),
        "maxItems": group.max_items,
    }
    if group.min_items:
        schema["minItems"] = group.min_items
    if group.help:
        schema["description"] = group.help
    return schema


def json_schema(doctype: DocType) -> dict[str, Any]:
    fields = tuple(item for _, item in doctype.items() if isinstance(item, Field))
    schema = _object_schema(fields)
    properties, required = {}, []
    for _, item in doctype.items():
        if isinstance(item, Repeat):
            properties[item.name] = repeat_schema(item)
            if item.min_items:
                required.append(item.name)
        else:
            properties[item.name] = schema["properties"][item.name]
            if item.required:
                required.append(item.name)
    schema.update(properties=properties, required=required)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:docgen:{doctype.id}",
        "title": doctype.title,
        "x-sections": [
            {"name": section.name, "title": section.title, "fields": [item.name for item in section.items]}
            for section in doctype.sections
        ],
        **schema,
    }
