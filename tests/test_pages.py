"""Every page of the app, as each role sees it, in Chromium: axe-core finds no WCAG 2.1 A or AA
violation, no page scrolls sideways at 1280 px, at 200 % zoom (640 px) or on a 390 px phone, no ISO
date shows in the text, and the HTML the server sent is valid. Forms are also checked in their error
state. The pages come from the app's own url_map: a GET route is audited here or exempted with a
reason, so a new page cannot slip past. One browser, one login per role."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from flask import abort
from sqlalchemy import select

from docgen.doctypes import DOCTYPES
from docgen.store.models import User
from pagecheck import (FOCUS_RING_SCRIPT, ISO_DATE, VISIBLE_TEXT, WIDTH_SCRIPT, WIDTHS, axe_violations, html_problems,
                       with_axe)
from chromium import BROWSER_MARKS, CHROMIUM

pytestmark = BROWSER_MARKS

# GET routes that are not pages a person reads, each with the reason
EXEMPT = {
    "static": "style sheets, scripts",
    "index": "redirects to the dashboard (or the admin pages)",
    "admin.index": "redirects to the users tab",
    "admin.template_builtin": "a .docx download",
    "admin.template_example": "a .docx download",
    "admin.template_download": "a .docx download",
    "admin.template_preview_image": "a PNG image of a page",
    "documents.download": "a .docx download",
    "documents.download_pdf": "a PDF download",
    "documents.preview_image": "a PNG image of a page",
    "families.export": "a ZIP download",
    "institutions.export": "a CSV download",
    "printing.job_pdf": "a PDF download",
    "printing.job_state": "JSON for the progress bar",
    "auth.session_state": "JSON for the pages' session check (tests/test_session_keepalive.py)",
    "calendar.feed": "the .ics feed (tests/test_calendar.py reads it with icalendar)",
    **{f"api.{name}": "JSON API (tests/test_api.py checks every answer against its OpenAPI document)"
       for name in ("types", "type_schema", "type_example", "families", "family", "document", "problems", "versions",
                    "file_docx", "file_pdf", "print_job", "print_job_pdf", "openapi", "institutions",
                    "institution")},
    "documents.resume": "redirects to the step where the work stopped",
    "office_types.export": "a JSON download (the type's definition)",
    "office_types.version_definition": "a JSON download (the version's definition)",
    "office_types.example": "a .docx download",
    "office_types.template": "a .docx download",
    "office_types.preview_image": "a PNG image of a page",
}
# every other GET route: pages() below visits each of them
AUDITED = {
    "auth.login", "auth.change_password", "dashboard.index", "families.index", "families.show", "families.edit",
    "families.create", "documents.step", "documents.review", "documents.preview", "printing.index", "printing.job",
    "calendar.index", "calendar.subscription", "institutions.index", "institutions.create", "institutions.edit",
    "institutions.import_csv", "auditlog.index", "auditlog.family", "auditlog.user", "admin.users", "admin.create",
    "admin.edit", "admin.office", "admin.templates", "admin.template_type", "admin.template_guide_page",
    "admin.template_preview", "documents.delete_draft", "accounts.index", "admin.change", "admin.second_factor_page",
    "office_types.index", "office_types.type_page", "office_types.version", "office_types.wizard",
    "office_types.preview",
    "api_tokens.index", "api_docs.page", "auth.session_resumed",
}


def test_every_get_route_is_audited_or_exempt(app):
    routes = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods}
    unknown = routes - AUDITED - set(EXEMPT)
    assert not unknown, f"GET routes neither audited in tests/test_pages.py nor exempted with a reason: {sorted(unknown)}"
    assert not AUDITED & set(EXEMPT)
    assert AUDITED | set(EXEMPT) <= routes, f"stale entries: {sorted((AUDITED | set(EXEMPT)) - routes)}"


def test_the_html_check_finds_what_a_validator_would():
    page = ('<!doctype html><html lang="pl"><head><title>t</title></head><body>'
            '<label for="a">A</label><input id="a" maxlength="None" aria-describedby="a-pomoc">'
            '<p id="x">1</p><p id="x">2</p><a href="#brak">b</a><label for="nic">N</label></body></html>')
    problems = html_problems(page)
    assert "<input maxlength='None'>" in problems
    assert "duplicate id 'x' (2×)" in problems
    assert any("aria-describedby='a-pomoc'> points at no element" in p for p in problems)
    assert any("<a href='#brak'> points at no element" in p for p in problems)
    assert any("for='nic'> points at no element" in p for p in problems)
    assert html_problems('<!doctype html><html lang="pl"><head><title>t</title></head><body><p><div></div></p>'
                         '</body></html>')[0].startswith("HTML parse error")
    assert html_problems('<!doctype html><html lang="pl"><head><title>t</title></head><body><p>ok</p></body></html>') == []


# --- the world and the server -------------------------------------------------------------

@pytest.fixture
def world(session):
    import page_world

    return page_world.build(session)


@pytest.fixture
def server(web_db, world):
    """The app with one extra route that answers 403, so the 403 page is audited too."""
    from werkzeug.serving import make_server

    from webforms import create_app
    from webforms.jobs import close_print_runner
    from webforms.pdf import close_pdf_pool

    app = create_app({"DATABASE_URL": web_db, "SECRET_KEY": "page-audit"})
    app.add_url_rule("/proba-403", "forbidden_probe", lambda: abort(403))
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{http.server_port}"
    http.shutdown()
    thread.join(timeout=5)
    close_print_runner(app)
    close_pdf_pool(app)


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"])
        yield chromium
        chromium.close()


def _pages(world, session) -> dict[str, list[tuple[str, int]]]:
    """(url, expected status) of every page, per login."""
    family, wieczorek, ended = world["krajewscy"], world["wieczorek"], world["jablonscy"]
    steps = [f"/dokumenty/{document.id}/krok/{section.name}" for doc_type, document in world["examples"].items()
             for section in DOCTYPES[doc_type].sections]
    reviews = [f"/dokumenty/{document.id}" for document in world["examples"].values()]
    own, own_document = world["own_type"], world["own_document"]
    steps += [f"/dokumenty/{own_document.id}/krok/{section['name']}" for section in own.definition["sections"]]
    reviews.append(f"/dokumenty/{own_document.id}")
    versions = f"/typy-dokumentow/wersje/{own.id}"
    other = session.scalars(select(User).where(User.username == "asystent2")).one()
    template = world["template"]
    return {
        "": [("/login", 200)],
        "asystent1": [
            ("/pulpit", 200), ("/rodziny/", 200), ("/rodziny/?q=krajewsk&stan=aktywna", 200), ("/rodziny/?q=zzz", 200),
            (f"/rodziny/{family.id}", 200), (f"/rodziny/{wieczorek.id}", 200), (f"/rodziny/{family.id}/edycja", 200),
            ("/rodziny/nowa", 200), *[(url, 200) for url in steps + reviews],
            (f"/dokumenty/{world['begun'].id}", 200), (f"/dokumenty/{world['plan'].id}", 200),
            (f"/pliki/{world['plan_file'].id}/podglad", 200), (f"/dokumenty/{world['begun'].id}/usun", 200),
            ("/drukarnia/", 200), ("/drukarnia/?pokaz=1", 200), (f"/drukarnia/{world['job'].id}", 200),
            ("/kalendarz/", 200), ("/kalendarz/subskrypcja", 200),
            ("/placowki/", 200), ("/placowki/nowa", 200), (f"/placowki/{world['institution'].id}/edycja", 200),
            ("/placowki/import", 200), ("/konto/haslo", 200), ("/konto/tokeny-api/", 200), ("/pomoc/api", 200),
            ("/sesja/wznowiona", 200), ("/rodziny/999999", 404), ("/logout", 405), ("/proba-403", 403),
        ],
        "kierownik": [
            ("/pulpit", 200), (f"/rodziny/?asystent={other.id}", 200), ("/rodziny/?stan=monitorowanie", 200),
            (f"/rodziny/{ended.id}", 200), (f"/kalendarz/?asystent={other.id}", 200), ("/kalendarz/", 200),
            ("/dziennik/", 200), (f"/dziennik/rodzina/{family.id}", 200), (f"/dziennik/uzytkownik/{other.id}", 200),
            ("/dziennik/?zdarzenie=update&od=2020-01-01", 200), ("/zmiany-kont/", 200),
            ("/typy-dokumentow/", 200), (f"/typy-dokumentow/typ/{own.type_id}", 200),
            ("/typy-dokumentow/typ/notatka_sluzbowa", 200), (versions, 200), (f"{versions}/kreator", 200),
            (f"{versions}/kreator/ustalenia", 200), (f"{versions}/podglad", 200),
        ],
        "admin": [
            ("/admin/uzytkownicy", 200), ("/admin/uzytkownicy/nowy", 200), (f"/admin/uzytkownicy/{other.id}", 200),
            ("/admin/osrodek", 200), ("/admin/szablony", 200), ("/admin/szablony/work_plan", 200),
            ("/admin/szablony/work_plan/przewodnik", 200), (f"/admin/szablony/wersje/{template.id}", 200),
            (f"/admin/zmiany/{world['change'].id}", 200), ("/admin/drugi-skladnik", 200),
            ("/konto/tokeny-api/", 200),
        ],
    }


def _error_states(world) -> dict[str, list[tuple[str, str, object]]]:
    """(name, url, what the user does there) for forms that come back with problems."""
    family = world["krajewscy"]

    def click(name):
        return lambda page: page.get_by_role("button", name=name, exact=True).click()

    def clear_and(selector, button):
        def act(page):
            page.fill(selector, "")
            click(button)(page)
        return act

    def without_csrf(page):
        page.evaluate("() => document.querySelectorAll('input[name=csrf_token]').forEach(e => e.remove())")
        page.get_by_role("button", name="Zapisz dane rodziny").click()

    return {
        "": [("logowanie bez hasła", "/login", click("Zaloguj się"))],
        "asystent1": [
            ("krok z brakami", f"/dokumenty/{world['begun'].id}/krok/period", click("Dalej →")),
            ("dane rodziny bez nazwiska", f"/rodziny/{family.id}/edycja", clear_and("#family_name", "Zapisz dane rodziny")),
            ("placówka bez danych", "/placowki/nowa", click("Dodaj placówkę")),
            ("zmiana hasła bez danych", "/konto/haslo", click("Zmień hasło")),
            ("adres kalendarza", "/kalendarz/subskrypcja", click("Utwórz adres kalendarza")),
            ("token API bez nazwy", "/konto/tokeny-api/", click("Utwórz token")),
            ("formularz bez tokenu (400)", f"/rodziny/{family.id}/edycja", without_csrf),
        ],
        "admin": [("nowy użytkownik bez danych", "/admin/uzytkownicy/nowy", click("Utwórz konto"))],
    }


def _login(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Login").fill(username)
    page.get_by_label("Hasło").fill(password)
    page.get_by_role("button", name="Zaloguj się").click()
    page.wait_for_url(lambda url: "/login" not in url)


# pages to look at (DOCGEN_SCREENSHOTS=folder): the summary, a wizard step, the family page, the list, the print office
SHOTS = {"/dokumenty/{plan}": "podsumowanie", "/dokumenty/{example}/krok/actions": "krok-dzialania",
         "/rodziny/{family}": "rodzina", "/rodziny/": "lista-rodzin", "/drukarnia/?pokaz=1": "drukarnia"}


def _shot_name(world, url: str) -> str | None:
    names = {pattern.format(plan=world["plan"].id, example=world["examples"]["work_plan"].id,
                            family=world["krajewscy"].id): name for pattern, name in SHOTS.items()}
    return names.get(url)


def _check(page, label: str, html: str, shot: str | None = None) -> list[str]:
    problems = [f"{label}: {p}" for p in html_problems(html)]
    problems += [f"{label}: axe {v}" for v in axe_violations(page)]
    text = page.evaluate(VISIBLE_TEXT)
    problems += [f"{label}: ISO date {m!r} in the text" for m in ISO_DATE.findall(text)]
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        scroll, client = page.evaluate(WIDTH_SCRIPT)
        if scroll > client:
            problems.append(f"{label}: {scroll} px wide at {width} px")
        if shot and width in (1280, 390):
            _screenshot(page, f"{shot}-{width}")
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    return problems


def test_every_page_passes_axe_fits_every_screen_and_is_valid_html(server, browser, world, session, demo_password):
    app, base = server
    adapter = app.url_map.bind("127.0.0.1")
    problems: list[str] = []
    visited: set[str] = set()
    errors = _error_states(world)
    for username, pages in _pages(world, session).items():
        context = browser.new_context(locale="pl-PL", viewport={"width": WIDTHS[0], "height": 900})
        with_axe(context)
        page = context.new_page()
        if username:
            _login(page, base, username, demo_password)
        for url, status in pages:
            response = page.goto(base + url)
            label = f"{username or 'anonim'} {url}"
            assert response.status == status, f"{label}: {response.status}"
            if status == 200:
                visited.add(adapter.match(url.split("?")[0], method="GET")[0])
            problems += _check(page, label, response.text(), _shot_name(world, url) if username == "asystent1" else None)
        for name, url, act in errors.get(username, []):
            page.goto(base + url)
            with page.expect_navigation() as navigation:
                act(page)
            label = f"{username or 'anonim'} {url} ({name})"
            problems += _check(page, label, navigation.value.text())
        context.close()
    assert visited == AUDITED, f"audited but not visited: {sorted(AUDITED - visited)}"
    assert not problems, "\n".join(problems)


def test_skip_link_error_focus_and_a_visible_focus_ring(server, browser, world, demo_password, tmp_path):
    """Tab first reaches "Przejdź do treści", which jumps to the main content; a step sent with problems
    comes back with the problems announced (role="alert") and the keyboard on the first field in error,
    its message tied to it; every focused control shows a ring of at least 3:1 against its background."""
    _, base = server
    context = browser.new_context(locale="pl-PL", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    _login(page, base, "asystent1", demo_password)
    page.goto(f"{base}/rodziny/{world['krajewscy'].id}")
    page.keyboard.press("Tab")
    skip = page.evaluate("() => [document.activeElement.textContent.trim(), document.activeElement.getBoundingClientRect().top]")
    assert skip[0] == "Przejdź do treści" and skip[1] >= 0
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "tresc"

    rings = []
    for _ in range(25):
        page.keyboard.press("Tab")
        rings.append(page.evaluate(FOCUS_RING_SCRIPT))
    assert {ring["tag"] for ring in rings} >= {"A", "BUTTON", "SELECT"}
    for ring in rings:
        assert ring["visible"] and ring["style"] == "solid" and ring["width"] >= 2, ring
        assert ring["ratio"] >= 3, ring

    page.goto(f"{base}/dokumenty/{world['begun'].id}/krok/period")
    page.get_by_role("button", name="Dalej →").click()
    summary = page.get_by_role("alert")
    assert "Plan obowiązuje od: pole jest wymagane." in summary.inner_text()
    focused = page.evaluate("() => [document.activeElement.id, document.activeElement.getAttribute('aria-invalid'),"
                            " document.activeElement.getAttribute('aria-describedby')]")
    assert focused[0] == "valid_from" and focused[1] == "true"
    described = " ".join(page.locator(f"#{name}").inner_text() for name in focused[2].split())
    assert "Plan obowiązuje od: pole jest wymagane." in described
    ring = page.evaluate(FOCUS_RING_SCRIPT)
    assert ring["ratio"] >= 3
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        _screenshot(page, f"krok-z-bledem-{width}")
    context.close()


def _screenshot(page, name: str) -> None:
    folder = os.environ.get("DOCGEN_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


# the lists an assistant opens on a phone in a family's home: one block per row, each value after its column's name
STACKED_ON_A_PHONE = """() => [...document.querySelectorAll('table.stack')].map(table => ({
  sideways: table.parentElement.scrollWidth > table.parentElement.clientWidth,
  header: table.tHead.getBoundingClientRect().height,
  rows: [...table.tBodies[0].rows].filter(row => !row.classList.contains('details')).map(row =>
    [...row.cells].map(cell => ({left: Math.round(cell.getBoundingClientRect().left), text: cell.innerText.trim(),
                                 label: getComputedStyle(cell, '::before').content})))}))"""


@pytest.mark.parametrize("url, labels", [
    ("/rodziny/{family}", ["Data urodzenia", "PESEL", "Rola"]),
    ("/rodziny/", ["Adres", "Asystent", "Stan", "Osób", "Dokumentów"]),
    ("/placowki/", ["Rodzaj", "Adres", "Kontakt"]),
])
def test_on_a_phone_lists_read_row_by_row_without_swiping(server, browser, world, demo_password, url, labels):
    _, base = server
    context = browser.new_context(locale="pl-PL", viewport={"width": 390, "height": 844})
    page = context.new_page()
    _login(page, base, "asystent1", demo_password)
    page.goto(base + url.format(family=world["krajewscy"].id))
    tables = page.evaluate(STACKED_ON_A_PHONE)
    assert len(tables) == 1 and tables[0]["rows"], tables
    table = tables[0]
    assert not table["sideways"] and table["header"] <= 1
    for row in table["rows"]:
        shown = [cell for cell in row if cell["label"] != '"Zakres kompetencji: "']  # hidden below 900 px
        name, *values = shown
        assert {cell["left"] for cell in shown} == {name["left"]}, row  # one under another, not side by side
        assert name["text"] and name["label"] == "none"
        assert [cell["label"] for cell in values] == [f'"{label}: "' for label in labels]
    _screenshot(page, f"telefon-{url.strip('/').split('/')[0] or 'strona'}")
    page.set_viewport_size({"width": 1280, "height": 900})
    wide = page.evaluate(STACKED_ON_A_PHONE)[0]
    assert wide["header"] > 1 and all(cell["label"] == "none" for cell in wide["rows"][0])
    assert len({cell["left"] for cell in wide["rows"][0]}) == len(wide["rows"][0])  # side by side again
    context.close()


def test_a_family_with_a_child_in_foster_care_fits_its_column_on_a_desktop(server, browser, world, demo_password):
    """The "w pieczy zastępczej" badge wraps in its cell instead of making the members table wider than
    the family's column (a scroll bar under the table on Windows)."""
    _, base = server
    context = browser.new_context(locale="pl-PL", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    _login(page, base, "kierownik", demo_password)
    page.goto(f"{base}/rodziny/{world['wieczorek'].id}")
    assert "w pieczy zastępczej" in page.locator("table.stack").inner_text()
    assert page.evaluate("() => { const box = document.querySelector('table.stack').parentElement;"
                         " return box.scrollWidth <= box.clientWidth; }")
    context.close()
