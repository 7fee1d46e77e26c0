"""The types of the command line: the built-in and shipped ones always, and with a database also the
office's own (docgen.store.office_types), so `docgen types`, `schema`, `example`, `render` and `validate`
know every type the web app offers. And the definition format on files: `type-export`, `type-infer`."""
from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ..custom.definition import definition_of
from ..custom.shipped import shipped_types
from ..definition import DocType
from ..doctypes import DOCTYPES, UnknownDocType
from .common import EXIT_OK, EXIT_PROBLEMS, CommandError, dump, err, out, pick_office, sqlite_file_missing


def _with_office(office_id: int | None, use):
    """`use(session, office)` with the database's office, or None when there is no database or office."""
    from sqlalchemy import inspect

    from ..store import db
    from ..store.models import Office

    url = db.database_url()
    if sqlite_file_missing(url):
        return None
    engine = db.make_engine(url)
    try:
        with db.make_sessionmaker(engine)() as session:
            if not inspect(session.get_bind()).has_table(Office.__tablename__) or not inspect(
                    session.get_bind()).has_table("office_type"):
                return None
            try:
                office = pick_office(session, office_id)
            except CommandError:
                if office_id is not None:
                    raise
                return None
            return use(session, office)
    finally:
        engine.dispose()


def all_types(office_id: int | None) -> dict[str, DocType]:
    from ..store.office_types import types_for_office

    found = _with_office(office_id, lambda session, office: types_for_office(session, office.id))
    return found if found is not None else {**DOCTYPES, **shipped_types()}


def find_type(type_id: str, office_id: int | None) -> tuple[DocType, bytes | None, str]:
    """The type as the office's new documents are made by; with its stored template and that template's name
    when it is a version of the office's own type (else None, "")."""
    from ..store import office_types

    def lookup(session, office):
        doctype = office_types.office_doctype(session, office.id, type_id)
        version = office_types.current_version(session, office.id, type_id)
        if version is None:
            return doctype, None, ""
        return doctype, office_types.template_bytes(version), f"{version.filename} ({version.title} {version.label})"

    try:
        found = _with_office(office_id, lookup)
    except UnknownDocType as error:
        raise CommandError(error.args[0]) from None
    except office_types.TypeUnavailable as error:
        raise CommandError(str(error)) from None
    if found is not None:
        return found
    types = {**DOCTYPES, **shipped_types()}
    if type_id not in types:
        raise CommandError(f"Nieznany typ dokumentu {type_id!r}. Dostępne: {', '.join(types)}.")
    return types[type_id], None, ""


def cmd_type_export(args: argparse.Namespace) -> int:
    doctype, _, _ = find_type(args.type, args.office)
    text = dump(definition_of(doctype))
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
        out(f"Zapisano {args.output}.")
    else:
        out(text)
    return EXIT_OK


def cmd_type_infer(args: argparse.Namespace) -> int:
    from ..custom.infer import TemplateNotUnderstood, propose
    from ..custom.words import ascii_name

    path = Path(args.file)
    if not path.is_file():
        raise CommandError(f"{path}: nie ma takiego pliku.")
    title = args.title or path.stem
    try:
        definition: dict[str, Any] = propose(path.read_bytes(), type_id=args.id or ascii_name(title, 36), title=title)
    except TemplateNotUnderstood as refused:
        err(f"{path}: z tego szablonu nie da się utworzyć typu dokumentu:")
        for problem in refused.problems:
            err(f"- {problem}")
        return EXIT_PROBLEMS
    text = json.dumps(definition, indent=2, ensure_ascii=False)
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
        out(f"Zapisano {args.output}.")
    else:
        out(text)
    return EXIT_OK
