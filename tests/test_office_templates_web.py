"""The office's Word templates in the administration: only the admin; the built-in template and its
guide to download; an upload checked, its problems named with their places and nothing stored; a good
one previewed, activated, used by the next generated document; earlier versions and the built-in one
put back; a template larger than the app's form limit is not cut off."""
from __future__ import annotations

import io
import os
import random
import re
import struct
import zlib

import docx
import pytest
from sqlalchemy import select
from sqlalchemy.exc import NoResultFound

from docgen.doctypes import DOCTYPES
from docgen.pdf import libreoffice_available
from docgen.store import templates as office_templates
from docgen.store.documents import file_path
from docgen.store.models import AuditEntry, Document, Office, TemplateVersion, User
from docgen.store.users import create_user
from docgen.templates.engine import template_path
from test_office_templates import HEADER, OFFICE_LINE, changed_template, docx_text, hostile_template
from test_pdf_web import _generated_plan

needs_libreoffice = pytest.mark.skipif(
    not libreoffice_available() and not os.environ.get("CI"),
    reason="LibreOffice with its UNO bridge is not installed (apt-get install libreoffice-writer-nogui python3-uno)")


@pytest.fixture
def admin(app, login):
    from webforms.pdf import close_pdf_pool

    yield login("admin")
    close_pdf_pool(app)


def _upload(client, data: bytes, name: str = "nasz_plan.docx", doc_type: str = "work_plan"):
    return client.post(f"/admin/szablony/{doc_type}", data={"template": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def _version_id(response) -> int:
    return int(re.search(r"/admin/szablony/wersje/(\d+)$", response.location).group(1))


def _office_id(session, username="admin") -> int:
    return session.scalars(select(User.office_id).where(User.username == username)).one()


def test_the_templates_tab_lists_every_type_with_the_built_in_template_and_its_guide(admin):
    page = admin.get("/admin/szablony").text
    assert "Szablony dokumentów" in page
    positions = [page.index(doctype.title) for doctype in DOCTYPES.values()]
    assert positions == sorted(positions)  # in the registry's order
    assert page.count(">wbudowany<") == len(DOCTYPES)

    built_in = admin.get("/admin/szablony/work_plan/wbudowany.docx")
    assert built_in.status_code == 200 and built_in.data == template_path(DOCTYPES["work_plan"]).read_bytes()
    assert "work_plan.docx" in built_in.headers["Content-Disposition"]

    guide = admin.get("/admin/szablony/work_plan/przewodnik").text
    # generated from the definition: the placeholders, the loops, what must stay, in Polish
    assert "<code>{{ family_name }}</code>" in guide and "Nazwisko rodziny" in guide
    assert "<code>{%tr for a in actions %}</code>" in guide and "Co musi zostać w szablonie" in guide
    assert "„1. Dane rodziny”" in guide and "<table" in guide
    assert "<script" not in guide.split("<main", 1)[1].split("</main>", 1)[0]  # the guide's text brings no script
    assert admin.get("/admin/szablony/nie_ma_takiego").status_code == 404
    assert admin.get("/admin/szablony/nie_ma_takiego/przewodnik").status_code == 404


def test_a_hostile_template_is_refused_with_its_places_in_polish_and_nothing_stored(admin, session):
    response = _upload(admin, hostile_template(), "zly szablon.docx")
    assert response.status_code == 200
    page = response.text
    assert "Szablon „zly szablon.docx” nie przeszedł sprawdzenia" in page
    assert "nie został zapisany" in page and "(problemy: 3)" in page
    assert "<strong>akapit 11</strong>" in page  # the place in the template
    assert "Dostęp do ukrytych atrybutów („__class__”) jest niedozwolony." in page
    assert "Nieznana nazwa „pieczatka”" in page and "Brak nagłówka sekcji „1. Dane rodziny”" in page
    assert session.scalars(select(TemplateVersion)).all() == []
    assert office_templates.active_version(session, _office_id(session), "work_plan") is None

    # the form's own messages, next to the field
    assert "Wybierz plik szablonu" in admin.post("/admin/szablony/work_plan", data={},
                                                 content_type="multipart/form-data").text
    assert "musi być plikiem Word .docx" in _upload(admin, b"{\\rtf1 stary format}", "plan.doc").text
    not_word = _upload(admin, b"To nie jest dokument Word.", "plan.docx").text
    assert "Plik nie jest dokumentem Word (.docx)" in not_word


@needs_libreoffice
def test_a_good_template_is_previewed_activated_and_used_by_the_next_document(app, admin, login, session):
    ours = changed_template()
    response = _upload(admin, ours)
    assert response.status_code == 302
    version_id = _version_id(response)
    preview = admin.get(response.location)
    assert preview.status_code == 200
    page = preview.text
    assert "Szablon „nasz_plan.docx” przeszedł sprawdzenie i został zapisany jako wersja 1." in page
    assert "nie jest jeszcze używany" in page and "Aktywuj tę wersję" in page
    assert page.count('alt="Strona ') >= 2
    image = admin.get(f"/admin/szablony/wersje/{version_id}/podglad/1.png")
    assert image.status_code == 200 and image.data.startswith(b"\x89PNG")
    example = admin.get(f"/admin/szablony/wersje/{version_id}/przyklad.docx")
    assert HEADER in docx_text(example.data) and OFFICE_LINE in docx_text(example.data)
    assert admin.get(f"/admin/szablony/wersje/{version_id}/szablon.docx").data == ours
    # not in use before it is activated
    office_id = _office_id(session)
    assert office_templates.active_version(session, office_id, "work_plan") is None

    activated = admin.post(f"/admin/szablony/wersje/{version_id}/aktywuj")
    assert activated.status_code == 302 and activated.location.endswith("/admin/szablony/work_plan")
    type_page = admin.get(activated.location).text
    assert "Od teraz nowe dokumenty „Plan pracy z rodziną” powstają z szablonu ośrodka v1" in type_page
    assert "Nowe dokumenty tego typu powstają z <strong>szablonu ośrodka v1</strong>" in type_page
    session.expire_all()
    assert office_templates.active_version(session, office_id, "work_plan").id == version_id
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "template")).all()
    assert actions == ["create", "update"]

    record = _generated_plan(login("asystent1"), session)
    assert HEADER in docx_text(file_path(record).read_bytes())
    assert (record.template_version_id, record.template_version_number) == (version_id, 1)
    assert record.template_name == "szablon ośrodka v1 (nasz_plan.docx)"


def test_earlier_versions_and_the_built_in_template_are_put_back(admin, login, session):
    first = _version_id(_upload(admin, changed_template(header="Pierwsza wersja nagłówka"), "v1.docx"))
    second = _version_id(_upload(admin, changed_template(), "v2.docx"))
    office_id = _office_id(session)
    assert admin.post(f"/admin/szablony/wersje/{second}/aktywuj").status_code == 302
    page = admin.get("/admin/szablony/work_plan").text
    assert "Przywróć<span class=\"visually-hidden\"> wersję v1</span>" in page
    assert "Przywróć szablon wbudowany" in page
    assert "szablon ośrodka v2" in admin.get("/admin/szablony").text

    assert admin.post(f"/admin/szablony/wersje/{first}/aktywuj").status_code == 302
    session.expire_all()
    assert office_templates.active_version(session, office_id, "work_plan").id == first
    record = _generated_plan(login("asystent1"), session)
    assert "Pierwsza wersja nagłówka" in docx_text(file_path(record).read_bytes())

    restored = admin.post("/admin/szablony/work_plan/wbudowany")
    assert restored.status_code == 302
    assert "Przywrócono szablon wbudowany" in admin.get(restored.location).text
    session.expire_all()
    assert office_templates.active_version(session, office_id, "work_plan") is None


def test_no_libreoffice_offers_the_example_as_a_download(admin, monkeypatch):
    from webforms.admin import office_templates as routes

    monkeypatch.setattr(routes, "pdf_pool", lambda: None)
    version_id = _version_id(_upload(admin, changed_template()))
    page = admin.get(f"/admin/szablony/wersje/{version_id}").text
    assert "nie zainstalowano LibreOffice" in page and 'alt="Strona ' not in page
    assert HEADER in docx_text(admin.get(f"/admin/szablony/wersje/{version_id}/przyklad.docx").data)


def test_only_the_offices_admin_gets_there(app, admin, login, session, demo_password):
    version_id = _version_id(_upload(admin, changed_template()))
    urls = ["/admin/szablony", "/admin/szablony/work_plan", "/admin/szablony/work_plan/wbudowany.docx",
            "/admin/szablony/work_plan/przewodnik", f"/admin/szablony/wersje/{version_id}",
            f"/admin/szablony/wersje/{version_id}/szablon.docx", f"/admin/szablony/wersje/{version_id}/przyklad.docx"]
    posts = ["/admin/szablony/work_plan", "/admin/szablony/work_plan/wbudowany",
             f"/admin/szablony/wersje/{version_id}/aktywuj"]
    # the admin of another office
    other = Office(name="GOPS w Brzozówce", address="ul. Długa 1, 22-100 Brzozówka", city="Brzozówka",
                   case_prefix="GOPS.AR")
    session.add(other)
    session.flush()
    create_user(session, other, "admin_b", "Bożena Admin", "admin", "inne-haslo-biura-2026")
    session.commit()
    client_b = app.test_client()
    client_b.post("/login", data={"username": "admin_b", "password": "inne-haslo-biura-2026"})
    for url in urls[4:] + posts[2:]:
        method = client_b.post if url in posts else client_b.get
        assert method(url).status_code == 404, url
    for username in ("asystent1", "kierownik"):
        client = login(username)
        for url in urls:
            assert client.get(url).status_code == 404, (username, url)
        for url in posts:
            assert client.post(url, data={"template": (io.BytesIO(changed_template()), "x.docx")},
                               content_type="multipart/form-data").status_code == 404, (username, url)
    session.expire_all()
    assert office_templates.active_version(session, _office_id(session), "work_plan") is None
    assert len(session.scalars(select(TemplateVersion)).all()) == 1


def _noise_png(width: int, height: int) -> bytes:
    """A PNG of random pixels: it does not compress, like a scanned letterhead."""
    rng = random.Random(7)
    raw = b"".join(b"\x00" + rng.randbytes(width * 3) for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 1)) + chunk(b"IEND", b""))


def test_a_template_larger_than_the_form_limit_is_accepted_and_a_too_large_one_named(app, admin, session):
    document = docx.Document(io.BytesIO(changed_template()))
    document.paragraphs[1].insert_paragraph_before().add_run().add_picture(io.BytesIO(_noise_png(1000, 1000)))
    out = io.BytesIO()
    document.save(out)
    data = out.getvalue()
    assert len(data) > app.config["MAX_CONTENT_LENGTH"]  # over the app's limit for forms
    response = _upload(admin, data, "z_logo.docx")
    assert response.status_code == 302, response.text[:500]
    assert session.scalars(select(TemplateVersion.size)).one() == len(data)

    huge = _upload(admin, b"PK" + bytes(12 * 2 ** 20), "ogromny.docx")
    assert huge.status_code == 413
    assert "Plik jest za duży: szablon może mieć najwyżej 10 MB" in huge.text
    assert 'id="template"' in huge.text  # on the upload page, next to the field


def test_an_office_template_gone_from_the_disk_stops_generation_with_a_message(app, admin, login, session):
    office = session.get(Office, _office_id(session))
    version = office_templates.upload(session, office, "work_plan", changed_template(), "nasz_plan.docx", None)
    office_templates.activate(session, office.id, "work_plan", version, None)
    session.commit()
    office_templates.file_of(version).unlink()  # e.g. a backup restored without the templates folder

    assistant = login("asystent1")
    with pytest.raises(NoResultFound):  # no version is generated...
        _generated_plan(assistant, session)
    document_id = session.scalars(select(Document.id).where(Document.doc_type == "work_plan")).one()
    page = assistant.get(f"/dokumenty/{document_id}", follow_redirects=True).text
    assert "Nie wygenerowano dokumentu: Plik szablonu ośrodka v1 (nasz_plan.docx) jest niedostępny" in page
    document = session.get(Document, document_id)
    assert document.version == 0 and document.case_number is None  # ...no number spent, the data kept
    assert document.data["strengths"] == "Zażółć gęślą jaźń – ŻÓŁW & <syn> {{ x }}"
