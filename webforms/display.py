"""How stored values read on pages: the same Polish formatting the documents use."""
from __future__ import annotations

import datetime as dt
from typing import Any

from babel.dates import format_time, format_timedelta, get_timezone

from docgen.casefile import PERSON_DETAILS, PLACEMENT_FIELDS
from docgen.definition import BOOL, CHOICE, DATE, Field
from docgen.formatting import LOCALE, date_long
from docgen.store.lifecycle import retention_ends

STATUS_LABELS = {"draft": "szkic", "final": "wygenerowany"}
JOB_STATUS_LABELS = {"queued": "w kolejce", "running": "w toku", "finished": "gotowy", "failed": "nieudany"}
ACTION_LABELS = {
    "view": "podgląd", "create": "utworzenie", "update": "zmiana", "generate": "wygenerowanie dokumentu",
    "download": "pobranie pliku", "delete": "usunięcie", "export": "eksport danych", "anonymise": "anonimizacja",
    "close": "zakończenie pracy", "reopen": "wznowienie pracy",
    "login": "logowanie", "login_failed": "nieudane logowanie", "logout": "wylogowanie",
    "request": "zmiana konta do potwierdzenia", "confirm": "potwierdzenie zmiany konta",
    "refuse": "odrzucenie zmiany konta", "cancel": "wycofanie zmiany konta",
}
OBJECT_LABELS = {"family": "rodzina", "document": "dokument", "file": "plik", "user": "konto", "office": "ośrodek",
                 "print_job": "wydruk zbiorczy", "institution": "placówka z wykazu", "template": "szablon dokumentu",
                 "office_type": "typ dokumentu ośrodka", "calendar_feed": "adres kalendarza (.ics)",
                 "api_token": "token API"}
# what a "view" entry's page was, for the head reading the trail
PAGE_LABELS = {
    "families.show": "strona rodziny", "families.edit": "edycja danych rodziny",
    "documents.step": "krok kreatora", "documents.review": "podsumowanie dokumentu",
    "documents.download": "pobranie pliku", "documents.download_pdf": "pobranie pliku PDF",
    "documents.preview": "podgląd dokumentu", "documents.preview_image": "podgląd strony dokumentu",
    "families.export": "eksport danych", "documents.delete_draft": "usuwanie szkicu",
    # the same reads by another system of the office, through the API (webforms/api)
    "api.family": "API: karta rodziny", "api.document": "API: dokument", "api.problems": "API: problemy dokumentu",
    "api.versions": "API: wersje dokumentu", "api.file_docx": "API: pobranie pliku",
    "api.file_pdf": "API: pobranie pliku PDF",
}
OFFICE_TIMEZONE = get_timezone("Europe/Warsaw")


def polish_date(value: dt.date | dt.datetime | str | None) -> str:
    """The one way pages show a date: '3 grudnia 2026 r.'; a moment also with its local time,
    '3 grudnia 2026 r., 10:36' (stored in UTC, SQLite returns it without a zone)."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=dt.timezone.utc)
        local = moment.astimezone(OFFICE_TIMEZONE)
        return f"{date_long(local.date())}, {format_time(local, 'HH:mm', locale=LOCALE)}"
    return date_long(value)


def days(count: int) -> str:
    """'1 dzień', '12 dni' (Babel's Polish plural forms)."""
    return format_timedelta(dt.timedelta(days=count), granularity="day", threshold=10**6, locale=LOCALE)


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


def person_details(person) -> list[str]:
    """What the family card records about a person beyond the name and role, for the family page."""
    details = []
    for spec in PERSON_DETAILS + (PLACEMENT_FIELDS if person.foster_care else ()):
        value = getattr(person, spec.name, None)
        if value not in (None, ""):
            details.append(f"{spec.label}: {show_value(spec, value)}")
    return details


def register(app) -> None:
    app.jinja_env.globals.update(show_value=show_value, person_details=person_details,
                                 status_label=lambda s: STATUS_LABELS.get(s, s),
                                 required_when_hint=required_when_hint, days=days,
                                 action_label=lambda a: ACTION_LABELS.get(a, a), retention_ends=retention_ends,
                                 object_label=lambda o: OBJECT_LABELS.get(o, o),
                                 detail_label=lambda d: PAGE_LABELS.get(d, d),
                                 job_status_label=lambda s: JOB_STATUS_LABELS.get(s, s))
    # one filter for every date on a page; "czas" is the same filter, for templates that show a moment
    app.jinja_env.filters["data"] = polish_date
    app.jinja_env.filters["czas"] = polish_date
