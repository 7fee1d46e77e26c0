"""What a template sees: the office's letterhead and a document's data as the template's variables.

Below both docgen.templates (whose check and guide know these names) and docgen.render (which builds
the context of every document); it imports neither.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from .definition import BOOL, CHOICE, DATE, DocType, Field, Repeat
from .formatting import as_date, place_and_date


@dataclass(frozen=True)
class Letterhead:
    """The office's data printed on every document; set once per office."""

    name: str
    address: str
    city: str
    phone: str = ""
    email: str = ""


def _value(spec: Field, value: Any) -> Any:
    if value is None or value == "":
        return None
    if spec.kind == DATE:
        return as_date(value)
    if spec.kind == CHOICE:
        return spec.choice_label(value)
    if spec.kind == BOOL:
        return bool(value)
    return value


def build_context(doctype: DocType, data: dict[str, Any], *, letterhead: Letterhead,
                  case_number: str) -> dict[str, Any]:
    """The template's variables: every field by name, formatted for print."""
    context: dict[str, Any] = {}
    for _, item in doctype.items():
        if isinstance(item, Repeat):
            context[item.name] = [
                {spec.name: _value(spec, row.get(spec.name)) for spec in item.fields}
                for row in data.get(item.name) or []
            ]
        else:
            context[item.name] = _value(item, data.get(item.name))
    context.update(doctype.derive(data))
    context.update(
        office=asdict(letterhead),
        case_number=case_number,
        document_title=doctype.title,
        place_and_date=place_and_date(data.get(doctype.place_field) or letterhead.city,
                                      data.get(doctype.date_field) or dt.date.today()),
    )
    return context
