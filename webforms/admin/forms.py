"""The administrator's forms: accounts of the office, the office's settings, its Word templates."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, IntegerField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.meta import DefaultMeta
from wtforms.validators import (DataRequired, EqualTo, InputRequired, Length, Optional, Regexp, StopValidation,
                                ValidationError)

from docgen.doctypes import DOCTYPES
from docgen.store.models import MAX_CASELOAD, ROLES
from docgen.store.users import USERNAME_MESSAGE, USERNAME_PATTERN

ROLE_CHOICES = [SelectChoice(role, label) for role, label in ROLES.items()]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class PolishForm(FlaskForm):
    """WTForms' own messages (e.g. for a number field with letters in it) in Polish."""

    class Meta:
        locales = ("pl",)

        def get_translations(self, form):
            return DefaultMeta.get_translations(self, form)


def _text(label: str, required: str | None, max_length: int, **kwargs) -> StringField:
    validators = [DataRequired(required) if required else Optional(),
                  Length(max=max_length, message=f"Najwyżej {max_length} znaków.")]
    return StringField(label, validators=validators + kwargs.pop("validators", []), filters=[_strip], **kwargs)


class WholeNumberField(IntegerField):
    """A whole number, with a Polish message for anything else (letters, fractions)."""

    def process_formdata(self, valuelist):
        self.data = None
        text = valuelist[0].strip() if valuelist else ""
        if text:
            try:
                self.data = int(text)
            except ValueError:
                raise ValueError("Wpisz liczbę całkowitą, bez liter i przecinków.") from None


def _number(label: str, low: int, high: int, unit: str) -> WholeNumberField:
    message = f"Podaj liczbę od {low} do {high} ({unit})."

    def in_range(form, field):
        if field.process_errors:  # not a number: its own message is enough
            raise StopValidation()
        if field.data is None or not low <= field.data <= high:
            raise ValidationError(message)

    return WholeNumberField(label, validators=[InputRequired(message), in_range],
                            render_kw={"min": low, "max": high, "inputmode": "numeric"})


class UserCreateForm(PolishForm):
    username = _text("Login", "Podaj login.", 80, validators=[
        Length(min=3, message="Login musi mieć co najmniej 3 znaki."),
        Regexp(f"^{USERNAME_PATTERN}$", message=USERNAME_MESSAGE),
    ], render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"})
    full_name = _text("Imię i nazwisko", "Podaj imię i nazwisko.", 200)
    role = SelectField("Rola", choices=ROLE_CHOICES, default="asystent")
    password = PasswordField("Hasło początkowe", validators=[InputRequired("Podaj hasło początkowe.")],
                             render_kw={"autocomplete": "new-password"})
    password_repeat = PasswordField("Powtórz hasło", validators=[
        InputRequired("Powtórz hasło."), EqualTo("password", "Powtórzone hasło różni się od hasła.")],
        render_kw={"autocomplete": "new-password"})


class UserEditForm(PolishForm):
    full_name = _text("Imię i nazwisko", "Podaj imię i nazwisko.", 200)
    role = SelectField("Rola", choices=ROLE_CHOICES)
    active = BooleanField("Konto aktywne (może się logować)")
    new_password = PasswordField("Nowe hasło", render_kw={"autocomplete": "new-password"})
    new_password_repeat = PasswordField("Powtórz nowe hasło", render_kw={"autocomplete": "new-password"})

    def validate_new_password_repeat(self, field):
        if (self.new_password.data or field.data) and field.data != self.new_password.data:
            raise ValidationError("Powtórzone hasło różni się od nowego hasła.")


class OfficeForm(PolishForm):
    name = _text("Nazwa ośrodka", "Podaj nazwę ośrodka.", 200)
    address = _text("Adres", "Podaj adres ośrodka.", 300)
    city = _text("Miejscowość", "Podaj miejscowość.", 100)
    phone = _text("Telefon", None, 50, validators=[
        Regexp(r"^[0-9 +()./-]*$", message="Numer telefonu może zawierać cyfry, spacje i znaki + ( ) - /."),
    ], render_kw={"inputmode": "tel"})
    email = _text("E-mail", None, 200, validators=[
        Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message="Wpisz adres e-mail, np. sekretariat@ops.gmina.pl."),
    ], render_kw={"inputmode": "email"})
    case_prefix = _text("Prefiks znaku sprawy", "Podaj prefiks znaku sprawy, np. OPS.AR.", 50, validators=[
        Regexp(r"^[A-Za-z0-9]+([.-][A-Za-z0-9]+)*$",
               message="Prefiks składa się z liter bez polskich znaków i cyfr, rozdzielonych kropką lub "
                       "łącznikiem, np. MOPS.AR."),
    ])
    jrwa_symbol = _text("Symbol JRWA", "Podaj symbol klasyfikacyjny JRWA, np. 4101.", 20, validators=[
        Regexp(r"^\d{1,4}$", message="Symbol JRWA to od 1 do 4 cyfr, np. 4101."),
    ], render_kw={"inputmode": "numeric"})
    # art. 15 ust. 4: "nie może przekroczyć 15"; an office may set less, never more
    caseload_limit = _number("Limit rodzin na asystenta", 1, MAX_CASELOAD, "rodzin; ustawa pozwala najwyżej na 15")
    session_timeout_minutes = _number("Automatyczne wylogowanie (minuty)", 5, 480, "minut")
    retention_years = _number("Okres przechowywania danych (lata)", 1, 50, "lat")

    # the types that open a case of their own (Office.own_case_types): a box and a JRWA class each,
    # fields added below, one pair per type filed in a case
    OWN_CASE_TYPES = tuple(doctype for doctype in DOCTYPES.values() if doctype.in_case_file)

    def own_case_rows(self) -> list[tuple[BooleanField, StringField]]:
        return [(self[f"own_case_{doctype.id}"], self[f"own_case_jrwa_{doctype.id}"]) for doctype in self.OWN_CASE_TYPES]

    def show_own_cases(self, chosen: dict[str, str]) -> None:
        for doctype in self.OWN_CASE_TYPES:
            self[f"own_case_{doctype.id}"].data = doctype.id in (chosen or {})
            self[f"own_case_jrwa_{doctype.id}"].data = (chosen or {}).get(doctype.id, "")

    def own_case_types(self) -> dict[str, str]:
        return {doctype.id: self[f"own_case_jrwa_{doctype.id}"].data or "" for doctype in self.OWN_CASE_TYPES
                if self[f"own_case_{doctype.id}"].data}


def _jrwa_needs_its_box(type_id: str):
    def check(form, field):
        if field.data and not form[f"own_case_{type_id}"].data:
            raise ValidationError("Symbol JRWA podaje się dla dokumentu z własną sprawą: zaznacz pole obok "
                                  "albo usuń symbol.")
    return check


for _doctype in OfficeForm.OWN_CASE_TYPES:
    setattr(OfficeForm, f"own_case_{_doctype.id}", BooleanField(_doctype.title))
    setattr(OfficeForm, f"own_case_jrwa_{_doctype.id}", _text(
        f"Symbol JRWA – {_doctype.title}", None, 20, validators=[
            Regexp(r"^\d{1,4}$", message="Symbol JRWA to od 1 do 4 cyfr, np. 4101."), _jrwa_needs_its_box(_doctype.id),
        ], render_kw={"inputmode": "numeric"}))
del _doctype


class TemplateUploadForm(PolishForm):
    """An office's Word template of one document type; the template check does the rest."""

    template = FileField("Plik szablonu (.docx)", validators=[
        FileRequired("Wybierz plik szablonu (.docx) zapisany w Wordzie."),
        FileAllowed(["docx"], "Szablon musi być plikiem Word .docx (nie .doc, .docm, .odt ani PDF)."),
    ], render_kw={"accept": ".docx,application/vnd.openxmlformats-officedocument.wordprocessingml.document"})
