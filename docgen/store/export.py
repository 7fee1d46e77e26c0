"""Everything the office holds about one family, as one zip (RODO art. 15 and 20).

    rodzina.json           the case file, the assistant, every document with its data and files
    dokumenty/<file name>  every generated .docx, byte for byte as it was given out

The archive holds the family's personal data, PESELs included: whoever calls this records
an EXPORT entry in the audit trail and hands the bytes only to someone entitled to them.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session, object_session

from ..doctypes import DOCTYPES, UnknownDocType, get_doctype
from . import office_types
from .documents import file_path
from .families import family_to_data
from .models import Document, Family, GeneratedFile

JSON_NAME = "rodzina.json"
FILES_FOLDER = "dokumenty"
FORMAT_VERSION = 1

STATUS_LABELS = {"draft": "szkic", "final": "wygenerowany"}


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)  # SQLite gives back the UTC it stored, naive
    return value.isoformat() if value is not None else None


def _title(doc_type: str) -> str:
    try:
        return get_doctype(doc_type).title
    except UnknownDocType:
        return doc_type


def _archive_name(record: GeneratedFile, document: Document, taken: set[str]) -> str:
    """dokumenty/<the name offered on download>; made unique if two files share a name."""
    name = f"{FILES_FOLDER}/{record.filename}"
    if name in taken:
        name = f"{FILES_FOLDER}/{document.id}_v{record.version}_{record.filename}"
    taken.add(name)
    return name


def export_family(session: Session, family: Family) -> bytes:
    """The zip's bytes. A file missing on disk is listed with "brak_pliku": true; one whose
    bytes no longer match the recorded checksum is included and marked "sha256_zgodny": false."""
    taken: set[str] = set()
    files: list[tuple[str, bytes, GeneratedFile]] = []
    documents: list[dict[str, Any]] = []
    for document in family.documents:
        listed = []
        for record in document.files:
            entry: dict[str, Any] = {
                "wersja": record.version,
                "nazwa_pliku": record.filename,
                "rodzaj": record.kind,
                "rozmiar": record.size,
                "sha256": record.sha256,
                "utworzono": _iso(record.created_at),
                "utworzyl": record.created_by.full_name if record.created_by else None,
                "szablon": record.template_name,
            }
            try:
                content = file_path(record).read_bytes()
            except FileNotFoundError:
                entry["brak_pliku"] = True
            else:
                entry["plik"] = _archive_name(record, document, taken)
                entry["sha256_zgodny"] = hashlib.sha256(content).hexdigest() == record.sha256
                files.append((entry["plik"], content, record))
            listed.append(entry)
        documents.append({
            "id": document.id,
            "typ": document.doc_type,
            "tytul": _title(document.doc_type) if document.doc_type in DOCTYPES else
            office_types.title_of(object_session(document), document.office_id, document.doc_type),
            "status": document.status,
            "status_opis": STATUS_LABELS.get(document.status, document.status),
            "znak_sprawy": document.case_number,
            "wersja": document.version,
            "utworzono": _iso(document.created_at),
            "zmieniono": _iso(document.updated_at),
            "utworzyl": document.created_by.full_name if document.created_by else None,
            "dane": document.data or {},
            "pliki": listed,
        })

    office = family.office
    content = {
        "format": FORMAT_VERSION,
        "wygenerowano": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "osrodek": office.name,
        "rodzina": {
            "id": family.id,
            **family_to_data(family),
            "aktywna": family.active,
            "zakonczenie_pracy": _iso(family.closed_on),
            "zanonimizowano": _iso(family.anonymised_at),
            "utworzono": _iso(family.created_at),
            "zmieniono": _iso(family.updated_at),
        },
        "asystent": family.assistant.full_name if family.assistant else None,
        "dokumenty": documents,
    }

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(JSON_NAME, json.dumps(content, ensure_ascii=False, indent=2) + "\n")
        for name, data, record in files:
            info = zipfile.ZipInfo(name, date_time=_zip_time(record.created_at))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def _zip_time(value: dt.datetime | None) -> tuple[int, int, int, int, int, int]:
    """The file's creation time, in Polish local time as zip readers show it (no time zone
    in the zip format); zip cannot hold dates before 1980."""
    if value is None:
        value = dt.datetime.now(dt.timezone.utc)
    if value.tzinfo is None:  # SQLite gives back naive datetimes: they were stored in UTC
        value = value.replace(tzinfo=dt.timezone.utc)
    try:
        value = value.astimezone(ZoneInfo("Europe/Warsaw"))
    except ZoneInfoNotFoundError:  # no time zone database: UTC is close enough for a file date
        value = value.astimezone(dt.timezone.utc)
    return max(value.timetuple()[:6], (1980, 1, 1, 0, 0, 0))
