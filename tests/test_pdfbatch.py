"""LibreOffice run once for a few files (docgen.pdfbatch), as `docgen pdf` and `render --pdf` use it."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from pypdf import PdfReader

from docgen.context import Letterhead
from docgen.doctypes import get_doctype
from docgen.pdf import PdfFailed, PdfTimeout, soffice_path
from docgen.pdfbatch import convert_files
from docgen.render import render

pytestmark = pytest.mark.skipif(soffice_path() is None and not os.environ.get("CI"),
                                reason="LibreOffice is not installed (apt-get install libreoffice-writer-nogui)")

LETTERHEAD = Letterhead(name="MOPS w Lipowcu Mazurskim", address="ul. Kościuszki 5", city="Lipowiec Mazurski")


def _plan(folder: Path, marker: str) -> Path:
    plan = get_doctype("work_plan")
    data = plan.example()
    data["strengths"] = marker
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "plan.docx"
    path.write_bytes(render(plan, data, letterhead=LETTERHEAD, case_number="MOPS.AR.4101.9.2026"))
    return path


def _soffice_processes() -> list[str]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if "docgen-soffice-" in text:
            found.append(text)
    return found


def test_files_of_the_same_name_come_back_in_order_and_a_bad_one_is_named(tmp_path):
    first, second = _plan(tmp_path / "a", "PIERWSZY-PLAN"), _plan(tmp_path / "b", "DRUGI-PLAN")
    text_file = tmp_path / "c" / "plan.docx"
    text_file.parent.mkdir()
    text_file.write_text("to nie jest dokument Word, tylko tekst", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()

    made = convert_files([first, text_file, second], out, processes=1)

    assert isinstance(made[1], PdfFailed)  # read as Word only: a text file is refused, not printed
    texts = ["\n".join(page.extract_text() for page in PdfReader(pdf).pages) for pdf in (made[0], made[2])]
    assert "PIERWSZY-PLAN" in texts[0] and "DRUGI-PLAN" in texts[1]
    assert not _soffice_processes()


def test_a_conversion_over_its_time_is_killed_with_its_whole_group(tmp_path):
    source = _plan(tmp_path, "PLAN")
    made = convert_files([source], tmp_path, timeout=0.5)
    assert isinstance(made[0], PdfTimeout)
    assert not list(tmp_path.glob("*.pdf"))
    assert not _soffice_processes()
