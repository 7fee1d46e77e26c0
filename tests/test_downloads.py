"""Every download (a family's .docx and PDF, preview images, the family ZIP, print PDFs, the office's
templates, the directory's CSV) tells the browser not to keep a copy: `Cache-Control: no-store`, as
the pages do. The download routes are found from the app's own url_map (every view that sends a
file), so a new one is walked without anyone adding it here."""
from __future__ import annotations

import inspect
import os

import pytest
from sqlalchemy import select

from docgen.doctypes import get_doctype
from docgen.pdf import libreoffice_available
from docgen.store import api_tokens, office_types, printjobs
from docgen.store import templates as office_templates
from docgen.store.documents import create_document, generate
from docgen.store.institutions import create as create_institution
from docgen.store.models import Family, User
from test_office_templates import changed_template

needs_libreoffice = pytest.mark.skipif(
    not libreoffice_available() and not os.environ.get("CI"),
    reason="LibreOffice with its UNO bridge is not installed (apt-get install libreoffice-writer-nogui python3-uno)")


def _download_endpoints(app) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules()
            if rule.endpoint != "static" and "send_file(" in inspect.getsource(app.view_functions[rule.endpoint])}


@pytest.fixture
def files(app, session, output_dir):
    """A generated plan of asystent1's family, a finished print job of it, an uploaded office template,
    an entry of the directory: something behind every download route."""
    from webforms.pdf import close_pdf_pool, pdf_pool

    assistant = session.scalars(select(User).where(User.username == "asystent1")).one()
    family = session.scalars(select(Family).where(Family.assistant_id == assistant.id).order_by(Family.id)).first()
    document = create_document(session, family, "work_plan", assistant)
    document.data = get_doctype("work_plan").example()
    record = generate(session, document, assistant)
    session.flush()
    printable = printjobs.printable_documents(session, select(Family), file_ids=[record.id])
    job = printjobs.create_job(session, assistant, printable, title="Wydruk")
    template = office_templates.upload(session, family.office, "work_plan", changed_template(), "plan.docx", None)
    institution = create_institution(session, family.office_id, {"name": "Poradnia w Lipowcu", "kind": "poradnia",
                                                                 "address": "ul. Polna 3"})
    type_version = office_types.copy_to_draft(session, family.office, "notatka_sluzbowa", None)
    session.commit()
    with app.app_context():
        printjobs.run_print_job(job.id, app.extensions["docgen_sessionmaker"], pdf_pool())
    yield {"family_id": family.id, "document_id": document.id, "file_id": record.id, "job_id": job.id,
           "template_id": template.id, "institution_id": institution.id, "page": 1, "doc_type": "work_plan",
           "typ": "notatka_sluzbowa", "type_version_id": type_version.id}
    close_pdf_pool(app)


@needs_libreoffice
def test_every_download_says_no_store(app, login, files, session):
    downloads = _download_endpoints(app)
    # the walk knows them all: a download route nobody can reach here would hide a cached copy
    assert {"documents.download", "documents.download_pdf", "documents.preview_image", "families.export",
            "printing.job_pdf", "admin.template_builtin", "admin.template_download", "admin.template_example",
            "admin.template_preview_image", "institutions.export", "office_types.export",
            "office_types.preview_image", "office_types.example", "office_types.template",
            "office_types.version_definition"} <= downloads
    head, admin = login("kierownik"), login("admin")
    # the API's downloads answer a bearer token only (webforms/api), here the head's
    _, token = api_tokens.create(session, session.scalars(select(User).where(User.username == "kierownik")).one(),
                                 "test")
    session.commit()
    # the preview pages make the images the image routes send
    assert head.get(f"/pliki/{files['file_id']}/podglad").status_code == 200
    assert admin.get(f"/admin/szablony/wersje/{files['template_id']}").status_code == 200
    assert head.get(f"/typy-dokumentow/wersje/{files['type_version_id']}/podglad").status_code == 200
    walked = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint not in downloads:
            continue
        url = rule.build({name: files[name] for name in rule.arguments}, append_unknown=False)[1]
        client = admin if rule.endpoint.startswith("admin.") else head
        response = (app.test_client().get(url, headers={"Authorization": f"Bearer {token}"})
                    if rule.rule.startswith("/api/") else client.get(url))
        assert response.status_code == 200, f"{url} answered {response.status_code}"
        assert response.mimetype != "text/html", url
        assert response.headers["Cache-Control"] == "no-store", f"{url}: {response.headers.get('Cache-Control')}"
        walked.add(rule.endpoint)
    assert walked == downloads


def test_pages_say_no_store_and_the_stylesheet_may_be_kept(login):
    client = login("asystent1")
    assert client.get("/rodziny/").headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/static/style.css").headers.get("Cache-Control", "")
