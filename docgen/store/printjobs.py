"""The print office: pick many generated documents, print them into one PDF in the background.

A job is a stored row; `run_print_job(job_id, …)` is all a runner has to call, so the
embedded runner (`docgen.jobs`, a thread of the app) can give way to a real queue (RQ,
Celery) later without changing this module. Whoever runs a job touches its heartbeat; a
queued or running job whose heartbeat stopped (the app was restarted) is reported as failed,
never as stuck.
"""
from __future__ import annotations

import concurrent.futures
import dataclasses
import datetime as dt
import logging
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Protocol

from pypdf import PdfReader
from sqlalchemy import Select, delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from ..doctypes import DOCTYPES, get_doctype
from ..pdf import FAILED_MESSAGE, PdfBusy, PdfCrashed, PdfError, Stack, bookmark, put_first, write
from ..printbook import Entry, cover_sheet
from . import office_types
from .documents import file_path, output_dir
from .models import (JOB_FAILED, JOB_FINISHED, JOB_QUEUED, JOB_RUNNING, Document, Family, GeneratedFile, Office,
                     PrintJob, User)

log = logging.getLogger(__name__)

MAX_JOB_DOCUMENTS = 300
HEARTBEAT_SECONDS = 5
# how often a running job saves its progress: the page asks every 0.7 s, and a commit after each of a
# hundred documents took the stack time
PROGRESS_SECONDS = 0.5
# no heartbeat for this long: the runner is gone
STALE_SECONDS = 30
# a merged stack holds many families' data: it is kept only for a week
KEEP_DAYS = 7
# how long a document waits for a free LibreOffice worker while people print single documents
BUSY_RETRY_SECONDS = 120
SELECTION_LIMIT = 1000

INTERRUPTED = ("Wydruk został przerwany, bo program albo proces drukujący zatrzymał się w trakcie pracy (np. ponowne "
               "uruchomienie, awaria). Zleć go jeszcze raz.")
NOTHING_PRINTED = "Nie udało się wydrukować żadnego dokumentu."
MISSING_FILE = "Brak pliku tej wersji na dysku."
COVER_TITLE = "Strona tytułowa z wykazem"
UNEXPECTED = "Nieoczekiwany błąd drukarni. Zleć wydruk jeszcze raz; jeśli się powtórzy, zgłoś to administratorowi."

_TYPE_ORDER = {type_id: index for index, type_id in enumerate(DOCTYPES)}


class Converter(Protocol):
    """What a job needs from LibreOffice: docgen.pdf.PdfPool has it."""

    def convert(self, source: Path, out_path: Path) -> Path: ...


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)  # SQLite drops the zone


# --- choosing what to print --------------------------------------------------------------

@dataclass(frozen=True)
class Printable:
    """The latest generated version of one document."""

    file_id: int
    document_id: int
    doc_type: str
    family_id: int
    family_name: str
    case_number: str
    document_date: dt.date | None
    version: int
    # an office's own or shipped type: its title (docgen.store.office_types.title_of)
    type_title: str = ""

    @property
    def title(self) -> str:
        return self.type_title or get_doctype(self.doc_type).title

    @property
    def name(self) -> str:
        # a family member's letter or CV has no znak
        return f"{self.title} – rodzina {self.family_name}" + (f" ({self.case_number})" if self.case_number else "")


def printable_documents(session: Session, families: Select, *, doc_type: str | None = None,
                        family_id: int | None = None, date_from: dt.date | None = None,
                        date_to: dt.date | None = None, file_ids: Iterable[int] | None = None) -> list[Printable]:
    """The latest version of every generated document of `families` (a select of the families
    the user may see) that matches the filters, in print order: by family, then in the order of
    the work with a family, then by date."""
    visible = families.with_only_columns(Family.id).subquery()
    query = (select(GeneratedFile.id, Document.id, Document.doc_type, Family.id, Family.family_name,
                    Document.case_number, Document.document_date, GeneratedFile.version)
             .join(Document, GeneratedFile.document_id == Document.id)
             .join(Family, Document.family_id == Family.id)
             .where(Family.id.in_(select(visible.c.id)), GeneratedFile.version == Document.version,
                    GeneratedFile.kind == "docx", Family.anonymised_at.is_(None)))
    if doc_type:
        query = query.where(Document.doc_type == doc_type)
    if family_id:
        query = query.where(Family.id == family_id)
    if date_from:
        query = query.where(Document.document_date >= date_from)
    if date_to:
        query = query.where(Document.document_date <= date_to)
    if file_ids is not None:
        query = query.where(GeneratedFile.id.in_(list(file_ids)))
    rows = [Printable(*row) for row in session.execute(query.order_by(Family.family_name, Family.id)
                                                       .limit(SELECTION_LIMIT))]
    rows = [_titled(session, p) for p in rows]
    rows.sort(key=lambda p: (p.family_name.casefold(), p.family_id, _TYPE_ORDER.get(p.doc_type, 99),
                             p.document_date or dt.date.min, p.document_id))
    return rows


def _titled(session: Session, printable: Printable) -> Printable:
    if printable.doc_type in DOCTYPES:
        return printable
    office_id = session.scalar(select(Family.office_id).where(Family.id == printable.family_id))
    return dataclasses.replace(printable, type_title=office_types.title_of(session, office_id, printable.doc_type))


def create_job(session: Session, user: User, files: list[Printable], *, title: str, cover_sheet: bool = True,
               duplex: bool = False) -> PrintJob:
    if not files:
        raise ValueError("Zaznacz co najmniej jeden dokument do wydruku.")
    if len(files) > MAX_JOB_DOCUMENTS:
        raise ValueError(f"Jeden wydruk może objąć najwyżej {MAX_JOB_DOCUMENTS} dokumentów "
                         f"(zaznaczono {len(files)}). Podziel go na mniejsze.")
    purge_old_jobs(session)
    job = PrintJob(office_id=user.office_id, created_by_id=user.id, title=title.strip()[:200] or "Wydruk",
                   file_ids=[p.file_id for p in files], cover_sheet=cover_sheet, duplex=duplex,
                   status=JOB_QUEUED, heartbeat_at=now(), failures=[], message="", output_path="")
    session.add(job)
    session.flush()
    return job


# --- its state ---------------------------------------------------------------------------

def settle_if_stale(job: PrintJob, moment: dt.datetime | None = None) -> bool:
    """Mark a job whose runner stopped beating as failed; True when it changed."""
    moment = moment or now()
    if job.status in (JOB_QUEUED, JOB_RUNNING) and (moment - _aware(job.heartbeat_at)).total_seconds() > STALE_SECONDS:
        job.status, job.message, job.finished_at = JOB_FAILED, INTERRUPTED, moment
        return True
    return False


def settle_stale_jobs(session: Session, moment: dt.datetime | None = None) -> int:
    """At start-up: every job left queued or running by a stopped runner becomes failed."""
    moment = moment or now()
    cutoff = moment - dt.timedelta(seconds=STALE_SECONDS)
    result = session.execute(update(PrintJob)
                             .where(PrintJob.status.in_((JOB_QUEUED, JOB_RUNNING)), PrintJob.heartbeat_at < cutoff)
                             .values(status=JOB_FAILED, message=INTERRUPTED, finished_at=moment))
    return result.rowcount or 0


def beat(session: Session, job_ids: Iterable[int]) -> None:
    ids = list(job_ids)
    if ids:
        session.execute(update(PrintJob).where(PrintJob.id.in_(ids), PrintJob.status.in_((JOB_QUEUED, JOB_RUNNING)))
                        .values(heartbeat_at=now()))


def job_pdf(job: PrintJob) -> Path | None:
    if job.status != JOB_FINISHED or not job.output_path:
        return None
    path = output_dir() / job.output_path
    return path if path.is_file() else None


def state(job: PrintJob) -> dict[str, Any]:
    """What the progress bar shows."""
    total = job.total
    return {"id": job.id, "status": job.status, "done": job.done, "total": total,
            "percent": 100 if job.status in (JOB_FINISHED, JOB_FAILED) else (job.done * 100 // total if total else 0),
            "failures": job.failures or [], "message": job.message, "pages": job.pages}


def purge_old_jobs(session: Session, moment: dt.datetime | None = None) -> int:
    """Finished stacks older than KEEP_DAYS go, with their files. One DELETE decides which: a list
    read before it could be stale, and SQLite gives a deleted row's id to the next new job."""
    cutoff = (moment or now()) - dt.timedelta(days=KEEP_DAYS)
    gone = session.execute(delete(PrintJob).where(PrintJob.created_at < cutoff,
                                                  PrintJob.status.in_((JOB_FINISHED, JOB_FAILED)))
                           .returning(PrintJob.id).execution_options(synchronize_session="fetch")).scalars().all()
    for job_id in gone:
        shutil.rmtree(_job_dir(job_id), ignore_errors=True)
    return len(gone)


def _job_dir(job_id: int) -> Path:
    return output_dir() / "wydruki" / str(job_id)


# --- running it --------------------------------------------------------------------------

@dataclass(frozen=True)
class _Part:
    """What a worker thread needs of one document; read before the threads start, because a
    session is not shared between threads."""

    file_id: int
    name: str
    title: str
    family_name: str
    case_number: str
    source: Path | None  # None: nothing to print (deleted or anonymised meanwhile)


def _parts(session: Session, file_ids: list[int]) -> list[_Part]:
    records = {r.id: r for r in session.scalars(select(GeneratedFile).where(GeneratedFile.id.in_(file_ids)))}
    parts = []
    for file_id in file_ids:
        record = records.get(file_id)
        if record is None:
            parts.append(_Part(file_id, f"dokument (plik nr {file_id})", "", "", "", None))
            continue
        document, family = record.document, record.document.family
        title = office_types.title_of(session, document.office_id, document.doc_type)
        znak = f" ({document.case_number})" if document.case_number else ""  # none on a letter or CV
        parts.append(_Part(file_id, f"{title} – rodzina {family.family_name}{znak}", title,
                           family.family_name, document.case_number or "—",
                           None if family.anonymised_at is not None else file_path(record)))
    return parts


def _pdf_of(part: _Part, converter: Converter, busy_wait: float) -> Path:
    """The version's PDF, made once beside its .docx (the single download shares it). When LibreOffice's
    worker dies during it, the document is tried once more: the pool gives it a worker that did not
    just crash (the crashed one comes back restarted); a second failure is the document's."""
    if part.source is None or not part.source.is_file():
        raise PdfError(MISSING_FILE)
    try:
        return _convert(converter, part.source, part.source.with_suffix(".pdf"), busy_wait)
    except PdfCrashed:
        log.warning("print: LibreOffice died converting file %s; trying it once more", part.file_id)
        return _convert(converter, part.source, part.source.with_suffix(".pdf"), busy_wait)


def _read_pdf_of(part: _Part, converter: Converter, busy_wait: float) -> PdfReader:
    """The version's PDF, read here, beside the other conversions."""
    return PdfReader(_pdf_of(part, converter, busy_wait))


def _convert(converter: Converter, source: Path, target: Path, busy_wait: float) -> Path:
    """Convert unless done already; while interactive users keep the pool busy, wait a while."""
    deadline = time.monotonic() + busy_wait
    while not target.is_file():
        try:
            converter.convert(source, target)
        except PdfBusy:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
    return target


def claim(session: Session, job_id: int) -> bool:
    """Take a queued job for running: True for exactly one of any number of runners asking at once
    (one conditional UPDATE; the database decides), False when it is not queued (any more)."""
    result = session.execute(update(PrintJob).where(PrintJob.id == job_id, PrintJob.status == JOB_QUEUED)
                             .values(status=JOB_RUNNING, heartbeat_at=now()))
    return result.rowcount == 1


def run_print_job(job_id: int, sessions: sessionmaker[Session], converter: Converter, *, parallel: int = 1,
                  busy_wait: float = BUSY_RETRY_SECONDS, on_progress: Callable[[int], None] | None = None) -> None:
    """Print the job: every document into a PDF, a cover sheet, one merged file. A document
    that fails is named in the job and the rest are printed; the job always ends finished or failed."""
    with sessions() as session:
        claimed = claim(session, job_id)
        session.commit()
        if not claimed:
            return
        job = session.get(PrintJob, job_id)
        try:
            _run(session, job, converter, max(1, parallel), busy_wait, on_progress)
        except Exception:  # noqa: BLE001 - whatever happened, the job must not stay "running"
            log.exception("print job %s failed", job_id)
            session.rollback()
            job = session.get(PrintJob, job_id)
            job.status, job.message, job.finished_at = JOB_FAILED, UNEXPECTED, now()
        session.commit()


def _run(session: Session, job: PrintJob, converter: Converter, parallel: int, busy_wait: float,
         on_progress: Callable[[int], None] | None) -> None:
    parts = _parts(session, list(job.file_ids))
    settled: dict[int, PdfReader | None] = {}  # by the part's place in the job, until stacked; None: failed
    next_place = 0  # the first part not stacked yet
    failures: list[dict[str, Any]] = []
    stacked, printed, pages = Stack(duplex=job.duplex), [], []
    saved = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=parallel, thread_name_prefix=f"print-{job.id}") as pool:
        futures = {pool.submit(_read_pdf_of, part, converter, busy_wait): place for place, part in enumerate(parts)}
        for future in concurrent.futures.as_completed(futures):
            place = futures[future]
            part = parts[place]
            settled[place] = None
            try:
                settled[place] = future.result()
            except PdfError as problem:
                failures.append({"file_id": part.file_id, "name": part.name, "message": str(problem)})
            except Exception:  # noqa: BLE001 - one broken document must not stop the stack
                log.exception("print job %s: file %s", job.id, part.file_id)
                failures.append({"file_id": part.file_id, "name": part.name, "message": FAILED_MESSAGE})
            # what is ready is stacked in the job's order while LibreOffice converts the rest
            while next_place in settled:
                reader = settled.pop(next_place)
                if reader is not None:
                    pages.append(stacked.add(reader))
                    printed.append(parts[next_place])
                next_place += 1
            job.done += 1
            if time.monotonic() - saved >= PROGRESS_SECONDS:
                job.heartbeat_at = now()
                session.commit()
                saved = time.monotonic()
            if on_progress:
                on_progress(job.done)
    order = {part.file_id: index for index, part in enumerate(parts)}
    failures.sort(key=lambda failure: order[failure["file_id"]])
    if not printed:
        job.failures = failures
        job.status, job.message, job.finished_at = JOB_FAILED, NOTHING_PRINTED, now()
        return
    folder = _job_dir(job.id)
    folder.mkdir(parents=True, exist_ok=True)
    titles, starts = [part.name for part in printed], stacked.starts
    if job.cover_sheet:
        cover = _cover_source(session, job, printed, pages, failures, folder)
        try:
            in_front = put_first(stacked.writer, _convert(converter, cover, cover.with_suffix(".pdf"), busy_wait),
                                 duplex=job.duplex)
        except PdfError as problem:
            # the documents matter more than their list: print them without it, and say so
            failures.append({"file_id": 0, "name": COVER_TITLE, "message": str(problem)})
        else:
            titles = [COVER_TITLE, *titles]
            starts = [0, *(None if start is None else start + in_front for start in starts)]
    bookmark(stacked.writer, titles, starts)
    job.failures = list(failures)
    target = write(stacked.writer, folder / f"wydruk_{job.id}.pdf")
    job.pages = len(stacked.writer.pages)
    job.output_path = str(target.relative_to(output_dir()))
    job.status, job.finished_at = JOB_FINISHED, now()
    if failures:
        job.message = f"Wydrukowano {len(printed)} z {job.total} dokumentów."


def _cover_source(session: Session, job: PrintJob, printed: list[_Part], pages: list[int],
                  failures: list[dict[str, Any]], folder: Path) -> Path:
    """The cover sheet's .docx: what was printed (with each part's pages) and what could not be."""
    office = session.get(Office, job.office_id)
    entries = [Entry(part.title, part.family_name, part.case_number, count) for part, count in zip(printed, pages)]
    source = folder / "strona_tytulowa.docx"
    source.write_bytes(cover_sheet(office=office.name, title=job.title, printed=entries,
                                   failed=[(f["name"], f["message"]) for f in failures],
                                   made_by=job.created_by.full_name if job.created_by else "",
                                   day=dt.date.today()))
    return source
