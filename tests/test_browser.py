"""A family assistant in a real browser (Debian Chromium through Playwright): log in, record a
family, walk the whole work-plan wizard, download the .docx and open it."""
from __future__ import annotations

import datetime as dt
import os
import shutil
import threading
from pathlib import Path

import docx
import pytest
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
TYPED = 'Babcia pomaga & wspiera <zawsze>.\nDrugi wiersz: "cytat" {{ nie_zmienna }} {% if %} 🙂 zażółć gęślą jaźń'

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM) and not os.environ.get("CI"),
                       reason="Debian Chromium is not installed (apt-get install chromium)"),
]


@pytest.fixture
def live_server(web_db):
    from webforms import create_app

    app = create_app({"DATABASE_URL": web_db, "SECRET_KEY": "browser-test"})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def page(tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"])
        context = browser.new_context(accept_downloads=True, locale="pl-PL", viewport={"width": 1280, "height": 900})
        yield context.new_page()
        context.close()
        browser.close()


def _shot(page, name: str) -> None:
    folder = os.environ.get("DOCGEN_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _next(page) -> None:
    page.get_by_role("button", name="Dalej").last.click()


def test_assistant_makes_a_work_plan_in_chromium(live_server, page, tmp_path, demo_password):
    today = dt.date.today()
    day = lambda offset: (today + dt.timedelta(days=offset)).isoformat()  # noqa: E731

    page.goto(f"{live_server}/rodziny/")
    assert "/login" in page.url
    _shot(page, "01-logowanie")
    page.get_by_label("Login").fill("asystent1")
    page.get_by_label("Hasło").fill(demo_password)
    page.get_by_role("button", name="Zaloguj się").click()
    page.get_by_role("heading", name="Rodziny").wait_for()

    # the family is recorded once
    page.get_by_role("link", name="+ Dodaj rodzinę").click()
    page.get_by_label("Nazwisko rodziny").fill("Wierzbiccy")
    page.get_by_label("Adres zamieszkania").fill("ul. Polna 3, 11-440 Lipowiec Mazurski")
    page.get_by_label("Pracownik socjalny rodziny (imię i nazwisko)").fill("Joanna Krawiec")
    page.get_by_role("button", name="+ Dodaj: osoba").click()
    page.fill("#members-0-first_name", "Monika")
    page.fill("#members-0-last_name", "Wierzbicka")
    page.fill("#members-0-birth_date", "1993-06-17")
    page.select_option("#members-0-relation", "matka")
    page.check("#members-0-in_household")
    page.check("#members-0-took_part")
    page.get_by_role("button", name="+ Dodaj: osoba").click()
    # the first person is still there after the page came back
    assert page.input_value("#members-0-first_name") == "Monika"
    page.fill("#members-1-first_name", "Oliwer")
    page.fill("#members-1-last_name", "Wierzbicki")
    page.fill("#members-1-birth_date", "2016-02-29")
    page.select_option("#members-1-relation", "dziecko")
    _shot(page, "02-nowa-rodzina")
    page.get_by_role("button", name="Zapisz dane rodziny").click()
    page.get_by_role("heading", name="Rodzina Wierzbiccy").wait_for()

    page.get_by_role("button", name="Utwórz").click()
    # step 1 comes prefilled from the family
    assert page.input_value("#family_name") == "Wierzbiccy"
    assert page.input_value("#members-1-first_name") == "Oliwer"
    _shot(page, "03-krok-1")
    _next(page)

    page.fill("#assignment_date", day(-30))
    page.fill("#referral_ref", "MOPS.AR.4101.77.2026")
    page.select_option("#basis", "zgoda")
    page.fill("#consent_date", day(-20))
    _next(page)

    page.fill("#valid_from", day(0))
    _next(page)  # the end date is missing: the step stays, says so in Polish, keeps the start date
    page.get_by_text("Plan obowiązuje do: pole jest wymagane.").first.wait_for()
    assert page.input_value("#valid_from") == day(0)
    _shot(page, "04-blad-w-kroku")
    page.fill("#valid_to", day(180))
    _next(page)

    page.get_by_role("button", name="+ Dodaj: problem").click()
    page.select_option("#problems-0-problem", "bezrobocie")
    page.fill("#problems-0-description", "Matka bez pracy od roku.")
    _next(page)

    page.fill("#strengths", TYPED)
    _next(page)
    page.fill("#main_goal", "Rodzina samodzielnie zaspokaja potrzeby dziecka.")
    _next(page)
    page.get_by_role("button", name="+ Dodaj: cel").click()
    page.fill("#goals-0-goal", "Matka podejmuje pracę.")
    _next(page)

    page.get_by_role("button", name="+ Dodaj: działanie").click()
    page.fill("#actions-0-action", "Rejestracja w PUP i udział w szkoleniu.")
    page.select_option("#actions-0-area", "praca")
    page.fill("#actions-0-responsible", "Monika Wierzbicka")
    page.fill("#actions-0-deadline", day(60))
    page.fill("#actions-0-expected_effect", "Status osoby bezrobotnej, skierowanie na kurs.")
    page.fill("#actions-0-verification", "Zaświadczenie z PUP.")
    _shot(page, "05-dzialania")
    _next(page)
    _next(page)  # cooperation with institutions is optional

    assert page.input_value("#social_worker_name") == "Joanna Krawiec"
    assert page.input_value("#assistant_name") == "Ewa Kalinowska"
    page.fill("#consultation_date", day(-1))
    _next(page)

    page.get_by_text("Dokument jest kompletny").wait_for()
    _shot(page, "06-podsumowanie")
    page.get_by_role("button", name="Generuj dokument Word (.docx)").click()
    page.get_by_text("Wygenerowano dokument").wait_for()
    with page.expect_download() as info:
        page.locator("#pliki a").first.click()
    download = info.value
    assert download.suggested_filename.endswith(".docx")
    assert "Wierzbiccy" in download.suggested_filename
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    _shot(page, "07-pliki")

    document = docx.Document(str(target))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
    assert TYPED in text
    assert "Wierzbiccy" in text
    assert "Monika Wierzbicka" in cells + text
    assert "Rejestracja w PUP i udział w szkoleniu." in cells


def test_assistant_gets_404_on_another_assistants_family_in_chromium(live_server, page, session, demo_password):
    from sqlalchemy import select

    from docgen.store.models import Family, User

    owner = session.scalars(select(User).where(User.username == "asystent1")).one()
    family = session.scalars(select(Family).where(Family.assistant_id == owner.id)).first()

    page.goto(f"{live_server}/login")
    page.get_by_label("Login").fill("asystent2")
    page.get_by_label("Hasło").fill(demo_password)
    page.get_by_role("button", name="Zaloguj się").click()
    page.get_by_role("heading", name="Rodziny").wait_for()
    assert family.family_name not in page.content()

    response = page.goto(f"{live_server}/rodziny/{family.id}")
    assert response.status == 404
    page.get_by_role("heading", name="Nie znaleziono").wait_for()
    assert family.family_name not in page.content()
    _shot(page, "08-cudza-rodzina-404")
