"""Case numbers as the instrukcja kancelaryjna files them: one znak per family's case, printed on
every document of the family; a type the office chose opens a case of its own; letters and CVs take
none; two people at once never share or skip a number; the migration keeps every printed number.

Storage tests run on SQLite and PostgreSQL (`db_session` / `db_url`, tests/conftest.py).
"""
from __future__ import annotations

import datetime as dt
import json
import re
import threading
from pathlib import Path

import docx
import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from docgen.cli import main
from docgen.doctypes import get_doctype
from docgen.render import Letterhead, render
from docgen.store import db, documents, migrate
from docgen.store.documents import create_document, file_path, generate
from docgen.store.models import CaseCounter, CaseFile, Document, Family, GeneratedFile, Office, Person, User
from docgen.validate import validate

from test_store import make_family, make_office, make_user

DAY = dt.date(2026, 11, 23)


def complete(document, **changes):
    """The type's example data (these tests are about numbers, not what the document says)."""
    doctype = get_doctype(document.doc_type)
    data = {**doctype.example(), **changes}
    issues = validate(doctype, data)
    assert not issues, issues
    document.data = data
    return document


def new_document(session, family, doc_type, user, **changes):
    return complete(create_document(session, family, doc_type, user), **changes)


def printed_text(record: GeneratedFile) -> str:
    """Every paragraph of the version's .docx, its tables, headers and footers too."""
    document = docx.Document(str(file_path(record)))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    for section in document.sections:
        parts += [p.text for p in section.header.paragraphs] + [p.text for p in section.footer.paragraphs]
    return "\n".join(parts)


def counters(session):
    return [tuple(row) for row in session.execute(
        select(CaseCounter.jrwa_symbol, CaseCounter.year, CaseCounter.last_number)
        .order_by(CaseCounter.jrwa_symbol, CaseCounter.year)).all()]


# --- one znak per family's case --------------------------------------------------------------

def test_every_document_of_a_family_prints_the_znak_of_its_case(db_session, output_dir):
    office = make_office(db_session)
    user = make_user(db_session, office)
    family = make_family(db_session, office, user)
    other = make_family(db_session, office, user)
    plan = new_document(db_session, family, "work_plan", user)
    visit = new_document(db_session, family, "visit_record", user)
    other_visit = new_document(db_session, other, "visit_record", user)
    db_session.commit()

    first = generate(db_session, plan, user, today=DAY)
    db_session.commit()
    # the case began in 2026; a document of January 2027 still belongs to it
    second = generate(db_session, visit, user, today=dt.date(2027, 1, 12))
    third = generate(db_session, other_visit, user, today=dt.date(2027, 1, 12))
    again = generate(db_session, visit, user, today=dt.date(2027, 1, 13))
    db_session.commit()

    assert plan.case_number == visit.case_number == "GOPS.AR.4101.1.2026"
    assert other_visit.case_number == "GOPS.AR.4101.1.2027"  # another family: another case, begun in 2027
    for record, znak in ((first, "GOPS.AR.4101.1.2026"), (second, "GOPS.AR.4101.1.2026"),
                         (again, "GOPS.AR.4101.1.2026"), (third, "GOPS.AR.4101.1.2027")):
        assert f"Znak sprawy: {znak}" in printed_text(record)
    cases = db_session.scalars(select(CaseFile).order_by(CaseFile.id)).all()
    assert [(c.family_id, c.family_case, c.reference, c.opened_on, c.opened_by) for c in cases] == [
        (family.id, True, "GOPS.AR.4101.1.2026", DAY, "work_plan"),
        (other.id, True, "GOPS.AR.4101.1.2027", dt.date(2027, 1, 12), "visit_record")]
    assert plan.case_file_id == visit.case_file_id == cases[0].id
    assert counters(db_session) == [("4101", 2026, 1), ("4101", 2027, 1)]


def test_a_type_the_office_chose_opens_a_case_of_its_own_for_each_document(db_session, output_dir):
    office = make_office(db_session)
    office.own_case_types = {"court_opinion": "", "closing_report": "0152"}
    user = make_user(db_session, office)
    family = make_family(db_session, office, user)
    visit = new_document(db_session, family, "visit_record", user)
    opinions = [new_document(db_session, family, "court_opinion", user) for _ in range(2)]
    report = new_document(db_session, family, "closing_report", user)
    db_session.commit()

    for document in (opinions[0], visit, opinions[1], report):
        generate(db_session, document, user, today=DAY)
        db_session.commit()
    regenerated = generate(db_session, opinions[0], user, today=dt.date(2027, 2, 1))
    db_session.commit()

    assert opinions[0].case_number == "GOPS.AR.4101.1.2026"  # its own case, opened first
    assert visit.case_number == "GOPS.AR.4101.2.2026"        # the family's case
    assert opinions[1].case_number == "GOPS.AR.4101.3.2026"  # the second court letter: another case
    assert report.case_number == "GOPS.AR.0152.1.2026"       # in the spis spraw of its own JRWA class
    assert "Znak sprawy: GOPS.AR.4101.1.2026" in printed_text(regenerated)  # a version keeps its znak
    cases = {c.reference: (c.family_case, c.opened_by) for c in db_session.scalars(select(CaseFile))}
    assert cases == {"GOPS.AR.4101.1.2026": (False, "court_opinion"), "GOPS.AR.4101.2.2026": (True, "visit_record"),
                     "GOPS.AR.4101.3.2026": (False, "court_opinion"), "GOPS.AR.0152.1.2026": (False, "closing_report")}
    assert counters(db_session) == [("0152", 2026, 1), ("4101", 2026, 3)]


def test_changing_the_setting_leaves_numbered_documents_as_printed(db_session, output_dir):
    office = make_office(db_session)
    user = make_user(db_session, office)
    family = make_family(db_session, office, user)
    opinion = new_document(db_session, family, "court_opinion", user)
    db_session.commit()
    generate(db_session, opinion, user, today=DAY)
    office.own_case_types = {"court_opinion": ""}
    office.case_prefix = "OPS.AR"
    db_session.commit()
    record = generate(db_session, opinion, user, today=DAY)
    db_session.commit()
    assert opinion.case_number == "GOPS.AR.4101.1.2026" and "GOPS.AR.4101.1.2026" in printed_text(record)
    later = new_document(db_session, family, "court_opinion", user)
    generate(db_session, later, user, today=DAY)
    assert later.case_number == "OPS.AR.4101.2.2026"


def test_a_failed_generation_gives_its_number_back(db_session, output_dir, monkeypatch):
    office = make_office(db_session)
    user = make_user(db_session, office)
    family = make_family(db_session, office, user)
    visit = new_document(db_session, family, "visit_record", user)
    db_session.commit()

    def broken(*args, **kwargs):
        raise OSError("dysk pełny")

    with monkeypatch.context() as patch:
        patch.setattr(documents, "render_valid", broken)
        with pytest.raises(OSError):
            generate(db_session, visit, user, today=DAY)
        db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(CaseFile)) == 0
    generate(db_session, visit, user, today=DAY)
    db_session.commit()
    assert visit.case_number == "GOPS.AR.4101.1.2026"


# --- two people at once ------------------------------------------------------------------------

def test_twenty_generations_at_once_share_no_number_and_skip_none(db_url, output_dir, monkeypatch):
    """8 new families with two visit records each, generated at the same moment, and 4 more whose
    generation fails after its number was taken: every family gets one znak for both its documents,
    the numbers are 1-8 with no gap, the failed ones take none."""
    migrate.upgrade(db_url)
    engine = db.make_engine(db_url)
    make_session = db.make_sessionmaker(engine)
    with make_session() as session:
        office = make_office(session)
        user = make_user(session, office)
        work: list[tuple[int, int]] = []  # (document id, family id)
        failing: set[int] = set()
        for index in range(12):
            family = make_family(session, office, user)
            family.family_name = f"Rodzina {index + 1:02d}"
            for _ in range(2 if index < 8 else 1):
                document = new_document(session, family, "visit_record", user, family_name=family.family_name)
                session.flush()
                work.append((document.id, family.id))
                if index >= 8:
                    failing.add(document.id)
        session.commit()
        office_id, user_id = office.id, user.id
    assert len(work) == 20

    real_render = documents.render_valid

    def render_or_fail(doctype, clean, **kwargs):
        if kwargs["case_number"] and clean["family_name"] >= "Rodzina 09":
            raise OSError("brak miejsca na dysku")  # after the number was taken
        return real_render(doctype, clean, **kwargs)

    monkeypatch.setattr(documents, "render_valid", render_or_fail)
    start = threading.Barrier(len(work))
    outcome: dict[int, str] = {}

    def generate_one(document_id: int) -> None:
        with make_session() as session:
            document = session.get(Document, document_id)
            user = session.get(User, user_id)
            session.commit()  # its connection goes back to the pool (5 + 10 of them) before the race
            start.wait()
            try:
                generate(session, document, user, today=DAY)
                session.commit()
                outcome[document_id] = "ok"
            except OSError:
                session.rollback()
                outcome[document_id] = "failed"
            except Exception as error:  # noqa: BLE001 - reported by the assertion below
                session.rollback()
                outcome[document_id] = f"{type(error).__name__}: {error}"

    threads = [threading.Thread(target=generate_one, args=(document_id,)) for document_id, _ in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(not thread.is_alive() for thread in threads)
    assert {d: o for d, o in outcome.items() if o not in ("ok", "failed")} == {}
    assert {d for d, o in outcome.items() if o == "failed"} == failing

    with make_session() as session:
        numbered = {document_id: session.get(Document, document_id).case_number for document_id, _ in work}
        per_family: dict[int, set[str]] = {}
        for document_id, family_id in work:
            if document_id not in failing:
                per_family.setdefault(family_id, set()).add(numbered[document_id])
        assert all(len(znaki) == 1 for znaki in per_family.values()), per_family  # one znak per family
        numbers = sorted(int(re.fullmatch(r"GOPS\.AR\.4101\.(\d+)\.2026", znak).group(1))
                         for (znak,) in per_family.values())
        assert numbers == list(range(1, 9))  # distinct, and no gap where a generation failed
        assert all(numbered[document_id] is None for document_id in failing)
        assert session.scalar(select(func.count()).select_from(CaseFile)) == 8
        assert session.scalar(select(CaseCounter.last_number).where(CaseCounter.office_id == office_id)) == 8
    engine.dispose()


# --- the command line --------------------------------------------------------------------------

@pytest.fixture
def demo_cli(tmp_path, monkeypatch, instance_dir, output_dir, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    assert main(["demo", "--password", "hasło-testowe-cli"]) == 0
    capsys.readouterr()
    return tmp_path


def _json(folder: Path, type_id: str) -> Path:
    path = folder / f"{type_id}.json"
    path.write_text(json.dumps(get_doctype(type_id).example(), ensure_ascii=False), encoding="utf-8")
    return path


def test_cli_render_opens_a_case_or_prints_the_one_given(demo_cli, capsys):
    plan, visit = _json(demo_cli, "work_plan"), _json(demo_cli, "visit_record")
    year = dt.date.today().year
    assert main(["render", "work_plan", str(plan), "-o", str(demo_cli / "plan.docx")]) == 0
    assert f"znak sprawy MOPS.AR.4101.1.{year}" in capsys.readouterr().out
    # the visit of the same family: the case's znak, no new number
    assert main(["render", "visit_record", str(visit), "-o", str(demo_cli / "wizyta.docx"),
                 "--znak", f"MOPS.AR.4101.1.{year}"]) == 0
    assert f"znak sprawy MOPS.AR.4101.1.{year}" in capsys.readouterr().out
    assert f"Znak sprawy: MOPS.AR.4101.1.{year}" in "\n".join(
        p.text for p in docx.Document(str(demo_cli / "wizyta.docx")).paragraphs)
    # a znak the spis spraw does not hold is refused, and nothing is written
    assert main(["render", "visit_record", str(visit), "-o", str(demo_cli / "x.docx"),
                 "--znak", f"MOPS.AR.4101.9.{year}"]) == 2
    assert f"nie ma sprawy o znaku 'MOPS.AR.4101.9.{year}'" in capsys.readouterr().err
    assert not (demo_cli / "x.docx").exists()
    # a letter and a CV take no number: the next case is number 2
    for type_id in ("letter", "cv"):
        assert main(["render", type_id, str(_json(demo_cli, type_id)), "-o", str(demo_cli / f"{type_id}.docx")]) == 0
        assert "znak sprawy" not in capsys.readouterr().out
    assert main(["render", "visit_record", str(visit), "-o", str(demo_cli / "wizyta2.docx")]) == 0
    assert f"znak sprawy MOPS.AR.4101.2.{year}" in capsys.readouterr().out


# --- the office's setting ------------------------------------------------------------------------

def _office_form(office: Office, **changes) -> dict[str, str]:
    return {"name": office.name, "address": office.address, "city": office.city, "phone": office.phone,
            "email": office.email, "case_prefix": office.case_prefix, "jrwa_symbol": office.jrwa_symbol,
            "caseload_limit": "15", "session_timeout_minutes": "30", "retention_years": "10", **changes}


def test_the_admin_chooses_the_types_with_a_case_of_their_own(login, session):
    client = login("admin")
    office = session.scalars(select(User).where(User.username == "admin")).one().office
    page = client.get("/admin/osrodek").text
    assert "Dokumenty z własną sprawą" in page and "Opinia o rodzinie" in page
    assert 'name="own_case_letter"' not in page and 'name="own_case_cv"' not in page  # they take no number

    response = client.post("/admin/osrodek", data=_office_form(
        office, own_case_court_opinion="y", own_case_closing_report="y", own_case_jrwa_closing_report="0152"))
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Office, office.id).own_case_types == {"court_opinion": "", "closing_report": "0152"}
    page = client.get("/admin/osrodek").text
    assert re.search(r'<input[^>]*checked[^>]*name="own_case_court_opinion"|'
                     r'<input[^>]*name="own_case_court_opinion"[^>]*checked', page)
    assert 'value="0152"' in page

    # a class typed without its box is neither lost nor saved silently
    response = client.post("/admin/osrodek", data=_office_form(office, own_case_jrwa_visit_record="0153"))
    assert response.status_code == 200
    assert "Symbol JRWA podaje się dla dokumentu z własną sprawą" in response.text and 'value="0153"' in response.text
    response = client.post("/admin/osrodek", data=_office_form(office, own_case_visit_record="y",
                                                               own_case_jrwa_visit_record="41a"))
    assert response.status_code == 200 and "Symbol JRWA to od 1 do 4 cyfr" in response.text
    session.expire_all()
    assert session.get(Office, office.id).own_case_types == {"court_opinion": "", "closing_report": "0152"}
    # unticking everything returns to one case per family
    assert client.post("/admin/osrodek", data=_office_form(office)).status_code == 302
    session.expire_all()
    assert session.get(Office, office.id).own_case_types == {}


# --- the migration of existing numbers -----------------------------------------------------------

LETTERHEAD = Letterhead(name="Miejski Ośrodek Pomocy Społecznej w Lipowcu Mazurskim",
                        address="ul. Kościuszki 5, 11-440 Lipowiec Mazurski", city="Lipowiec Mazurski")


def _insert(connection, table: sa.Table, **values) -> int:
    """A row of a table as revision 0008 has it: every NOT NULL column not given gets a plain value."""
    plain = {sa.String: "", sa.Text: "", sa.Integer: 0, sa.Boolean: False, sa.JSON: {},
             sa.Date: dt.date(2026, 1, 2), sa.DateTime: dt.datetime(2026, 1, 2, tzinfo=dt.timezone.utc)}
    row = dict(values)
    for column in table.columns:
        if column.name not in row and not column.nullable and not column.primary_key:
            row[column.name] = next(v for kind, v in plain.items() if isinstance(column.type, kind))
    return connection.execute(table.insert().values(**row).returning(table.c.id)).scalar_one()


def test_migration_keeps_every_printed_number(db_url, output_dir):
    """A database at revision 0008 with generated versions: after 0009 every number printed on a
    version is still its document's, a family's case has the number of its earliest numbered
    document, letters and CVs give up the number they never printed, and counting continues."""
    migrate.upgrade(db_url, "0008")
    engine = db.make_engine(db_url)
    tables = sa.MetaData()
    tables.reflect(engine)
    t = tables.tables
    versions: dict[str, tuple[int, str]] = {}  # name -> (document id, printed number or "")
    with engine.begin() as connection:
        office = _insert(connection, t["office"], name=LETTERHEAD.name, address=LETTERHEAD.address,
                         city=LETTERHEAD.city, case_prefix="MOPS.AR", jrwa_symbol="4101", caseload_limit=15,
                         session_timeout_minutes=30, retention_years=10)
        other_office = _insert(connection, t["office"], name="GOPS w Brzozówce", address="ul. Szkolna 1",
                               city="Brzozówka", case_prefix="GOPS.AR", jrwa_symbol="4101")
        user = _insert(connection, t["user_account"], office_id=office, username="asystent", full_name="Ewa Kalinowska",
                       role="asystent", password_hash="x", active=True)
        families = {name: _insert(connection, t["family"], office_id=office, assistant_id=user, family_name=name,
                                  assignment_date=dt.date(2025, 11, 3), active=True)
                    for name in ("Zawadzcy", "Krajewscy", "Wieczorkowie")}
        brzozowka = _insert(connection, t["family"], office_id=other_office, family_name="Nowakowie", active=True)
        connection.execute(t["case_counter"].insert(), [
            {"office_id": office, "year": 2025, "last_number": 3}, {"office_id": office, "year": 2026, "last_number": 7},
            {"office_id": other_office, "year": 2026, "last_number": 1}])
        # in the order they were generated (file ids grow with it)
        history = [
            ("Zawadzcy", "visit_record", "MOPS.AR.4101.3.2025", dt.datetime(2025, 12, 10, 9, tzinfo=dt.timezone.utc)),
            ("Krajewscy", "cv", "MOPS.AR.4101.1.2026", dt.datetime(2026, 1, 8, 9, tzinfo=dt.timezone.utc)),
            ("Zawadzcy", "work_plan", "MOPS.AR.4101.2.2026", dt.datetime(2026, 1, 9, 9, tzinfo=dt.timezone.utc)),
            ("Zawadzcy", "letter", "MOPS.AR.4101.4.2026", dt.datetime(2026, 2, 1, 9, tzinfo=dt.timezone.utc)),
            ("Krajewscy", "work_plan", "MOPS.AR.4101.5.2026", dt.datetime(2026, 2, 2, 9, tzinfo=dt.timezone.utc)),
            ("Zawadzcy", "visit_record", "MOPS.AR.4101.6.2026", dt.datetime(2026, 3, 2, 9, tzinfo=dt.timezone.utc)),
            ("Nowakowie", "visit_record", "GOPS.AR.4100.1.2026", dt.datetime(2026, 3, 3, 9, tzinfo=dt.timezone.utc)),
        ]
        for name, doc_type, znak, at in history:
            family_id = brzozowka if name == "Nowakowie" else families[name]
            doctype = get_doctype(doc_type)
            document = _insert(connection, t["document"], office_id=other_office if name == "Nowakowie" else office,
                               family_id=family_id, doc_type=doc_type, status="final", version=1,
                               data=doctype.example(), case_number=znak, created_at=at, updated_at=at,
                               confirmed_warnings=[])
            content = render(doctype, doctype.example(), letterhead=LETTERHEAD, case_number=znak)
            old_name = f"{doctype.file_stem}_{name}_{znak}_v1.docx"
            storage = f"{office}/{family_id}/{document}/{old_name}"
            (output_dir / storage).parent.mkdir(parents=True)
            (output_dir / storage).write_bytes(content)
            _insert(connection, t["generated_file"], document_id=document, version=1, kind="docx", filename=old_name,
                    storage_path=storage, size=len(content), sha256="0" * 64, template_name="wbudowany",
                    created_at=at)
            versions[f"{name} {doc_type} {znak}"] = (document, znak if doctype.in_case_file else "")
    engine.dispose()

    migrate.upgrade(db_url)
    assert migrate.differences(db_url) == []
    engine = db.make_engine(db_url)
    with db.make_sessionmaker(engine)() as session:
        for label, (document_id, printed) in versions.items():
            document = session.get(Document, document_id)
            record = document.files[0]
            text = printed_text(record)
            if printed:  # the number on the version is its document's, as before
                assert document.case_number == printed and f"Znak sprawy: {printed}" in text, label
                assert document.case_file.reference == printed, label
            else:  # a letter's or CV's number was never printed: it is gone, from the name too
                assert document.case_number is None and document.case_file_id is None, label
                assert "MOPS" not in text and "MOPS" not in record.filename and "Zawadzcy" not in record.filename
        names = {get_doctype(d.doc_type).file_stem: f.filename for d in session.scalars(select(Document))
                 if not get_doctype(d.doc_type).in_case_file for f in d.files}
        assert names == {"pismo": "Pismo_Tomasz_Zawadzki.docx", "cv": "CV_Anna_Zawadzka.docx"}

        cases = {c.reference: (c.family_id, c.family_case, c.opened_by, c.opened_on)
                 for c in session.scalars(select(CaseFile))}
        assert cases == {
            # the family's case: its earliest numbered document's number
            "MOPS.AR.4101.3.2025": (families["Zawadzcy"], True, "visit_record", dt.date(2025, 12, 10)),
            # the others stay on their documents as printed, each its own case
            "MOPS.AR.4101.2.2026": (families["Zawadzcy"], False, "work_plan", dt.date(2026, 1, 9)),
            "MOPS.AR.4101.6.2026": (families["Zawadzcy"], False, "visit_record", dt.date(2026, 3, 2)),
            # the Krajewscy's CV had number 1, never printed: their case is their plan's
            "MOPS.AR.4101.5.2026": (families["Krajewscy"], True, "work_plan", dt.date(2026, 2, 2)),
            "GOPS.AR.4100.1.2026": (brzozowka, True, "visit_record", dt.date(2026, 3, 3)),
        }
        assert sorted((c.office_id, c.jrwa_symbol, c.year, c.last_number) for c in session.scalars(select(CaseCounter))) \
            == sorted([(office, "4101", 2025, 3), (office, "4101", 2026, 7),
                       (other_office, "4100", 2026, 1), (other_office, "4101", 2026, 1)])

        # from now on: the Zawadzcy's next document joins their case; a new family's case continues the count
        user = session.get(User, user)
        zawadzcy, wieczorkowie = session.get(Family, families["Zawadzcy"]), session.get(Family, families["Wieczorkowie"])
        for family in (zawadzcy, wieczorkowie):
            family.members = [Person(position=0, first_name="Anna", last_name=family.family_name, relation="matka",
                                     birth_date=dt.date(1991, 3, 14), in_household=True, took_part=True)]
        joined = new_document(session, zawadzcy, "visit_record", user)
        fresh = new_document(session, wieczorkowie, "visit_record", user)
        session.commit()
        assert "Znak sprawy: MOPS.AR.4101.3.2025" in printed_text(generate(session, joined, user, today=DAY))
        assert "Znak sprawy: MOPS.AR.4101.8.2026" in printed_text(generate(session, fresh, user, today=DAY))
        session.commit()
    engine.dispose()

    # the earlier schema held one document per number: with a shared one it cannot come back
    with pytest.raises(RuntimeError, match="wspólny znak sprawy MOPS.AR.4101.3.2025"):
        migrate.downgrade(db_url, "0008")
