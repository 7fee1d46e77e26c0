"""What a type's template may refer to: the names `context.build_context` gives it, with their shapes.

The names come from the definition (its fields and repeating groups) and from the context built for
the type's example (the office, the case number, values `derive` computes), so whatever the renderer
provides is known here without a second list to keep in step.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from ..context import Letterhead, build_context
from ..definition import DocType, Field, Repeat
from ..validate import require_valid

VALUE, RECORD, LIST, LOOP, ANY = "value", "record", "list", "loop", "any"

# names build_context adds to every type, and the office's fields
FIXED_LABELS = {
    "office": "Dane ośrodka (nagłówek pisma)",
    "case_number": "Znak sprawy",
    "document_title": "Tytuł dokumentu",
    "place_and_date": "Miejscowość i data, np. „Lipowiec Mazurski, dnia 2 listopada 2026 r.”",
}
OFFICE_LABELS = {"name": "Nazwa ośrodka", "address": "Adres ośrodka", "city": "Miejscowość ośrodka",
                 "phone": "Telefon ośrodka", "email": "E-mail ośrodka"}
DERIVED_LABEL = "wartość wyliczana z danych dokumentu"
DERIVED_LIST_LABEL = "Lista wyliczana z danych dokumentu"
DERIVED_FIELD_LABEL = "pole wyliczane"


@dataclass(frozen=True, eq=False)
class Shape:
    kind: str
    label: str = ""
    fields: dict[str, "Shape"] = field(default_factory=dict)   # of a record
    item: "Shape | None" = None                                 # of a list
    origin: str = ""            # the context name a list, and each of its rows, comes from
    spec: Field | Repeat | None = None


ANYTHING = Shape(ANY)
LOOP_SHAPE = Shape(LOOP, "pętla")


def _derived_shape(value: Any, name: str) -> Shape:
    """A value `derive` computes, shaped by what it computed for the example."""
    if isinstance(value, dict):
        return Shape(RECORD, DERIVED_LABEL, {key: Shape(VALUE, DERIVED_FIELD_LABEL) for key in value}, origin=name)
    if isinstance(value, (list, tuple)):
        rows = [row for row in value if isinstance(row, dict)]
        if rows:
            keys = {key: Shape(VALUE, DERIVED_FIELD_LABEL) for row in rows for key in row}
            return Shape(LIST, DERIVED_LIST_LABEL, item=Shape(RECORD, "pozycja", keys, origin=name), origin=name)
        return Shape(LIST, DERIVED_LIST_LABEL, item=ANYTHING, origin=name)
    return Shape(VALUE, DERIVED_LABEL)


def _repeat_shape(group: Repeat) -> Shape:
    row = Shape(RECORD, group.item_label, {spec.name: Shape(VALUE, spec.label, spec=spec) for spec in group.fields},
                origin=group.name, spec=group)
    return Shape(LIST, group.label, item=row, origin=group.name, spec=group)


def example_context(doctype: DocType) -> dict[str, Any] | None:
    """build_context of the type's example, or None when the example does not validate."""
    try:
        clean = require_valid(doctype, doctype.example())
        return build_context(doctype, clean, letterhead=Letterhead(name="", address="", city=""), case_number="")
    except Exception:  # noqa: BLE001 - a type whose example is unfinished still gets its fields checked
        return None


@functools.lru_cache(maxsize=64)
def vocabulary(doctype: DocType) -> dict[str, Shape]:
    """Every name the template of `doctype` may use, with its shape."""
    names: dict[str, Shape] = {}
    for _, item in doctype.items():
        names[item.name] = _repeat_shape(item) if isinstance(item, Repeat) else Shape(VALUE, item.label, spec=item)
    context = example_context(doctype) or {}
    fixed = {name: label for name, label in FIXED_LABELS.items()
             if name != "case_number" or doctype.in_case_file}  # a letter or CV has no znak to print
    for name, value in context.items():
        if name == "case_number" and name not in fixed:
            continue
        if name == "office":
            names[name] = Shape(RECORD, FIXED_LABELS[name],
                                {key: Shape(VALUE, OFFICE_LABELS.get(key, key)) for key in value})
        elif name in fixed:
            names[name] = Shape(VALUE, fixed[name])
        elif name not in names:
            names[name] = _derived_shape(value, name)
    for name, label in fixed.items():  # even when the example does not build
        if name not in names:
            names[name] = Shape(RECORD, label, {k: Shape(VALUE, v) for k, v in OFFICE_LABELS.items()}) \
                if name == "office" else Shape(VALUE, label)
    return names

