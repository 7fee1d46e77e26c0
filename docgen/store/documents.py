"""Documents of a family: created prefilled, numbered once, generated into versioned files."""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..doctypes import get_doctype
from ..prefill import prefill
from ..render import render_valid, template_path
from ..validate import require_valid
from .db import PROJECT_ROOT
from .families import family_to_data
from .models import STATUS_DRAFT, STATUS_FINAL, CaseCounter, Document, Family, GeneratedFile, Office, User


def output_dir() -> Path:
    return Path(os.environ.get("DOCGEN_OUTPUT_DIR", PROJECT_ROOT / "output"))


def case_facts(family: Family, user: User, today: dt.date | None = None) -> dict[str, Any]:
    """What the office already knows about a case, under the keys the definitions prefill from."""
    assistant = family.assistant or user
    return {
        **family_to_data(family),
        "assistant_name": assistant.full_name,
        "office_city": family.office.city,
        "today": (today or dt.date.today()).isoformat(),
    }


def create_document(session: Session, family: Family, doc_type: str, user: User) -> Document:
    doctype = get_doctype(doc_type)
    document = Document(office_id=family.office_id, family=family, doc_type=doctype.id, status=STATUS_DRAFT,
                        data=prefill(doctype, case_facts(family, user)), created_by=user)
    session.add(document)
    session.flush()
    return document


def allocate_case_number(session: Session, office: Office, year: int) -> str:
    """Next number of the office's year, e.g. MOPS.AR.4101.7.2026. The counter row is locked
    (SELECT ... FOR UPDATE on PostgreSQL; SQLite serialises writers), so two users never get one."""
    counter = session.execute(
        select(CaseCounter).where(CaseCounter.office_id == office.id, CaseCounter.year == year).with_for_update()
    ).scalar_one_or_none()
    if counter is None:
        counter = CaseCounter(office_id=office.id, year=year, last_number=0)
        session.add(counter)
    counter.last_number += 1
    session.flush()
    return f"{office.case_prefix}.{office.jrwa_symbol}.{counter.last_number}.{year}"


def safe_filename(text: str) -> str:
    """Polish letters stay; anything that could be a path or confuse a shell does not."""
    text = re.sub(r"[^\w.\-]+", "_", text, flags=re.UNICODE)
    text = re.sub(r"_*\.{2,}_*", "_", text)  # no ".." anywhere
    text = re.sub(r"_{2,}", "_", text).strip("._-")
    return text[:120] or "dokument"


def generate(session: Session, document: Document, user: User, *, today: dt.date | None = None) -> GeneratedFile:
    """Validate and render the document into a new version; earlier versions stay untouched.
    Raises DataInvalid with every problem when the data is not complete."""
    doctype = get_doctype(document.doc_type)
    family = document.family
    office = family.office
    template = template_path(doctype)
    # validate first, so a number is never spent on data that cannot be rendered
    clean = require_valid(doctype, document.data)
    case_number = document.case_number or allocate_case_number(session, office, (today or dt.date.today()).year)
    content = render_valid(doctype, clean, letterhead=office.letterhead(), case_number=case_number,
                           template=template)
    document.case_number = case_number
    document.version += 1
    document.status = STATUS_FINAL
    # the family's name may be shortened, the case number and version never: they keep names unique
    name = (f"{safe_filename(f'{doctype.file_stem}_{family.family_name}')[:80]}_"
            f"{safe_filename(case_number)}_v{document.version}.docx")
    relative = Path(str(office.id)) / str(family.id) / str(document.id) / name
    target = output_dir() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    # "x": a version is never written over
    with open(target, "xb") as handle:
        handle.write(content)
    record = GeneratedFile(document=document, version=document.version, kind="docx", filename=name,
                           storage_path=relative.as_posix(), size=len(content),
                           sha256=hashlib.sha256(content).hexdigest(), template_name=template.name,
                           created_by=user)
    session.add(record)
    session.flush()
    return record


def file_path(record: GeneratedFile) -> Path:
    return output_dir() / record.storage_path
