"""An office's own Word templates: uploaded per document type, checked, kept as versions, one in use.

    version = upload(session, office, "work_plan", data, "plan.docx", admin)   # TemplateRejected: problems
    preview_pages(office, version, pool)          # the type's example rendered with it, as PNG pages
    activate(session, office.id, "work_plan", version, admin)    # None: back to the built-in template
    active_template(session, office.id, "work_plan")             # (bytes, version) or None: built-in

Every upload becomes the type's next version for that office and is not used until activated; any
earlier version, or the built-in template, can be put back. `documents.generate` renders with the
active one and records it on the generated file.

The .docx files are kept under the output folder, szablony/<office>/<type>/v<N>-<digest>.docx, beside
the generated documents (the same disk, the same backup) rather than in the database: the previews
made from them (PDF, page images) are files beside them too, and the database stays small. Each is
written once through a temporary file, fsync and a rename, so nobody reads half a file; the name
carries the digest, so a file left by an upload whose transaction failed is never taken for another
version's, and every read checks the digest recorded in the row.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from dataclasses import asdict
from pathlib import Path

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from ..doctypes import get_doctype
from ..preview import page_images, preview_path
from ..render import render
from ..templates import TemplateRejected, checked_problems
from .locking import lock
from .models import ActiveTemplate, Office, TemplateVersion, User

FOLDER = "szablony"
PREVIEW_PAGES = 4
PREVIEW_DPI = 80

UNAVAILABLE = ("Plik szablonu ośrodka v{number} ({filename}) jest niedostępny albo został zmieniony poza "
               "aplikacją. Administrator może przywrócić inną wersję albo szablon wbudowany i wgrać szablon "
               "ponownie.")


class TemplateUnavailable(Exception):
    """The stored file of a version is gone or not what was uploaded; the message is Polish."""


def _output_dir() -> Path:
    from .documents import output_dir  # documents imports this module

    return output_dir()


def _write_atomically(target: Path, content: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def shown_name(filename: str) -> str:
    """The uploaded file's own name, without any folder a browser sent, for people to recognise it."""
    name = Path((filename or "").replace("\\", "/")).name
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[-255:] or "szablon.docx"


# --- reading -----------------------------------------------------------------------------

def versions(session: Session, office_id: int, doc_type: str) -> list[TemplateVersion]:
    """The office's versions of the type, the newest first."""
    return list(session.scalars(select(TemplateVersion).where(TemplateVersion.office_id == office_id,
                                                              TemplateVersion.doc_type == doc_type)
                                .order_by(TemplateVersion.number.desc())))


# built once: every generation asks, and building a statement costs about as much as running this one
_ACTIVE_VERSION = (select(TemplateVersion).join(ActiveTemplate, ActiveTemplate.version_id == TemplateVersion.id)
                   .where(ActiveTemplate.office_id == bindparam("office_id"),
                          ActiveTemplate.doc_type == bindparam("doc_type")))


def active_version(session: Session, office_id: int, doc_type: str) -> TemplateVersion | None:
    """The version the office's new documents of the type are made from; None: the built-in template."""
    return session.scalar(_ACTIVE_VERSION, {"office_id": office_id, "doc_type": doc_type})


def overview(session: Session, office_id: int) -> dict[str, tuple[TemplateVersion | None, int]]:
    """Per document type that has any: (the version in use or None, how many versions there are)."""
    counts = dict(session.execute(select(TemplateVersion.doc_type, func.count(TemplateVersion.id))
                                  .where(TemplateVersion.office_id == office_id)
                                  .group_by(TemplateVersion.doc_type)).all())
    active = {version.doc_type: version for version in session.scalars(
        select(TemplateVersion).join(ActiveTemplate, ActiveTemplate.version_id == TemplateVersion.id)
        .where(ActiveTemplate.office_id == office_id))}
    return {doc_type: (active.get(doc_type), count) for doc_type, count in counts.items()}


def file_of(version: TemplateVersion) -> Path:
    return _output_dir() / version.storage_path


def template_bytes(version: TemplateVersion) -> bytes:
    """The version's .docx as uploaded; TemplateUnavailable when the file is gone or changed."""
    try:
        data = file_of(version).read_bytes()
    except OSError:
        data = None
    if data is None or hashlib.sha256(data).hexdigest() != version.sha256:
        raise TemplateUnavailable(UNAVAILABLE.format(number=version.number, filename=version.filename))
    return data


def active_template(session: Session, office_id: int, doc_type: str) -> tuple[bytes, TemplateVersion] | None:
    """What to render the office's documents of the type with: (bytes, version), or None for the built-in."""
    version = active_version(session, office_id, doc_type)
    return None if version is None else (template_bytes(version), version)


# --- changing ----------------------------------------------------------------------------

def _lock_office(session: Session, office_id: int) -> None:
    """Serialise uploads and switches of one office: what is read next is current until commit
    (the office's row locked on PostgreSQL, the database on SQLite; docgen.store.locking)."""
    lock(session, select(Office.id).where(Office.id == office_id)).all()


def upload(session: Session, office: Office, doc_type: str, data: bytes, filename: str,
           user: User | None) -> TemplateVersion:
    """Check the template and keep it as the type's next version of the office, not in use yet.
    Raises TemplateRejected with every problem (in Polish, with places); nothing is stored then."""
    doctype = get_doctype(doc_type)
    problems = checked_problems(bytes(data), doctype)
    if problems:
        raise TemplateRejected(problems)
    _lock_office(session, office.id)
    number = (session.scalar(select(func.max(TemplateVersion.number)).where(
        TemplateVersion.office_id == office.id, TemplateVersion.doc_type == doctype.id)) or 0) + 1
    digest = hashlib.sha256(data).hexdigest()
    relative = Path(FOLDER) / str(office.id) / doctype.id / f"v{number}-{digest[:16]}.docx"
    _write_atomically(_output_dir() / relative, bytes(data))
    version = TemplateVersion(office_id=office.id, doc_type=doctype.id, number=number, filename=shown_name(filename),
                              storage_path=relative.as_posix(), size=len(data), sha256=digest, checked=True,
                              uploaded_by_id=user.id if user is not None else None)
    session.add(version)
    session.flush()
    return version


def activate(session: Session, office_id: int, doc_type: str, version: TemplateVersion | None,
             user: User | None) -> None:
    """Put `version` in use for the office's new documents of the type; None: the built-in template.
    The version is checked again (the check may have grown stricter since it was uploaded):
    TemplateRejected or TemplateUnavailable, and nothing changes."""
    doctype = get_doctype(doc_type)
    if version is not None:
        if version.office_id != office_id or version.doc_type != doctype.id:
            raise ValueError("Ta wersja szablonu należy do innego ośrodka albo typu dokumentu.")
        problems = checked_problems(template_bytes(version), doctype)
        if problems:
            raise TemplateRejected(problems)
    _lock_office(session, office_id)
    row = session.get(ActiveTemplate, (office_id, doctype.id), populate_existing=True)
    if row is None:
        row = ActiveTemplate(office_id=office_id, doc_type=doctype.id)
        session.add(row)
    row.version = version
    row.changed_by_id = user.id if user is not None else None
    row.changed_at = dt.datetime.now(dt.timezone.utc)
    session.flush()


# --- the preview: the type's example rendered with a version ------------------------------

def sample_case_number(office: Office) -> str:
    return f"{office.case_prefix}.{office.jrwa_symbol}.1.{dt.date.today().year}"


def _preview_stem(office: Office, version: TemplateVersion) -> Path:
    """Per version and letterhead: a changed letterhead makes a new preview."""
    key = hashlib.sha256(json.dumps([version.sha256, asdict(office.letterhead()), sample_case_number(office)],
                                    ensure_ascii=False).encode()).hexdigest()[:16]
    return _output_dir() / FOLDER / str(office.id) / version.doc_type / "podglad" / f"v{version.number}-{key}"


def preview_document(office: Office, version: TemplateVersion) -> Path:
    """The type's example rendered with the version, with the office's letterhead; made once.
    Raises TemplateUnavailable, or TemplateRejected when the template fails now."""
    target = _preview_stem(office, version).with_suffix(".docx")
    if not target.is_file():
        doctype = get_doctype(version.doc_type)
        content = render(doctype, doctype.example(), letterhead=office.letterhead(),
                         case_number=sample_case_number(office), template=template_bytes(version))
        _write_atomically(target, content)
    return target


def preview_pdf(office: Office, version: TemplateVersion, pool) -> Path:
    """The example as a PDF through a docgen.pdf.PdfPool, made once (PdfError when it cannot be)."""
    target = _preview_stem(office, version).with_suffix(".pdf")
    if not target.is_file():
        pool.convert(preview_document(office, version), target)
    return target


def preview_pages(office: Office, version: TemplateVersion, pool) -> list[Path]:
    """PNG images of the example's first pages, made once (PdfError when they cannot be)."""
    return page_images(preview_pdf(office, version, pool), pages=PREVIEW_PAGES, dpi=PREVIEW_DPI)


def preview_image(office: Office, version: TemplateVersion, page: int) -> Path:
    """Where the image of `page` of the version's preview is (made by preview_pages)."""
    return preview_path(_preview_stem(office, version).with_suffix(".pdf"), page)
