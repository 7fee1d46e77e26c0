"""An office's own types in the store, on SQLite and PostgreSQL: drafted from a template, published,
versioned; documents keep the version they were started on and move only on confirmation; generated
files never change; the registry every consumer asks; version numbers under concurrency."""
from __future__ import annotations

import hashlib
import io
import threading

import docx
import pytest
from sqlalchemy import select

from docgen.doctypes import UnknownDocType
from docgen.schema import json_schema
from docgen.store import office_types
from docgen.store.documents import create_document, file_path, generate
from docgen.store.models import Office, OfficeTypeVersion, User
from docgen.validate import validate
from test_custom_infer import NOTATKA, build
from test_store import make_family, make_office, make_user

TYPED = "Ustalono: „zasiłek” & <dopłata> {{ nie_pole }} 'cytat' 👍\nDrugi wiersz\n\nTrzeci akapit"


@pytest.fixture
def office_world(db_session, output_dir):
    office = make_office(db_session)
    assistant = make_user(db_session, office)
    head = make_user(db_session, office, "kierowniczka", "Halina Borowa", "kierownik")
    family = make_family(db_session, office, assistant)
    db_session.commit()
    return db_session, office, assistant, head, family


def _published(session, office, head, data=NOTATKA, title="Notatka z rozmowy", type_id=None):
    version = office_types.start_type(session, office, data, "notatka.docx", head, title=title, type_id=type_id)
    office_types.publish(session, version, head)
    session.commit()
    return version


def _relabelled(version, name: str, label: str) -> dict:
    definition = {**version.definition, "sections": [dict(s, items=[dict(i) for i in s["items"]])
                                                     for s in version.definition["sections"]]}
    for section in definition["sections"]:
        for item in section["items"]:
            if item["name"] == name:
                item["label"] = label
    return definition


def test_a_published_type_is_offered_with_its_schema_and_example(office_world):
    session, office, _, head, _ = office_world
    version = _published(session, office, head)
    assert (version.number, version.status, version.type_id) == (1, "published", "notatka_z_rozmowy")
    types = office_types.types_for_office(session, office.id)
    assert list(types)[-1] == "notatka_z_rozmowy"
    doctype = office_types.office_doctype(session, office.id, "notatka_z_rozmowy")
    schema = json_schema(doctype)
    assert schema["title"] == "Notatka z rozmowy" and "ustalenia" in schema["required"]
    assert validate(doctype, doctype.example()) == []
    other = make_office(session, "Ośrodek Pomocy Społecznej w Dębinie", "OPS.AR", "Dębina")
    with pytest.raises(UnknownDocType, match="Nieznany typ dokumentu 'notatka_z_rozmowy'"):
        office_types.office_doctype(session, other.id, "notatka_z_rozmowy")


def test_a_document_keeps_its_version_and_moves_only_when_asked(office_world):
    session, office, assistant, head, family = office_world
    v1 = _published(session, office, head)
    document = create_document(session, family, "notatka_z_rozmowy", assistant)
    assert document.type_version_id == v1.id
    document.data = {**document.data, "data_rozmowy": "2026-11-16", "forma": "telefon", "z_kim": "Anna Zawadzka",
                     "ustalenia": TYPED, "kroki": [{"zadanie": "Wniosek", "kto": "Anna", "termin": "2026-11-30"}]}
    record = generate(session, document, assistant)
    session.commit()
    content = file_path(record).read_bytes()
    assert record.template_name.startswith("typ ośrodka „Notatka z rozmowy” v1 (notatka.docx)")

    # the office changes the type: a new label, and a field less (a new template without "z kim")
    v2 = office_types.copy_to_draft(session, office, "notatka_z_rozmowy", head)
    office_types.save_draft(session, v2, _relabelled(v2, "ustalenia", "Co ustalono"))
    office_types.publish(session, v2, head)
    session.commit()
    assert office_types.doctype_of(document).item("ustalenia").label == "Ustalenia"  # still v1
    assert file_path(record).read_bytes() == content and hashlib.sha256(content).hexdigest() == record.sha256
    offer = office_types.migration_offer(session, document)
    assert offer.label == "v2" and offer.added == () and offer.dropped == ()
    again = generate(session, document, assistant)  # a draft started on v1 finishes on v1
    assert again.version == 2 and again.template_name.startswith("typ ośrodka „Notatka z rozmowy” v1")

    smaller = build(("h", "1. Okoliczności"), ("p", "Data rozmowy: {{ data_rozmowy|data }}"),
                    ("h", "2. Ustalenia"), ("p", "{{ ustalenia }}"), ("p", "{{ nastepne_spotkanie|data }}"))
    v3 = office_types.start_type(session, office, smaller, "krotsza.docx", head, title="Notatka z rozmowy",
                                 type_id="notatka_z_rozmowy")
    assert office_types.version_doctype(v3).item("ustalenia").label == "Co ustalono"  # kept from v2
    office_types.publish(session, v3, head)
    session.commit()
    offer = office_types.migration_offer(session, document)
    assert offer.label == "v3" and offer.added == ("Następne spotkanie",)
    assert set(offer.dropped) >= {"Z kim", "Forma", "Kroki"}
    office_types.migrate_document(session, document, assistant)
    session.commit()
    assert document.type_version_id == v3.id and document.data["ustalenia"] == TYPED
    assert "z_kim" not in document.data and office_types.migration_offer(session, document) is None
    assert file_path(record).read_bytes() == content  # the generated version never changes


def test_every_typed_character_reaches_the_document_of_an_own_type(office_world):
    session, office, assistant, head, family = office_world
    _published(session, office, head)
    document = create_document(session, family, "notatka_z_rozmowy", assistant)
    document.data = {**document.data, "data_rozmowy": "2026-11-16", "forma": "telefon", "z_kim": "A & B <C>",
                     "ustalenia": TYPED, "kroki": [{"zadanie": "„Wniosek” {% raw %}", "kto": "Ja", "termin": None}]}
    assert [i.path for i in validate(office_types.doctype_of(document), document.data)] == ["kroki[0].termin"]
    # a new value, as the wizard stores it (a change inside the JSON would not reach the row generation reads)
    document.data = {**document.data, "kroki": [{**document.data["kroki"][0], "termin": "2026-11-30"}]}
    record = generate(session, document, assistant)
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(file_path(record).read_bytes())).paragraphs)
    tables = " ".join(c.text for t in docx.Document(io.BytesIO(file_path(record).read_bytes())).tables
                      for row in t.rows for c in row.cells)
    assert TYPED in text and "Z kim: A & B <C>" in text
    assert "„Wniosek” {% raw %}" in tables and document.case_number.startswith("GOPS.AR.4101.")
    # the print office and the family's export name it by its title
    from docgen.store import printjobs
    from docgen.store.models import Family

    printable = printjobs.printable_documents(session, select(Family), file_ids=[record.id])
    assert [p.title for p in printable] == ["Notatka z rozmowy"]
    import json
    import zipfile

    from docgen.store.export import export_family

    with zipfile.ZipFile(io.BytesIO(export_family(session, family))) as archive:
        exported = json.loads(archive.read("rodzina.json"))
    assert [d["tytul"] for d in exported["dokumenty"] if d["typ"] == "notatka_z_rozmowy"] == ["Notatka z rozmowy"]


def _noted(session, family, assistant, type_id="notatka_z_rozmowy"):
    document = create_document(session, family, type_id, assistant)
    document.data = {**document.data, "data_rozmowy": "2026-11-16", "forma": "telefon", "z_kim": "Matka",
                     "ustalenia": "Rodzina złoży wniosek.", "kroki": [{"zadanie": "Wniosek", "kto": "Matka",
                                                                       "termin": "2026-11-30"}]}
    return document, generate(session, document, assistant)


def test_a_type_accepted_before_the_znak_rule_keeps_printing_until_the_head_replaces_it(office_world):
    """A sent-out type whose template prints the znak, stored by an earlier release: its documents are still
    made (the assistant's work does not stop), but no new version of it is accepted as it is."""
    session, office, assistant, head, family = office_world
    version = _published(session, office, head)
    version.definition = {**version.definition, "leaves_office": True}  # as an earlier release accepted it
    session.commit()
    sent, sent_file = _noted(session, family, assistant)
    assert sent.case_number is None
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(file_path(sent_file).read_bytes())).paragraphs)
    assert "Rodzina złoży wniosek." in text and "GOPS.AR" not in text
    draft = office_types.copy_to_draft(session, office, "notatka_z_rozmowy", head)
    with pytest.raises(office_types.TypeRejected, match="„case_number” wydrukowałby się pusty"):
        office_types.publish(session, draft, head)


def _without_znak(template: bytes) -> bytes:
    document = docx.Document(io.BytesIO(template))
    for paragraph in document.paragraphs:
        if "case_number" in paragraph.text:
            paragraph._p.getparent().remove(paragraph._p)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_an_own_type_joins_the_familys_case_unless_the_family_member_sends_it_out(office_world):
    """By default a document of an office's type is filed in the family's case: it prints the family's one znak,
    is found by it in the family list and is named by it; it has no deadlines for the calendar (the
    format has none). A version saying the family member sends the document out takes no number and
    names the file by neither the family nor the case."""
    import datetime as dt

    from docgen.store.deadlines import deadlines
    from docgen.store.family_list import family_page
    from docgen.store.models import CaseCounter, Family

    session, office, assistant, head, family = office_world
    version = _published(session, office, head)
    filed, record = _noted(session, family, assistant)
    session.commit()
    znak = filed.case_number
    assert znak.startswith("GOPS.AR.4101.") and filed.case_file.family_case
    day = filed.document_date.isoformat()
    assert record.filename == f"notatka_z_rozmowy_{family.family_name}_{znak}_{day}_v1.docx"
    assert filed.deadlines is None
    today = dt.date.today()
    assert deadlines(session, assistant, today - dt.timedelta(days=60), today + dt.timedelta(days=60)) == []
    assert [row.family_name for row in family_page(session, select(Family), query=znak.split(".")[2] + "."
                                                    + znak.split(".")[3]).rows] == [family.family_name]
    later, _ = _noted(session, family, assistant)
    assert later.case_number == znak  # one case per family: the same znak

    draft = office_types.copy_to_draft(session, office, "notatka_z_rozmowy", head)
    # a document the family member sends out has no znak: a template printing one is refused, not printed empty
    with pytest.raises(office_types.TypeRejected, match="nie ma znaku sprawy: „case_number” wydrukowałby się pusty"):
        office_types.save_draft(session, draft, {**version.definition, "leaves_office": True})
    office_types.delete_draft(session, draft)
    draft = office_types.start_type(session, office, _without_znak(NOTATKA), "notatka.docx", head,
                                    title=version.title, type_id="notatka_z_rozmowy")
    office_types.save_draft(session, draft, {**draft.definition, "leaves_office": True})
    office_types.publish(session, draft, head)
    session.commit()
    counters = session.scalar(select(CaseCounter.last_number))
    sent, sent_file = _noted(session, family, assistant)
    assert (sent.case_number, sent.case_file) == (None, None)
    assert sent_file.filename == f"notatka_z_rozmowy_{sent.document_date.isoformat()}.docx"
    assert session.scalar(select(CaseCounter.last_number)) == counters  # no number spent
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(file_path(sent_file).read_bytes())).paragraphs)
    assert "GOPS.AR" not in text and "Rodzina złoży wniosek." in text
    assert later.case_number == znak and office_types.doctype_of(later).in_case_file  # pinned to v1


def test_withdrawn_types_are_not_offered_and_old_documents_still_work(office_world):
    session, office, assistant, head, family = office_world
    _published(session, office, head)
    document = create_document(session, family, "notatka_z_rozmowy", assistant)
    office_types.withdraw(session, office.id, "notatka_z_rozmowy", head)
    session.commit()
    assert "notatka_z_rozmowy" not in office_types.types_for_office(session, office.id)
    with pytest.raises(UnknownDocType):
        create_document(session, family, "notatka_z_rozmowy", assistant)
    assert office_types.doctype_of(document).title == "Notatka z rozmowy"
    assert office_types.named_types(session, office.id)["notatka_z_rozmowy"].title == "Notatka z rozmowy"


def test_an_office_edits_a_shipped_type_and_can_go_back_to_it(office_world):
    session, office, assistant, head, family = office_world
    shipped = office_types.types_for_office(session, office.id)["notatka_sluzbowa"]
    before = create_document(session, family, "notatka_sluzbowa", assistant)
    assert before.type_version_id is None
    draft = office_types.copy_to_draft(session, office, "notatka_sluzbowa", head)
    office_types.save_draft(session, draft, _relabelled(draft, "findings", "Co ustalono"))
    office_types.publish(session, draft, head)
    session.commit()
    ours = office_types.types_for_office(session, office.id)["notatka_sluzbowa"]
    assert ours is not shipped and ours.item("findings").label == "Co ustalono"
    assert office_types.doctype_of(before) is shipped  # started on the shipped version, finishes on it
    assert office_types.migration_offer(session, before).label == "v1"
    office_types.use_version(session, office.id, "notatka_sluzbowa", None, head)
    session.commit()
    assert office_types.types_for_office(session, office.id)["notatka_sluzbowa"] is shipped


def test_a_draft_is_refused_what_points_at_unknown_data_or_breaks_the_documents_order(office_world):
    session, office, _, head, _ = office_world
    draft = office_types.start_type(session, office, NOTATKA, "n.docx", head, title="Notatka")
    bad = _relabelled(draft, "z_kim", "Z kim")
    bad["sections"][1]["items"][-1]["prefill"] = "dochod_rodziny"
    with pytest.raises(office_types.TypeRejected) as caught:
        office_types.save_draft(session, draft, bad)
    assert "„prefill”: „dochod_rodziny” – nie ma takiej danej karty rodziny" in str(caught.value)
    swapped = dict(draft.definition, sections=[draft.definition["sections"][i] for i in (0, 2, 1, 3)])
    with pytest.raises(office_types.TypeRejected, match="stoi przed krokiem „Okoliczności”"):
        office_types.save_draft(session, draft, swapped)
    # a step without a heading may stand anywhere
    moved = dict(draft.definition, sections=[draft.definition["sections"][i] for i in (1, 2, 3, 0)])
    office_types.save_draft(session, draft, moved)
    assert [s["title"] for s in draft.definition["sections"]][-1] == "Dane podstawowe"


def test_a_template_that_cannot_become_a_type_stores_nothing(office_world):
    session, office, _, head, _ = office_world
    with pytest.raises(office_types.TypeRejected, match="Nazwa „data” jest zarezerwowana"):
        office_types.start_type(session, office, build(("p", "{{ data }}")), "zly.docx", head, title="Zły")
    session.rollback()
    assert session.scalars(select(OfficeTypeVersion)).all() == []


def test_two_admins_saving_versions_at_once_get_distinct_numbers(db_session, db_engine, output_dir, monkeypatch):
    from docgen.store.db import make_sessionmaker
    from docgen.templates import isolation
    from docgen.templates.check import check_template_here
    from docgen.templates.engine import render_context

    # the race is over version numbers: both uploads check and try their template in this process,
    # since the template workers take one upload's check at a time and tell a second one to try again
    # (that is tested in tests/test_template_limits.py)
    monkeypatch.setattr(isolation, "check", check_template_here)
    monkeypatch.setattr(isolation, "render", render_context)

    office = make_office(db_session)
    make_user(db_session, office, "kierowniczka", "Halina Borowa", "kierownik")
    db_session.commit()
    office_id = db_session.scalars(select(Office.id)).one()
    barrier = threading.Barrier(2)
    numbers, errors = [], []

    def upload(title: str) -> None:
        with make_sessionmaker(db_engine)() as session:
            barrier.wait()
            try:
                head = session.scalars(select(User).where(User.username == "kierowniczka")).one()
                version = office_types.start_type(session, session.get(Office, office_id), NOTATKA, "n.docx", head,
                                                  title="Notatka", type_id="notatka")
                session.commit()
                numbers.append(version.number)
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)

    threads = [threading.Thread(target=upload, args=(f"N{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and sorted(numbers) == [1, 2]
