"""The wizard without traps, in headless Chromium: Enter means "Dalej", "+ Dodaj" keeps the page where
it was, warnings are confirmed on the summary before generating and the card is offered what the
document fixes, a draft resumes where it was left and is deleted after a question, ending work asks
first and the head reopens the family.

One server, one database and one login per user for the whole module, to keep it fast.
"""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import select

from docgen.doctypes import get_doctype
from docgen.store.models import Document, Family

from conftest import DEMO_PASSWORD
from chromium import BROWSER_MARKS, CHROMIUM, shot as _shot

PLAN = get_doctype("work_plan")

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The demo office served on a free port: (base URL, sessionmaker of its database)."""
    from werkzeug.serving import make_server

    from docgen.store import db as store_db
    from docgen.store.db import make_engine, make_sessionmaker
    from docgen.store.demo import load_demo
    from docgen.store.migrate import upgrade
    from webforms import create_app
    from webforms.jobs import close_print_runner
    from webforms.pdf import close_pdf_pool

    root = tmp_path_factory.mktemp("wizard")
    patch = pytest.MonkeyPatch()
    for name in ("output", "instance"):
        (root / name).mkdir()
    patch.setenv("DOCGEN_OUTPUT_DIR", str(root / "output"))
    patch.setenv("DOCGEN_INSTANCE_DIR", str(root / "instance"))
    patch.setattr(store_db, "INSTANCE_DIR", root / "instance")
    url = f"sqlite:///{root / 'web.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        load_demo(session, password=DEMO_PASSWORD)
        session.commit()
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "browser-test"})
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}", sessions
    httpd.shutdown()
    thread.join(timeout=5)
    close_print_runner(app)
    close_pdf_pool(app)
    engine.dispose()
    patch.undo()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        yield chromium
        chromium.close()


def _logged_in(browser, base: str, username: str):
    context = browser.new_context(locale="pl-PL", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/login")
    page.get_by_label("Login").fill(username)
    page.get_by_label("Hasło").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Zaloguj się").click()
    page.get_by_role("heading", name="Pulpit").wait_for()
    return page


@pytest.fixture(scope="module")
def assistant(browser, server):
    page = _logged_in(browser, server[0], "asystent1")
    yield page
    page.context.close()


def _family(sessions, name: str) -> Family:
    with sessions() as session:
        return session.scalars(select(Family).where(Family.family_name == name)).one()


def _stored(sessions, document_id: int) -> Document:
    with sessions() as session:
        return session.get(Document, document_id)


def _new_document(sessions, family_name: str, doc_type: str, **data) -> int:
    from docgen.store.documents import create_document

    with sessions() as session:
        family = session.scalars(select(Family).where(Family.family_name == family_name)).one()
        document = create_document(session, family, doc_type, family.assistant)
        document.data = {**document.data, **data}
        session.commit()
        return document.id


def test_enter_means_next_and_adding_a_row_keeps_the_page_where_it_was(server, assistant):
    base, sessions = server
    page = assistant
    family = _family(sessions, "Krajewscy")
    page.goto(f"{base}/rodziny/{family.id}")
    page.select_option("#doc_type", "work_plan")
    page.get_by_role("button", name="Utwórz").click()
    page.wait_for_url("**/krok/family")
    document_id = int(page.url.split("/dokumenty/")[1].split("/")[0])

    # Enter in a text field saves the step and goes on, as "Dalej" does
    page.fill("#family_name", "Krajewscy-Nowak")
    page.press("#family_name", "Enter")
    page.wait_for_url("**/krok/basis")
    assert _stored(sessions, document_id).data["family_name"] == "Krajewscy-Nowak"

    # "+ Dodaj" adds a row in place: no reload, the same scroll position, the new row's first field focused
    page.goto(f"{base}/dokumenty/{document_id}/krok/family")
    page.evaluate("window.notReloaded = true")
    add = page.get_by_role("button", name="+ Dodaj: osoba")
    add.evaluate("button => button.scrollIntoView({block: 'center'})")
    before = page.evaluate("window.scrollY")
    assert before > 1000  # far down the page, where a reload would jump away from
    add.click()
    assert page.locator("#members-4-first_name").is_visible()
    assert page.evaluate("window.notReloaded") is True
    assert page.evaluate("window.scrollY") == before
    assert page.evaluate("document.activeElement.id") == "members-4-first_name"
    assert page.locator("fieldset#grupa-members .row-card").nth(4).locator("strong").inner_text() == "Osoba 5"
    page.keyboard.type("Zdzisław")
    page.fill("#members-4-last_name", "Krajewski")
    page.fill("#members-4-birth_date", "1950-01-02")
    page.select_option("#members-4-relation", "dziadek")
    add.click()
    assert page.locator("#members-5-first_name").is_visible()
    _shot(page, "wizard-dodaj-wiersz-1280")
    # a row added here is removed as any other (by the server, keeping what was typed in the rest)
    page.locator("fieldset#grupa-members .row-card").nth(5).get_by_role("button", name="Usuń").click()
    page.wait_for_function("document.querySelectorAll('#grupa-members .row-card').length === 5")
    assert page.input_value("#members-4-first_name") == "Zdzisław"
    page.get_by_role("button", name="Dalej").last.click()
    page.wait_for_url(lambda url: "/krok/basis" in url)  # the browser keeps the "#grupa-members" of the removal
    members = _stored(sessions, document_id).data["members"]
    assert [(m["first_name"], m["relation"]) for m in members[3:]] == [("Szymon", "dziecko"), ("Zdzisław", "dziadek")]


def test_warnings_are_confirmed_on_the_summary_and_the_card_is_offered_what_the_plan_fixes(server, assistant):
    base, sessions = server
    page = assistant
    family = _family(sessions, "Wieczorek")
    own = {item.name for name in ("family", "basis") for item in PLAN.section(name).items}
    example = {key: value for key, value in PLAN.example().items() if key not in own}
    # a coordinated plan is what this family needs; the work plan's wizard is the same for what is shown here
    document_id = _new_document(sessions, "Krajewscy", "work_plan", **{
        **example, "social_worker_name": "Halina Domańska", "assignment_date": "2026-09-10",
        "plan_date": "2026-12-20", "consultation_date": "2026-12-18"})
    assert family.family_name == "Wieczorek"

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/dokumenty/{document_id}/krok/period")
    warning = page.locator("#ostrzezenia-kroku")
    assert "przed datą sporządzenia planu (20 grudnia 2026 r.)" in warning.inner_text()
    # and at the field itself, read with it by a screen reader; a warning, not an error
    at_field = page.locator(".field.has-warning")
    note = at_field.locator(".warning-note")
    assert at_field.count() == 1 and "przed datą sporządzenia planu (20 grudnia 2026 r.)" in note.inner_text()
    described = at_field.locator("input, textarea, select").first.get_attribute("aria-describedby").split()
    assert note.get_attribute("id") in described
    assert at_field.locator("[aria-invalid]").count() == 0
    _shot(page, "wizard-krok-z-ostrzezeniem-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    _shot(page, "wizard-krok-z-ostrzezeniem-390")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(f"{base}/dokumenty/{document_id}")
    box = page.locator("#ostrzezenia")
    assert "Ostrzeżenia (2)" in box.inner_text()
    assert "termin (15 grudnia 2026 r.) minął przed datą sporządzenia planu" in box.inner_text()
    _shot(page, "podsumowanie-ostrzezenia-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    _shot(page, "podsumowanie-ostrzezenia-390")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("button", name="Generuj dokument Word (.docx)").click()
    refusal = page.locator(".flash-error", has_text="Nie wygenerowano dokumentu")
    assert "(1) Działania, działanie 1 – termin (15 grudnia 2026 r.)" in refusal.inner_text()
    assert "(2) Plan obowiązuje od: 2 listopada 2026 r." in refusal.inner_text()
    assert _stored(sessions, document_id).version == 0

    for _ in range(2):
        page.locator("#ostrzezenia").get_by_role("button", name="Potwierdzam").first.click()
        page.get_by_text("Potwierdzono ostrzeżenie.").wait_for()
    assert page.locator("#ostrzezenia").get_by_text("✓ potwierdzone").count() == 2
    page.get_by_role("button", name="Generuj dokument Word (.docx)").click()
    page.get_by_role("heading", name="Zapisać w karcie rodziny?").wait_for()
    offer = page.locator("#karta").inner_text()
    assert "Data skierowania asystenta do rodziny" in offer and "10 września 2026 r." in offer
    _shot(page, "podsumowanie-karta-rodziny-1280")
    page.get_by_role("button", name="Zapisz zaznaczone w karcie rodziny").click()
    page.get_by_text("Zapisano w karcie rodziny: Data skierowania asystenta do rodziny.").wait_for()
    assert _family(sessions, "Krajewscy").assignment_date == dt.date(2026, 9, 10)


def test_a_draft_resumes_where_it_was_left_and_is_deleted_after_a_question(server, assistant):
    base, sessions = server
    page = assistant
    document_id = _new_document(sessions, "Wieczorek", "visit_record")
    page.goto(f"{base}/dokumenty/{document_id}/krok/topics")
    family = _family(sessions, "Wieczorek")
    page.goto(f"{base}/rodziny/{family.id}")
    row = page.locator("tr", has=page.locator(f"a[href='/dokumenty/{document_id}/wznow']"))
    row.get_by_role("link", name="Kontynuuj").click()
    page.wait_for_url(f"**/dokumenty/{document_id}/krok/topics")

    page.goto(f"{base}/rodziny/{family.id}")
    row.get_by_role("link", name="Usuń szkic").click()
    page.get_by_role("heading", name="Usunąć szkic?").wait_for()
    assert _stored(sessions, document_id) is not None
    page.get_by_role("button", name="Tak, usuń szkic").click()
    page.get_by_text("Usunięto szkic: Karta wizyty.").wait_for()
    assert _stored(sessions, document_id) is None
    assert page.locator(f"a[href='/dokumenty/{document_id}/wznow']").count() == 0


def test_ending_work_asks_first_and_the_head_reopens_the_family(server, assistant, browser):
    base, sessions = server
    page = assistant
    family = _family(sessions, "Wieczorek")
    page.goto(f"{base}/rodziny/{family.id}")
    yesterday = dt.date.today() - dt.timedelta(days=1)
    page.fill("#closed_on", yesterday.isoformat())
    page.get_by_role("button", name="Zakończ pracę…").click()
    page.get_by_role("heading", name="Zakończyć pracę z rodziną Wieczorek?").wait_for()
    assert _family(sessions, "Wieczorek").closed_on is None
    page.get_by_role("button", name="Tak, zakończ pracę z rodziną").click()
    page.get_by_text("Zapisano zakończenie pracy z rodziną.").wait_for()
    assert _family(sessions, "Wieczorek").closed_on == yesterday
    assert page.get_by_role("button", name="Wznów pracę z rodziną").count() == 0

    head = _logged_in(browser, base, "kierownik")
    try:
        head.goto(f"{base}/rodziny/{family.id}")
        head.get_by_role("button", name="Wznów pracę z rodziną").click()
        head.get_by_text("Wznowiono pracę z rodziną.").wait_for()
    finally:
        head.context.close()
    reopened = _family(sessions, "Wieczorek")
    assert (reopened.closed_on, reopened.active) == (None, True)
