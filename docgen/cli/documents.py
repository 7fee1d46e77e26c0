"""The commands on document types and documents: types, schema, example, render and validate."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from ..doctypes import DOCTYPES
from ..schema import json_schema
from .common import (EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, NO_OFFICE, CommandError, find_doctype, dump, err, out,
                     pick_office, sqlite_file_missing)
from .pdf import docx_to_pdf, require_libreoffice, writable_target
from .templates import checked_template


# --- document types ---------------------------------------------------------------------

def cmd_types(args: argparse.Namespace) -> int:
    types = [{"id": doctype.id, "title": doctype.title} for doctype in DOCTYPES.values()]
    if args.json:
        out(dump(types))
    else:
        for item in types:
            out(f"{item['id']}\t{item['title']}")
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    out(dump(json_schema(find_doctype(args.type))))
    return EXIT_OK


def cmd_example(args: argparse.Namespace) -> int:
    out(dump(find_doctype(args.type).example()))
    return EXIT_OK


# --- render -----------------------------------------------------------------------------

def _read_json(path: str) -> Any:
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CommandError(f"{path}: nie ma takiego pliku.") from None
    except UnicodeDecodeError:
        raise CommandError(f"{path}: plik nie jest tekstem w kodowaniu UTF-8.") from None
    except OSError as error:
        raise CommandError(f"{path}: nie można odczytać pliku ({error.strerror}).") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise CommandError(f"{path}: nieprawidłowy JSON (wiersz {error.lineno}, kolumna {error.colno}): "
                           f"{error.msg}.") from None


def _render(render_valid, clean, doctype, office, case_number: str, template: Path,
            checked: bytes | None) -> bytes:
    from ..templates import TemplateRejected

    try:
        return render_valid(doctype, clean, letterhead=office.letterhead(), case_number=case_number,
                            template=checked if checked is not None else template)
    except TemplateRejected as error:
        raise CommandError(f"{template}: {error}", EXIT_PROBLEMS) from None


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def cmd_render(args: argparse.Namespace) -> int:
    from ..render import render_valid
    from ..templates.engine import template_path
    from ..store import db
    from ..store.cases import UnknownCase, find_case, open_case, own_case_class
    from ..validate import blocking, require_valid, validate, warnings

    doctype = find_doctype(args.type)
    pdf_target = writable_target(args.pdf, ".pdf") if args.pdf else None
    if pdf_target:
        require_libreoffice()  # before a case number is spent
    data = _read_json(args.input)
    issues = validate(doctype, data)
    confirmed = [issue.key for issue in warnings(issues)] if args.accept_warnings else []
    for issue in issues:
        err(str(issue))  # one line per problem, "path: message"; nothing else on stderr
    if blocking(issues, confirmed):
        if not blocking([issue for issue in issues if not issue.warning]):
            err("Same ostrzeżenia: sprawdź je i wygeneruj z opcją --accept-warnings.")
        return EXIT_USAGE

    template = Path(args.template) if args.template else template_path(doctype)
    if not template.is_file():
        raise CommandError(f"Nie ma szablonu {template}.")
    # a template of one's own is checked before a case number is spent on it; what passed is rendered
    checked = checked_template(template, doctype) if args.template else None
    output = Path(args.output)
    if output.is_dir():
        raise CommandError(f"{output} jest katalogiem; podaj nazwę pliku .docx.")
    if not output.parent.is_dir():
        raise CommandError(f"Katalog {output.parent} nie istnieje.")

    url = db.database_url()
    if sqlite_file_missing(url):
        raise CommandError(NO_OFFICE)
    engine = db.make_engine(url)
    try:
        with db.make_sessionmaker(engine)() as session:
            office = pick_office(session, args.office)
            case_number = ""  # a family member's letter or CV: no case, no number
            if doctype.in_case_file and args.case_number:
                try:
                    case_number = find_case(session, office, args.case_number).reference
                except UnknownCase as error:
                    raise CommandError(f"--znak: {error}") from None
            elif doctype.in_case_file:  # a document outside any family's record: a case of its own
                case_number = open_case(session, office, own_case_class(office, doctype) or office.jrwa_symbol,
                                        dt.date.today(), opened_by=doctype.id).reference
            clean = require_valid(doctype, data, confirmed)
            content = _render(render_valid, clean, doctype, office, case_number, template, checked)
            # the number is spent only once the document exists: write aside, commit, then rename
            handle, temporary = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".tmp")
            try:
                with os.fdopen(handle, "wb") as stream:
                    stream.write(content)
                    stream.flush()
                    os.fsync(stream.fileno())
                os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual mode
                session.commit()
                os.replace(temporary, output)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
    finally:
        engine.dispose()
    numbered = f"znak sprawy {case_number}, " if case_number else ""
    out(f"Zapisano {output} ({numbered}ośrodek: {office.name}).")
    if pdf_target:
        docx_to_pdf(output, pdf_target)
        out(f"Zapisano {pdf_target}.")
    return EXIT_OK


# --- validate a .docx -------------------------------------------------------------------

def cmd_validate(args: argparse.Namespace) -> int:
    doctype = find_doctype(args.type)
    path = Path(args.file)
    if not path.is_file():
        raise CommandError(f"{path}: nie ma takiego pliku.")
    from ..docxcheck import check_docx

    problems = check_docx(doctype, path)
    if not problems:
        out("Dokument kompletny.")
        return EXIT_OK
    out(f"Dokument niekompletny ({doctype.title}):")
    for problem in problems:
        out(f"- {problem}")
    return EXIT_PROBLEMS
