"""`docgen render --pdf` and `docgen pdf`: real LibreOffice, text checked with pypdf."""
from __future__ import annotations

import json
import os

import pytest
from pypdf import PdfReader

from docgen.cli import main
from docgen.doctypes import get_doctype
from docgen.pdf import libreoffice_available

pytestmark = pytest.mark.skipif(
    not libreoffice_available() and not os.environ.get("CI"),
    reason="LibreOffice with its UNO bridge is not installed (apt-get install libreoffice-writer-nogui python3-uno)")

POLISH = "Zażółć gęślą jaźń – ŻÓŁW & <spółka>"


@pytest.fixture
def demo_db(tmp_path, monkeypatch, instance_dir, output_dir, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    assert main(["demo", "--password", "hasło-testowe-pdf"]) == 0
    capsys.readouterr()


def _plan_json(tmp_path, name, strengths):
    data = get_doctype("work_plan").example()
    data["strengths"] = strengths
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def _text(path):
    reader = PdfReader(path)
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_render_writes_the_docx_and_its_pdf(demo_db, tmp_path, capsys):
    source = _plan_json(tmp_path, "plan", POLISH)
    code = main(["render", "work_plan", str(source), "-o", str(tmp_path / "plan.docx"),
                 "--pdf", str(tmp_path / "plan.pdf")])
    assert code == 0, capsys.readouterr().err
    assert (tmp_path / "plan.docx").is_file()
    pages, text = _text(tmp_path / "plan.pdf")
    assert POLISH in text and f"Strona 1 z {pages}" in text


def test_pdf_merges_documents_in_order_and_names_a_file_it_cannot_convert(demo_db, tmp_path, capsys):
    for name, marker in (("pierwszy", "PIERWSZY-DOKUMENT"), ("drugi", "DRUGI-DOKUMENT")):
        assert main(["render", "work_plan", str(_plan_json(tmp_path, name, marker)),
                     "-o", str(tmp_path / f"{name}.docx")]) == 0
    broken = tmp_path / "zepsuty.docx"
    broken.write_bytes(b"to nie jest dokument Word")
    capsys.readouterr()

    code = main(["pdf", str(tmp_path / "pierwszy.docx"), str(broken), str(tmp_path / "drugi.docx"),
                 "-o", str(tmp_path / "razem.pdf")])
    out, err = capsys.readouterr()
    assert code == 1
    assert "zepsuty.docx" in err and "2 z 3 dokumentów" in out
    pages, text = _text(tmp_path / "razem.pdf")
    assert text.index("PIERWSZY-DOKUMENT") < text.index("DRUGI-DOKUMENT")
    single_pages, _ = _text_of_one(tmp_path, "pierwszy", capsys)
    assert pages == 2 * single_pages


def _text_of_one(tmp_path, name, capsys):
    assert main(["pdf", str(tmp_path / f"{name}.docx"), "-o", str(tmp_path / f"{name}.pdf")]) == 0
    capsys.readouterr()
    return _text(tmp_path / f"{name}.pdf")


def test_pdf_refuses_a_missing_file_before_starting(tmp_path, capsys):
    code = main(["pdf", str(tmp_path / "brak.docx"), "-o", str(tmp_path / "x.pdf")])
    assert code == 2 and "nie ma takiego pliku" in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()
