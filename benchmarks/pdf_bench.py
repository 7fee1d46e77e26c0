"""PDF figures for bench.py: LibreOffice run once by `docgen render --pdf` and `docgen pdf` against one
cold `soffice --convert-to pdf` of the same files, the warm pool, a print job of 100 work plans into one
PDF, and the workers' memory over 500 conversions. Needs LibreOffice with python3-uno (the pool)."""
from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

TYPICAL = "work_plan"  # the example plan: 4 members, 3 actions, 3 pages


LETTERHEAD_ARGS = dict(name="Miejski Ośrodek Pomocy Społecznej w Lipowcu Mazurskim",
                       address="ul. Kościuszki 5, 11-440 Lipowiec Mazurski", city="Lipowiec Mazurski")
HANDFUL = 5


def _typical_docx(workdir: Path, name: str = "plan") -> Path:
    from docgen.context import Letterhead
    from docgen.doctypes import get_doctype
    from docgen.render import render

    doctype = get_doctype(TYPICAL)
    data = doctype.example()
    data["strengths"] = f"Plan {name}"
    path = workdir / f"{name}.docx"
    path.write_bytes(render(doctype, data, letterhead=Letterhead(**LETTERHEAD_ARGS), case_number="MOPS.AR.4101.1.2026"))
    return path


def cold_once(docx: Path | list[Path]) -> float:
    """`soffice --convert-to pdf` of the files as a new process, with a fresh profile (what a converter
    without a pool pays)."""
    from docgen.pdf import soffice_path

    files = [docx] if isinstance(docx, Path) else docx
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        subprocess.run([soffice_path(), "--headless", "--norestore",
                        f"-env:UserInstallation={Path(folder, 'profile').as_uri()}",
                        "--convert-to", "pdf", "--outdir", folder, *map(str, files)],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
        return time.perf_counter() - start


def batch_once(files: list[Path]) -> float:
    """docgen.pdfbatch.convert_files, what `docgen pdf` and `render --pdf` run for their files."""
    from docgen.pdf import PdfError
    from docgen.pdfbatch import convert_files

    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        made = convert_files(files, Path(folder))
        seconds = time.perf_counter() - start
    assert not any(isinstance(result, PdfError) for result in made), made
    return seconds


def taking_turns(measures: dict[str, Callable[[], float]], runs: int) -> dict[str, float]:
    """Median seconds of each measure, run one of each per round: a slow minute of the shared machine
    falls on all of them alike."""
    samples: dict[str, list[float]] = {name: [] for name in measures}
    for _ in range(runs):
        for name, measure in measures.items():
            samples[name].append(measure())
    return {name: statistics.median(values) for name, values in samples.items()}


def command_once(arguments: list[str], env: dict[str, str]) -> float:
    """A whole `docgen` command in a new Python process: start, imports, its work."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "docgen.cli", *arguments], check=True, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
    return time.perf_counter() - start


def commands(workdir: Path, docx: Path, runs: int) -> dict[str, float]:
    """`docgen render --pdf` of one plan and `docgen pdf` of a handful, as an office runs them."""
    from docgen.doctypes import get_doctype

    env = dict(os.environ, DATABASE_URL=f"sqlite:///{workdir / 'cli.sqlite3'}",
               DOCGEN_INSTANCE_DIR=str(workdir / "instance"), DOCGEN_OUTPUT_DIR=str(workdir / "output"))
    subprocess.run([sys.executable, "-m", "docgen.cli", "demo", "--password", "haslo-benchmark-2026"], check=True,
                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
    data = workdir / "plan.json"
    data.write_text(json.dumps(get_doctype(TYPICAL).example(), ensure_ascii=False), encoding="utf-8")
    files = [_typical_docx(workdir, f"plan{number}") for number in range(HANDFUL)]
    return taking_turns({
        "cold": lambda: cold_once(docx),
        "direct": lambda: batch_once([docx]),
        "render": lambda: command_once(["render", TYPICAL, str(data), "-o", str(workdir / "cli.docx"), "--pdf",
                                        str(workdir / "cli.pdf")], env),
        "render-docx": lambda: command_once(["render", TYPICAL, str(data), "-o", str(workdir / "cli.docx")], env),
        "cold-handful": lambda: cold_once(files),
        "batch-handful": lambda: batch_once(files),
        "pdf": lambda: command_once(["pdf", *map(str, files), "-o", str(workdir / "handful.pdf")], env),
    }, runs)


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
    """A real print job of `documents` generated work plans (SQLite, the store's own code): convert
    each, cover sheet, merge. Returns (seconds, pages)."""
    from sqlalchemy import select

    from docgen.doctypes import get_doctype
    from docgen.pdf import PdfPool
    from docgen.store import printjobs
    from docgen.store.db import make_engine, make_sessionmaker
    from docgen.store.demo import load_demo
    from docgen.store.documents import create_document, creation_refusal, generate
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
        # a family whose plan is the work plan (the demo has families with a child in foster care,
        # which get the coordinated plan instead)
        family = next(found for found in session.scalars(families.order_by(Family.id))
                      if creation_refusal(found, TYPICAL) is None)
        example = get_doctype(TYPICAL).example()
        for number in range(documents):
            document = create_document(session, family, TYPICAL, user)
            document.data = {**example, "family_name": family.family_name, "strengths": f"Plan nr {number + 1}"}
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
    few = max(3, min(runs, 9))
    figures = commands(workdir, docx, few)
    with PdfPool(workers=1, max_conversions=200) as pool:
        pool.start()
        warm = warm_seconds(pool, docx, folder, runs)
        memory = memory_over(pool, docx, folder, memory_conversions)
    batch_dir = workdir / "batch"
    batch_dir.mkdir()
    batch, pages = print_job_seconds(batch_dir, 100, workers=2)
    shutil.rmtree(folder, ignore_errors=True)
    return {"warm": warm, "batch": batch, "batch_pages": pages, "memory": memory,
            "runs": few, **figures}


def report(figures: dict[str, object], runs: int) -> None:
    cold, warm, few = figures["cold"], figures["warm"], figures["runs"]
    print(f"\nPDF of the example work plan (3 pages), LibreOffice 7.4, median of {few} runs taking turns "
          f"(goal: docgen's commands no slower than one cold soffice of the same files)")
    rows = [
        ("one file", None),
        ("cold: soffice --convert-to pdf, a new process and profile", cold),
        ("docgen.pdfbatch: the same, with the worker's guards (render --pdf)", figures["direct"]),
        ("docgen render … --pdf: the whole command (Python, render, PDF)", figures["render"]),
        ("  of which without --pdf (Python start, imports, render, .docx)", figures["render-docx"]),
        ("  the command without --pdf + one cold soffice (its baseline)", figures["render-docx"] + cold),
        (f"{HANDFUL} files", None),
        (f"cold: one soffice --convert-to pdf of the {HANDFUL} files", figures["cold-handful"]),
        ("docgen.pdfbatch: the same files (docgen pdf, before merging)", figures["batch-handful"]),
        ("docgen pdf …: the whole command (Python, PDFs, merge)", figures["pdf"]),
    ]
    for name, value in rows:
        if value is None:
            print(f"{name}")
            continue
        print(f"  {name:<70}{value:>8.2f} s")
    print(f"\nThe warm pool (one worker, private profile), median of {runs} runs (targets: ≥ 10× faster than cold, "
          f"≤ 0.2 s): {warm:.3f} s, {cold / warm:.1f}× faster than cold")
    print(f"\nPrint job of 100 work plans into one PDF with its cover sheet, 2 workers (goal ≤ 5 s): "
          f"{figures['batch']:.1f} s, {figures['batch_pages']} pages")
    print("\nResident memory of the worker (soffice + soffice.bin), peak per 50 conversions; "
          "restarted after 200 conversions")
    print("  " + "  ".join(f"{n}: {mb:.0f} MB" for n, mb in figures["memory"]))
