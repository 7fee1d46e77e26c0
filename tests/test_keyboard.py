"""A whole work plan with the keyboard only, in Chromium: from the family's page to the downloaded .docx,
moving with Tab, pressing buttons with Enter or Space, choosing with the keys a select listens to, typing
into the fields. No mouse, no click(), no fill()."""
from __future__ import annotations

import datetime as dt

import docx
from sqlalchemy import select

from docgen.store.models import Family
from chromium import BROWSER_MARKS

pytestmark = BROWSER_MARKS

MAX_TABS = 120


def _focused(page) -> dict:
    return page.evaluate("""() => { const e = document.activeElement;
        return {id: e.id, tag: e.tagName, name: e.getAttribute('name') || '', value: e.value || '',
                text: (e.innerText || e.textContent || '').trim()}; }""")


def _tab_to(page, *, id: str | None = None, text: str | None = None) -> None:
    """Press Tab until the focus is on the element with this id, or the button or link with this text."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        now = _focused(page)
        if (id is not None and now["id"] == id) or (text is not None and now["text"] == text):
            return
    raise AssertionError(f"Tab never reached {id or text!r}")


def _date_keys(page, day: dt.date) -> str:
    """The digits a date input takes from the keyboard, in the order this Chromium shows its parts."""
    if not hasattr(_date_keys, "order"):
        probe = page.context.new_page()
        probe.set_content('<input type="date" id="d">')
        probe.focus("#d")
        probe.keyboard.type("01022003")
        _date_keys.order = "mdy" if probe.input_value("#d") == "2003-01-02" else "dmy"
        probe.close()
    parts = {"d": f"{day.day:02d}", "m": f"{day.month:02d}", "y": f"{day.year}"}
    return "".join(parts[key] for key in _date_keys.order)


def _type_into(page, field_id: str, text: str) -> None:
    _tab_to(page, id=field_id)
    page.keyboard.type(text)


def _date_into(page, field_id: str, day: dt.date) -> None:
    _tab_to(page, id=field_id)
    page.keyboard.type(_date_keys(page, day))
    assert page.input_value(f"#{field_id}") == day.isoformat()


def _press(page, text: str, key: str = "Enter") -> None:
    _tab_to(page, text=text)
    with page.expect_navigation():
        page.keyboard.press(key)


def _add_row(page, text: str, first_field: str, key: str = "Enter") -> None:
    """"+ Dodaj" adds the row on the page (static/rows.js), no reload, and the keyboard lands in its first field."""
    _tab_to(page, text=text)
    page.keyboard.press(key)
    assert _focused(page)["id"] == first_field


def _next(page) -> None:
    _press(page, "Dalej →")


def test_a_work_plan_from_the_family_page_to_the_file_with_the_keyboard_only(live_server, page, session, tmp_path,
                                                                               demo_password):
    today = dt.date.today()
    family = session.scalars(select(Family).where(Family.family_name == "Krajewscy")).one()
    page.goto(f"{live_server}/login")
    page.keyboard.type("asystent1")  # the login field has the focus
    page.keyboard.press("Tab")
    page.keyboard.type(demo_password)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.goto(f"{live_server}/rodziny/{family.id}")

    # "Nowy dokument": the select answers to typing; "Utwórz" to Space
    _tab_to(page, id="doc_type")
    page.keyboard.type("Plan pracy z rodzin")
    assert page.input_value("#doc_type") == "work_plan"
    _press(page, "Utwórz", key="Space")
    assert "/krok/family" in page.url

    _next(page)  # the family's data came from its record
    _next(page)  # so did the basis of the work
    _date_into(page, "valid_from", today)
    _date_into(page, "valid_to", today + dt.timedelta(days=180))
    _next(page)

    _add_row(page, "+ Dodaj: problem", "problems-0-problem")
    page.keyboard.type("bezrob")
    assert page.input_value("#problems-0-problem") == "bezrobocie"
    _type_into(page, "problems-0-description", "Matka bez pracy od roku.")
    _next(page)
    _type_into(page, "strengths", "Babcia pomaga & wspiera <zawsze>.\nDrugi wiersz: „cytat”.")
    _next(page)
    _type_into(page, "main_goal", "Rodzina samodzielnie zaspokaja potrzeby dziecka.")
    _next(page)
    _add_row(page, "+ Dodaj: cel", "goals-0-goal", key="Space")
    page.keyboard.type("Matka podejmuje pracę.")
    _next(page)

    _add_row(page, "+ Dodaj: działanie", "actions-0-action")
    page.keyboard.type("Rejestracja w PUP i udział w szkoleniu.")
    _type_into(page, "actions-0-responsible", "Monika Krajewska")
    _date_into(page, "actions-0-deadline", today + dt.timedelta(days=60))
    _type_into(page, "actions-0-expected_effect", "Status osoby bezrobotnej, skierowanie na kurs.")
    _type_into(page, "actions-0-verification", "Zaświadczenie z PUP.")
    _next(page)
    _next(page)  # optional
    _date_into(page, "consultation_date", today - dt.timedelta(days=1))
    _press(page, "Dalej: podsumowanie →")

    assert "Dokument jest kompletny" in page.inner_text("main")
    _press(page, "Generuj dokument Word (.docx)")
    assert "Wygenerowano dokument" in page.inner_text("main")
    name = page.locator("#pliki a").first.inner_text()
    _tab_to(page, text=name)
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    text = "\n".join(p.text for p in docx.Document(str(target)).paragraphs)
    cells = "\n".join(c.text for t in docx.Document(str(target)).tables for r in t.rows for c in r.cells)
    assert "Babcia pomaga & wspiera <zawsze>.\nDrugi wiersz: „cytat”." in text
    assert "Rejestracja w PUP i udział w szkoleniu." in cells
