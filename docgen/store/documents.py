"""Documents of a family: created prefilled, numbered once, generated into versioned files."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import string
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.attributes import set_committed_value

from ..casefile import MEMBERS, family_name_genitive
from ..facts import EarlierDocument, document_facts
from ..formatting import as_date
from ..prefill import prefill
from ..people import disability_line, members_text, person_facts, placements_text, work_line
from ..definition import Issue
from ..polish import sex_of
from ..render import render_valid
from ..rules import birth_date_of, full_name, is_adult
from ..templates.engine import template_path
from ..validate import DataInvalid, require_valid, validate, warnings
from .db import PROJECT_ROOT
from . import templates as office_templates
from .cases import case_for
from .office_types import doctype_of, new_document_version, office_doctype, template_of
from .families import ART_17, _same_name, accounts_named, family_to_data, same_person
from .locking import lock
from .models import (ROLE_HEAD, STATUS_DRAFT, STATUS_FINAL, CaseFile, Document, Family, GeneratedFile, Office,
                     TemplateVersion, User)


def output_dir() -> Path:
    return Path(os.environ.get("DOCGEN_OUTPUT_DIR", PROJECT_ROOT / "output"))


def _head_name(session: Session | None, office: Office) -> str | None:
    if session is None:
        return None
    return session.scalar(select(User.full_name).where(User.office_id == office.id, User.role == ROLE_HEAD,
                                                       User.active.is_(True)).order_by(User.id).limit(1))


def _dated(person: dict[str, Any]) -> dict[str, Any]:
    """A child's row with the birth date read from the PESEL when only that was recorded."""
    born = birth_date_of(person)
    return {**person, "birth_date": born.isoformat() if born else None}


# who writes for the family by default (a letter's sender, a CV's person): a parent or guardian first
_HEAD_RELATIONS = ("matka", "ojciec", "opiekun")
_POSTCODE = re.compile(r",\s*(?=\d{2}-\d{3}\b)")


def address_lines(address: str | None) -> str | None:
    """'ul. Leśna 12 m. 4, 11-440 Lipowiec' -> 'ul. Leśna 12 m. 4\\n11-440 Lipowiec': as a letter prints it."""
    return _POSTCODE.sub("\n", address, count=1) if address else address


def earlier_documents(family: Family, exclude: Document | None = None) -> list[EarlierDocument]:
    return [EarlierDocument(d.doc_type, d.data or {}, d.case_number, d.document_date, d.updated_at or d.created_at)
            for d in family.documents if d is not exclude and d.id is not None]


def case_facts(family: Family, user: User, today: dt.date | None = None,
               exclude: Document | None = None) -> dict[str, Any]:
    """What the office already knows about a case, under the keys the definitions prefill from:
    the family record, the people and the office, and the family's earlier documents."""
    assistant = family.assistant or user
    record = family_to_data(family)
    if family.social_worker is not None:  # an account: its holder's name as it is now
        record["social_worker_name"] = family.social_worker.full_name
    # the role as printed, for free-text fields that take it ("opiekun prawny", not the code)
    day = today or dt.date.today()
    members = record["members"] = [{**m, "relation_label": MEMBERS.field("relation").choice_label(m["relation"]),
                                    "adult": is_adult(m, day), "name": full_name(m),
                                    "profile_start": person_facts(m)}
                                   for m in record["members"]]
    adults = [m for m in members if m["adult"]]
    heads = [m for m in adults if m.get("relation") in _HEAD_RELATIONS] or adults
    facts = document_facts(earlier_documents(family, exclude), work_start=record.get("assignment_date"))
    work_end = family.closed_on.isoformat() if family.closed_on else facts.get("closing_report.work_end")
    return {
        **facts,
        **record,
        "children": [_dated(m) for m in members if m.get("relation") == "dziecko"],
        "adults": adults,  # who signs for the family (an office's own types prefill their lists from it)
        # the genitive as documents print it: the card's, else declined from the name (office's own types)
        "family_name_genitive": family_name_genitive(record),
        "children_in_care": [_dated(m) for m in members if m.get("foster_care")],
        "assistant_name": assistant.full_name,
        "head_name": _head_name(object_session(family), family.office),
        "office_name": family.office.name,
        "office_city": family.office.city,
        "today": day.isoformat(),
        # the family member who writes a letter or a CV unless another is picked
        "family_head_name": heads[0]["name"] if heads else None,
        "family_head_sex": sex_of(heads[0]) if heads else None,
        "family_head_phone": heads[0].get("phone") if heads else None,
        "family_head_email": heads[0].get("email") if heads else None,
        # what the card says about the people, as a start of the documents' own text (docgen.people)
        "children_in_care_text": placements_text(members),
        "members_work": members_text(adults, work_line),
        "members_disability": members_text(members, disability_line),
        "address_lines": address_lines(record.get("address")),
        "work_start": record.get("assignment_date"),
        "work_end": work_end,
    }


def creation_refusal(family: Family, doc_type: str) -> str | None:
    """Why a document of this type cannot be started for this family (the plan a child in foster
    care needs), in Polish; None when it can. The validator checks the same again on generation."""
    in_care = [f"{person.first_name} {person.last_name}" for person in family.members if person.foster_care]
    if doc_type == "work_plan" and in_care:
        return (f"{', '.join(in_care)} – dziecko przebywa w pieczy zastępczej, więc pracę z rodziną prowadzi się "
                "według planu skoordynowanego z planem pomocy dziecku (art. 15 ust. 1 pkt 2 ustawy). "
                "Utwórz „Plan pracy z rodziną skoordynowany z planem pomocy dziecku”.")
    if doc_type == "coordinated_plan" and not in_care:
        return ("Plan skoordynowany sporządza się, gdy dziecko z rodziny przebywa w pieczy zastępczej. "
                "Zaznacz to w danych rodziny („Przebywa w pieczy zastępczej” przy dziecku).")
    return None


def people_issues(session: Session, document: Document) -> list[Issue]:
    """art. 17, compared as people: the document's assistant and social worker are resolved to the
    office's accounts (the family card's accounts when the document names the card's people, else
    the one account of that name) and refused when they are one account. A social worker without an
    account is not the assistant, who has one."""
    data, family = document.data or {}, document.family
    worker_name, assistant_name = data.get("social_worker_name"), data.get("assistant_name")
    if not worker_name or not assistant_name:
        return []
    card_worker = family.social_worker.full_name if family.social_worker else family.social_worker_name
    worker_on_card = family.social_worker_id and _same_name(worker_name, card_worker)
    card_assistant = family.assistant.full_name if family.assistant else None
    assistant_on_card = _same_name(assistant_name, card_assistant)
    worker_named, assistant_named = accounts_named(session, family.office_id, None if worker_on_card else worker_name,
                                                   None if assistant_on_card else assistant_name)
    worker = family.social_worker_id if worker_on_card else worker_named
    assistant = family.assistant_id if assistant_on_card else assistant_named
    if same_person(assistant, worker):
        return [Issue("social_worker_name", f"{ART_17}: {worker_name} i {assistant_name} to jedno konto "
                                            "w programie. Wskaż pracownika socjalnego rodziny.")]
    return []


def document_issues(session: Session, document: Document) -> list[Issue]:
    """Everything that stops the document from being generated: its type's rules, and art. 17."""
    return validate(doctype_of(document), document.data) + people_issues(session, document)


def create_document(session: Session, family: Family, doc_type: str, user: User) -> Document:
    """A new draft prefilled from the case facts. Raises ValueError (Polish) when `creation_refusal` says no."""
    doctype = office_doctype(session, family.office_id, doc_type)  # built-in, shipped or the office's own
    refusal = creation_refusal(family, doctype.id)
    if refusal:
        raise ValueError(refusal)
    document = Document(office_id=family.office_id, family=family, doc_type=doctype.id, status=STATUS_DRAFT,
                        data=prefill(doctype, case_facts(family, user)), created_by=user,
                        type_version_id=new_document_version(session, family.office_id, doctype.id))
    session.add(document)
    session.flush()
    return document


class StepConflict(Exception):
    """Someone else saved the same step of the draft after the page was shown; nothing was saved."""

    def __init__(self) -> None:
        super().__init__("Ktoś inny zapisał ten krok w czasie, gdy był otwarty na tym ekranie. Twoje zmiany nie "
                         "zostały jeszcze zapisane – są poniżej, tak jak je wpisano. Sprawdź zapisaną wersję tego kroku "
                         "(link poniżej) i kliknij przycisk jeszcze raz, aby zapisać swoją.")


def step_revision(data: dict[str, Any], keys: Any) -> str:
    """A fingerprint of the stored values of one step's keys: the step's page carries it, and
    save_step compares it, so a save made from an outdated page of that step is noticed."""
    payload = json.dumps({key: data.get(key) for key in sorted(keys)}, ensure_ascii=False, sort_keys=True,
                         default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:24]


def save_step(session: Session, document: Document, section_data: dict[str, Any],
              expected_revision: str | None = None) -> bool:
    """Write one step's values into the draft: only its own keys, merged into the row as it is now
    (locked and re-read), so two people saving different steps at once both keep their work.
    `expected_revision` (step_revision of the step when its page was shown) guards the same step:
    when someone else changed it meanwhile and this save would overwrite that, StepConflict and
    nothing is written. True when anything changed (the document is a draft again); Busy when the
    row stays locked too long. The caller commits."""
    _lock_document(session, document)
    current = document.data or {}
    if all(current.get(key) == value for key, value in section_data.items()):
        return False
    if expected_revision is not None and step_revision(current, section_data) != expected_revision:
        raise StepConflict()
    document.data = {**current, **section_data}
    document.status = STATUS_DRAFT
    session.flush()
    return True


def confirm_warnings(document: Document, keys: Iterable[str]) -> list[Issue]:
    """Record that the user confirmed, on purpose, the document's current warnings named by `keys`
    (their `Issue.key`); a key the data no longer raises is dropped. Returns the warnings still open."""
    # under the document's lock, on its data as it is now: two people confirming at once both count
    _lock_document(object_session(document), document)
    current = warnings(validate(doctype_of(document), document.data))
    wanted = set(keys) | set(document.confirmed_warnings or ())
    document.confirmed_warnings = sorted(issue.key for issue in current if issue.key in wanted)
    return [issue for issue in current if issue.key not in wanted]


def delete_draft(session: Session, document: Document) -> None:
    """Delete a document never generated: it has no case number, no file, nothing filed. A document
    with versions stays (it was handed out under its case number); ValueError in Polish says so."""
    _lock_document(session, document)  # a generation at the same moment numbers it first, or waits
    if document.version or document.files or document.case_number:
        raise ValueError("Tego dokumentu nie można usunąć: ma wygenerowane wersje i znak sprawy, które muszą "
                         "zostać w aktach. Usunąć można tylko szkic, którego nigdy nie wygenerowano.")
    if document.family is not None and document in document.family.documents:
        document.family.documents.remove(document)
    session.delete(document)
    session.flush()


def safe_filename(text: str) -> str:
    """Polish letters stay; anything that could be a path or confuse a shell does not."""
    text = re.sub(r"[^\w.\-]+", "_", text, flags=re.UNICODE)
    text = re.sub(r"_*\.{2,}_*", "_", text)  # no ".." anywhere
    text = re.sub(r"_{2,}", "_", text).strip("._-")
    return text[:120] or "dokument"


class AlreadyGenerated(Exception):
    """The document got a new version after the page asking for one was shown: a second click of
    "Generuj" (or a colleague's at the same moment) makes no second version. The message is Polish."""

    def __init__(self, version: int) -> None:
        self.version = version
        super().__init__(f"Wersja {version} tego dokumentu powstała przed chwilą (np. po dwukrotnym kliknięciu "
                         "„Generuj”), więc nie utworzono kolejnej – plik jest na liście wygenerowanych plików. "
                         "Jeśli potrzebna jest nowa wersja, kliknij „Generuj” jeszcze raz.")


@dataclass(frozen=True)
class _Rendering:
    """A document rendered from one state of its data: what a version records."""

    data: dict[str, Any]
    confirmed_warnings: list[str]
    case: CaseFile | None
    case_number: str | None
    clean: dict[str, Any]
    content: bytes
    template: TemplateVersion | None
    template_name: str  # what the version records as its template


def ascii_filename(text: str) -> str:
    """'Łucja Żak-Wiśniewska' -> 'Lucja_Zak-Wisniewska': a name any mailbox or upload form takes."""
    folded = unicodedata.normalize("NFKD", text.replace("ł", "l").replace("Ł", "L"))
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).encode("ascii", "ignore").decode()
    return safe_filename(folded)


def file_names(doctype, clean: dict[str, Any], family_name: str, case_number: str | None,
               version: int) -> tuple[str, str]:
    """(the name a version is offered under, its file's name on disk) from the type's `file_name`.
    Each value is made safe on its own and may be shortened, the case number never. A document
    that leaves the office is offered without a version under an ASCII name ("CV_Anna_Zawadzka.docx");
    the version in the name on disk and the document's folder keep files apart."""
    safe = ascii_filename if doctype.leaves_office else safe_filename
    values = {**clean, "file_stem": doctype.file_stem, "family_name": family_name,
              "date": clean.get(doctype.date_field)}
    parts = {}
    for _, name, _, _ in string.Formatter().parse(doctype.file_name):
        if name is None:
            continue
        value = case_number if name == "case_number" else values.get(name)
        text = value.strip() if isinstance(value, str) else ""
        # a field left empty is named by nothing
        parts[name] = "" if not text else safe(text) if name == "case_number" else safe(text)[:80].strip("._-")
    stem = re.sub(r"_{2,}", "_", doctype.file_name.format_map(parts)).strip("._-") or doctype.file_stem
    on_disk = f"{stem}_v{version}.docx"
    return (f"{stem}.docx" if doctype.leaves_office else on_disk), on_disk


def _render(session: Session, document: Document, doctype, today: dt.date | None) -> _Rendering:
    office = document.family.office
    # the office's own template of the type when it chose one (TemplateUnavailable when its file is
    # gone), else the built-in one, rendered unchecked as before
    chosen = office_templates.active_template(session, office.id, doctype.id)
    template, used = (template_path(doctype), None) if chosen is None else chosen
    # a version of an office's own type: its uploaded template, checked on every render (TypeUnavailable)
    own = template_of(document)
    if own is not None:
        template = own[0]
    # validate first, so a number is never spent on data that cannot be rendered
    clean = require_valid(doctype, document.data, document.confirmed_warnings or ())
    refused = people_issues(session, document)
    if refused:
        raise DataInvalid(refused)
    # the family's case (or the document's own), opened now if this is its first document; none for a
    # letter or a CV. A failure below rolls the new case back with the rest: the number is not lost
    case = case_for(session, document, doctype, today or dt.date.today())
    case_number = case.reference if case is not None else document.case_number if doctype.in_case_file else None
    content = render_valid(doctype, clean, letterhead=office.letterhead(), case_number=case_number or "",
                           template=template)
    name = own[1] if own is not None else template_label(doctype, used)
    return _Rendering(document.data, list(document.confirmed_warnings or ()), case, case_number, clean, content, used,
                      name)


# what a generation or a save reads of the document's row under its lock
_LOCKED_COLUMNS = ("version", "status", "data", "case_number", "case_file_id", "document_date", "confirmed_warnings")


def _lock_document(session: Session, document: Document) -> None:
    """Lock the document's row (locking.lock) and take its current values into `document`, without
    reloading its family and office as a re-read of the whole object would."""
    case_file_id = document.case_file_id
    row = lock(session, select(*(getattr(Document, name) for name in _LOCKED_COLUMNS))
               .where(Document.id == document.id)).one()
    for name, value in zip(_LOCKED_COLUMNS, row):
        set_committed_value(document, name, value)
    if document.case_file_id != case_file_id:
        # another generation opened the document's case meanwhile: load that case, not the one remembered
        session.expire(document, ["case_file"])


def generate(session: Session, document: Document, user: User, *, today: dt.date | None = None,
             expected_version: int | None = None) -> GeneratedFile:
    """Validate and render the document into a new version; earlier versions stay untouched.
    Raises DataInvalid with every problem when the data is not complete, an unconfirmed warning
    included (`confirm_warnings`); with the office's own template of the type in use, TemplateUnavailable (its file is gone) or TemplateRejected (it
    fails the template check now) - all in Polish. The file records the template it was made from.

    The version is numbered and recorded under the document's lock (_lock_document), so
    simultaneous generations of one document take turns and get distinct versions;
    `expected_version` (the version the page showed) turns a repeated request into
    AlreadyGenerated instead of another version. Busy when the row stays locked too long.
    A numbered document is rendered before the lock is taken (on SQLite the lock holds the whole
    database) and rendered again under it only when its data changed meanwhile."""
    doctype = doctype_of(document)
    early = None
    # rendering writes nothing when the document needs no new znak (it has one, or is a letter or a CV)
    needs_no_case = document.case_number or not doctype.in_case_file
    if needs_no_case and (expected_version is None or document.version == expected_version):
        early = _render(session, document, doctype, today)
    _lock_document(session, document)
    if expected_version is not None and document.version != expected_version:
        raise AlreadyGenerated(document.version)
    family = document.family
    office = family.office
    if (early is not None and early.data == document.data and early.case_number == document.case_number
            and early.confirmed_warnings == list(document.confirmed_warnings or ())):
        rendering = early
    else:
        rendering = _render(session, document, doctype, today)
    clean, content, used, case_number = rendering.clean, rendering.content, rendering.template, rendering.case_number
    document.case_file, document.case_number = rendering.case, case_number
    document.document_date = as_date(clean.get(doctype.date_field)) or today or dt.date.today()
    document.version += 1
    document.status = STATUS_FINAL
    name, on_disk = file_names(doctype, clean, family.family_name, case_number, document.version)
    relative = Path(str(office.id)) / str(family.id) / str(document.id) / on_disk
    _write_version(session, output_dir() / relative, relative.as_posix(), content)
    record = GeneratedFile(document=document, version=document.version, kind="docx", filename=name,
                           storage_path=relative.as_posix(), size=len(content),
                           sha256=hashlib.sha256(content).hexdigest(), template_name=rendering.template_name,
                           template_version_id=used.id if used else None,
                           template_version_number=used.number if used else None, created_by=user)
    session.add(record)
    session.flush()
    return record


def _write_version(session: Session, target: Path, storage_path: str, content: bytes) -> None:
    """Write a version's file once ("x": never over another version). A file already under the name
    that no row records is what a generation left when its transaction never committed (the process
    died, the commit failed): under the document's lock nobody else can be writing it, so it is replaced."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(target, "xb") as handle:
            handle.write(content)
    except FileExistsError:
        if session.scalar(select(GeneratedFile.id).where(GeneratedFile.storage_path == storage_path)) is not None:
            raise
        leftover = target.with_name(f".{target.name}.part")
        leftover.write_bytes(content)
        os.replace(leftover, target)


def template_label(doctype, version: TemplateVersion | None) -> str:
    """What a generated file records as its template: "work_plan.docx (wbudowany)", "szablon ośrodka v3 (…)"."""
    if version is None:
        return f"{doctype.template} (wbudowany)"
    return f"{version.label} ({version.filename})"[:255]


def file_path(record: GeneratedFile) -> Path:
    return output_dir() / record.storage_path
