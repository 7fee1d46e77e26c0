"""PDF figures for bench.py: cold soffice against the warm pool, a 100-document print job, and
the workers' memory over 500 conversions. Needs LibreOffice with python3-uno."""
from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

TYPICAL = "work_plan"  # the example plan: 4 members, 3 actions, 3 pages


def _typical_docx(workdir: Path) -> Path:
    from docgen.doctypes import get_doctype
    from docgen.context import Letterhead
    from docgen.render import render

    doctype = get_doctype(TYPICAL)
    letterhead = Letterhead(name="Miejski Ośrodek Pomocy Społecznej w Lipowcu Mazurskim",
                            address="ul. Kościuszki 5, 11-440 Lipowiec Mazurski", city="Lipowiec Mazurski")
    path = workdir / "plan.docx"
    path.write_bytes(render(doctype, doctype.example(), letterhead=letterhead, case_number="MOPS.AR.4101.1.2026"))
    return path


def cold_seconds(docx: Path, runs: int) -> float:
    """`soffice --convert-to pdf` as a new process each time, with a fresh profile (what a
    converter without a pool pays per document)."""
    from docgen.pdf import soffice_path

    samples = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            start = time.perf_counter()
            subprocess.run([soffice_path(), "--headless", "--norestore",
                            f"-env:UserInstallation={Path(folder, 'profile').as_uri()}",
                            "--convert-to", "pdf", "--outdir", folder, str(docx)],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
            samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def warm_seconds(pool, docx: Path, workdir: Path, runs: int) -> float:
    pool.convert(docx, workdir / "warm-up.pdf")
    samples = []
    for number in range(runs):
        start = time.perf_counter()
        pool.convert(docx, workdir / f"warm-{number}.pdf")
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def _rss_mb(groups: list[int]) -> float:
    """Resident memory of every process in the workers' process groups (soffice, soffice.bin)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) not in groups:
                continue
            status = (stat.parent / "status").read_text()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def memory_over(pool, docx: Path, workdir: Path, conversions: int, every: int = 50) -> list[tuple[int, float]]:
    """(conversions so far, resident MB of the workers) every `every` conversions."""
    samples, peak = [], 0.0
    for number in range(1, conversions + 1):
        pool.convert(docx, workdir / "memory.pdf")
        peak = max(peak, _rss_mb(pool.office_pids()))
        if number % every == 0:
            samples.append((number, peak))
            peak = 0.0
    return samples


def print_job_seconds(workdir: Path, documents: int, workers: int) -> tuple[float, int]:
    """A real print job of `documents` generated plans (SQLite, the store's own code): convert
    each, cover sheet, merge. Returns (seconds, pages)."""
    from sqlalchemy import select

    from docgen.doctypes import get_doctype
    from docgen.pdf import PdfPool
    from docgen.store import printjobs
    from docgen.store.db import make_engine, make_sessionmaker
    from docgen.store.demo import load_demo
    from docgen.store.documents import create_document, generate
    from docgen.store.migrate import upgrade
    from docgen.store.models import Family, PrintJob, User

    os.environ["DOCGEN_OUTPUT_DIR"] = str(workdir / "output")
    os.environ["DOCGEN_INSTANCE_DIR"] = str(workdir / "instance")
    url = f"sqlite:///{workdir / 'print.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        load_demo(session, password="haslo-benchmark-2026")
        user = session.scalars(select(User).where(User.username == "asystent1")).one()
        families = select(Family).where(Family.assistant_id == user.id)
        family = session.scalars(families).first()
        example = get_doctype("visit_record").example()
        for number in range(documents):
            document = create_document(session, family, "visit_record", user)
            document.data = {**example, "family_name": family.family_name, "topics": f"Wizyta nr {number + 1}"}
            generate(session, document, user)
        session.commit()
        job = printjobs.create_job(session, user, printjobs.printable_documents(session, families), title="Benchmark")
        session.commit()
        job_id = job.id
    with PdfPool(workers=workers) as pool:
        pool.start()
        start = time.perf_counter()
        printjobs.run_print_job(job_id, sessions, pool, parallel=workers)
        seconds = time.perf_counter() - start
    with sessions() as session:
        job = session.get(PrintJob, job_id)
        assert job.status == "finished" and not job.failures, (job.status, job.failures)
        pages = job.pages
    engine.dispose()
    return seconds, pages


def bench_pdf(runs: int, workdir: Path, *, memory_conversions: int = 500) -> dict[str, object]:
    from docgen.pdf import PdfPool

    folder = workdir / "pdf"
    folder.mkdir()
    docx = _typical_docx(folder)
    cold = cold_seconds(docx, max(3, min(runs, 10)))
    with PdfPool(workers=1, max_conversions=200) as pool:
        pool.start()
        warm = warm_seconds(pool, docx, folder, runs)
        memory = memory_over(pool, docx, folder, memory_conversions)
    batch_dir = workdir / "batch"
    batch_dir.mkdir()
    batch, pages = print_job_seconds(batch_dir, 100, workers=2)
    shutil.rmtree(folder, ignore_errors=True)
    return {"cold": cold, "warm": warm, "batch": batch, "batch_pages": pages, "memory": memory}


def report(figures: dict[str, object], runs: int) -> None:
    cold, warm = figures["cold"], figures["warm"]
    print(f"\nPDF of the example work plan (3 pages), median of {runs} runs (targets: warm ≥ 10× faster, ≤ 0.2 s)")
    print(f"{'cold: soffice --convert-to pdf, a new process':<52}{cold:>8.3f} s")
    print(f"{'warm: the pool (one worker, private profile)':<52}{warm:>8.3f} s   {cold / warm:.1f}× faster")
    print(f"\nPrint job of 100 visit records into one PDF, 2 workers (target ≤ 20 s): "
          f"{figures['batch']:.1f} s, {figures['batch_pages']} pages")
    print("\nResident memory of the worker (soffice + soffice.bin), peak per 50 conversions; "
          "restarted after 200 conversions")
    print("  " + "  ".join(f"{n}: {mb:.0f} MB" for n, mb in figures["memory"]))
