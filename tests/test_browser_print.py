"""The print office in Chromium: the head chooses documents, starts the print, reloads the page
while it runs and watches the progress bar reach 100%, then opens the one PDF."""
from __future__ import annotations

import io
import os
import time

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from docgen.pdf import libreoffice_available
from docgen.store.models import Family, User
from chromium import CHROMIUM, shot as _shot
from test_print_office import _generated

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif((not os.path.exists(CHROMIUM) or not libreoffice_available()) and not os.environ.get("CI"),
                       reason="needs Debian Chromium and LibreOffice (apt-get install chromium libreoffice-writer-nogui)"),
]


@pytest.fixture
def visits(session, output_dir):
    """Eight generated visit records over the office's families."""
    users = {u.username: u for u in session.scalars(select(User))}
    records = []
    for family in session.scalars(select(Family).where(Family.assistant_id.is_not(None))):
        assistant = next(u for u in users.values() if u.id == family.assistant_id)
        for number in range(3):
            records.append(_generated(session, family, assistant, "visit_record",
                                      f"Wizyta nr {number + 1} u rodziny {family.family_name}"))
    session.commit()
    return records[:8]


def _bar(page) -> int:
    return int(page.eval_on_selector("#postep-pasek", "bar => bar.value"))


def test_head_prints_a_stack_and_watches_the_progress_reach_100(live_server, page, visits, demo_password):
    page.goto(f"{live_server}/login")
    page.get_by_label("Login").fill("kierownik")
    page.get_by_label("Hasło").fill(demo_password)
    page.get_by_role("button", name="Zaloguj się").click()
    page.get_by_role("link", name="Drukarnia").click()
    page.get_by_role("heading", name="Drukarnia").wait_for()

    page.select_option("#typ", "visit_record")
    page.fill("#od", "")
    page.fill("#do", "")
    page.get_by_role("button", name="Pokaż dokumenty").click()
    chosen = page.locator("input[name=plik]").count()
    assert chosen >= len(visits)
    page.fill("#title", "Karty wizyt – wszystkie rodziny")
    _shot(page, "drukarnia-wybor")
    page.get_by_role("button", name="Drukuj zaznaczone do jednego PDF").click()

    page.locator("#postep").wait_for()
    seen = [_bar(page)]
    page.reload()  # the state is stored: a reload shows the same job, still going or done
    page.locator("#postep").wait_for()
    seen.append(_bar(page))
    _shot(page, "drukarnia-postep")
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            seen.append(_bar(page))
        except Exception:  # noqa: BLE001 - the page reloads itself when the job ends
            pass
        if page.get_by_text("Gotowe:").count():
            break
        time.sleep(0.2)
    page.get_by_text("Gotowe:").wait_for()
    assert _bar(page) == 100 and seen == sorted(seen), seen
    assert page.get_by_text(f"Gotowe: {chosen} z {chosen} dokumentów").count() == 1
    _shot(page, "drukarnia-gotowe")

    with page.expect_download() as download:
        page.get_by_role("link", name="Pobierz PDF").click()
    reader = PdfReader(io.BytesIO(open(download.value.path(), "rb").read()))
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)
    assert "Karty wizyt – wszystkie rodziny" in text
    for number in (1, 2, 3):
        assert f"Wizyta nr {number} u rodziny Krajewscy" in text
