"""The warm LibreOffice pool (docgen.pdf) against a real LibreOffice: text, failures, limits."""
from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from docgen.context import Letterhead
from docgen.doctypes import get_doctype
from docgen.pdf import (BUSY_MESSAGE, PdfBusy, PdfFailed, PdfPool, PdfTimeout, jemalloc, libreoffice_available,
                        merge, bookmark, put_first, soffice_path, stack, write)
from docgen.render import render

pytestmark = pytest.mark.skipif(
    not libreoffice_available() and not os.environ.get("CI"),
    reason="LibreOffice with its UNO bridge is not installed (apt-get install libreoffice-writer-nogui python3-uno)")

LETTERHEAD = Letterhead(name="Miejski Ośrodek Pomocy Społecznej w Lipowcu Mazurskim",
                        address="ul. Kościuszki 5, 11-440 Lipowiec Mazurski", city="Lipowiec Mazurski")
POLISH = "Zażółć gęślą jaźń – ŻÓŁW"


@pytest.fixture(scope="module")
def docx() -> bytes:
    plan = get_doctype("work_plan")
    data = plan.example()
    data["strengths"] = POLISH
    return render(plan, data, letterhead=LETTERHEAD, case_number="MOPS.AR.4101.9.2026")


@pytest.fixture(scope="module")
def pool():
    pool = PdfPool(workers=1, timeout=30)
    yield pool
    offices = pool.office_pids()
    pool.close()
    assert pool.stats()["running"] == 0
    for pid in offices:
        assert not _exists(pid)


@pytest.fixture
def idle_pool(pool):
    """The shared pool once no background restart of an earlier test is still running."""
    deadline = time.monotonic() + 60
    while pool.stats()["busy"] and time.monotonic() < deadline:
        time.sleep(0.05)
    return pool


def _exists(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def _office_processes(pool: PdfPool) -> list[int]:
    """soffice's own processes: the launcher and the soffice.bin it runs (same process group)."""
    groups = set(pool.office_pids())
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[2]) in groups and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def _wait_until_busy(pool: PdfPool) -> None:
    deadline = time.monotonic() + 10
    while not pool.stats()["busy"]:
        assert time.monotonic() < deadline
        time.sleep(0.01)


def _text(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def test_available_here():
    assert soffice_path() is not None and libreoffice_available()


def test_plan_converts_with_polish_text_and_page_numbers_cold_then_warm(idle_pool, docx, tmp_path):
    started = time.monotonic()
    first = idle_pool.convert(docx, tmp_path / "plan.pdf")
    cold = time.monotonic() - started
    started = time.monotonic()
    second = idle_pool.convert(docx, tmp_path / "again.pdf")
    warm = time.monotonic() - started
    print(f"\nPDF conversion: cold start {cold:.3f} s, warm pool {warm:.3f} s")

    pages = _text(first)
    total = len(pages)
    assert total >= 2
    for number, text in enumerate(pages, start=1):
        assert f"Strona {number} z {total}" in text
    everything = "\n".join(pages)
    assert POLISH in everything
    assert "Miejski Ośrodek Pomocy Społecznej w Lipowcu Mazurskim" in everything
    assert _text(second) == pages
    assert sorted(p.name for p in tmp_path.iterdir()) == ["again.pdf", "plan.pdf"]


def test_a_docx_path_converts_too(idle_pool, docx, tmp_path):
    source = tmp_path / "plan źródło.docx"
    source.write_bytes(docx)
    out = idle_pool.convert(source, tmp_path / "wynik" / "plan.pdf")
    assert POLISH in "\n".join(_text(out))


def test_a_hung_conversion_times_out_and_the_pool_converts_afterwards(idle_pool, docx, tmp_path):
    started = time.monotonic()
    with pytest.raises(PdfTimeout):
        idle_pool.convert(docx, tmp_path / "hung.pdf", timeout=0.5, stall=30)  # the worker hangs
    assert time.monotonic() - started < 5
    with pytest.raises(PdfTimeout):
        idle_pool.convert(docx, tmp_path / "cut.pdf", timeout=0.001)  # cut off inside LibreOffice
    assert list(tmp_path.iterdir()) == []

    out = idle_pool.convert(docx, tmp_path / "plan.pdf")
    assert POLISH in "\n".join(_text(out))
    assert [p.name for p in tmp_path.iterdir()] == ["plan.pdf"]


def test_killing_libreoffice_mid_conversion_fails_that_call_and_the_next_one_works(idle_pool, docx, tmp_path):
    idle_pool.convert(docx, tmp_path / "before.pdf")  # warm
    outcome: list[BaseException] = []

    def convert() -> None:
        try:
            idle_pool.convert(docx, tmp_path / "killed.pdf", stall=1.0)
        except BaseException as exc:  # noqa: BLE001 (handed to the test's thread)
            outcome.append(exc)

    thread = threading.Thread(target=convert)
    thread.start()
    _wait_until_busy(idle_pool)
    victims = _office_processes(idle_pool)
    assert victims
    for pid in victims:
        os.kill(pid, signal.SIGKILL)
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], PdfFailed) and not isinstance(outcome[0], PdfTimeout)

    out = idle_pool.convert(docx, tmp_path / "after.pdf")
    assert POLISH in "\n".join(_text(out))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["after.pdf", "before.pdf"]


def test_a_document_libreoffice_cannot_read_fails_without_a_restart(idle_pool, docx, tmp_path):
    idle_pool.convert(docx, tmp_path / "before.pdf")
    offices = idle_pool.office_pids()
    with pytest.raises(PdfFailed):
        idle_pool.convert(b"this is not a Word document", tmp_path / "garbage.pdf")
    assert idle_pool.office_pids() == offices
    idle_pool.convert(docx, tmp_path / "after.pdf")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["after.pdf", "before.pdf"]


def test_the_queue_limit_answers_busy(idle_pool, docx, tmp_path, monkeypatch):
    monkeypatch.setattr(idle_pool, "max_waiting", 0)
    held: list[object] = []
    thread = threading.Thread(target=lambda: held.append(idle_pool.convert(docx, tmp_path / "held.pdf", stall=1.0)))
    thread.start()
    _wait_until_busy(idle_pool)
    with pytest.raises(PdfBusy) as refused:
        idle_pool.convert(docx, tmp_path / "refused.pdf")
    assert str(refused.value) == BUSY_MESSAGE
    thread.join(timeout=30)
    assert held == [tmp_path / "held.pdf"]
    assert [p.name for p in tmp_path.iterdir()] == ["held.pdf"]


def test_a_waiting_caller_gets_the_worker_when_it_is_free(idle_pool, docx, tmp_path):
    results: list[object] = []
    thread = threading.Thread(target=lambda: results.append(idle_pool.convert(docx, tmp_path / "a.pdf", stall=0.5)))
    thread.start()
    _wait_until_busy(idle_pool)
    results.append(idle_pool.convert(docx, tmp_path / "b.pdf"))  # max_waiting=4: waits its turn
    thread.join(timeout=30)
    assert sorted(results) == [tmp_path / "a.pdf", tmp_path / "b.pdf"]


def test_merge_gives_the_sum_of_pages(idle_pool, docx, tmp_path):
    first = idle_pool.convert(docx, tmp_path / "one.pdf")
    second = idle_pool.convert(docx, tmp_path / "two.pdf")
    counts = [len(PdfReader(path).pages) for path in (first, second)]
    merged = merge([first, second], tmp_path / "both.pdf", titles=["Plan – rodzina A", "Plan – rodzina B"])
    reader = PdfReader(merged)
    assert len(reader.pages) == sum(counts)
    # one bookmark per part, at its first page; the parts' own headings are not repeated
    assert [(item.title, reader.get_destination_page_number(item)) for item in reader.outline] == [
        ("Plan – rodzina A", 0), ("Plan – rodzina B", counts[0])]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["both.pdf", "one.pdf", "two.pdf"]


def test_a_part_put_first_afterwards_prints_as_if_stacked_first(tmp_path):
    """A print job stacks its documents while the cover converts, then puts the cover first: the same
    pages, blanks (duplex) and bookmarks as stacking the cover first."""
    def pdf(name: str, pages: int) -> Path:
        writer = PdfWriter()
        for _ in range(pages):
            writer.add_blank_page(width=595, height=842)
        writer.add_metadata({"/Title": name})
        with open(tmp_path / f"{name}.pdf", "wb") as handle:
            writer.write(handle)
        return tmp_path / f"{name}.pdf"

    cover, one, two = pdf("okladka", 1), pdf("plan", 3), pdf("ocena", 2)
    expected = PdfReader(merge([cover, one, two], tmp_path / "at-once.pdf", duplex=True,
                               titles=["Strona tytułowa", "Plan", "Ocena"]))
    stacked, starts = stack([one, two], duplex=True)
    in_front = put_first(stacked, cover, duplex=True)
    bookmark(stacked, ["Strona tytułowa", "Plan", "Ocena"], [0, *(start + in_front for start in starts)])
    result = PdfReader(write(stacked, tmp_path / "cover-later.pdf"))
    assert len(result.pages) == len(expected.pages) == 1 + 1 + 3 + 1 + 2

    def bookmarks(reader):
        return [(item.title, reader.get_destination_page_number(item)) for item in reader.outline]
    assert bookmarks(result) == bookmarks(expected) == [("Strona tytułowa", 0), ("Plan", 2), ("Ocena", 6)]


def test_a_failed_merge_leaves_no_file(tmp_path):
    (tmp_path / "broken.pdf").write_bytes(b"not a pdf")
    with pytest.raises(Exception):
        merge([tmp_path / "broken.pdf"], tmp_path / "out.pdf")
    assert [p.name for p in tmp_path.iterdir()] == ["broken.pdf"]


def test_workers_restart_after_n_conversions_and_close_stops_them(docx, tmp_path):
    with PdfPool(workers=1, max_conversions=2) as pool:
        pool.convert(docx, tmp_path / "1.pdf")
        first = pool.office_pids()
        pool.convert(docx, tmp_path / "2.pdf")  # the second: restarted after it
        pool.convert(docx, tmp_path / "3.pdf")
        assert pool.office_pids() != first and not _exists(first[0])
        last = pool.office_pids()
    assert pool.stats()["running"] == 0 and not _exists(last[0])
    with pytest.raises(PdfFailed):
        pool.convert(docx, tmp_path / "closed.pdf")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["1.pdf", "2.pdf", "3.pdf"]


def test_emoji_print_as_visible_glyphs_not_blank_space(pool, tmp_path):
    """What a family typed with an emoji must not vanish on paper: a font with outline emoji
    (fonts-symbola) is installed with LibreOffice; a colour-bitmap emoji font prints blank."""
    import subprocess

    import docx as python_docx

    source = tmp_path / "emoji.docx"
    document = python_docx.Document()
    run = document.add_paragraph().add_run("🙂❤")
    run.font.size = python_docx.shared.Pt(72)
    document.save(source)
    pdf = pool.convert(source, tmp_path / "emoji.pdf")
    assert "🙂" in PdfReader(pdf).pages[0].extract_text()
    subprocess.run(["pdftoppm", "-gray", "-r", "30", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True)
    image = next(tmp_path.glob("page*.pgm")).read_bytes()
    pixels = image.split(b"\n", 3)[3]  # P5 header: magic, size, maxval, then one byte a pixel
    assert sum(1 for value in pixels if value < 128) > 50, "the emoji printed as blank space"


def _libraries_of_office(pool: PdfPool) -> set[str]:
    """The shared libraries mapped by every process of the pool's LibreOffice (soffice.bin and its launcher)."""
    groups = set(pool.office_pids())
    found: set[str] = set()
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[2]) in groups:
                found |= {line.split()[-1] for line in (entry / "maps").read_text().splitlines() if ".so" in line}
        except (OSError, IndexError, ValueError):  # a process that ended meanwhile
            continue
    return found


@pytest.mark.skipif(not jemalloc() and not os.environ.get("CI"),
                    reason="jemalloc is not installed (apt-get install libjemalloc2)")
def test_libreoffice_allocates_with_jemalloc_unless_switched_off(docx, tmp_path, monkeypatch):
    """jemalloc saves about a fifth of LibreOffice's CPU per document; DOCGEN_PDF_JEMALLOC=0 goes back to
    glibc's malloc (should a LibreOffice ever misbehave with it)."""
    def uses_jemalloc(name: str) -> bool:
        with PdfPool(workers=1, timeout=30) as pool:
            made = pool.convert(docx, tmp_path / f"{name}.pdf")
            libraries = _libraries_of_office(pool)
        assert POLISH in " ".join(page.extract_text() for page in PdfReader(made).pages)
        assert any("soffice" in library or "libmergedlo" in library for library in libraries), libraries
        return any("jemalloc" in Path(library).name for library in libraries)

    assert uses_jemalloc("on")
    monkeypatch.setenv("DOCGEN_PDF_JEMALLOC", "0")
    assert not uses_jemalloc("off")
