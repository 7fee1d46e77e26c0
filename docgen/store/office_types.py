"""The document types of an office: the built-in ones, the shipped ones (docgen/custom/shipped) and its own,
defined without code from a Word template; drafted, corrected, published, versioned.

The one registry every consumer asks (the web app, the CLI, the JSON API):

    types_for_office(session, office_id)        # {id: DocType} an office's new documents can be of
    office_doctype(session, office_id, type_id)  # one of them; UnknownDocType (Polish) otherwise
    doctype_of(document)                        # the type a document is made by (its own version)

Each gives a `DocType` like the built-in ones: `docgen.schema.json_schema(doctype)`, `doctype.example()`,
the validator, the wizard and the renderer work on it unchanged.

An office's type lives as versions (OfficeTypeVersion): a definition (JSON) and a Word template, kept
under the output folder (typy/<office>/<type>/v<N>-<digest>.docx), written once through a temporary file.
A draft is corrected in place; publishing freezes it and makes it the one new documents are made by
(OfficeType). A document keeps the version it was started on (Document.type_version_id): a published
change never touches it, and it moves to a newer version only when the assistant confirms it
(`migration_offer`, `migrate_document`). Generated files are never rewritten.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, object_session

from ..custom.definition import DefinitionRejected, definition_of, definition_problems, doctype_from_definition
from ..custom.infer import TemplateNotUnderstood, largest_data_problems, propose
from ..custom.shipped import ORDER as SHIPPED_ORDER, shipped_definition, shipped_types
from ..custom.words import ascii_name
from ..definition import DocType, Repeat
from ..doctypes import DOCTYPES, UnknownDocType, get_doctype
from ..templates import TemplateProblem, check_template
from ..templates.engine import template_path
from .models import TYPE_DRAFT, TYPE_PUBLISHED, Document, Office, OfficeType, OfficeTypeVersion, User
from .templates import shown_name, _write_atomically

FOLDER = "typy"
UNAVAILABLE = ("Plik szablonu typu „{title}” ({label}, „{filename}”) jest niedostępny albo został zmieniony poza "
               "aplikacją. Administrator może opublikować inną wersję typu.")


class TypeUnavailable(Exception):
    """A version's stored template is gone or changed; the message is Polish."""


class TypeRejected(Exception):
    """A definition or a template that cannot be a type (now); `problems` in Polish with places."""

    def __init__(self, problems: list[TemplateProblem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


def _output_dir() -> Path:
    from .documents import output_dir  # documents imports this module

    return output_dir()


# --- one version's DocType, built once per content --------------------------------------------

_BUILT: OrderedDict[tuple[int, str], DocType] = OrderedDict()
_BUILT_LOCK = threading.Lock()


def _digest(definition: Any) -> str:
    return hashlib.sha256(json.dumps(definition, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def version_doctype(version: OfficeTypeVersion) -> DocType:
    """The version's type; the same object while its definition is the same (the template check and the
    wizard's forms are cached by it). A stored definition that no longer passes (the format grew
    stricter) raises TypeRejected."""
    key = (version.id, _digest(version.definition))
    with _BUILT_LOCK:
        found = _BUILT.get(key)
        if found is not None:
            _BUILT.move_to_end(key)
            return found
    try:
        doctype = doctype_from_definition(version.definition)
    except DefinitionRejected as rejected:
        raise TypeRejected(rejected.problems) from None
    with _BUILT_LOCK:
        _BUILT[key] = doctype
        while len(_BUILT) > 256:
            _BUILT.popitem(last=False)
    return doctype


def template_bytes(version: OfficeTypeVersion) -> bytes:
    """The version's .docx as uploaded; TypeUnavailable when the file is gone or changed."""
    try:
        data = (_output_dir() / version.storage_path).read_bytes()
    except OSError:
        data = None
    if data is None or hashlib.sha256(data).hexdigest() != version.sha256:
        raise TypeUnavailable(UNAVAILABLE.format(title=version.title, label=version.label, filename=version.filename))
    return data


# --- the registry -----------------------------------------------------------------------------

def _rows(session: Session, office_id: int) -> dict[str, OfficeType]:
    return {row.type_id: row for row in session.scalars(select(OfficeType).where(OfficeType.office_id == office_id))}


def types_for_office(session: Session, office_id: int) -> dict[str, DocType]:
    """Every type the office's new documents can be of, in the order "Nowy dokument" offers them: the
    built-in types, the shipped ones (the office's own version where it published one), then the office's
    own, by title. A withdrawn type is left out."""
    rows = _rows(session, office_id)
    found: dict[str, DocType] = dict(DOCTYPES)
    shipped = shipped_types()
    for type_id in SHIPPED_ORDER:
        row = rows.get(type_id)
        if row is not None and row.withdrawn:
            continue
        found[type_id] = version_doctype(row.version) if row is not None and row.version is not None \
            else shipped[type_id]
    own = [version_doctype(row.version) for type_id, row in rows.items()
           if type_id not in found and type_id not in shipped and not row.withdrawn and row.version is not None]
    for doctype in sorted(own, key=lambda d: d.title.casefold()):
        found[doctype.id] = doctype
    return found


def office_doctype(session: Session, office_id: int, type_id: str) -> DocType:
    """One type the office's new documents can be of; UnknownDocType (Polish, listing them) otherwise."""
    types = types_for_office(session, office_id)
    try:
        return types[type_id]
    except KeyError:
        known = ", ".join(types)
        raise UnknownDocType(f"Nieznany typ dokumentu {type_id!r}. Dostępne: {known}.") from None


def current_version(session: Session, office_id: int, type_id: str) -> OfficeTypeVersion | None:
    """The version the office's new documents of the type are made by; None: built-in or shipped as shipped."""
    row = session.get(OfficeType, (office_id, type_id))
    return row.version if row is not None else None


def doctype_of(document: Document) -> DocType:
    """The type `document` is made by: its own version of an office's type, else the built-in or shipped one."""
    if document.type_version_id is not None:
        session = object_session(document)
        version = session.get(OfficeTypeVersion, document.type_version_id) if session is not None else None
        if version is not None:
            return version_doctype(version)
    if document.doc_type in DOCTYPES:
        return get_doctype(document.doc_type)
    shipped = shipped_types()
    if document.doc_type in shipped:
        return shipped[document.doc_type]
    raise UnknownDocType(f"Nieznany typ dokumentu {document.doc_type!r}.")


def title_of(session: Session, office_id: int, type_id: str) -> str:
    """How lists name a type: its title (an office's own type: of its newest version), else its id."""
    if type_id in DOCTYPES:
        return DOCTYPES[type_id].title
    title = session.scalar(select(OfficeTypeVersion.title).where(OfficeTypeVersion.office_id == office_id,
                                                                 OfficeTypeVersion.type_id == type_id)
                           .order_by(OfficeTypeVersion.number.desc()).limit(1))
    if title:
        return title
    shipped = shipped_types()
    return shipped[type_id].title if type_id in shipped else type_id


@dataclass(frozen=True)
class TypeName:
    id: str
    title: str


def named_types(session: Session, office_id: int) -> dict[str, TypeName]:
    """Every type the office's documents may be of (offered now or not), by id, with its title: for lists."""
    names = {type_id: TypeName(type_id, doctype.title) for type_id, doctype in DOCTYPES.items()}
    names.update((type_id, TypeName(type_id, doctype.title)) for type_id, doctype in shipped_types().items())
    for type_id, title in session.execute(
            select(OfficeTypeVersion.type_id, OfficeTypeVersion.title).where(OfficeTypeVersion.office_id == office_id)
            .order_by(OfficeTypeVersion.number)):
        if type_id not in DOCTYPES and (type_id not in names or not is_shipped(type_id)):
            names[type_id] = TypeName(type_id, title)
    for type_id, doctype in types_for_office(session, office_id).items():
        names[type_id] = TypeName(type_id, doctype.title)
    return names


def template_of(document: Document) -> tuple[bytes, str] | None:
    """For a document made by a version of an office's type: (its template's bytes, how the generated file
    names it); None for the other documents. TypeUnavailable when the file is gone."""
    if document.type_version_id is None:
        return None
    session = object_session(document)
    version = session.get(OfficeTypeVersion, document.type_version_id) if session is not None else None
    if version is None:
        return None
    return template_bytes(version), f"typ ośrodka „{version.title}” {version.label} ({version.filename})"[:255]


# --- the office's types, for the administration ----------------------------------------------------

@dataclass(frozen=True)
class TypeSummary:
    type_id: str
    title: str
    shipped: bool
    current: OfficeTypeVersion | None      # published version in use (None: shipped as shipped / none yet)
    withdrawn: bool
    versions: int
    draft: OfficeTypeVersion | None        # the newest unpublished version, if any


def office_types(session: Session, office_id: int) -> list[TypeSummary]:
    """The shipped types and the office's own, with what is in use and what waits as a draft."""
    rows = _rows(session, office_id)
    versions = list(session.scalars(select(OfficeTypeVersion).where(OfficeTypeVersion.office_id == office_id)
                                    .order_by(OfficeTypeVersion.number.desc())))
    by_type: dict[str, list[OfficeTypeVersion]] = {}
    for version in versions:
        by_type.setdefault(version.type_id, []).append(version)
    shipped = shipped_types()
    ids = list(SHIPPED_ORDER) + sorted((t for t in by_type if t not in shipped),
                                       key=lambda t: by_type[t][0].title.casefold())
    out = []
    for type_id in ids:
        row, own = rows.get(type_id), by_type.get(type_id, [])
        draft = next((v for v in own if v.status == TYPE_DRAFT), None)
        current = row.version if row is not None else None
        title = current.title if current else (shipped[type_id].title if type_id in shipped else own[0].title)
        out.append(TypeSummary(type_id, title, type_id in shipped, current, bool(row and row.withdrawn), len(own),
                               draft))
    return out


def versions_of(session: Session, office_id: int, type_id: str) -> list[OfficeTypeVersion]:
    return list(session.scalars(select(OfficeTypeVersion).where(OfficeTypeVersion.office_id == office_id,
                                                                OfficeTypeVersion.type_id == type_id)
                                .order_by(OfficeTypeVersion.number.desc())))


def is_shipped(type_id: str) -> bool:
    return type_id in shipped_types()


def _lock_office(session: Session, office_id: int) -> None:
    """Serialise the office's changes of types: a row lock on PostgreSQL; on SQLite a write first, which
    takes the database's one write lock before anything is read."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(update(Office).where(Office.id == office_id).values(id=Office.id))
    else:
        session.execute(select(Office.id).where(Office.id == office_id).with_for_update())


def _new_type_id(session: Session, office_id: int, title: str) -> str:
    taken = set(DOCTYPES) | set(shipped_types()) | set(session.scalars(
        select(OfficeTypeVersion.type_id).where(OfficeTypeVersion.office_id == office_id).distinct()))
    base = ascii_name(title, 36) or "typ"
    candidate, number = base, 2
    while candidate in taken or candidate in {"data", "typ"}:
        candidate = f"{base[:34]}_{number}"
        number += 1
    return candidate


def _store(session: Session, office: Office, type_id: str, title: str, definition: dict[str, Any], data: bytes,
           filename: str, user: User | None, based_on: str) -> OfficeTypeVersion:
    _lock_office(session, office.id)
    number = (session.scalar(select(func.max(OfficeTypeVersion.number)).where(
        OfficeTypeVersion.office_id == office.id, OfficeTypeVersion.type_id == type_id)) or 0) + 1
    digest = hashlib.sha256(data).hexdigest()
    relative = Path(FOLDER) / str(office.id) / type_id / f"v{number}-{digest[:16]}.docx"
    _write_atomically(_output_dir() / relative, bytes(data))
    version = OfficeTypeVersion(office_id=office.id, type_id=type_id, number=number, title=title,
                                definition=definition, filename=shown_name(filename), storage_path=relative.as_posix(),
                                size=len(data), sha256=digest, status=TYPE_DRAFT, based_on=based_on[:200],
                                created_by_id=user.id if user is not None else None)
    session.add(version)
    session.flush()
    return version


def _merged(proposed: dict[str, Any], earlier: dict[str, Any] | None) -> dict[str, Any]:
    """The proposal with what an earlier definition (the type's previous version, or a type it starts
    from) said of the same names: labels, kinds, help, choices, rules the admin already corrected. The
    steps and their order stay the new template's."""
    if not earlier:
        return proposed
    known: dict[str, dict[str, Any]] = {}
    titles: dict[str, dict[str, Any]] = {}
    for section in earlier.get("sections", []):
        if isinstance(section, dict):
            if section.get("heading"):
                titles[section["heading"]] = section
            for item in section.get("items", []) or []:
                if isinstance(item, dict) and isinstance(item.get("name"), str):
                    known[item["name"]] = item
    for section in proposed["sections"]:
        old = titles.get(section.get("heading") or "\0")
        if old:
            section["title"] = old.get("title", section["title"])
            section["name"] = old.get("name", section["name"]) if old.get("name") not in {
                s["name"] for s in proposed["sections"] if s is not section} else section["name"]
            for key in ("help", "statement", "optional"):
                if key in old:
                    section[key] = old[key]
        items = []
        for item in section["items"]:
            old_item = known.get(item["name"])
            if old_item is not None and _keeps(old_item, item):
                merged = dict(old_item)
                if item.get("kind") == "rows":
                    old_rows = {f.get("name"): f for f in old_item.get("fields", []) if isinstance(f, dict)}
                    merged["fields"] = [old_rows[f["name"]] if f["name"] in old_rows and _keeps(old_rows[f["name"]], f)
                                        else f for f in item["fields"]]
                item = merged
            items.append(item)
        section["items"] = items
    for key in ("legal_basis", "file_stem", "description"):
        if earlier.get(key):
            proposed[key] = earlier[key]
    names = {item["name"] for section in proposed["sections"] for item in section["items"]}
    proposed["rules"] = [rule for rule in earlier.get("rules", []) if isinstance(rule, dict)
                         and str(rule.get("field", "")).split(".")[0] in names
                         and str(rule.get("after", "")).split(".")[0] in names]
    return proposed


def _keeps(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Whether an earlier description of a name still fits its use in the new template: the same kind, or
    the new one only a guess from the name (a plain or long text)."""
    before, now = old.get("kind", "text"), new.get("kind", "text")
    if (before == "rows") != (now == "rows"):
        return False
    return before == now or now in ("text", "textarea")


def start_type(session: Session, office: Office, data: bytes, filename: str, user: User | None, *, title: str,
               type_id: str | None = None, start_from: dict[str, Any] | None = None,
               based_on: str = "szablon Word") -> OfficeTypeVersion:
    """A new draft version drafted from a Word template: of a new type (`type_id` None) or of an existing
    one (the office's own or a shipped one). Names the earlier definition (`start_from`, else the type's
    newest version, else the shipped one) already describes keep what it says. TypeRejected (Polish, with
    places) when the template cannot become a type; nothing is stored then."""
    title = " ".join((title or "").split())[:200]
    if not title:
        raise TypeRejected([TemplateProblem("Podaj nazwę typu dokumentu, np. „Notatka z rozmowy z pedagogiem”.")])
    if type_id is None:
        type_id = _new_type_id(session, office.id, title)
        earlier = start_from
    else:
        newest = versions_of(session, office.id, type_id)
        earlier = start_from or (newest[0].definition if newest else (
            shipped_definition(type_id) if is_shipped(type_id) else None))
    try:
        definition = _merged(propose(bytes(data), type_id=type_id, title=title), earlier)
    except TemplateNotUnderstood as refused:
        raise TypeRejected(refused.problems) from None
    problems = definition_problems(definition) or _template_problems(data, definition)
    if problems:  # what the earlier definition said no longer fits the template: the plain proposal
        definition = propose(bytes(data), type_id=type_id, title=title)
    return _store(session, office, type_id, title, definition, data, filename, user, based_on)


def _template_problems(data: bytes, definition: dict[str, Any]) -> list[TemplateProblem]:
    try:
        doctype = doctype_from_definition(definition)
    except DefinitionRejected as rejected:
        return rejected.problems
    return list(check_template(data, doctype)) or largest_data_problems(data, doctype)


def copy_to_draft(session: Session, office: Office, type_id: str, user: User | None) -> OfficeTypeVersion:
    """A new draft to change a type: a copy of the version in use (or of the shipped type, its definition
    and template). An existing draft of the type is returned instead of a second one."""
    existing = next((v for v in versions_of(session, office.id, type_id) if v.status == TYPE_DRAFT), None)
    if existing is not None:
        return existing
    current = current_version(session, office.id, type_id)
    if current is not None:
        return _store(session, office, type_id, current.title, json.loads(json.dumps(current.definition)),
                      template_bytes(current), current.filename, user, f"wersja {current.label}")
    if is_shipped(type_id):
        doctype = shipped_types()[type_id]
        return _store(session, office, type_id, doctype.title, shipped_definition(type_id),
                      template_path(doctype).read_bytes(), doctype.template, user, "typ dostarczony z programem")
    newest = versions_of(session, office.id, type_id)
    if not newest:
        raise UnknownDocType(f"Nieznany typ dokumentu {type_id!r}.")
    return _store(session, office, type_id, newest[0].title, json.loads(json.dumps(newest[0].definition)),
                  template_bytes(newest[0]), newest[0].filename, user, f"wersja {newest[0].label}")


def version_problems(version: OfficeTypeVersion, definition: dict[str, Any] | None = None) -> list[TemplateProblem]:
    """Everything wrong with a version (or with `definition` for its template): the definition's own
    problems, then the template check against the type it makes."""
    definition = version.definition if definition is None else definition
    problems = definition_problems(definition)
    if problems:
        return problems
    if definition.get("id") != version.type_id:
        return [TemplateProblem(f"identyfikator typu nie może się zmienić (jest „{version.type_id}”).", "definicja")]
    try:
        data = template_bytes(version)
    except TypeUnavailable as missing:
        return [TemplateProblem(str(missing))]
    return heading_order_problems(data, definition) or _template_problems(data, definition)


def save_draft(session: Session, version: OfficeTypeVersion, definition: dict[str, Any]) -> None:
    """Correct a draft's definition; TypeRejected with every problem (then nothing changes)."""
    if version.status != TYPE_DRAFT:
        raise TypeRejected([TemplateProblem("Opublikowanej wersji nie zmienia się: utwórz nową wersję typu.")])
    problems = version_problems(version, definition)
    if problems:
        raise TypeRejected(problems)
    version.definition = definition
    version.title = definition["title"]
    session.flush()


def publish(session: Session, version: OfficeTypeVersion, user: User | None) -> None:
    """Make a draft the version the office's new documents are made by. Checked again (definition and
    template); TypeRejected and nothing changes. Documents made by earlier versions keep them."""
    if version.status == TYPE_PUBLISHED:
        raise TypeRejected([TemplateProblem(f"Wersja {version.label} jest już opublikowana.")])
    problems = version_problems(version)
    if problems:
        raise TypeRejected(problems)
    _lock_office(session, version.office_id)
    now = dt.datetime.now(dt.timezone.utc)
    version.status = TYPE_PUBLISHED
    version.published_at = now
    version.published_by_id = user.id if user is not None else None
    _point(session, version.office_id, version.type_id, version, False, user, now)


def _point(session: Session, office_id: int, type_id: str, version: OfficeTypeVersion | None, withdrawn: bool,
           user: User | None, now: dt.datetime | None = None) -> None:
    row = session.get(OfficeType, (office_id, type_id))
    if row is None:
        row = OfficeType(office_id=office_id, type_id=type_id)
        session.add(row)
    row.version = version
    row.withdrawn = withdrawn
    row.changed_by_id = user.id if user is not None else None
    row.changed_at = now or dt.datetime.now(dt.timezone.utc)
    session.flush()


def use_version(session: Session, office_id: int, type_id: str, version: OfficeTypeVersion | None,
                user: User | None) -> None:
    """Put an earlier published version back in use, or (None) a shipped type as shipped."""
    if version is None and not is_shipped(type_id):
        raise ValueError("Ten typ nie ma wersji dostarczonej z programem.")
    if version is not None and (version.office_id != office_id or version.type_id != type_id
                                or version.status != TYPE_PUBLISHED):
        raise ValueError("Tej wersji nie można przywrócić: należy do innego typu albo nie jest opublikowana.")
    _lock_office(session, office_id)
    _point(session, office_id, type_id, version, False, user)


def withdraw(session: Session, office_id: int, type_id: str, user: User | None, withdrawn: bool = True) -> None:
    """Stop (or start again) offering the type for new documents; documents made already keep working."""
    _lock_office(session, office_id)
    row = session.get(OfficeType, (office_id, type_id))
    _point(session, office_id, type_id, row.version if row is not None else None, withdrawn, user)


def delete_draft(session: Session, version: OfficeTypeVersion) -> None:
    """Delete a draft version (no document is made by a draft). Its file stays until cleaned by hand: a
    file of the same digest may be another version's."""
    if version.status != TYPE_DRAFT:
        raise ValueError("Opublikowanej wersji nie usuwa się – dokumenty mogły z niej powstać.")
    session.delete(version)
    session.flush()


def export_definition(doctype: DocType) -> dict[str, Any]:
    """Any type as a definition file (docgen/custom/definition.py): to start an office's own type from."""
    return definition_of(doctype)


# --- a document on an older version -----------------------------------------------------------

@dataclass(frozen=True)
class MigrationOffer:
    """A document made by an older version of its type, and what moving it to the current one changes."""

    current: OfficeTypeVersion | None   # None: back to the shipped version
    label: str                          # "v3" or "wersja dostarczona z programem"
    added: tuple[str, ...]              # labels of the questions the new version adds
    dropped: tuple[str, ...]            # labels of the filled fields whose answers the new version drops
    changed: tuple[str, ...]            # labels of fields whose kind changed (their answers are dropped)


def _shape(doctype: DocType) -> dict[str, tuple[str, str, dict[str, str]]]:
    out: dict[str, tuple[str, str, dict[str, str]]] = {}
    for _, item in doctype.items():
        if isinstance(item, Repeat):
            out[item.name] = ("rows", item.label, {f.name: f.kind for f in item.fields})
        else:
            out[item.name] = (item.kind, item.label, {})
    return out


def _filled(value: Any) -> bool:
    return value not in (None, "", [], False)


def migration_offer(session: Session, document: Document) -> MigrationOffer | None:
    """What moving `document` to the version of its type now in use would change; None when it is
    already there (or its type is built-in or no longer offered)."""
    if document.doc_type in DOCTYPES:
        return None
    row = session.get(OfficeType, (document.office_id, document.doc_type))
    if row is not None and row.withdrawn:
        return None
    current = row.version if row is not None else None
    if (current.id if current is not None else None) == document.type_version_id:
        return None
    if current is None and not is_shipped(document.doc_type):
        return None
    old, new = doctype_of(document), (version_doctype(current) if current is not None
                                      else shipped_types()[document.doc_type])
    old_shape, new_shape, data = _shape(old), _shape(new), document.data or {}
    added = tuple(label for name, (_, label, _) in new_shape.items() if name not in old_shape)
    dropped = tuple(label for name, (_, label, _) in old_shape.items() if name not in new_shape
                    and _filled(data.get(name)))
    changed = tuple(label for name, (kind, label, rows) in new_shape.items() if name in old_shape
                    and (old_shape[name][0] != kind or any(old_shape[name][2].get(f) not in (None, k)
                                                           for f, k in rows.items()))
                    and _filled(data.get(name)))
    return MigrationOffer(current, current.label if current is not None else "wersja dostarczona z programem",
                          added, dropped, changed)


def migrate_document(session: Session, document: Document, user: User) -> MigrationOffer:
    """Move `document` to the version of its type now in use, with the assistant's confirmation: the
    answers to the fields both versions ask (of the same kind) stay, a new field starts prefilled from the
    family card, the rest is dropped as the offer said. Generated files are not touched."""
    offer = migration_offer(session, document)
    if offer is None:
        raise ValueError("Ten dokument jest już zgodny z obowiązującą wersją swojego typu.")
    from ..prefill import prefill
    from .documents import case_facts  # documents imports this module

    old = doctype_of(document)
    new = version_doctype(offer.current) if offer.current is not None else shipped_types()[document.doc_type]
    old_shape, new_shape, data = _shape(old), _shape(new), document.data or {}
    fresh = prefill(new, case_facts(document.family, user, exclude=document))
    moved: dict[str, Any] = {}
    for name, (kind, _, rows) in new_shape.items():
        before = old_shape.get(name)
        if before is None or before[0] != kind:
            moved[name] = fresh.get(name)
        elif kind == "rows":
            moved[name] = [{field: (row.get(field) if before[2].get(field) == row_kind else None)
                            for field, row_kind in rows.items()} for row in data.get(name) or []
                           if isinstance(row, dict)]
        else:
            moved[name] = data.get(name)
    document.data = moved
    document.type_version_id = offer.current.id if offer.current is not None else None
    document.confirmed_warnings = []
    session.flush()
    return offer


def new_document_version(session: Session, office_id: int, type_id: str) -> int | None:
    """The version a new document of the type is made by (its id), None for built-in and shipped ones."""
    version = current_version(session, office_id, type_id)
    return version.id if version is not None else None



# --- the preview: the type's example rendered with a version's template ------------------------

PREVIEW_PAGES = 4
PREVIEW_DPI = 80


def _preview_stem(office: Office, version: OfficeTypeVersion) -> Path:
    """Per template, definition and letterhead: a changed draft or letterhead makes a new preview."""
    from dataclasses import asdict

    from .templates import sample_case_number

    key = hashlib.sha256(json.dumps([version.sha256, _digest(version.definition), asdict(office.letterhead()),
                                     sample_case_number(office)], ensure_ascii=False).encode()).hexdigest()[:16]
    return _output_dir() / FOLDER / str(office.id) / version.type_id / "podglad" / f"v{version.number}-{key}"


def preview_document(office: Office, version: OfficeTypeVersion) -> Path:
    """The type's example rendered with the version's template and the office's letterhead, made once.
    TypeUnavailable, TypeRejected, or TemplateRejected when the template fails the check now."""
    from ..render import render
    from .templates import sample_case_number

    target = _preview_stem(office, version).with_suffix(".docx")
    if not target.is_file():
        doctype = version_doctype(version)
        # a document outside the family's case prints no znak: neither does its preview
        content = render(doctype, doctype.example(), letterhead=office.letterhead(),
                         case_number=sample_case_number(office) if doctype.in_case_file else "",
                         template=template_bytes(version))
        _write_atomically(target, content)
    return target


def preview_pages(office: Office, version: OfficeTypeVersion, pool) -> list[Path]:
    """PNG images of the example's first pages through a docgen.pdf.PdfPool (PdfError when they cannot be)."""
    from ..preview import page_images

    pdf = _preview_stem(office, version).with_suffix(".pdf")
    if not pdf.is_file():
        pool.convert(preview_document(office, version), pdf)
    return page_images(pdf, pages=PREVIEW_PAGES, dpi=PREVIEW_DPI)


def preview_image(office: Office, version: OfficeTypeVersion, page: int) -> Path:
    from ..preview import preview_path

    return preview_path(_preview_stem(office, version).with_suffix(".pdf"), page)


def heading_order_problems(data: bytes, definition: dict[str, Any]) -> list[TemplateProblem]:
    """Steps with a heading follow the template's order of those headings (every document is checked for
    its sections in order, docgen.docxcheck); steps without a heading may stand anywhere."""
    import io

    from docx import Document as WordDocument

    from ..custom.infer import _headings

    try:
        order = [heading.text for heading in _headings(WordDocument(io.BytesIO(data)))[0]]
    except Exception:  # noqa: BLE001 - an unreadable template is reported by the template check
        return []
    steps = [(s.get("title", ""), s.get("heading")) for s in definition.get("sections", []) if isinstance(s, dict)]
    positions = [(title, heading, order.index(heading)) for title, heading in steps if heading in order]
    for (title_a, heading_a, a), (title_b, heading_b, b) in zip(positions, positions[1:]):
        if b < a:
            return [TemplateProblem(f"krok „{title_a}” (nagłówek „{heading_a}”) stoi przed krokiem „{title_b}” "
                                    f"(„{heading_b}”), a w szablonie odwrotnie. Kroki z nagłówkami idą w kolejności "
                                    "nagłówków dokumentu; kroki bez nagłówka można ustawiać dowolnie.", "kolejność kroków")]
    return []
