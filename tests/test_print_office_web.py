"""The print office in the web app: choose documents, print them in the background, watch the
state, download one PDF; only who may see the families; clear Polish answers to bad input."""
from __future__ import annotations

import datetime as dt
import io
import os
import re
import time

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from docgen.pdf import LIBREOFFICE_MISSING, libreoffice_available
from docgen.store import printjobs
from docgen.store.models import JOB_QUEUED, JOB_RUNNING, Family, PrintJob, User
from test_print_office import _generated

needs_libreoffice = pytest.mark.skipif(
    not libreoffice_available() and not os.environ.get("CI"),
    reason="LibreOffice with its UNO bridge is not installed (apt-get install libreoffice-writer-nogui python3-uno)")


@pytest.fixture
def print_app(app):
    from webforms.jobs import close_print_runner
    from webforms.pdf import close_pdf_pool

    yield app
    close_print_runner(app)
    close_pdf_pool(app)


@pytest.fixture
def documents(session, output_dir):
    user = session.scalars(select(User).where(User.username == "asystent1")).one()
    families = {f.family_name: f for f in session.scalars(select(Family).where(Family.assistant_id == user.id))}
    files = [_generated(session, families["Krajewscy"], user, "visit_record", "Wizyta u Krajewskich & <dzieci>"),
             _generated(session, families["Wieczorek"], user, "visit_record", "Wizyta u Wieczorków: zażółć gęślą jaźń")]
    session.commit()
    return files


def _client(app, username):
    client = app.test_client()
    assert client.post("/login", data={"username": username, "password": "haslo-demo-2026"}).status_code == 302
    return client


def _wait(client, job_id: int, seconds: float = 120) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        state = client.get(f"/drukarnia/{job_id}/stan").get_json()
        if state["status"] in ("finished", "failed"):
            return state
        time.sleep(0.2)
    pytest.fail(f"job {job_id} did not end: {state}")


@needs_libreoffice
def test_assistant_prints_chosen_documents_into_one_pdf(print_app, documents, session):
    client = _client(print_app, "asystent1")
    page = client.get("/drukarnia/?pokaz=1").text
    for record in documents:
        assert f'name="plik" value="{record.id}"' in page
    response = client.post("/drukarnia/?pokaz=1", data={"plik": [str(r.id) for r in documents],
                                                          "title": "Karty wizyt & <listopad>", "cover_sheet": "y"})
    assert response.status_code == 302
    job_id = int(re.search(r"/drukarnia/(\d+)$", response.location).group(1))
    state = _wait(client, job_id)
    assert state == {**state, "status": "finished", "done": 2, "total": 2, "percent": 100, "failures": []}

    shown = client.get(f"/drukarnia/{job_id}").text
    assert "Gotowe: 2 z 2 dokumentów" in shown and "Karty wizyt &amp; &lt;listopad&gt;" in shown
    pdf = client.get(f"/drukarnia/{job_id}/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.headers["Content-Disposition"].startswith("attachment")
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Karty wizyt & <listopad>" in text
    assert text.index("Wizyta u Krajewskich & <dzieci>") < text.index("Wizyta u Wieczorków: zażółć gęślą jaźń")
    assert client.get(f"/drukarnia/{job_id}/pdf?drukuj=1").headers["Content-Disposition"].startswith("inline")

    # the head of the office sees it too; another assistant does not
    head = _client(print_app, "kierownik")
    assert head.get(f"/drukarnia/{job_id}").status_code == 200 and "Karty wizyt" in head.get("/drukarnia/").text
    other = _client(print_app, "asystent2")
    for url in (f"/drukarnia/{job_id}", f"/drukarnia/{job_id}/stan", f"/drukarnia/{job_id}/pdf"):
        assert other.get(url).status_code == 404
    assert "Karty wizyt" not in other.get("/drukarnia/").text


def test_another_assistants_documents_cannot_be_slipped_into_a_job(print_app, documents, monkeypatch):
    monkeypatch.setattr("webforms.printing.routes.libreoffice_available", lambda: True)
    other = _client(print_app, "asystent2")
    page = other.get("/drukarnia/?pokaz=1").text
    assert "Krajewscy" not in page and "Wieczorek" not in page
    response = other.post("/drukarnia/?pokaz=1", data={"plik": [str(r.id) for r in documents], "title": "x"})
    assert response.status_code == 200 and "Zaznacz co najmniej jeden dokument do wydruku." in response.text
    assert printjobs.MAX_JOB_DOCUMENTS == 300


def test_bad_filters_are_named_in_polish_and_kept(print_app, documents):
    client = _client(print_app, "asystent1")
    page = client.get("/drukarnia/?od=2026-13-01&do=jutro&typ=nieznany&rodzina=99999").text
    assert "Data od: podaj datę w postaci RRRR-MM-DD" in page and 'value="2026-13-01"' in page
    assert "Data do: podaj datę" in page and 'value="jutro"' in page
    assert "Rodzaj dokumentu: wybierz z listy." in page
    assert "Rodzina: nie znaleziono takiej rodziny" in page


def test_the_first_visit_offers_this_months_documents(print_app, documents):
    client = _client(print_app, "asystent1")
    page = client.get("/drukarnia/").text
    first = dt.date.today().replace(day=1).isoformat()
    assert f'id="od" name="od" value="{first}"' in page
    # the examples are dated in the past: nothing from this month unless asked for all
    assert "oceny okresowe z tego miesiąca" in page


def test_a_job_left_by_a_stopped_app_shows_as_interrupted(print_app, documents, session):
    user = session.scalars(select(User).where(User.username == "asystent1")).one()
    job = PrintJob(office_id=user.office_id, created_by_id=user.id, title="Sprzed restartu",
                   file_ids=[r.id for r in documents], status=JOB_RUNNING, done=1,
                   heartbeat_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=3))
    session.add(job)
    session.commit()
    client = _client(print_app, "asystent1")
    state = client.get(f"/drukarnia/{job.id}/stan").get_json()
    assert state["status"] == "failed" and state["percent"] == 100 and state["message"] == printjobs.INTERRUPTED
    assert printjobs.INTERRUPTED in client.get(f"/drukarnia/{job.id}").text
    assert client.get(f"/drukarnia/{job.id}/pdf").status_code == 404


def test_a_running_job_reloads_to_the_same_progress(print_app, documents, session):
    user = session.scalars(select(User).where(User.username == "asystent1")).one()
    job = PrintJob(office_id=user.office_id, created_by_id=user.id, title="W toku", status=JOB_RUNNING, done=1,
                   file_ids=[r.id for r in documents], heartbeat_at=dt.datetime.now(dt.timezone.utc))
    session.add(job)
    session.commit()
    page = _client(print_app, "asystent1").get(f"/drukarnia/{job.id}").text
    assert "Przygotowywanie dokumentów: 1 z 2." in page and 'value="50"' in page


def test_an_assistant_loses_a_job_once_a_family_in_it_is_reassigned(print_app, documents, session):
    user, other = (session.scalars(select(User).where(User.username == name)).one() for name in ("asystent1", "asystent2"))
    job = PrintJob(office_id=user.office_id, created_by_id=user.id, title="Przed przekazaniem", status=JOB_QUEUED,
                   file_ids=[r.id for r in documents])
    session.add(job)
    session.commit()
    client = _client(print_app, "asystent1")
    assert client.get(f"/drukarnia/{job.id}").status_code == 200
    documents[0].document.family.assistant_id = other.id
    session.commit()
    assert client.get(f"/drukarnia/{job.id}").status_code == 404


def test_without_libreoffice_the_print_office_says_what_is_missing(print_app, documents, monkeypatch):
    monkeypatch.setattr("webforms.printing.routes.libreoffice_available", lambda: False)
    client = _client(print_app, "asystent1")
    assert LIBREOFFICE_MISSING in client.get("/drukarnia/?pokaz=1").text
    response = client.post("/drukarnia/?pokaz=1", data={"plik": [str(documents[0].id)], "title": "x"})
    assert LIBREOFFICE_MISSING in response.text
    assert f'value="{documents[0].id}" id="plik-{documents[0].id}" checked' in response.text  # the choice is kept


def test_the_admin_has_no_print_office(print_app):
    assert _client(print_app, "admin").get("/drukarnia/").status_code == 404
