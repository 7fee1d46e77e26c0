"""The print office's engine: a batch of generated documents into one PDF, with a cover sheet,
in order; a failed document is named and the rest printed; a job never stays 'running'."""
from __future__ import annotations

import datetime as dt
import os
import signal
import threading
import time

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from docgen.doctypes import get_doctype
from docgen.jobs import EmbeddedRunner
from docgen.pdf import PdfBusy, PdfPool, libreoffice_available
from docgen.store import printjobs
from docgen.store.db import make_engine, make_sessionmaker
from docgen.store.demo import load_demo
from docgen.store.documents import create_document, file_path, generate
from docgen.store.models import JOB_FAILED, JOB_FINISHED, JOB_QUEUED, JOB_RUNNING, Family, PrintJob, User

needs_libreoffice = pytest.mark.skipif(
    not libreoffice_available() and not os.environ.get("CI"),
    reason="LibreOffice with its UNO bridge is not installed (apt-get install libreoffice-writer-nogui python3-uno)")


def _family_query(session, username):
    user = session.scalars(select(User).where(User.username == username)).one()
    return user, select(Family).where(Family.office_id == user.office_id, Family.assistant_id == user.id)


def _generated(session, family: Family, user: User, doc_type: str, marker: str):
    """A generated version of the type's example, on this family, with `marker` in a text field."""
    document = create_document(session, family, doc_type, user)
    data = get_doctype(doc_type).example()
    data["family_name"] = family.family_name
    if doc_type == "visit_record":
        data["topics"] = marker
    elif doc_type == "family_consent":
        data["address"] = marker
    document.data = data
    return generate(session, document, user)


@pytest.fixture
def batch(session, output_dir):
    """asystent1's two families with three generated documents, and a job printing them."""
    user, families = _family_query(session, "asystent1")
    krajewscy, wieczorek = sorted(session.scalars(families).all(), key=lambda f: f.family_name)
    files = [
        _generated(session, wieczorek, user, "visit_record", "Wizyta u Wieczorków: zażółć gęślą jaźń"),
        _generated(session, krajewscy, user, "visit_record", "Wizyta u Krajewskich & <dzieci>"),
        _generated(session, krajewscy, user, "family_consent", "Zgoda Krajewskich, ul. Ogrodowa 7"),
    ]
    session.commit()
    chosen = printjobs.printable_documents(session, families)
    job = printjobs.create_job(session, user, chosen, title="Dokumenty – listopad")
    session.commit()
    return {"user": user, "families": families, "files": files, "chosen": chosen, "job": job}


@pytest.fixture
def sessions(web_db):
    engine = make_engine(web_db)
    yield make_sessionmaker(engine)
    engine.dispose()


@pytest.fixture(scope="module")
def pool():
    """Only for tests marked needs_libreoffice: in CI a missing LibreOffice fails them."""
    with PdfPool(workers=1, timeout=30) as warm:
        yield warm


def _pages_text(path) -> list[str]:
    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(path).pages]


def test_the_selection_is_in_print_order_and_only_of_visible_families(session, batch):
    names = [(p.family_name, p.doc_type) for p in batch["chosen"]]
    # by family, then in the order of the work with a family (consent before a visit)
    assert names == [("Krajewscy", "family_consent"), ("Krajewscy", "visit_record"), ("Wieczorek", "visit_record")]
    _, others = _family_query(session, "asystent2")
    assert printjobs.printable_documents(session, others) == []
    only_consents = printjobs.printable_documents(session, batch["families"], doc_type="family_consent")
    assert [p.doc_type for p in only_consents] == ["family_consent"]
    assert printjobs.printable_documents(session, batch["families"], date_from=dt.date(2100, 1, 1)) == []


def test_only_the_latest_version_of_a_document_is_offered(session, batch):
    record = batch["files"][1]
    again = generate(session, record.document, batch["user"])
    session.commit()
    offered = [p.file_id for p in printjobs.printable_documents(session, batch["families"])]
    assert again.id in offered and record.id not in offered


def test_an_empty_or_oversized_selection_is_refused_in_polish(session, batch):
    with pytest.raises(ValueError, match="Zaznacz co najmniej jeden dokument"):
        printjobs.create_job(session, batch["user"], [], title="x")
    with pytest.raises(ValueError, match="najwyżej 300 dokumentów"):
        printjobs.create_job(session, batch["user"], batch["chosen"] * 101, title="x")


@needs_libreoffice
def test_a_batch_prints_every_document_in_order_after_a_cover_sheet(session, sessions, batch, pool, output_dir):
    job = batch["job"]
    progress: list[int] = []
    printjobs.run_print_job(job.id, sessions, pool, on_progress=progress.append)
    session.expire_all()
    job = session.get(PrintJob, job.id)
    assert job.status == JOB_FINISHED and job.failures == [] and job.done == 3 and progress == [1, 2, 3]
    path = printjobs.job_pdf(job)
    assert path is not None and path.is_relative_to(output_dir)
    pages = _pages_text(path)
    assert job.pages == len(pages)
    cover = pages[0]
    assert "Dokumenty – listopad" in cover and "Dokumentów w zestawie: 3" in cover
    # who made it, in a form that fits anyone ("przygotował(a)" is a form, not a sentence)
    assert f"przygotowany przez: {batch['user'].full_name}" in cover and "(a)" not in cover
    assert cover.index("Zgoda rodziny") < cover.index("Karta wizyty") < cover.index("Wieczorek")
    # each document after the cover, in the listed order, each starting on a new page
    starts = [next(i for i, text in enumerate(pages) if marker in text)
              for marker in ("Zgoda Krajewskich, ul. Ogrodowa 7", "Wizyta u Krajewskich & <dzieci>", "Wizyta u Wieczorków: zażółć gęślą jaźń")]
    assert 0 < starts[0] < starts[1] < starts[2]
    per_document = [len(PdfReader(file_path(session.get(type(f), f.id)).with_suffix(".pdf")).pages)
                    for f in batch["files"]]
    assert job.pages == 1 + sum(per_document)


@needs_libreoffice
def test_duplex_starts_every_document_on_the_front_of_a_sheet(session, sessions, batch, pool):
    job = printjobs.create_job(session, batch["user"], batch["chosen"], title="Dwustronnie", duplex=True)
    session.commit()
    printjobs.run_print_job(job.id, sessions, pool)
    session.expire_all()
    pages = _pages_text(printjobs.job_pdf(session.get(PrintJob, job.id)))
    for marker in ("Zgoda Krajewskich, ul. Ogrodowa 7", "Wizyta u Krajewskich", "Wizyta u Wieczorków"):
        first = next(i for i, text in enumerate(pages) if marker in text)
        assert first % 2 == 0, f"{marker} starts on page {first + 1}, the back of a sheet"


class _KillingConverter:
    """The real pool; while the `victim`'s conversion runs, its LibreOffice is killed, on its first
    `kills` attempts; `attempts` counts them."""

    def __init__(self, pool: PdfPool, victim: str, kills: int = 1) -> None:
        self.pool, self.victim, self.kills, self.attempts = pool, victim, kills, 0

    def convert(self, source, out_path):
        if self.victim not in str(source):
            return self.pool.convert(source, out_path)
        self.attempts += 1
        if self.attempts > self.kills:
            return self.pool.convert(source, out_path)
        self.pool.start()  # a stopped worker starts now; one restarting after the last kill is waited for
        deadline = time.monotonic() + 120
        while self.pool.stats() != {"workers": 1, "busy": 0, "waiting": 0, "running": 1}:  # a restart runs
            assert time.monotonic() < deadline, self.pool.stats()
            time.sleep(0.1)
        groups = self.pool.office_pids()  # each soffice leads its own process group (launcher and soffice.bin)
        threading.Timer(0.5, lambda: [os.killpg(group, signal.SIGKILL) for group in groups]).start()
        return self.pool.convert(source, out_path, stall=5)


@needs_libreoffice
def test_a_document_whose_worker_was_killed_is_printed_on_a_fresh_one(session, sessions, batch, pool):
    victim = batch["files"][1]  # the Krajewscy's visit, second of the three in print order
    converter = _KillingConverter(pool, file_path(victim).name)
    printjobs.run_print_job(batch["job"].id, sessions, converter)
    session.expire_all()
    job = session.get(PrintJob, batch["job"].id)
    assert converter.attempts == 2
    assert job.status == JOB_FINISHED and job.failures == [] and job.message == ""
    text = " ".join(_pages_text(printjobs.job_pdf(job)))
    assert "Wizyta u Krajewskich & <dzieci>" in text and "Zgoda Krajewskich, ul. Ogrodowa 7" in text
    assert "Nie wydrukowano" not in text


@needs_libreoffice
def test_a_document_whose_worker_dies_twice_is_named_and_the_rest_printed(session, sessions, batch, pool):
    victim = batch["files"][1]
    converter = _KillingConverter(pool, file_path(victim).name, kills=2)
    printjobs.run_print_job(batch["job"].id, sessions, converter)
    session.expire_all()
    job = session.get(PrintJob, batch["job"].id)
    assert converter.attempts == 2  # retried once, not again
    assert job.status == JOB_FINISHED
    assert [f["file_id"] for f in job.failures] == [victim.id]
    assert "Karta wizyty" in job.failures[0]["name"] and "Krajewscy" in job.failures[0]["name"]
    assert job.message == "Wydrukowano 2 z 3 dokumentów."
    text = " ".join(_pages_text(printjobs.job_pdf(job)))
    assert "Zgoda Krajewskich, ul. Ogrodowa 7" in text and "Wizyta u Wieczorków" in text
    assert "Wizyta u Krajewskich" not in text
    assert "Nie wydrukowano" in text  # the cover sheet says what is missing
    assert not file_path(victim).with_suffix(".pdf").exists()  # no half-written PDF left behind


class _Fails:
    def convert(self, source, out_path):
        from docgen.pdf import PdfFailed
        raise PdfFailed("LibreOffice nie przekonwertował dokumentu.")


def test_a_job_with_nothing_printed_fails_with_every_document_named(session, sessions, batch):
    printjobs.run_print_job(batch["job"].id, sessions, _Fails())
    session.expire_all()
    job = session.get(PrintJob, batch["job"].id)
    assert job.status == JOB_FAILED and job.message == printjobs.NOTHING_PRINTED
    assert len(job.failures) == 3 and all(f["message"] == "LibreOffice nie przekonwertował dokumentu." for f in job.failures)
    assert printjobs.job_pdf(job) is None


class _OutOfOrder:
    """Documents that finish in reverse: the first waits until the last is done, the middle one fails;
    each PDF has as many pages as its place in the job plus one (so a misplaced part shows)."""

    def __init__(self, sources):
        self.pages = {source.name: place + 1 for place, source in enumerate(sources)}
        self.first, self.middle, self.last = (source.name for source in sources)
        self.last_done = threading.Event()

    def convert(self, source, out_path):
        from pypdf import PdfWriter

        from docgen.pdf import PdfFailed
        if source.name == self.first:
            assert self.last_done.wait(10)
        if source.name == self.middle:
            raise PdfFailed("LibreOffice nie przekonwertował dokumentu.")
        writer = PdfWriter()
        for _ in range(self.pages[source.name]):
            writer.add_blank_page(width=595, height=842)
        with open(out_path, "wb") as handle:
            writer.write(handle)
        if source.name == self.last:
            self.last_done.set()
        return out_path


def test_documents_converted_out_of_order_are_stacked_in_the_jobs_order(session, sessions, batch):
    """The job stacks each document as soon as it and those before it are ready: a late first one and
    a failed middle one must not shift anything."""
    chosen = batch["chosen"]
    with sessions() as other:
        job_id = printjobs.create_job(other, other.get(User, batch["user"].id), chosen, title="Bez okładki",
                                      cover_sheet=False).id
        other.commit()
    sources = [file_path(session.get(type(batch["files"][0]), p.file_id)) for p in chosen]
    printjobs.run_print_job(job_id, sessions, _OutOfOrder(sources), parallel=3)
    session.expire_all()
    job = session.get(PrintJob, job_id)
    assert job.status == JOB_FINISHED and job.done == 3 and job.pages == 1 + 3
    assert [f["file_id"] for f in job.failures] == [chosen[1].file_id]
    reader = PdfReader(printjobs.job_pdf(job))
    assert [(item.title, reader.get_destination_page_number(item)) for item in reader.outline] == [
        (chosen[0].name, 0), (chosen[2].name, 1)]


@needs_libreoffice
def test_a_busy_pool_is_waited_for_and_a_missing_file_is_named(session, sessions, batch, pool):
    class BusyTwice:
        calls = 0

        def convert(self, source, out_path):
            BusyTwice.calls += 1
            if BusyTwice.calls <= 2:
                raise PdfBusy("zajęte")
            return pool.convert(source, out_path)

    file_path(batch["files"][0]).unlink()  # the Wieczorek visit's .docx is gone from the disk
    printjobs.run_print_job(batch["job"].id, sessions, BusyTwice())
    session.expire_all()
    job = session.get(PrintJob, batch["job"].id)
    assert job.status == JOB_FINISHED
    assert [(f["file_id"], f["message"]) for f in job.failures] == [(batch["files"][0].id, printjobs.MISSING_FILE)]


def test_a_job_whose_runner_stopped_is_reported_failed_not_stuck(session, batch):
    job = batch["job"]
    now = dt.datetime.now(dt.timezone.utc)
    job.status, job.heartbeat_at = JOB_RUNNING, now - dt.timedelta(seconds=5)
    assert not printjobs.settle_if_stale(job, now)  # a beating job is left alone
    job.heartbeat_at = now - dt.timedelta(minutes=2)
    session.commit()
    assert printjobs.settle_stale_jobs(session) == 1
    session.commit()
    session.expire_all()
    job = session.get(PrintJob, job.id)
    assert job.status == JOB_FAILED and job.message == printjobs.INTERRUPTED and job.finished_at is not None
    assert printjobs.state(job)["percent"] == 100


def test_old_stacks_are_deleted_with_their_files(session, batch, output_dir):
    job = batch["job"]
    job.status, job.created_at = JOB_FINISHED, dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=8)
    folder = output_dir / "wydruki" / str(job.id)
    folder.mkdir(parents=True)
    (folder / f"wydruk_{job.id}.pdf").write_bytes(b"%PDF-1.7")
    session.commit()
    assert printjobs.purge_old_jobs(session) == 1
    session.commit()
    assert session.get(PrintJob, job.id) is None and not folder.exists()


@needs_libreoffice
def test_the_embedded_runner_runs_jobs_in_turn_and_keeps_their_heartbeat(session, sessions, batch, pool):
    second = printjobs.create_job(session, batch["user"], batch["chosen"][:1], title="Drugi")
    session.commit()
    runner = EmbeddedRunner(sessions, lambda: pool, heartbeat=0.2)
    try:
        runner.submit(batch["job"].id)
        runner.submit(second.id)
        deadline = time.monotonic() + 120
        while not runner.idle() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        runner.close()
    session.expire_all()
    assert [session.get(PrintJob, j).status for j in (batch["job"].id, second.id)] == [JOB_FINISHED, JOB_FINISHED]


def test_the_runner_without_libreoffice_fails_the_job_with_the_reason(session, sessions, batch):
    runner = EmbeddedRunner(sessions, lambda: None)
    try:
        runner.submit(batch["job"].id)
        deadline = time.monotonic() + 10
        while not runner.idle() and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        runner.close()
    session.expire_all()
    job = session.get(PrintJob, batch["job"].id)
    assert job.status == JOB_FAILED and "LibreOffice" in job.message


def test_jobs_are_stored_on_every_backend(db_session, instance_dir):
    load_demo(db_session, password="haslo-demo-2026")
    user = db_session.scalars(select(User).where(User.username == "asystent1")).one()
    job = PrintJob(office_id=user.office_id, created_by_id=user.id, title="Wydruk", file_ids=[3, 1, 2],
                   status=JOB_QUEUED, failures=[{"file_id": 1, "name": "Zgoda – rodzina Ąę", "message": "błąd"}])
    db_session.add(job)
    db_session.commit()
    db_session.expire_all()
    stored = db_session.get(PrintJob, job.id)
    assert stored.file_ids == [3, 1, 2] and stored.failures[0]["name"] == "Zgoda – rodzina Ąę"
    assert not printjobs.settle_if_stale(stored)
    printjobs.beat(db_session, [job.id])
    db_session.commit()
