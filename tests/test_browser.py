"""A family assistant in a real browser (Debian Chromium through Playwright): log in, record a
family, walk the whole work-plan wizard, download the .docx and open it."""
from __future__ import annotations

import datetime as dt

import docx

from docgen.formatting import date_long
from docgen.rules import add_months
from chromium import BROWSER_MARKS, shot as _shot

TYPED = 'Babcia pomaga & wspiera <zawsze>.\nDrugi wiersz: "cytat" {{ nie_zmienna }} {% if %} 🙂 zażółć gęślą jaźń'

pytestmark = BROWSER_MARKS


def _next(page) -> None:
    # the next page loaded, its scripts too (a picker chosen before picker.js runs would fill nothing)
    with page.expect_navigation():
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
    page.get_by_label("Pracownik socjalny rodziny", exact=True).fill("Joanna Krawiec")  # no account
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

    page.select_option("#doc_type", "work_plan")
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
    family = session.scalars(select(Family).where(Family.assistant_id == owner.id).order_by(Family.id)).first()

    page.goto(f"{live_server}/login")
    page.get_by_label("Login").fill("asystent2")
    page.get_by_label("Hasło").fill(demo_password)
    page.get_by_role("button", name="Zaloguj się").click()
    page.get_by_role("heading", name="Pulpit").wait_for()
    assert family.family_name not in page.content()

    response = page.goto(f"{live_server}/rodziny/{family.id}")
    assert response.status == 404
    page.get_by_role("heading", name="Nie znaleziono").wait_for()
    assert family.family_name not in page.content()
    _shot(page, "08-cudza-rodzina-404")


def _plan_for(session, family_name: str, today: dt.date) -> None:
    """A generated work plan for a demo family: its own record, the example's plan, dated three weeks ago."""
    from sqlalchemy import select

    from docgen.doctypes import get_doctype
    from docgen.store.documents import create_document, generate
    from docgen.store.models import Family

    family = session.scalars(select(Family).where(Family.family_name == family_name)).one()
    plan_type = get_doctype("work_plan")
    document = create_document(session, family, "work_plan", family.assistant)
    own = {item.name for section in plan_type.sections if section.name in ("family", "basis", "signatures")
           for item in section.items}
    day = lambda offset: (today + dt.timedelta(days=offset)).isoformat()  # noqa: E731
    example = plan_type.example()
    actions = [{**action, "deadline": day(30 * (index + 1))} for index, action in enumerate(example["actions"])]
    document.data = {**document.data, **{k: v for k, v in example.items() if k not in own},
                     "actions": actions, "valid_from": day(-21), "valid_to": day(150), "plan_date": day(-21),
                     "consultation_date": day(-22)}
    generate(session, document, family.assistant)
    session.commit()


def test_assistant_makes_a_periodic_assessment_from_the_plan_and_reads_the_dashboard(live_server, page, session,
                                                                                     demo_password):
    today = dt.date.today()
    _plan_for(session, "Krajewscy", today)

    page.goto(f"{live_server}/login")
    page.get_by_label("Login").fill("asystent1")
    page.get_by_label("Hasło").fill(demo_password)
    page.get_by_role("button", name="Zaloguj się").click()
    # the dashboard is the first page: the Wieczorek family was assigned on 2 March 2026 and has had
    # no assessment since, so it was due on 2 September 2026
    page.get_by_role("heading", name="Pulpit").wait_for()
    overdue = page.locator("#oceny-po-terminie")
    assert "Wieczorek" in overdue.inner_text() and "2 września 2026 r." in overdue.inner_text()
    assert "Wieczorek" in page.locator("#piecza").inner_text()
    assert "2 / 15" in page.locator("#obciazenie").inner_text()
    _shot(page, "09-pulpit")

    page.get_by_role("link", name="Krajewscy").first.click()
    page.select_option("#doc_type", "periodic_assessment")
    page.get_by_role("button", name="Utwórz").click()
    # prefilled from the plan: the period starts where the plan does, the plan is named
    assert page.input_value("#period_from") == (today - dt.timedelta(days=21)).isoformat()
    assert page.input_value("#plan_reference").startswith("Plan pracy z rodziną z dnia ")
    _shot(page, "10-ocena-krok-1")
    _next(page)
    assert page.input_value("#family_name") == "Krajewscy"
    _next(page)
    # the children come from the family record
    assert page.input_value("#children-0-first_name") == "Oliwia"
    page.fill("#children-0-care", "Mieszka z matką, uczęszcza do szkoły regularnie.")
    page.fill("#children-1-care", "Pod opieką matki i babci; przedszkole.")
    _next(page)
    page.fill("#housing", "Mieszkanie komunalne, 2 pokoje, czysto.")
    _next(page)
    page.fill("#finances", "Matka pracuje na pół etatu; zasiłek rodzinny.")
    _next(page)
    page.fill("#health", "Bez problemów zdrowotnych.")
    _next(page)
    page.select_option("#parental_authority", "ograniczona")
    _next(page)  # the form of the limitation is then required, and said so in Polish
    page.get_by_text("Forma ograniczenia władzy rodzicielskiej: pole jest wymagane.").first.wait_for()
    page.fill("#authority_limitation", "Nadzór kuratora sądowego.")
    _next(page)
    # every goal of the plan is here, to be assessed
    assert page.input_value("#goals-0-goal") == "Co najmniej jeden z rodziców podejmuje stałą pracę."
    assert page.locator("#goals-2-goal").count() == 1
    for index, status in enumerate(("zrealizowany", "czesciowo", "niezrealizowany")):
        page.select_option(f"#goals-{index}-status", status)
    _shot(page, "11-ocena-realizacja-planu")
    _next(page)
    page.select_option("#cooperation_level", "dobra")
    page.fill("#cooperation_description", "Rodzina dotrzymuje ustaleń.")
    _next(page)
    _next(page)  # the institutions come from the plan
    page.select_option("#conclusion", "kontynuacja")
    page.fill("#justification", "Rodzina realizuje plan.")
    _next(page)
    assert page.input_value("#head_name") == "Barbara Lis"
    _next(page)

    page.get_by_text("Dokument jest kompletny").wait_for()
    page.get_by_role("button", name="Generuj dokument Word (.docx)").click()
    page.get_by_text("Wygenerowano dokument").wait_for()
    _shot(page, "12-ocena-wygenerowana")

    # the dashboard now counts the next assessment from this one
    page.get_by_role("link", name="Pulpit").click()
    row = page.locator("#obciazenie tr", has_text="Krajewscy").inner_text()
    assert date_long(add_months(today, 6)) in row  # the assessment is dated today
    _shot(page, "13-pulpit-po-ocenie")


def test_assistant_writes_a_letter_to_an_institution_from_the_directory_in_chromium(live_server, page, tmp_path,
                                                                                    demo_password):
    office = "Urząd Miejski w Lipowcu Mazurskim – Referat Spraw Społecznych i Lokalowych"
    page.goto(f"{live_server}/login")
    page.get_by_label("Login").fill("asystent1")
    page.get_by_label("Hasło").fill(demo_password)
    page.get_by_role("button", name="Zaloguj się").click()
    page.get_by_role("heading", name="Pulpit").wait_for()

    # the directory is one click away, and searchable without Polish letters
    page.get_by_role("link", name="Placówki").click()
    page.get_by_role("heading", name="Wykaz placówek").wait_for()
    page.fill("#q", "referat spraw spolecznych")
    page.get_by_role("button", name="Szukaj").click()
    page.get_by_text("Znaleziono: 1.").wait_for()
    _shot(page, "14-wykaz-placowek")

    page.get_by_role("link", name="Rodziny", exact=True).click()
    page.get_by_role("link", name="Krajewscy").click()
    page.select_option("#doc_type", "letter")
    page.get_by_role("button", name="Utwórz").click()
    assert page.input_value("#sender_name") == "Monika Krajewska"
    _next(page)

    # the addressee comes from the office's directory: choosing it fills both fields at once
    page.get_by_label("Wybierz z wykazu placówek").select_option(label=office)
    assert page.input_value("#addressee_name") == office
    assert page.input_value("#addressee_address") == "pl. Ratuszowy 1\n11-440 Lipowiec Mazurski"
    assert not page.get_by_role("button", name="Wstaw").is_visible()  # the no-JavaScript way is hidden
    _shot(page, "15-pismo-adresat-z-wykazu")
    _next(page)

    page.select_option("#kind", "lokal_socjalny")
    _next(page)
    assert page.input_value("#title") == "Wniosek o przydział lokalu socjalnego"
    page.fill("#body", "Zwracam się z uprzejmą prośbą o przydział lokalu socjalnego dla mnie i dwojga dzieci.\n\n"
                       "Uprzejmie proszę o pozytywne rozpatrzenie wniosku.")
    _next(page)
    _next(page)  # filed by the sender in person: no authorisation
    _next(page)  # place and date come prefilled

    page.get_by_text("Dokument jest kompletny").wait_for()
    page.get_by_role("button", name="Generuj dokument Word (.docx)").click()
    page.get_by_text("Wygenerowano dokument").wait_for()
    with page.expect_download() as info:
        page.locator("#pliki a").first.click()
    download = info.value
    assert download.suggested_filename.endswith(".docx")
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    _shot(page, "16-pismo-wygenerowane")

    document = docx.Document(str(target))
    text = "\n".join(p.text for p in document.paragraphs)
    text += "\n".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
    text = text.replace("\u00a0", " ")  # "w Lipowcu", "i Lokalowych": bound to the next word, read alike
    assert office in text
    assert "pl. Ratuszowy 1" in text and "11-440 Lipowiec Mazurski" in text
    assert "Wniosek o przydział lokalu socjalnego" in text
