"""Definition -> WTForms forms, and back from a submitted form to the definition's data.

Forms only collect what was typed. Whether it is valid is decided by the
definition's validator, so every rule and message exists once; the form never
drops a value it could not parse, it hands it on to be reported.
"""
from __future__ import annotations

import functools
from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, FieldList, Form, FormField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import DateInput

from docgen.definition import BOOL, CHOICE, DATE, PESEL, TEXTAREA, DocType, Field, Issue, Repeat, Section

EMPTY_CHOICE = SelectChoice("", "— wybierz —")


def _form_field(spec: Field):
    # no maxlength on texts: a browser cuts a pasted text to it without a word; the step refuses
    # an overlong text with a message instead, and keeps it on the page (webforms/documents/routes.py)
    options: dict[str, Any] = {"label": spec.label, "description": spec.help}
    if spec.kind == TEXTAREA:
        return TextAreaField(render_kw={"rows": 4}, **options)
    if spec.kind == DATE:
        return StringField(widget=DateInput(), **options)
    if spec.kind == CHOICE:
        choices = [EMPTY_CHOICE, *(SelectChoice(code, label) for code, label in spec.choices)]
        return SelectField(choices=choices, validate_choice=False, **options)
    if spec.kind == BOOL:
        return BooleanField(**options)
    if spec.kind == PESEL:
        return StringField(render_kw={"inputmode": "numeric", "maxlength": 11, "autocomplete": "off"}, **options)
    return StringField(**options)


@functools.cache
def _row_form(group: Repeat) -> type[Form]:
    return type(f"{group.name.title()}Row", (Form,), {spec.name: _form_field(spec) for spec in group.fields})


@functools.cache
def form_class(section: Section) -> type[FlaskForm]:
    """One FlaskForm (with its CSRF token) per section of a definition."""
    attrs: dict[str, Any] = {}
    for item in section.items:
        if isinstance(item, Repeat):
            # every row sent is read (max_entries would drop the rest unseen); too many are refused by name
            attrs[item.name] = FieldList(FormField(_row_form(item)), min_entries=0)
        else:
            attrs[item.name] = _form_field(item)
    return type(f"{section.name.title()}Form", (FlaskForm,), attrs)


def _value(spec: Field, raw: Any) -> Any:
    if spec.kind == BOOL:
        return bool(raw)
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None
    return raw


def form_data(section: Section, form: FlaskForm) -> dict[str, Any]:
    """What the user typed in this step, shaped as the definition's data."""
    data: dict[str, Any] = {}
    for item in section.items:
        if isinstance(item, Repeat):
            data[item.name] = [
                {spec.name: _value(spec, entry.form[spec.name].data) for spec in item.fields}
                for entry in form[item.name].entries
            ]
        else:
            data[item.name] = _value(item, form[item.name].data)
    return data


def step_form(section: Section, data: dict[str, Any], formdata: Any = None) -> FlaskForm:
    """The step's form filled with stored data, or only with the submitted `formdata`
    (a browser sends every input, so a missing key means an empty one)."""
    if formdata is not None:
        return form_class(section)(formdata=formdata)
    values: dict[str, Any] = {}
    for item in section.items:
        if isinstance(item, Repeat):
            values[item.name] = [dict(row) for row in data.get(item.name) or []]
        else:
            values[item.name] = data.get(item.name)
    return form_class(section)(formdata=formdata, data=values)


# the index a new row's inputs get in the row template; static/rows.js puts the next number in
ROW_INDEX = "__i__"


def blank_rows(section: Section) -> dict[str, Form]:
    """An empty row of each repeating group, named with ROW_INDEX: "+ Dodaj" copies it in the
    browser (static/rows.js), so a row is added without reloading the page."""
    return {item.name: _row_form(item)(prefix=f"{item.name}-{ROW_INDEX}-")
            for item in section.items if isinstance(item, Repeat)}


def apply_row_action(section: Section, data: dict[str, Any], action: str) -> bool:
    """'add:members' appends an empty row, 'remove:members:2' removes the third; True when done."""
    parts = action.split(":")
    if len(parts) < 2 or parts[0] not in ("add", "remove"):
        return False
    group = next((item for item in section.items if isinstance(item, Repeat) and item.name == parts[1]), None)
    if group is None:
        return False
    rows = list(data.get(group.name) or [])
    if parts[0] == "add" and len(rows) < group.max_items:
        rows.append({spec.name: False if spec.kind == BOOL else None for spec in group.fields})
    elif parts[0] == "remove" and len(parts) == 3 and parts[2].isdigit() and int(parts[2]) < len(rows):
        del rows[int(parts[2])]
    data[group.name] = rows
    return True


def errors_by_path(issues: list[Issue]) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for issue in issues:
        result.setdefault(issue.path, []).append(issue.message)
    return result


def section_of_issue(doctype: DocType, issue: Issue) -> Section | None:
    """The step where an issue can be fixed: the section holding the path's first name."""
    name = issue.path.split("[", 1)[0].split(".", 1)[0]
    try:
        return doctype.section_of(name)
    except KeyError:
        return None
