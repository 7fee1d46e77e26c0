"""The directory entry's form: it only collects what was typed; docgen.store.institutions
checks it, so every message exists once (the same for the form and the CSV import)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from docgen.store.institutions import KINDS, LABELS

KIND_CHOICES = [SelectChoice("", "— wybierz —"), *(SelectChoice(code, label) for code, label in KINDS.items())]


class InstitutionForm(FlaskForm):
    name = StringField(LABELS["name"], render_kw={"maxlength": 300, "autocomplete": "off"})
    kind = SelectField(LABELS["kind"], choices=KIND_CHOICES, validate_choice=False)
    address = TextAreaField(LABELS["address"], render_kw={"rows": 3, "maxlength": 500})
    phone = StringField(LABELS["phone"], render_kw={"maxlength": 100, "inputmode": "tel", "autocomplete": "off"})
    email = StringField(LABELS["email"], render_kw={"maxlength": 200, "inputmode": "email", "autocomplete": "off"})
    scope = TextAreaField(LABELS["scope"], render_kw={"rows": 4, "maxlength": 2000})
    nip = StringField(LABELS["nip"], render_kw={"maxlength": 20, "inputmode": "numeric", "autocomplete": "off"})
    regon = StringField(LABELS["regon"], render_kw={"maxlength": 20, "inputmode": "numeric", "autocomplete": "off"})
