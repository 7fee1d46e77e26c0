"""Double-clicking "Generuj" in Chromium makes one version and a normal page, never an error page.
The server holds the first request (as a slow server would) until the second click has been made,
so the test does not depend on how fast generation is. Without JavaScript, a second request of the
same page is answered "already made" by the server (tests/test_concurrency.py)."""
from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import select

from docgen.doctypes import get_doctype
from docgen.store.documents import create_document
from docgen.store.models import Document, Family, GeneratedFile, User
from chromium import BROWSER_MARKS, shot as _shot


pytestmark = BROWSER_MARKS


class HeldGenerations:
    """WSGI middleware: counts the "Generuj" requests and holds each until released."""

    def __init__(self, app) -> None:
        self.app, self.arrived, self.first, self.release = app, 0, threading.Event(), threading.Event()

    def __call__(self, environ, start_response):
        if environ["REQUEST_METHOD"] == "POST" and environ["PATH_INFO"].endswith("/generuj"):
            self.arrived += 1
            self.first.set()
            self.release.wait(timeout=30)
        return self.app(environ, start_response)


@pytest.fixture
def held_server(web_db):
    from werkzeug.serving import make_server

    from webforms import create_app

    app = create_app({"DATABASE_URL": web_db, "SECRET_KEY": "browser-test"})
    gate = app.wsgi_app = HeldGenerations(app.wsgi_app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", gate
    gate.release.set()
    server.shutdown()
    thread.join(timeout=5)


def test_a_double_click_on_generate_sends_one_request_and_makes_one_version(held_server, page, session,
                                                                             demo_password):
    base, gate = held_server
    user = session.scalars(select(User).where(User.username == "asystent1")).one()
    family = session.scalars(select(Family).where(Family.assistant_id == user.id).order_by(Family.id)).first()
    document = create_document(session, family, "work_plan", user)
    document.data = {**get_doctype("work_plan").example(), "family_name": family.family_name}
    session.commit()
    review = f"{base}/dokumenty/{document.id}"

    page.goto(f"{base}/login")
    page.get_by_label("Login").fill("asystent1")
    page.get_by_label("Hasło").fill(demo_password)
    page.get_by_role("button", name="Zaloguj się").click()
    page.get_by_role("heading", name="Pulpit").wait_for()
    page.goto(review)
    box = page.get_by_role("button", name="Generuj dokument Word (.docx)").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    # a person's double-click: the second click comes while the first request is still being
    # answered (Playwright cannot look into a page that is navigating, so the mouse is used directly)
    page.mouse.click(x, y)
    assert gate.first.wait(timeout=10)
    page.mouse.click(x, y)
    gate.release.set()
    # the new version's files, or first the offer to write what the plan fixes into the family card
    page.wait_for_url(re.compile(rf"{re.escape(review)}(#pliki|\?karta=1#karta)$"))
    # had the browser sent the second click, this page would be its answer, so it would be counted
    assert gate.arrived == 1
    message = page.locator(".flash-success").first.inner_text()
    assert message.startswith("Wygenerowano dokument") and "(wersja 1)" in message
    assert "Błąd serwera" not in page.content()
    session.expire_all()
    assert list(session.scalars(select(GeneratedFile.version)
                                .where(GeneratedFile.document_id == document.id))) == [1]
    assert session.get(Document, document.id).version == 1
    # the page after it offers "Generuj" again, for a deliberate next version
    assert page.get_by_role("button", name="Generuj dokument Word (.docx)").is_enabled()
    _shot(page, "generuj-po-dwukliku")
