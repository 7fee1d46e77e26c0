"""PDF of a generated document in the web app: made once by the warm pool, downloaded or opened to
print, only by who may see the family; without LibreOffice the page says what is missing."""
from __future__ import annotations

import io
import os
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from docgen.doctypes import get_doctype
from docgen.pdf import LIBREOFFICE_MISSING, libreoffice_available
from docgen.store.documents import file_path
from docgen.store.models import Document, Family, GeneratedFile

needs_libreoffice = pytest.mark.skipif(
    not libreoffice_available() and not os.environ.get("CI"),
    reason="LibreOffice with its UNO bridge is not installed (apt-get install libreoffice-writer-nogui python3-uno)")


@pytest.fixture
def pdf_app(app):
    from webforms.pdf import close_pdf_pool

    yield app
    close_pdf_pool(app)


def _generated_plan(client, session) -> GeneratedFile:
    """asystent1's Krajewscy with a generated work plan: the example's plan on their record."""
    family = session.scalars(select(Family).where(Family.family_name == "Krajewscy")).one()
    location = client.post(f"/rodziny/{family.id}/dokumenty", data={"doc_type": "work_plan"}).location
    document = session.get(Document, int(re.search(r"/dokumenty/(\d+)/", location).group(1)))
    example = get_doctype("work_plan").example()
    own = {"family_name", "address", "members", "assignment_date", "referral_ref", "basis", "consent_date",
           "court_name", "court_case_number", "court_order_date", "assistant_name", "social_worker_name"}
    document.data = {**document.data, **{k: v for k, v in example.items() if k not in own},
                     "strengths": "Zażółć gęślą jaźń – ŻÓŁW & <syn> {{ x }}"}
    session.commit()
    assert client.post(f"/dokumenty/{document.id}/generuj").status_code == 302
    session.expire_all()
    return session.scalars(select(GeneratedFile).where(GeneratedFile.document_id == document.id)).one()


@needs_libreoffice
def test_a_generated_version_downloads_as_a_pdf_made_once(pdf_app, session):
    client = pdf_app.test_client()
    assert client.post("/login", data={"username": "asystent1", "password": "haslo-demo-2026"}).status_code == 302
    record = _generated_plan(client, session)
    review = client.get(f"/dokumenty/{record.document_id}").text
    assert f"/pliki/{record.id}/pdf" in review and f"/pliki/{record.id}/pdf?drukuj=1" in review

    response = client.get(f"/pliki/{record.id}/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["Content-Disposition"].endswith(".pdf")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Krajewscy" in text and "Zażółć gęślą jaźń – ŻÓŁW & <syn> {{ x }}" in " ".join(text.split())
    stored = file_path(record).with_suffix(".pdf")
    made = stored.stat().st_mtime_ns

    printed = client.get(f"/pliki/{record.id}/pdf?drukuj=1")
    assert printed.headers["Content-Disposition"].startswith("inline") and printed.data == response.data
    assert stored.stat().st_mtime_ns == made  # kept, not made again


@needs_libreoffice
def test_the_first_pages_preview_as_images_for_who_may_see_them(pdf_app, session, login):
    client = pdf_app.test_client()
    assert client.post("/login", data={"username": "asystent1", "password": "haslo-demo-2026"}).status_code == 302
    record = _generated_plan(client, session)
    assert f"/pliki/{record.id}/podglad" in client.get(f"/dokumenty/{record.document_id}").text
    page = client.get(f"/pliki/{record.id}/podglad")
    assert page.status_code == 200
    assert page.text.count('alt="Strona ') == 2  # the plan has 3 pages; the preview shows the first two
    image = client.get(f"/pliki/{record.id}/podglad/1.png")
    assert image.status_code == 200 and image.mimetype == "image/png" and image.data.startswith(b"\x89PNG")
    assert client.get(f"/pliki/{record.id}/podglad/3.png").status_code == 404
    assert login("asystent2").get(f"/pliki/{record.id}/podglad/1.png").status_code == 404


@needs_libreoffice
def test_without_pdftoppm_the_preview_says_what_is_missing_and_the_pdf_still_downloads(pdf_app, session,
                                                                                       monkeypatch):
    import docgen.preview

    monkeypatch.setattr(docgen.preview, "pdftoppm_path", lambda: None)
    client = pdf_app.test_client()
    assert client.post("/login", data={"username": "asystent1", "password": "haslo-demo-2026"}).status_code == 302
    record = _generated_plan(client, session)
    response = client.get(f"/pliki/{record.id}/podglad", follow_redirects=True)
    assert response.request.path == f"/dokumenty/{record.document_id}"
    assert docgen.preview.TOOL_MISSING in response.text
    assert client.get(f"/pliki/{record.id}/pdf").status_code == 200


def test_without_libreoffice_the_review_page_says_what_is_missing(app, login, session, monkeypatch):
    import webforms.pdf

    monkeypatch.setattr(webforms.pdf, "libreoffice_available", lambda: False)
    client = login("asystent1")
    record = _generated_plan(client, session)
    response = client.get(f"/pliki/{record.id}/pdf", follow_redirects=True)
    assert response.status_code == 200 and response.request.path == f"/dokumenty/{record.document_id}"
    assert LIBREOFFICE_MISSING in response.text
    assert not file_path(record).with_suffix(".pdf").exists()
    assert client.get(f"/pliki/{record.id}").status_code == 200  # the .docx still downloads


def test_another_assistant_gets_no_pdf(login, session):
    record = _generated_plan(login("asystent1"), session)
    assert login("asystent2").get(f"/pliki/{record.id}/pdf").status_code == 404
    assert not file_path(record).with_suffix(".pdf").exists()
