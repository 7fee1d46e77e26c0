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
