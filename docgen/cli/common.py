"""What every `docgen` command shares: exit codes, CommandError, the Polish argparse parser, output helpers."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..doctypes import UnknownDocType, get_doctype

EXIT_OK = 0
EXIT_PROBLEMS = 1  # the command ran and found problems (e.g. an incomplete document)
EXIT_USAGE = 2     # wrong input: unknown type, invalid data, missing file, no office

# argparse's own messages are English; the ones a user meets most often, in Polish
_ARGPARSE_PL = (
    ("the following arguments are required", "brakuje wymaganych argumentów"),
    ("unrecognized arguments", "nieznane argumenty"),
    ("invalid choice", "nieprawidłowy wybór"),
    ("choose from", "wybierz spośród"),
    ("expected one argument", "oczekiwano jednej wartości"),
    ("invalid int value", "nieprawidłowa liczba całkowita"),
)


class CommandError(Exception):
    """A problem reported to the user as one message, with an exit code."""

    def __init__(self, message: str, code: int = EXIT_USAGE):
        super().__init__(message)
        self.code = code


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        return super().add_usage(usage, actions, groups, prefix="użycie: " if prefix is None else prefix)


class Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self._positionals.title = "argumenty"
        self._optionals.title = "opcje"
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                          help="pokaż tę pomoc i zakończ")

    def error(self, message: str):
        for english, polish in _ARGPARSE_PL:
            message = message.replace(english, polish)
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: błąd: {message}\n")


def out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def err(text: str) -> None:
    sys.stderr.write(text + "\n")


def find_doctype(type_id: str):
    try:
        return get_doctype(type_id)
    except UnknownDocType as error:
        raise CommandError(error.args[0]) from None


def dump(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


NO_OFFICE = ("W bazie danych nie ma żadnego ośrodka, więc nie ma z czego wziąć nagłówka dokumentu. "
              "Uruchom najpierw `docgen demo` (dane przykładowe) albo dodaj ośrodek w aplikacji.")


def pick_office(session, office_id: int | None):
    from sqlalchemy import inspect, select

    from ..store.models import Office

    if not inspect(session.get_bind()).has_table(Office.__tablename__):
        raise CommandError(NO_OFFICE)
    if office_id is not None:
        office = session.get(Office, office_id)
        if office is None:
            known = session.execute(select(Office.id, Office.name).order_by(Office.id)).all()
            listing = "; ".join(f"{row.id} – {row.name}" for row in known) or "brak"
            raise CommandError(f"Nie ma ośrodka o identyfikatorze {office_id}. Dostępne: {listing}.")
        return office
    office = session.execute(select(Office).order_by(Office.id).limit(1)).scalar_one_or_none()
    if office is None:
        raise CommandError(NO_OFFICE)
    return office


def sqlite_file_missing(url: str) -> bool:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return False
    return not Path(parsed.database).exists()
