"""The generated plan opened by a real LibreOffice, as an office would print it."""
from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from docgen.context import Letterhead
from docgen.doctypes import get_doctype
from docgen.render import render

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

pytestmark = pytest.mark.skipif(SOFFICE is None and not os.environ.get("CI"),
                                reason="LibreOffice is not installed (apt-get install libreoffice-writer-nogui)")

LETTERHEAD = Letterhead(name="Miejski Ośrodek Pomocy Społecznej w Lipowcu Mazurskim",
                        address="ul. Kościuszki 5, 11-440 Lipowiec Mazurski", city="Lipowiec Mazurski",
                        phone="89 123 45 67", email="sekretariat@mops-lipowiec.example")


def test_plan_converts_to_a_paginated_pdf_with_polish_text(tmp_path):
    plan = get_doctype("work_plan")
    data = plan.example()
    data["strengths"] = "Zażółć gęślą jaźń – ŻÓŁW & <spółka> \"cytat\" {{ bez_zmian }}"
    source = tmp_path / "plan.docx"
    source.write_bytes(render(plan, data, letterhead=LETTERHEAD, case_number="MOPS.AR.4101.9.2026"))

    subprocess.run([SOFFICE, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path / 'profile'}",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=180)
    reader = PdfReader(tmp_path / "plan.pdf")
    pages = [page.extract_text() for page in reader.pages]
    total = len(pages)
    assert total >= 2
    # the footer's PAGE and NUMPAGES fields are computed on every page
    for number, text in enumerate(pages, start=1):
        assert f"Strona {number} z {total}" in text
    everything = "\n".join(pages)
    assert "PLAN PRACY Z RODZINĄ" in everything
    assert "MOPS.AR.4101.9.2026" in everything
    assert "Miejski Ośrodek Pomocy Społecznej w Lipowcu Mazurskim" in everything
    assert "Lipowiec Mazurski, dnia 2 listopada 2026 r." in everything
    assert "Zażółć gęślą jaźń – ŻÓŁW & <spółka>" in everything
    assert "{{ bez_zmian }}" in everything
    # A4 portrait
    box = reader.pages[0].mediabox
    assert round(float(box.width) / 72 * 25.4) == 210 and round(float(box.height) / 72 * 25.4) == 297


def _pdf_pages(tmp_path, doctype, data) -> list[str]:
    source = tmp_path / f"{doctype.id}.docx"
    source.write_bytes(render(doctype, data, letterhead=LETTERHEAD, case_number="MOPS.AR.4101.9.2026"))
    subprocess.run([SOFFICE, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path / 'profile'}",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=180)
    return [" ".join(page.extract_text().split()) for page in PdfReader(tmp_path / f"{doctype.id}.pdf").pages]


def test_a_long_plan_keeps_rows_whole_repeats_headers_and_never_leaves_the_signatures_alone(tmp_path):
    """Sixty actions of three to six lines each: pages break between rows, the header row repeats on every
    page of the table, and the page of the signatures also holds the end of the content before them."""
    plan = get_doctype("work_plan")
    data = plan.example()
    data["actions"] = [{"action": f"Działanie numer {n}: " + "spotkanie z rodziną i ustalenie kolejnych kroków. "
                                                              * (1 + n % 3),
                        "area": "wychowawcze", "responsible": "Anna Zawadzka, asystent rodziny",
                        "deadline": "2027-04-30", "expected_effect": f"Efekt działania {n} sprawdzony.",
                        "verification": f"Notatka nr {n}."} for n in range(1, 61)]
    pages = _pdf_pages(tmp_path, plan, data)
    assert len(pages) >= 4
    for n in range(1, 61):  # the row's first and last cell on one page: the row did not split
        holding = [i for i, text in enumerate(pages) if f"Działanie numer {n}:" in text]
        assert holding and f"Notatka nr {n}." in pages[holding[0]], n
    table_pages = [text for text in pages if "Działanie numer" in text]
    assert all("Osoba odpowiedzialna" in text and "Sposób weryfikacji" in text for text in table_pages)
    last = pages[-1]
    assert "(data i podpis – Anna Zawadzka)" in last and "(podpis pracownika socjalnego)" in last
    assert "Oferty pracy i szkolenia dla rodziców." in last  # the last row of section 9 came along
