"""With DOCGEN_REDIS_URL the web app starts no LibreOffice and hands PDFs and print jobs to the queue;
when Redis cannot be reached, logging in still works (the limits count in memory meanwhile), a PDF
answers "try again" (503) and a print job ends failed saying why. Needs no Redis: the URL points at
a port where nothing listens (tests/test_scaled.py runs the real one)."""
from __future__ import annotations

import socket

import pytest
from sqlalchemy import select

from conftest import DEMO_PASSWORD, _app
from docgen import jobqueue
from docgen.pdf import PdfPool
from docgen.store.models import JOB_FAILED, Family, PrintJob, User
from test_print_office import _generated


@pytest.fixture
def queued_app(web_db, monkeypatch):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    monkeypatch.setenv(jobqueue.REDIS_URL_ENV, f"redis://127.0.0.1:{port}/0")
    app = _app(web_db, WTF_CSRF_ENABLED=False)
    yield app
    from webforms.jobs import close_print_runner
    from webforms.pdf import close_pdf_pool

    close_print_runner(app)
    close_pdf_pool(app)


def test_with_the_queue_unreachable_the_app_answers_and_a_pdf_says_try_again(queued_app, session, output_dir):
    user = session.scalars(select(User).where(User.username == "asystent1")).one()
    family = session.scalars(select(Family).where(Family.assistant_id == user.id)).first()
    record = _generated(session, family, user, "visit_record", "Wizyta & <dzieci>")
    session.commit()
    client = queued_app.test_client()
    assert client.post("/login", data={"username": "asystent1", "password": DEMO_PASSWORD}).status_code == 302
    assert client.get("/pulpit").status_code == 200

    response = client.get(f"/pliki/{record.id}/pdf")
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert jobqueue.UNAVAILABLE_MESSAGE in response.text
    # no LibreOffice of the web process's own, and no half-made PDF
    assert not isinstance(queued_app.extensions["docgen_pdf"], PdfPool)
    assert not list(output_dir.rglob("*.pdf")) and not list(output_dir.rglob("*.part"))

    response = client.post("/drukarnia/?pokaz=1", data={"plik": [str(record.id)], "title": "Wydruk"})
    assert response.status_code == 302
    job = session.scalars(select(PrintJob)).one()
    session.refresh(job)
    assert job.status == JOB_FAILED and job.message == jobqueue.PRINT_UNAVAILABLE
    assert jobqueue.PRINT_UNAVAILABLE in client.get(response.location).text


def test_wrong_passwords_are_still_limited_while_redis_is_away(queued_app):
    client = queued_app.test_client()
    answers = [client.post("/login", data={"username": "asystent2", "password": "zle-haslo"}).status_code
               for _ in range(6)]
    assert answers == [200] * 5 + [429]
