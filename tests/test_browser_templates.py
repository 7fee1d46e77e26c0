"""An office's own Word template in Chromium: the admin downloads the built-in work plan template,
changes it (here with python-docx, as Word would), uploads it, looks at the preview and activates it;
the next work plan an assistant generates has the office's own letterhead."""
from __future__ import annotations

import os
from pathlib import Path

import docx
import pytest
from sqlalchemy import select

from docgen.doctypes import get_doctype
from docgen.pdf import libreoffice_available
from docgen.store.documents import create_document
from docgen.store.models import Family, GeneratedFile, TemplateVersion, User
from chromium import CHROMIUM, shot as _shot
from test_office_templates import HEADER, OFFICE_LINE, docx_text

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif((not os.path.exists(CHROMIUM) or not libreoffice_available()) and not os.environ.get("CI"),
                       reason="needs Debian Chromium and LibreOffice "
                              "(apt-get install chromium libreoffice-writer-nogui)"),
]


@pytest.fixture
def plan_ready(session):
    """asystent1's Krajewscy with a complete work plan, not generated yet (the example's plan on their record)."""
    assistant = session.scalars(select(User).where(User.username == "asystent1")).one()
    family = session.scalars(select(Family).where(Family.family_name == "Krajewscy")).one()
    document = create_document(session, family, "work_plan", assistant)
    own = {"family_name", "address", "members", "assignment_date", "referral_ref", "basis", "consent_date",
           "court_name", "court_case_number", "court_order_date", "assistant_name", "social_worker_name"}
    example = get_doctype("work_plan").example()
    document.data = {**document.data, **{k: v for k, v in example.items() if k not in own}}
    session.commit()
    return document


def _log_in(page, server: str, username: str, password: str) -> None:
    page.goto(f"{server}/login")
    page.get_by_label("Login").fill(username)
    page.get_by_label("Hasło").fill(password)
    page.get_by_role("button", name="Zaloguj się").click()


def _changed_in_word(built_in: Path, target: Path) -> None:
    """What the office does in Word: its own letterhead line, a paragraph of its own under it."""
    document = docx.Document(str(built_in))
    first = document.paragraphs[0]
    assert first.text == "{{ office.name }}"  # the built-in letterhead
    first.text = HEADER
    document.paragraphs[1].insert_paragraph_before(OFFICE_LINE, style=first.style)
    document.save(str(target))


def test_admin_changes_the_work_plan_template_and_the_next_plan_uses_it(live_server, page, plan_ready, session,
                                                                        tmp_path, demo_password):
    _log_in(page, live_server, "admin", demo_password)
    page.get_by_role("link", name="Szablony dokumentów").click()
    page.get_by_role("heading", name="Szablony dokumentów").wait_for()
    _shot(page, "szablony-lista")
    page.get_by_role("link", name="Plan pracy z rodziną", exact=True).click()
    page.get_by_role("heading", name="Szablon: Plan pracy z rodziną").wait_for()

    # the built-in template, downloaded, changed "in Word"
    with page.expect_download() as download:
        page.get_by_role("link", name="Pobierz szablon wbudowany (.docx)").click()
    assert download.value.suggested_filename == "work_plan.docx"
    built_in = tmp_path / "work_plan.docx"
    download.value.save_as(built_in)
    ours = tmp_path / "plan pracy – nasz ośrodek.docx"
    _changed_in_word(built_in, ours)

    # the guide says which placeholders there are and what must stay
    page.get_by_role("link", name="Przewodnik: pola i zasady szablonu").click()
    page.get_by_role("heading", name="Przewodnik po szablonie: Plan pracy z rodziną").wait_for()
    assert page.get_by_role("cell", name="{{ family_name }}").count() == 1
    _shot(page, "szablon-przewodnik")
    page.go_back()

    # a template broken in Word: every problem with its place, nothing stored
    broken = tmp_path / "zepsuty.docx"
    document = docx.Document(str(ours))
    next(p for p in document.paragraphs if p.text.startswith("Nazwisko rodziny:")).text = "Nazwisko: {{ nazwisko }"
    document.save(str(broken))
    page.set_input_files("#template", str(broken))
    page.get_by_role("button", name="Wgraj i sprawdź").click()
    page.get_by_text("Szablon „zepsuty.docx” nie przeszedł sprawdzenia").wait_for()
    assert page.locator(".template-problems li").count() >= 1
    assert "akapit" in page.locator(".template-problems li").first.inner_text()
    _shot(page, "szablon-problemy")
    assert session.scalars(select(TemplateVersion)).all() == []

    # uploaded: checked, kept as version 1, shown as a preview, not in use yet
    page.set_input_files("#template", str(ours))
    page.get_by_role("button", name="Wgraj i sprawdź").click()
    page.get_by_role("heading", name="Podgląd: szablon ośrodka v1").wait_for()
    assert page.get_by_text("Szablon przeszedł sprawdzenie, ale nie jest jeszcze używany").count() == 1
    images = page.locator(".preview img")
    assert images.count() >= 2
    page.wait_for_function(
        "() => [...document.querySelectorAll('.preview img')].every(i => i.complete && i.naturalWidth > 0)")
    _shot(page, "szablon-podglad")
    folder = os.environ.get("DOCGEN_SCREENSHOTS")
    first_page = page.request.get(live_server + images.first.get_attribute("src"))
    assert first_page.ok and first_page.body().startswith(b"\x89PNG")
    if folder:
        (Path(folder) / "szablon-podglad-strona-1.png").write_bytes(first_page.body())

    page.get_by_role("button", name="Aktywuj tę wersję").click()
    page.get_by_text("Od teraz nowe dokumenty „Plan pracy z rodziną” powstają z szablonu ośrodka v1").wait_for()
    _shot(page, "szablon-aktywny")
    version = session.scalars(select(TemplateVersion)).one()
    assert version.filename == "plan pracy – nasz ośrodek.docx"

    # the assistant generates the next plan: it is made from the office's template
    page.get_by_role("button", name="Wyloguj").click()
    _log_in(page, live_server, "asystent1", demo_password)
    page.goto(f"{live_server}/dokumenty/{plan_ready.id}")
    page.get_by_role("button", name="Generuj dokument Word (.docx)").click()
    page.get_by_text("Wygenerowano dokument").wait_for()
    with page.expect_download() as generated:
        page.locator("#pliki a[href^='/pliki/']").first.click()
    text = docx_text(open(generated.value.path(), "rb").read())
    assert HEADER in text and OFFICE_LINE in text and "Krajewscy" in text
    assert "{{" not in text
    session.expire_all()
    record = session.scalars(select(GeneratedFile).where(GeneratedFile.document_id == plan_ready.id)).one()
    assert (record.template_version_id, record.template_version_number) == (version.id, 1)
    assert record.template_name == "szablon ośrodka v1 (plan pracy – nasz ośrodek.docx)"
