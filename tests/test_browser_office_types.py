"""An office's own document type in Chromium, from a template written in LibreOffice to a generated document:
the admin uploads the notatka, corrects two labels, looks at the wizard and the sample pages, publishes; an
assistant fills it for a family and generates it; the .docx holds every typed text as typed."""
from __future__ import annotations

import io
import os
import re
import zipfile
from pathlib import Path

import docx
import pytest
from sqlalchemy import select

from docgen.pdf import libreoffice_available
from docgen.store.models import Family, GeneratedFile, OfficeTypeVersion, User
from chromium import CHROMIUM
from chromium import shot as _shot
from test_custom_infer import libreoffice_template

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif((not os.path.exists(CHROMIUM) or not libreoffice_available()) and not os.environ.get("CI"),
                       reason="needs Debian Chromium and LibreOffice (apt-get install chromium libreoffice-writer-nogui)"),
]

WITH_WHOM = 'Anna Zawadzka & pedagog <Maria Lis> – „matka”, "szkoła" {{ nie_pole }}'
ABOUT = "Nieobecności Julii {% if %} i 'zwolnienia' 🙂"
FINDINGS = "Julia opuściła 9 dni & 4 bez usprawiedliwienia.\nMatka obiecała <kontakt> ze szkołą.\n\nTrzeci akapit: 👍"
NEXT = "Spotkanie z wychowawczynią {{ x }}\nTelefon do PCPR"


def _log_in(page, server: str, username: str, password: str) -> None:
    page.goto(f"{server}/login")
    page.get_by_label("Login").fill(username)
    page.get_by_label("Hasło").fill(password)
    page.get_by_role("button", name="Zaloguj się").click()


def _texts(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_the_admin_makes_a_type_from_a_libreoffice_template_and_an_assistant_generates_it(
        live_server, page, session, tmp_path, demo_password):
    template = libreoffice_template(tmp_path)

    _log_in(page, live_server, "admin", demo_password)
    page.get_by_role("link", name="Typy dokumentów ośrodka").click()
    page.get_by_role("heading", name="Typy dokumentów ośrodka").wait_for()
    _shot(page, "typy-lista")
    page.get_by_label("Nazwa typu dokumentu").fill("Notatka z rozmowy")
    page.set_input_files("#template", str(template))
    page.get_by_role("button", name="Wgraj i zaproponuj typ").click()
    page.get_by_text("program zaproponował definicję typu „Notatka z rozmowy”").wait_for()
    _shot(page, "typ-edytor")

    # two labels corrected, saved, and the wizard looked at as an assistant will see it
    page.locator("#item\\.z_kim\\.label").fill("Z kim rozmawiano")
    page.locator("#item\\.o_czym\\.label").fill("Czego dotyczyła rozmowa")
    page.get_by_role("button", name="Zapisz i obejrzyj kreator").click()
    page.get_by_text("Tak asystent zobaczy kreator „Notatka z rozmowy”").wait_for()
    page.get_by_role("link", name="Rozmowa").click()
    page.get_by_label("Z kim rozmawiano").wait_for()
    assert page.get_by_label("Czego dotyczyła rozmowa").count() == 1
    _shot(page, "typ-podglad-kreatora")
    page.set_viewport_size({"width": 390, "height": 844})
    _shot(page, "typ-podglad-kreatora-390")
    page.set_viewport_size({"width": 1280, "height": 900})

    # the sample document's pages, made by LibreOffice from the uploaded template
    page.get_by_role("link", name="Wróć do definicji").click()
    page.get_by_role("link", name="Podgląd dokumentu").click()
    page.locator(".preview img").first.wait_for()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.preview img')].every(i => i.complete && i.naturalWidth > 0)")
    _shot(page, "typ-podglad-dokumentu")
    image = page.request.get(live_server + page.locator(".preview img").first.get_attribute("src"))
    assert image.ok and image.body().startswith(b"\x89PNG")
    if os.environ.get("DOCGEN_SCREENSHOTS"):
        (Path(os.environ["DOCGEN_SCREENSHOTS"]) / "typ-podglad-strona-1.png").write_bytes(image.body())

    page.get_by_role("link", name="Wróć do definicji").click()
    page.get_by_role("button", name="Opublikuj v1").click()
    page.get_by_text("Opublikowano typ „Notatka z rozmowy” (v1)").wait_for()
    version = session.scalars(select(OfficeTypeVersion)).one()
    assert version.status == "published" and version.filename == "notatka_lo.docx"

    # an assistant: "Nowy dokument" offers it, the card fills the family's fields, the rest is typed
    page.get_by_role("button", name="Wyloguj").click()
    _log_in(page, live_server, "asystent1", demo_password)
    family = session.scalars(select(Family).join(User, User.id == Family.assistant_id)
                             .where(User.username == "asystent1").order_by(Family.id)).first()
    page.goto(f"{live_server}/rodziny/{family.id}")
    page.get_by_label("Nowy dokument").select_option(label="Notatka z rozmowy")
    page.get_by_role("button", name="Utwórz").click()
    page.get_by_role("heading", name="Dane podstawowe").wait_for()
    assert page.get_by_label("Miejscowość").input_value() == "Lipowiec Mazurski"
    page.get_by_role("button", name="Dalej").last.click()
    page.get_by_role("heading", name="Rozmowa").wait_for()
    assert page.get_by_label("Adres zamieszkania").input_value() == family.address
    page.get_by_label("Data rozmowy").fill("2026-11-16")
    page.get_by_label("Z kim rozmawiano").fill(WITH_WHOM)
    page.get_by_label("Czego dotyczyła rozmowa").fill(ABOUT)
    _shot(page, "typ-kreator-asystenta")
    page.get_by_role("button", name="Dalej").last.click()
    page.get_by_role("heading", name="Ustalenia").wait_for()
    page.get_by_label("Ustalenia").fill(FINDINGS)
    page.get_by_role("button", name="Dalej").last.click()
    page.get_by_role("heading", name="Dalsze kroki").wait_for()
    page.get_by_label("Dalsze kroki").fill(NEXT)
    page.get_by_role("button", name="Dalej").last.click()
    page.get_by_role("heading", name="Podsumowanie: Notatka z rozmowy").wait_for()
    page.get_by_role("button", name="Generuj dokument Word (.docx)").click()
    page.get_by_text("Wygenerowano dokument").wait_for()
    _shot(page, "typ-wygenerowany")
    with page.expect_download() as generated:
        page.locator("#pliki a[href^='/pliki/']").first.click()
    data = open(generated.value.path(), "rb").read()
    text = _texts(data)
    for typed in (WITH_WHOM, ABOUT, NEXT.split("\n")[0], "Telefon do PCPR", "Trzeci akapit: 👍",
                  "Julia opuściła 9 dni & 4 bez usprawiedliwienia.", "Matka obiecała <kontakt> ze szkołą."):
        assert typed in text, typed
    # newlines typed in a long text are Word line breaks, in order
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        body = archive.read("word/document.xml").decode("utf-8")
    assert re.search(r"Julia opuściła 9 dni &amp; 4 bez usprawiedliwienia\.</w:t>.*?<w:br/>.*?Matka obiecała "
                     r"&lt;kontakt&gt; ze szkołą\.", body, re.DOTALL)
    assert "16 listopada 2026 r." in text and family.address in text
    session.expire_all()
    record = session.scalars(select(GeneratedFile)).one()
    assert record.template_name == "typ ośrodka „Notatka z rozmowy” v1 (notatka_lo.docx)"
