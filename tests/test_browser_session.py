"""An idle logout in Chromium: a form sent after it stays on the page with everything typed, a
link opens the login in a new tab, and the same button then saves it; two minutes before the
limit the page warns, and "Nie wylogowuj" keeps the session."""
from __future__ import annotations

import time
import types

import pytest

from docgen.store.models import Document
from docgen.validate import normalise_text

from chromium import BROWSER_MARKS, shot
from test_session_keepalive import TYPED, draft, office_timeout

pytestmark = BROWSER_MARKS


@pytest.fixture
def clock(monkeypatch):
    """The server's clock for the idle check, moved forward at will (the server runs in this process)."""
    from webforms import security
    from webforms.auth import routes

    shift = [0.0]
    fake = types.SimpleNamespace(time=lambda: time.time() + shift[0])
    monkeypatch.setattr(security, "time", fake)
    monkeypatch.setattr(routes, "time", fake)
    return shift


def _log_in(page, demo_password: str) -> None:
    page.fill("#username", "asystent1")
    page.fill("#password", demo_password)
    page.get_by_role("button", name="Zaloguj się").click()


@pytest.mark.parametrize("width", [1280, 390])
def test_a_form_sent_after_the_idle_logout_keeps_the_text_and_is_saved_after_a_new_login(
        live_server, page, session, clock, demo_password, width):
    limit = office_timeout(session, 30)
    document, section, field = draft(session)
    page.set_viewport_size({"width": width, "height": 900})
    page.clock.install()
    page.goto(f"{live_server}/login")
    _log_in(page, demo_password)
    page.goto(f"{live_server}/dokumenty/{document.id}/krok/{section}")
    page.fill(f"#{field}", TYPED)
    # the assistant went to a meeting: the office's limit has passed, for the server and the page
    clock[0] = limit + 60
    page.clock.fast_forward((limit + 60) * 1000)

    with page.expect_response(lambda response: "/sesja/stan" in response.url and response.status == 401):
        page.get_by_role("button", name="Dalej →").click()  # the page asks first, and keeps the form
    banner = page.locator(".session-banner")
    banner.wait_for()
    assert "Sesja wygasła z powodu braku aktywności, więc formularza nie wysłano" in banner.inner_text()
    assert page.url.endswith(f"/krok/{section}")
    assert page.input_value(f"#{field}") == TYPED
    shot(page, f"sesja-wygasla-{width}")

    with page.context.expect_page() as opened:
        page.get_by_role("link", name="Zaloguj się ponownie (otworzy się nowa karta)").click()
    login_tab = opened.value
    login_tab.wait_for_load_state()
    _log_in(login_tab, demo_password)
    login_tab.get_by_role("heading", name="Zalogowano ponownie").wait_for()
    shot(login_tab, f"sesja-wznowiona-{width}")

    page.bring_to_front()
    page.get_by_role("button", name="Dalej →").click()
    page.wait_for_url(lambda url: not url.endswith(f"/krok/{section}"))
    session.expire_all()
    # the browser sends the text area's newline as CRLF, as every form does; the documents read it as one newline
    assert normalise_text(session.get(Document, document.id).data[field]) == TYPED


def test_the_page_warns_before_the_idle_logout_and_stays_on_request(live_server, page, session, demo_password):
    limit = office_timeout(session, 10)
    page.clock.install()
    page.goto(f"{live_server}/login")
    _log_in(page, demo_password)
    page.goto(f"{live_server}/rodziny/")
    page.clock.fast_forward((limit - 90) * 1000)
    warning = page.locator(".session-banner")
    warning.wait_for()
    assert "Za około 2 min nastąpi wylogowanie z powodu braku aktywności." in warning.inner_text()
    shot(page, "sesja-ostrzezenie")
    page.get_by_role("button", name="Nie wylogowuj").click()
    warning.wait_for(state="detached")
    assert page.get_by_role("button", name="Wyloguj").is_visible()  # still logged in
