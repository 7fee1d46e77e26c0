"""The end of a case on SQLite and PostgreSQL: export (RODO art. 15/20), closing, retention,
anonymisation that leaves no trace in the database, its files or output/, deletion, and the
`docgen anonymise --due` command.

The family below is invented, with names and PESELs chosen to appear nowhere else, so a
search for them after anonymisation means a leak, not a coincidence.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from docgen.cli import main
from docgen.doctypes import get_doctype
from docgen.store import audit, users
from docgen.store.demo import pesel_for
from docgen.store.documents import create_document, file_path, generate
from docgen.store.export import export_family
from docgen.store.lifecycle import (anonymise_family, anonymisation_refusal, close_family, delete_family,
                                    due_for_anonymisation, purge_sqlite_free_space, reopen_family, retention_ends)
from docgen.store.models import ROLE_ASSISTANT, Base, Document, Family, GeneratedFile, Office, Person
from docgen.validate import validate

FAMILY_NAME = "Wierzbięta-Ożarowscy"
ADDRESS = "ul. Zakątek Jemiołuszki 913 m. 77, 11-987 Głuszyca Górna"
SOCIAL_WORKER = "Teodozja Bąkiewicz-Rzymska"
COURT_CASE = "III Nsm 9137/26"
# first name, last name, born, relation, female, serial
MEMBERS = (
    ("Gościsława", "Wierzbięta-Ożarowska", dt.date(1988, 7, 19), "matka", True, 913),
    ("Bożydar", "Wierzbięta-Ożarowski", dt.date(1985, 2, 27), "ojciec", False, 914),
    ("Jaromira", "Wierzbięta-Ożarowska", dt.date(2015, 10, 3), "dziecko", True, 915),
    ("Świętopełk", "Wierzbięta-Ożarowski", dt.date(2018, 12, 30), "dziecko", False, 916),
)
PESELS = tuple(pesel_for(born, serial, female) for _, _, born, _, female, serial in MEMBERS)
# what must not survive anonymisation, anywhere
SECRETS = (FAMILY_NAME, ADDRESS, SOCIAL_WORKER, COURT_CASE, "Wierzbięta", "Ożarowsk",
           *{m[0] for m in MEMBERS}, *{m[1] for m in MEMBERS}, *PESELS)


# --- helpers ----------------------------------------------------------------------------

def make_office(session, name="Gminny Ośrodek Pomocy Społecznej w Brzozówce", prefix="GOPS.AR", retention_years=10):
    office = Office(name=name, address="ul. Szkolna 1, 11-500 Brzozówka", city="Brzozówka", phone="87 000 00 00",
                    email="gops@brzozowka.example", case_prefix=prefix, jrwa_symbol="4101",
                    retention_years=retention_years)
    session.add(office)
    session.flush()
    return office


def make_user(session, office, username="asystentka", full_name="Iwona Sadowska", role=ROLE_ASSISTANT):
    return users.create_user(session, office, username, full_name, role, "hasło-testowe-1")


OTHER_MEMBERS = (("Ignacy", "Kowalczyk", dt.date(1980, 4, 4), "ojciec", False, 101),
                 ("Zofia", "Kowalczyk", dt.date(2012, 8, 8), "dziecko", True, 102))


def make_family(session, office, assistant, name=FAMILY_NAME, closed_on=None):
    """The invented family; under another name, a family that shares none of its data."""
    ours = name == FAMILY_NAME
    family = Family(office=office, assistant=assistant, family_name=name,
                    address=ADDRESS if ours else "ul. Inna 1, 11-500 Brzozówka",
                    social_worker_name=SOCIAL_WORKER if ours else "Jan Zieliński",
                    assignment_date=dt.date(2000, 3, 1), referral_ref="GOPS.PS.4101.12.2000",
                    basis="postanowienie", court_name="Sąd Rejonowy w Brzozówce, III Wydział Rodzinny i Nieletnich",
                    court_case_number=COURT_CASE if ours else "III Nsm 1/00", court_order_date=dt.date(2000, 2, 10))
    family.members = [
        Person(position=i, first_name=first, last_name=last, birth_date=born,
               pesel=pesel_for(born, serial, female), relation=relation, in_household=True,
               took_part=relation in ("matka", "ojciec"))
        for i, (first, last, born, relation, female, serial) in enumerate(MEMBERS if ours else OTHER_MEMBERS)
    ]
    session.add(family)
    session.flush()
    if closed_on is not None:
        close_family(session, family, closed_on)
    return family


def complete(document):
    """The prefilled data completed with the example's answers, naming the family in free text."""
    # the plan's own date stays the example's, so its period does not start before the plan is made
    prefilled = {key: value for key, value in document.data.items() if value not in (None, []) and key != "plan_date"}
    data = {**get_doctype(document.doc_type).example(), **prefilled}
    first = prefilled["members"][0]
    data["strengths"] = f"{first['first_name']} dba o dzieci: " + \
        ", ".join(m["first_name"] for m in prefilled["members"][1:]) + "; babcia pomaga."
    data["actions"] = [{**row, "responsible": f"{first['first_name']} {first['last_name']}"} for row in data["actions"]]
    assert validate(get_doctype(document.doc_type), data) == []
    return data


def family_with_files(session, output_dir, closed_on=None):
    """The family with two work plans, the first generated twice: three .docx files."""
    office = make_office(session)
    user = make_user(session, office)
    family = make_family(session, office, user)
    records = []
    for versions in (2, 1):
        document = create_document(session, family, "work_plan", user)
        document.data = complete(document)
        for day in range(versions):
            records.append(generate(session, document, user, today=dt.date(2016, 11, 23 + day)))
    if closed_on is not None:
        close_family(session, family, closed_on)
    session.commit()
    assert len(list(output_dir.rglob("*.docx"))) == 3
    return office, user, family, records


def database_text(engine) -> str:
    """Every value of every row of every table, as text (JSON columns as JSON)."""
    parts = []
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            for row in connection.execute(table.select()):
                for value in row:
                    if isinstance(value, (dict, list)):
                        parts.append(json.dumps(value, ensure_ascii=False))
                    elif value is not None:
                        parts.append(str(value))
    return "\n".join(parts)


def sqlite_files(url: str) -> list[Path]:
    database = Path(make_url(url).database)
    return [path for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")) if path.exists()]


def output_text(output_dir: Path) -> str:
    """Every name under output/ and every file's content, the XML inside .docx files too."""
    parts = []
    for path in sorted(output_dir.rglob("*")):
        parts.append(str(path.relative_to(output_dir)))
        if path.is_file():
            content = path.read_bytes()
            parts.append(content.decode("utf-8", "ignore"))
            if zipfile.is_zipfile(path):
                with zipfile.ZipFile(path) as archive:
                    parts += [archive.read(name).decode("utf-8", "ignore") for name in archive.namelist()]
    return "\n".join(parts)


def found(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


# --- export -----------------------------------------------------------------------------

def test_export_holds_the_case_file_documents_and_files(db_session, output_dir):
    office, user, family, records = family_with_files(db_session, output_dir)

    content = export_family(db_session, family)

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        exported = json.loads(archive.read("rodzina.json").decode("utf-8"))
        raw_json = archive.read("rodzina.json").decode("utf-8")
        # the family's files in the order listed (two plans share the znak and the date, so the zip
        # names the second plan's v1 apart)
        entries = [entry for document in exported["dokumenty"] for entry in document["pliki"]]
        for record, entry in zip(records, entries, strict=True):
            name = entry["plik"]
            assert name in names and name.endswith(record.filename)
            assert archive.read(name) == file_path(record).read_bytes()  # byte for byte
            info = archive.getinfo(name)
            assert info.flag_bits & 0x800  # UTF-8 names: Polish letters survive every unzip
        assert any("Wierzbięta-Ożarowscy" in name for name in names)

    assert FAMILY_NAME in raw_json and "\\u" not in raw_json  # ensure_ascii=False, readable
    assert exported["rodzina"]["family_name"] == FAMILY_NAME
    assert exported["rodzina"]["address"] == ADDRESS
    assert [(m["first_name"], m["last_name"], m["pesel"]) for m in exported["rodzina"]["members"]] == \
        [(first, last, pesel) for (first, last, *_), pesel in zip(MEMBERS, PESELS)]
    assert exported["asystent"] == "Iwona Sadowska"
    assert exported["osrodek"] == office.name
    documents = exported["dokumenty"]
    assert [d["wersja"] for d in documents] == [2, 1]
    first = documents[0]
    assert first["typ"] == "work_plan" and first["tytul"] == "Plan pracy z rodziną"
    assert first["status"] == "final" and first["znak_sprawy"] == "GOPS.AR.4101.1.2016"
    assert first["dane"] == family.documents[0].data
    assert first["dane"]["strengths"].startswith("Gościsława")
    assert first["utworzono"] and first["zmieniono"]
    assert [(f["wersja"], f["nazwa_pliku"], f["sha256"], f["utworzyl"]) for f in first["pliki"]] == \
        [(r.version, r.filename, r.sha256, "Iwona Sadowska") for r in records[:2]]
    assert all(f["sha256_zgodny"] and f["plik"].startswith("dokumenty/") and f["plik"].endswith(f["nazwa_pliku"])
               and f["utworzono"] for d in documents for f in d["pliki"])
    # the two plans share the family's znak and their date: the zip still names every file apart
    assert len({f["plik"] for d in documents for f in d["pliki"]}) == 3


def test_export_lists_a_missing_file_instead_of_failing(db_session, output_dir):
    _, _, family, records = family_with_files(db_session, output_dir)
    file_path(records[0]).unlink()

    with zipfile.ZipFile(io.BytesIO(export_family(db_session, family))) as archive:
        exported = json.loads(archive.read("rodzina.json"))
        # the other two files (the second plan's v1 bears the same name as the missing one)
        assert sorted(name for name in archive.namelist() if name.startswith("dokumenty/")) == sorted(
            f"dokumenty/{record.filename}" for record in records[1:])
    missing, present = exported["dokumenty"][0]["pliki"]
    assert missing["brak_pliku"] is True and "plik" not in missing
    assert missing["sha256"] == records[0].sha256
    assert "brak_pliku" not in present


# --- closing and retention --------------------------------------------------------------

def test_close_and_reopen(db_session):
    office = make_office(db_session)
    family = make_family(db_session, office, make_user(db_session, office))
    assert retention_ends(family) is None

    with pytest.raises(ValueError, match="nie może być wcześniejsza niż data skierowania"):
        close_family(db_session, family, dt.date(2000, 2, 1))
    close_family(db_session, family, dt.date(2020, 3, 1))
    db_session.commit()
    assert family.closed_on == dt.date(2020, 3, 1) and family.active is False
    assert retention_ends(family) == dt.date(2030, 3, 1)

    reopen_family(db_session, family)
    assert family.closed_on is None and family.active is True


def test_retention_from_29_february(db_session):
    office = make_office(db_session, retention_years=10)
    family = make_family(db_session, office, make_user(db_session, office), closed_on=dt.date(2024, 2, 29))
    assert retention_ends(family) == dt.date(2034, 2, 28)
    office.retention_years = 8
    assert retention_ends(family) == dt.date(2032, 2, 29)


def test_due_for_anonymisation(db_session):
    office = make_office(db_session, retention_years=10)
    short = make_office(db_session, name="Ośrodek B", prefix="OPS.B", retention_years=5)
    user = make_user(db_session, office)
    other = make_user(db_session, short, username="asystent-b", full_name="Adam Nowak")
    open_case = make_family(db_session, office, user, name="Rodzina A")
    recent = make_family(db_session, office, user, name="Rodzina B", closed_on=dt.date(2020, 3, 1))
    old = make_family(db_session, office, user, name="Rodzina C", closed_on=dt.date(2010, 1, 15))
    last_day = make_family(db_session, office, user, name="Rodzina D", closed_on=dt.date(2016, 6, 30))
    short_retention = make_family(db_session, short, other, name="Rodzina E", closed_on=dt.date(2020, 3, 1))
    done = make_family(db_session, office, user, name="Rodzina F", closed_on=dt.date(2001, 1, 1))
    anonymise_family(db_session, done, today=dt.date(2026, 6, 30))
    db_session.commit()

    due = due_for_anonymisation(db_session, dt.date(2026, 6, 30))
    assert [f.id for f in due] == [old.id, short_retention.id]
    assert last_day.id in [f.id for f in due_for_anonymisation(db_session, dt.date(2026, 7, 1))]
    assert open_case not in due and recent not in due


# --- anonymisation ----------------------------------------------------------------------

def test_anonymise_is_refused_until_the_retention_period_has_passed(db_session, output_dir):
    _, _, family, records = family_with_files(db_session, output_dir)

    with pytest.raises(ValueError, match="z którą praca trwa"):
        anonymise_family(db_session, family, today=dt.date(2040, 1, 1))
    close_family(db_session, family, dt.date(2020, 3, 1))
    with pytest.raises(ValueError, match=r"trwa do 1 marca 2030 r\. Anonimizacja będzie możliwa od 2 marca 2030 r\.$"):
        anonymise_family(db_session, family, today=dt.date(2030, 3, 1))
    assert anonymisation_refusal(family, dt.date(2030, 3, 2)) is None
    assert family.family_name == FAMILY_NAME and all(file_path(r).is_file() for r in records)

    anonymise_family(db_session, family, today=dt.date(2030, 3, 2))
    db_session.commit()
    assert family.family_name == f"Rodzina zanonimizowana nr {family.id}"
    assert family.anonymised_at is not None
    with pytest.raises(ValueError, match="już zanonimizowane"):
        anonymise_family(db_session, family, today=dt.date(2030, 3, 2))


def test_anonymise_leaves_no_trace(db_session, db_engine, db_url, output_dir):
    office, user, family, records = family_with_files(db_session, output_dir, closed_on=dt.date(2016, 12, 31))
    family_id = family.id
    case_numbers = [d.case_number for d in family.documents]
    audit.record(db_session, user=user, action=audit.CLOSE, object_type="family", object_id=family_id,
                 family_id=family_id)
    db_session.commit()
    sqlite = db_engine.dialect.name == "sqlite"

    # the search finds what is there: names in rows, on disk, and (SQLite) in the file's bytes
    assert set(found(database_text(db_engine))) == set(SECRETS)
    assert set(found(output_text(output_dir))) == set(SECRETS)
    if sqlite:
        with db_engine.connect() as connection:  # set by docgen.store.db, not left to the build's default
            assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
        raw = b"".join(path.read_bytes() for path in sqlite_files(db_url))
        assert all(secret.encode("utf-8") in raw for secret in (FAMILY_NAME, ADDRESS, *PESELS))

    anonymise_family(db_session, family, today=dt.date(2027, 1, 1))
    audit.record(db_session, user=None, username=audit.SYSTEM, action=audit.ANONYMISE, object_type="family",
                 object_id=family_id, family_id=family_id, office_id=office.id)
    db_session.commit()
    assert purge_sqlite_free_space(db_engine) is True

    # the rows
    assert found(database_text(db_engine)) == []
    db_session.expire_all()
    family = db_session.get(Family, family_id)
    assert family.family_name == f"Rodzina zanonimizowana nr {family_id}"
    assert (family.address, family.social_worker_name, family.referral_ref, family.court_name,
            family.court_case_number) == ("", "", "", "", "")
    assert family.assignment_date is None and family.court_order_date is None and family.consent_date is None
    assert family.members == [] and family.closed_on == dt.date(2016, 12, 31) and family.active is False
    assert [d.data for d in family.documents] == [{}, {}]
    assert [d.case_number for d in family.documents] == case_numbers  # not personal: kept
    assert db_session.execute(select(func.count()).select_from(Person)).scalar_one() == 0
    assert db_session.execute(select(func.count()).select_from(GeneratedFile)).scalar_one() == 0
    assert [e.action for e in audit.entries_for_family(db_session, office.id, family_id)] == ["anonymise", "close"]

    # the bytes of the database file and its write-ahead log
    if sqlite:
        files = sqlite_files(db_url)
        assert Path(f"{make_url(db_url).database}-wal").stat().st_size == 0
        raw = b"".join(path.read_bytes() for path in files)
        assert [s for s in SECRETS if s.encode("utf-8") in raw] == []

    # output/: no file, no folder of the family, nothing that names it
    assert found(output_text(output_dir)) == []
    assert not any(path.is_file() for path in output_dir.rglob("*"))
    assert not (output_dir / str(office.id) / str(family_id)).exists()
    assert all(not file_path(r).parent.exists() for r in records)


def test_anonymise_removes_a_file_whose_row_was_never_committed(db_session, output_dir):
    office, _, family, records = family_with_files(db_session, output_dir, closed_on=dt.date(2010, 1, 1))
    stray = file_path(records[0]).parent / f"{FAMILY_NAME}_bez_wiersza.docx"
    stray.write_bytes(b"PK")
    anonymise_family(db_session, family, today=dt.date(2026, 1, 1))
    db_session.commit()
    assert not stray.exists() and not (output_dir / str(office.id) / str(family.id)).exists()


def test_anonymise_force_skips_the_retention_check(db_session, output_dir):
    _, _, family, records = family_with_files(db_session, output_dir)
    anonymise_family(db_session, family, force=True)
    db_session.commit()
    assert family.anonymised_at is not None and family.active is False and family.members == []
    assert not any(file_path(r).exists() for r in records)


# --- deletion ---------------------------------------------------------------------------

def test_delete_family_removes_rows_files_and_folders_but_not_the_audit_trail(db_session, output_dir):
    office, user, family, records = family_with_files(db_session, output_dir)
    keep = make_family(db_session, office, user, name="Rodzina Pozostająca")
    kept_document = create_document(db_session, keep, "work_plan", user)
    kept_document.data = complete(kept_document)
    kept_file = generate(db_session, kept_document, user, today=dt.date(2016, 12, 1))
    family_id = family.id
    document_ids = [d.id for d in family.documents]
    for document_id in document_ids:
        audit.record(db_session, user=user, action=audit.GENERATE, object_type="document", object_id=document_id,
                     family_id=family_id, detail="work_plan v1")
    db_session.commit()

    delete_family(db_session, family)
    audit.record(db_session, user=user, action=audit.DELETE, object_type="family", object_id=family_id,
                 family_id=family_id)
    db_session.commit()
    db_session.expunge_all()

    assert db_session.get(Family, family_id) is None
    for model, column in ((Person, Person.family_id), (Document, Document.family_id)):
        assert db_session.execute(select(func.count()).select_from(model).where(column == family_id)).scalar_one() == 0
    assert db_session.execute(select(func.count()).select_from(GeneratedFile)
                              .where(GeneratedFile.document_id.in_(document_ids))).scalar_one() == 0
    assert not any(file_path(r).exists() or file_path(r).parent.exists() for r in records)
    assert not (output_dir / str(office.id) / str(family_id)).exists()
    assert FAMILY_NAME not in output_text(output_dir)
    # the other family and its file are untouched
    assert file_path(kept_file).is_file() and db_session.get(Family, keep.id) is not None
    entries = audit.entries_for_family(db_session, office.id, family_id)
    assert [e.action for e in entries] == ["delete", "generate", "generate"]


# --- the command ------------------------------------------------------------------------

def test_cli_anonymise_due(db_session, db_engine, db_url, output_dir, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", db_url)
    office, _, family, records = family_with_files(db_session, output_dir, closed_on=dt.date(2001, 5, 1))
    open_case = make_family(db_session, office, family.assistant, name="Rodzina Otwarta")
    db_session.commit()
    family_id = family.id
    paths = [file_path(r) for r in records]

    assert main(["anonymise", "--due", "--dry-run"]) == 0
    out, err = capsys.readouterr()
    assert f"Rodziny do anonimizacji: 1 (id: {family_id})." in out and "niczego nie zmieniono" in out
    assert all(path.exists() for path in paths)

    assert main(["anonymise", "--due"]) == 0
    out, err = capsys.readouterr()
    assert out == f"Zanonimizowano rodziny: 1 (id: {family_id}).\n" and err == ""
    assert found(out) == []
    db_session.expire_all()
    assert db_session.get(Family, family_id).anonymised_at is not None
    assert db_session.get(Family, open_case.id).family_name == "Rodzina Otwarta"
    assert not any(path.exists() for path in paths)
    entry, = audit.entries_for_family(db_session, office.id, family_id)
    assert (entry.action, entry.username, entry.user_id, entry.object_id) == ("anonymise", "system", None, family_id)
    assert found(database_text(db_engine)) == []

    assert main(["anonymise", "--due"]) == 0
    assert capsys.readouterr().out == "Zanonimizowano rodziny: 0.\n"


def test_cli_anonymise_needs_due(capsys):
    assert main(["anonymise"]) == 2
    assert "brakuje wymaganych argumentów: --due" in capsys.readouterr().err
