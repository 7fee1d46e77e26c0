"""An office's own Word templates (docgen.store.templates) on SQLite and PostgreSQL: an upload is checked
and kept as the type's next version, not in use; a version or the built-in template is put in use;
the next generated document is made from the one in use and records it."""
from __future__ import annotations

import hashlib
import io

import docx
import pytest
from sqlalchemy import select

from docgen.doctypes import get_doctype
from docgen.store import templates as office_templates
from docgen.store.documents import create_document, file_path, generate
from docgen.store.models import ROLE_ADMIN, ActiveTemplate, GeneratedFile, TemplateVersion
from docgen.templates import TemplateRejected
from docgen.templates.engine import template_path
from test_store import make_family, make_office, make_user

HEADER = "Ośrodek Testowy – nasz nagłówek"
OFFICE_LINE = "Sekretariat czynny od poniedziałku do piątku, 7:30–15:30"


def changed_template(doc_type: str = "work_plan", header: str = HEADER, extra: str = OFFICE_LINE) -> bytes:
    """The built-in template as an office would change it in Word: its own letterhead line and a
    paragraph of its own under it; everything the guide says must stay, stays."""
    document = docx.Document(str(template_path(get_doctype(doc_type))))
    first = document.paragraphs[0]
    first.text = header
    document.paragraphs[1].insert_paragraph_before(extra, style=first.style)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def hostile_template() -> bytes:
    """A template reaching for Python internals, naming a field the type lacks and missing a heading."""
    document = docx.Document(str(template_path(get_doctype("work_plan"))))
    for paragraph in document.paragraphs:
        if paragraph.text == "1. Dane rodziny":
            paragraph.text = "Dane"
        elif paragraph.text.startswith("Nazwisko rodziny:"):
            paragraph.text = "Nazwisko rodziny: {{ family_name.__class__ }} {{ pieczatka }}"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def docx_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    return "\n".join(paragraph.text for paragraph in document.paragraphs)


@pytest.fixture
def office_world(db_session, output_dir):
    office = make_office(db_session)
    admin = make_user(db_session, office, "admin_b", "Beata Admin", ROLE_ADMIN)
    assistant = make_user(db_session, office)
    family = make_family(db_session, office, assistant)
    db_session.commit()
    return {"session": db_session, "office": office, "admin": admin, "assistant": assistant, "family": family,
            "output": output_dir}


def _plan(world) -> GeneratedFile:
    session = world["session"]
    document = create_document(session, world["family"], "work_plan", world["assistant"])
    document.data = {**get_doctype("work_plan").example(), "family_name": world["family"].family_name}
    record = generate(session, document, world["assistant"])
    session.commit()
    return record


def test_an_upload_is_checked_and_kept_as_the_next_version_not_in_use(office_world):
    session, office, admin = office_world["session"], office_world["office"], office_world["admin"]
    data = changed_template()
    first = office_templates.upload(session, office, "work_plan", data, "C:\\Moje dokumenty\\plan ośrodka.docx", admin)
    session.commit()
    assert (first.number, first.doc_type, first.checked, first.size) == (1, "work_plan", True, len(data))
    assert first.filename == "plan ośrodka.docx" and first.uploaded_by_id == admin.id
    assert first.sha256 == hashlib.sha256(data).hexdigest()
    stored = office_templates.file_of(first)
    assert stored.is_file() and stored.read_bytes() == data
    assert stored.is_relative_to(office_world["output"] / "szablony" / str(office.id) / "work_plan")
    assert not list(stored.parent.glob(".*.part"))  # written through a temp file, nothing left over
    # not in use until activated
    assert office_templates.active_version(session, office.id, "work_plan") is None
    assert office_templates.active_template(session, office.id, "work_plan") is None

    second = office_templates.upload(session, office, "work_plan", changed_template(header="Drugi nagłówek"),
                                     "plan2.docx", admin)
    other_type = office_templates.upload(session, office, "visit_record", changed_template("visit_record"),
                                         "karta.docx", admin)
    other_office = make_office(session, name="MOPS w Lipnie", prefix="MOPS.AR", city="Lipno")
    elsewhere = office_templates.upload(session, other_office, "work_plan", data, "plan.docx", None)
    session.commit()
    assert (second.number, other_type.number, elsewhere.number) == (2, 1, 1)  # per office and type
    assert [v.number for v in office_templates.versions(session, office.id, "work_plan")] == [2, 1]
    assert office_templates.overview(session, office.id) == {"work_plan": (None, 2), "visit_record": (None, 1)}


def test_a_failing_template_is_refused_with_every_problem_and_nothing_is_stored(office_world):
    session, office, admin = office_world["session"], office_world["office"], office_world["admin"]
    with pytest.raises(TemplateRejected) as refused:
        office_templates.upload(session, office, "work_plan", hostile_template(), "zly.docx", admin)
    session.rollback()
    problems = refused.value.problems
    messages = " ".join(problem.message for problem in problems)
    assert "__class__" in messages and "pieczatka" in messages and "1. Dane rodziny" in messages
    assert any(problem.place.startswith("akapit ") for problem in problems)  # says where
    with pytest.raises(TemplateRejected) as garbage:
        office_templates.upload(session, office, "work_plan", b"PK\x03\x04 to nie jest docx", "plik.docx", admin)
    assert "Word" in str(garbage.value)
    session.rollback()
    assert session.scalars(select(TemplateVersion)).all() == []
    assert not (office_world["output"] / "szablony").exists()


def test_a_version_is_put_in_use_and_any_earlier_one_or_the_built_in_back(office_world):
    session, office, admin = office_world["session"], office_world["office"], office_world["admin"]
    first = office_templates.upload(session, office, "work_plan", changed_template(), "v1.docx", admin)
    second = office_templates.upload(session, office, "work_plan", changed_template(header="Wersja druga"),
                                     "v2.docx", admin)
    session.commit()

    office_templates.activate(session, office.id, "work_plan", second, admin)
    session.commit()
    data, version = office_templates.active_template(session, office.id, "work_plan")
    assert version.id == second.id and data == office_templates.file_of(second).read_bytes()

    office_templates.activate(session, office.id, "work_plan", first, admin)  # an earlier one back
    session.commit()
    assert office_templates.active_version(session, office.id, "work_plan").id == first.id
    assert office_templates.overview(session, office.id)["work_plan"][0].id == first.id

    office_templates.activate(session, office.id, "work_plan", None, admin)  # the built-in one
    session.commit()
    assert office_templates.active_version(session, office.id, "work_plan") is None
    row = session.get(ActiveTemplate, (office.id, "work_plan"))
    assert row.version_id is None and row.changed_by_id == admin.id
    assert len(session.scalars(select(ActiveTemplate)).all()) == 1  # one row per office and type

    # a version of another type or office is not put in use
    with pytest.raises(ValueError):
        office_templates.activate(session, office.id, "visit_record", first, admin)
    other = make_office(session, name="MOPS w Lipnie", prefix="MOPS.AR", city="Lipno")
    with pytest.raises(ValueError):
        office_templates.activate(session, other.id, "work_plan", first, admin)


def test_the_next_generated_document_is_made_from_the_template_in_use_and_records_it(office_world):
    session, office, admin = office_world["session"], office_world["office"], office_world["admin"]
    built_in = _plan(office_world)
    assert built_in.template_name == "work_plan.docx (wbudowany)"
    assert built_in.template_version_id is None and built_in.template_version_number is None
    assert HEADER not in docx_text(file_path(built_in).read_bytes())

    office_templates.upload(session, office, "work_plan", changed_template(header="Pierwszy"), "v1.docx", admin)
    version = office_templates.upload(session, office, "work_plan", changed_template(), "nasz plan.docx", admin)
    office_templates.activate(session, office.id, "work_plan", version, admin)
    session.commit()

    ours = _plan(office_world)
    text = docx_text(file_path(ours).read_bytes())
    assert HEADER in text and OFFICE_LINE in text
    assert "Plan pracy z rodziną".upper() in text and office_world["family"].family_name in text  # filled in
    assert (ours.template_version_id, ours.template_version_number) == (version.id, 2)
    assert ours.template_name == "szablon ośrodka v2 (nasz plan.docx)"

    # the earlier version's file stays as it was; back to the built-in template for the next one
    assert HEADER not in docx_text(file_path(built_in).read_bytes())
    office_templates.activate(session, office.id, "work_plan", None, admin)
    session.commit()
    again = _plan(office_world)
    assert HEADER not in docx_text(file_path(again).read_bytes())
    assert again.template_version_id is None and again.template_name == "work_plan.docx (wbudowany)"
    # other types keep the built-in template throughout
    assert office_templates.active_template(session, office.id, "visit_record") is None


def test_a_template_file_gone_or_changed_stops_generation_in_polish(office_world):
    session, office, admin = office_world["session"], office_world["office"], office_world["admin"]
    version = office_templates.upload(session, office, "work_plan", changed_template(), "plan.docx", admin)
    office_templates.activate(session, office.id, "work_plan", version, admin)
    session.commit()
    office_templates.file_of(version).write_bytes(changed_template(header="Podmieniony poza aplikacją"))
    with pytest.raises(office_templates.TemplateUnavailable, match="szablonu ośrodka v1"):
        _plan(office_world)
    session.rollback()
    assert session.scalars(select(GeneratedFile)).all() == []
    with pytest.raises(office_templates.TemplateUnavailable):
        office_templates.activate(session, office.id, "work_plan", version, admin)


def test_the_preview_renders_the_example_with_the_candidate_and_the_letterhead(office_world):
    session, office, admin = office_world["session"], office_world["office"], office_world["admin"]
    version = office_templates.upload(session, office, "work_plan", changed_template(), "plan.docx", admin)
    session.commit()
    path = office_templates.preview_document(office, version)
    text = docx_text(path.read_bytes())
    assert HEADER in text and OFFICE_LINE in text and office.address in text
    assert get_doctype("work_plan").example()["family_name"] in text
    made = path.stat().st_mtime_ns
    assert office_templates.preview_document(office, version).stat().st_mtime_ns == made  # made once
    office.address = "ul. Nowa 2, 11-500 Brzozówka"
    assert "ul. Nowa 2" in docx_text(office_templates.preview_document(office, version).read_bytes())
    # the preview is not in use and generates nothing
    assert office_templates.active_version(session, office.id, "work_plan") is None
    assert session.scalars(select(GeneratedFile)).all() == []
