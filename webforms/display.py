"""How stored values read on pages: the same Polish formatting the documents use."""
from __future__ import annotations

from typing import Any

from docgen.definition import BOOL, CHOICE, DATE, Field
from docgen.formatting import date_long

STATUS_LABELS = {"draft": "szkic", "final": "wygenerowany"}


def show_value(spec: Field, value: Any) -> str:
    if spec.kind == BOOL:
        return "tak" if value else "nie"
    if value is None or value == "":
        return "—"
    if spec.kind == DATE:
        try:
            return date_long(value)
        except ValueError:
            return str(value)
    if spec.kind == CHOICE:
        return spec.choice_label(value)
    return str(value)


def required_when_hint(spec: Field, siblings) -> str:
    """'Wymagane, gdy „Podstawa pracy z rodziną” to: postanowienie sądu.'"""
    if not spec.required_when:
        return ""
    name, value = spec.required_when
    other = next((item for item in siblings if getattr(item, "name", None) == name), None)
    if not isinstance(other, Field):
        return ""
    return f"Wymagane, gdy „{other.label}” to: {other.choice_label(value)}."


def register(app) -> None:
    app.jinja_env.globals.update(show_value=show_value, status_label=lambda s: STATUS_LABELS.get(s, s),
                                 required_when_hint=required_when_hint)
    app.jinja_env.filters["data"] = date_long
