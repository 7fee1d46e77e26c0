"""Storage on SQLite and PostgreSQL: migrations, models, the document service, users, demo data.

Every test gets a fresh database from the `db_url` / `db_session` fixtures (tests/conftest.py).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import stat

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import IntegrityError
from stdnum.pl import pesel as pesel_number

from docgen.doctypes import get_doctype
from docgen.store import db, demo, migrate, users
from docgen.store.cases import next_number
from docgen.store.documents import create_document, file_path, generate
from docgen.store.models import (ROLE_ASSISTANT, Base, CaseCounter, CaseFile, Document, Family, GeneratedFile,
                                 Office, Person, User)
from docgen.validate import validate

TABLES = {"office", "user_account", "family", "person", "case_counter", "case_file", "document", "generated_file",
          "audit_entry"}


# --- helpers ----------------------------------------------------------------------------

def make_office(session, name="Gminny Ośrodek Pomocy Społecznej w Brzozówce", prefix="GOPS.AR", city="Brzozówka"):
    office = Office(name=name, address=f"ul. Szkolna 1, 11-500 {city}", city=city, phone="87 000 00 00",
                    email="gops@brzozowka.example", case_prefix=prefix, jrwa_symbol="4101", caseload_limit=15)
    session.add(office)
    session.flush()
    return office


def make_user(session, office, username="asystentka", full_name="Iwona Sadowska", role=ROLE_ASSISTANT):
    return users.create_user(session, office, username, full_name, role, "hasło-testowe-1")


def make_family(session, office, assistant):
    family = Family(office=office, assistant=assistant, family_name="Zawadzcy",
                    address="ul. Leśna 12 m. 4, 11-440 Lipowiec Mazurski", social_worker_name="Marek Sobczak",
                    assignment_date=dt.date(2026, 10, 5), referral_ref="GOPS.PS.4101.12.2026", basis="zgoda",
                    consent_date=dt.date(2026, 10, 12))
    family.members = [
        Person(position=0, first_name="Anna", last_name="Zawadzka", birth_date=dt.date(1991, 3, 14),
               pesel="91031441223", relation="matka", in_household=True, took_part=True),
        Person(position=1, first_name="Julia", last_name="Zawadzka", birth_date=dt.date(2014, 5, 21),
               pesel="14252125523", relation="dziecko", in_household=True, took_part=False),
    ]
    session.add(family)
    session.flush()
    return family


# --- migrations -------------------------------------------------------------------------

def test_migrations_create_the_schema(db_engine):
    assert TABLES <= set(inspect(db_engine).get_table_names())
    with db_engine.connect() as connection:
        head = ScriptDirectory(str(migrate.MIGRATIONS_DIR)).get_current_head()
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head


def test_migrations_match_models(db_url):
    """Autogenerate finds nothing to change after `upgrade head`: the migration is the models."""
    migrate.upgrade(db_url)
    assert migrate.differences(db_url) == []


def test_upgrade_twice_and_downgrade(sqlite_url):
    migrate.upgrade(sqlite_url)
    migrate.upgrade(sqlite_url)  # already at head: nothing to do
    migrate.downgrade(sqlite_url, "base")
    engine = db.make_engine(sqlite_url)
    assert not TABLES & set(inspect(engine).get_table_names())
    engine.dispose()


def test_database_made_by_create_all_is_adopted(sqlite_url):
    engine = db.make_engine(sqlite_url)
    Base.metadata.create_all(engine)
    migrate.upgrade(sqlite_url)  # stamped, not created a second time
    with engine.connect() as connection:
        head = ScriptDirectory(str(migrate.MIGRATIONS_DIR)).get_current_head()
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head
    engine.dispose()


def test_unversioned_database_that_differs_is_refused(sqlite_url):
    engine = db.make_engine(sqlite_url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE office (id INTEGER PRIMARY KEY, name VARCHAR(10))"))
    engine.dispose()
    with pytest.raises(migrate.SchemaMismatch, match="różni się"):
        migrate.upgrade(sqlite_url)


# --- models -----------------------------------------------------------------------------

def test_create_office_user_family_person(db_session):
    office = make_office(db_session)
    user = make_user(db_session, office)
    family = make_family(db_session, office, user)
    db_session.commit()
    db_session.expunge_all()

    stored = db_session.execute(select(Family).where(Family.id == family.id)).scalar_one()
    assert stored.office.name == office.name
    assert stored.assistant.username == "asystentka"
    assert [(p.first_name, p.relation) for p in stored.members] == [("Anna", "matka"), ("Julia", "dziecko")]
    assert stored.consent_date == dt.date(2026, 10, 12)
    assert stored.members[0].took_part is True and stored.members[1].took_part is False
    assert stored.created_at is not None and stored.active is True
    assert stored.office.letterhead().city == "Brzozówka"


def test_username_is_unique(db_session):
    office = make_office(db_session)
    make_user(db_session, office)
    with pytest.raises(ValueError, match="zajęta"):
        make_user(db_session, office, username="asystentka")
    db_session.add(User(office=office, username="asystentka", full_name="X", role=ROLE_ASSISTANT,
                        password_hash="x"))
    with pytest.raises(IntegrityError):
        db_session.flush()


def test_create_document_prefills_from_the_family(db_session):
    office = make_office(db_session)
    assistant = make_user(db_session, office)
    head = make_user(db_session, office, "kierowniczka", "Jolanta Mazur", "kierownik")
    family = make_family(db_session, office, assistant)

    document = create_document(db_session, family, "work_plan", head)
    db_session.commit()

    data = document.data
    assert document.status == "draft" and document.version == 0 and document.case_number is None
    assert data["family_name"] == "Zawadzcy"
    assert data["address"] == "ul. Leśna 12 m. 4, 11-440 Lipowiec Mazurski"
    assert [(m["first_name"], m["pesel"], m["birth_date"], m["took_part"]) for m in data["members"]] == [
        ("Anna", "91031441223", "1991-03-14", True), ("Julia", "14252125523", "2014-05-21", False)]
    assert data["basis"] == "zgoda" and data["consent_date"] == "2026-10-12"
    assert data["court_name"] is None and data["court_case_number"] is None
    assert data["assignment_date"] == "2026-10-05" and data["referral_ref"] == "GOPS.PS.4101.12.2026"
    # the family's assistant, not the user who happened to create it
    assert data["assistant_name"] == "Iwona Sadowska"
    assert data["social_worker_name"] == "Marek Sobczak"
    assert data["place"] == "Brzozówka"
    assert data["plan_date"] == dt.date.today().isoformat()
    assert data["goals"] == [] and data["main_goal"] is None
    # stored as JSON and read back the same
    db_session.expunge_all()
    assert db_session.get(Document, document.id).data == data


# --- case numbers -----------------------------------------------------------------------

def test_case_numbers_per_office_class_and_year(db_session):
    """The spis spraw is kept per JRWA class: each office, class and year counts from 1."""
    first = make_office(db_session)
    second = make_office(db_session, name="Ośrodek Pomocy Społecznej w Dębinie", prefix="OPS.AR", city="Dębina")
    assert [next_number(db_session, first.id, "4101", 2026) for _ in range(3)] == [1, 2, 3]
    assert next_number(db_session, first.id, "4101", 2027) == 1
    assert next_number(db_session, first.id, "0152", 2026) == 1
    assert next_number(db_session, second.id, "4101", 2026) == 1
    assert next_number(db_session, first.id, "4101", 2026) == 4
    db_session.commit()
    counters = db_session.execute(select(CaseCounter.office_id, CaseCounter.jrwa_symbol, CaseCounter.year,
                                         CaseCounter.last_number)
                                  .order_by(CaseCounter.office_id, CaseCounter.jrwa_symbol, CaseCounter.year)).all()
    assert [tuple(row) for row in counters] == [(first.id, "0152", 2026, 1), (first.id, "4101", 2026, 4),
                                                (first.id, "4101", 2027, 1), (second.id, "4101", 2026, 1)]


def test_case_number_is_unique_per_office_class_and_year(db_session):
    first = make_office(db_session)
    second = make_office(db_session, name="Ośrodek Pomocy Społecznej w Dębinie", prefix="OPS.AR", city="Dębina")

    def case(office, jrwa="4101", year=2026):
        return CaseFile(office_id=office.id, jrwa_symbol=jrwa, year=year, number=1, reference=f"X.{jrwa}.1.{year}",
                        opened_on=dt.date(year, 1, 5), opened_by="work_plan")

    db_session.add_all([case(first), case(second), case(first, jrwa="0152"), case(first, year=2027)])
    db_session.flush()  # another office, class or year has its own number 1
    db_session.add(case(first))
    with pytest.raises(IntegrityError):
        db_session.flush()
    db_session.rollback()


# --- generating files -------------------------------------------------------------------

def _complete(document):
    """The prefilled data completed with the example's answers to what the family does not say (the plan's
    own date too, so its period does not start before the plan is made)."""
    prefilled = {key: value for key, value in document.data.items() if value not in (None, []) and key != "plan_date"}
    data = {**get_doctype(document.doc_type).example(), **prefilled}
    assert validate(get_doctype(document.doc_type), data) == []
    return data


def test_generate_writes_versions_side_by_side(db_session, output_dir):
    office = make_office(db_session)
    user = make_user(db_session, office)
    family = make_family(db_session, office, user)
    document = create_document(db_session, family, "work_plan", user)
    document.data = _complete(document)
    db_session.commit()

    first = generate(db_session, document, user, today=dt.date(2026, 11, 23))
    db_session.commit()
    first_bytes = file_path(first).read_bytes()
    assert first.version == 1 and document.version == 1 and document.status == "final"
    assert document.case_number == "GOPS.AR.4101.1.2026"
    assert file_path(first).is_relative_to(output_dir)
    assert first.filename.endswith("_v1.docx") and first.size == len(first_bytes)
    assert first.sha256 == hashlib.sha256(first_bytes).hexdigest()

    document.data = {**document.data, "main_goal": "Rodzina utrzymuje mieszkanie bez zadłużenia."}
    second = generate(db_session, document, user, today=dt.date(2026, 11, 24))
    db_session.commit()
    assert second.version == 2 and second.storage_path != first.storage_path
    assert second.filename.endswith("_v2.docx")
    assert document.case_number == "GOPS.AR.4101.1.2026"  # numbered once, kept by every version
    assert file_path(first).read_bytes() == first_bytes  # v1 untouched
    assert file_path(second).read_bytes() != first_bytes
    stored = db_session.execute(select(GeneratedFile.version).where(GeneratedFile.document_id == document.id)
                                .order_by(GeneratedFile.version)).scalars().all()
    assert stored == [1, 2]


def test_generate_refuses_incomplete_data_without_spending_a_number(db_session, output_dir):
    office = make_office(db_session)
    user = make_user(db_session, office)
    document = create_document(db_session, make_family(db_session, office, user), "work_plan", user)
    with pytest.raises(Exception) as caught:
        generate(db_session, document, user)
    assert getattr(caught.value, "issues", None), caught.value
    assert db_session.execute(select(func.count()).select_from(CaseCounter)).scalar_one() == 0
    assert db_session.execute(select(func.count()).select_from(CaseFile)).scalar_one() == 0
    assert not any(output_dir.iterdir())


# --- users ------------------------------------------------------------------------------

def test_passwords_are_hashed_with_scrypt():
    hashed = users.hash_password("długie hasło 123")
    assert hashed.startswith("scrypt:") and "długie" not in hashed
    assert users.verify_password(hashed, "długie hasło 123")
    assert not users.verify_password(hashed, "długie hasło 124")
    assert not users.verify_password("not-a-hash", "długie hasło 123")


def test_short_password_is_refused_in_polish():
    with pytest.raises(ValueError, match="co najmniej 10 znaków"):
        users.hash_password("krótkie")


def test_authenticate(db_session):
    office = make_office(db_session)
    user = make_user(db_session, office)
    assert users.authenticate(db_session, "asystentka", "hasło-testowe-1") is user
    assert users.authenticate(db_session, "asystentka", "złe-hasło-123") is None
    assert users.authenticate(db_session, "nikt", "hasło-testowe-1") is None
    user.active = False
    assert users.authenticate(db_session, "asystentka", "hasło-testowe-1") is None


# --- demo data --------------------------------------------------------------------------

def _demo_offices(session):
    return session.execute(select(Office).where(Office.name == demo.OFFICE["name"])).scalars().all()


def test_demo_loads_twice_into_one_office(db_session, instance_dir):
    other = make_office(db_session)  # a real office next to the demo one is left alone
    db_session.commit()

    first = demo.load_demo(db_session, None)
    second = demo.load_demo(db_session, None)
    assert set(first) == set(second) == {"asystent1", "asystent2", "kierownik", "admin"}
    assert all(first[name] != second[name] for name in first)  # fresh random passwords
    assert all(len(secret) >= users.MIN_PASSWORD_LENGTH for secret in second.values())

    db_session.expunge_all()
    offices = _demo_offices(db_session)
    assert len(offices) == 1
    office = offices[0]
    assert (office.case_prefix, office.jrwa_symbol, office.caseload_limit) == ("MOPS.AR", "4101", 15)
    assert office.city == "Lipowiec Mazurski" and office.address == "ul. Kościuszki 5, 11-440 Lipowiec Mazurski"
    assert db_session.get(Office, other.id) is not None

    accounts = {u.username: u for u in db_session.execute(select(User).where(User.office_id == office.id)).scalars()}
    assert {name: (u.full_name, u.role) for name, u in accounts.items()} == {
        "asystent1": ("Ewa Kalinowska", "asystent"), "asystent2": ("Paweł Wróbel", "asystent"),
        "kierownik": ("Barbara Lis", "kierownik"), "admin": ("Administrator systemu", "admin")}
    for name, secret in second.items():
        assert users.authenticate(db_session, name, secret).id == accounts[name].id

    families = db_session.execute(select(Family).where(Family.office_id == office.id)).scalars().all()
    assert len(families) == 3
    per_assistant = {name: [f for f in families if f.assistant_id == accounts[name].id]
                     for name in ("asystent1", "asystent2")}
    assert (len(per_assistant["asystent1"]), len(per_assistant["asystent2"])) == (2, 1)
    assert sorted(f.basis for f in families) == ["postanowienie", "zgoda", "zgoda"]
    for family in families:
        assert family.social_worker_name and family.social_worker_name not in {u.full_name for u in accounts.values()}
        assert "Lipowiec Mazurski" in family.address
        if family.basis == "zgoda":
            assert family.consent_date is not None
        else:
            assert family.court_name == "Sąd Rejonowy w Lipowcu Mazurskim"
            assert family.court_case_number == "III Nsm 118/26" and family.court_order_date is not None
        relations = [p.relation for p in family.members]
        assert "dziecko" in relations and any(r in ("matka", "ojciec") for r in relations)
        assert any(p.took_part for p in family.members)
        for person in family.members:
            assert pesel_number.is_valid(person.pesel), person.pesel
            assert pesel_number.get_birth_date(person.pesel) == person.birth_date
    # nothing of the first load is left behind
    assert db_session.execute(select(func.count()).select_from(User)).scalar_one() == 4
    assert db_session.execute(select(func.count()).select_from(Person)).scalar_one() == \
        sum(len(f.members) for f in families)


def test_demo_family_documents_validate_once_completed(db_session, instance_dir):
    demo.load_demo(db_session, "hasło-demo-123")
    for family in db_session.execute(select(Family)).scalars():
        # a child in foster care (Filip Wieczorek) means the coordinated plan
        plan_type = "coordinated_plan" if any(p.foster_care for p in family.members) else "work_plan"
        document = create_document(db_session, family, plan_type, family.assistant)
        prefilled = {key: value for key, value in document.data.items() if value not in (None, [])}
        example = get_doctype(plan_type).example()
        data = {**example, "valid_from": "2026-11-23", "valid_to": "2027-05-20", "plan_date": "2026-11-23",
                "consultation_date": "2026-11-20", **{k: v for k, v in prefilled.items() if k != "plan_date"}}
        data["actions"] = [{**row, "deadline": "2027-05-01"} for row in example["actions"]]
        if plan_type == "coordinated_plan":
            assert [c["first_name"] for c in prefilled["children_in_care"]] == ["Filip"]
            data["children_in_care"] = [{**example["children_in_care"][0],
                                         **{k: v for k, v in child.items() if v is not None},
                                         "placement_date": "2026-02-20",
                                         "court_order_date": "2026-02-10", "help_plan_date": "2026-03-10"}
                                        for child in prefilled["children_in_care"]]
            data["return_conditions"] = [{**row, "deadline": "2027-05-01"} for row in example["return_conditions"]]
        if data["basis"] == "zgoda":
            data.update(court_name=None, court_case_number=None, court_order_date=None)
        else:
            data.update(consent_date=None)
        assert validate(get_doctype(plan_type), data) == [], family.family_name


def test_demo_password_and_logins_file(db_session, instance_dir):
    logins = demo.load_demo(db_session, "wspólne-hasło-1")
    assert set(logins.values()) == {"wspólne-hasło-1"}
    path = instance_dir / "demo-logins.txt"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert ("kierownik", "kierownik", "wspólne-hasło-1") in demo.read_logins()
    with pytest.raises(ValueError, match="co najmniej 10 znaków"):
        demo.load_demo(db_session, "krótkie")


def test_demo_reload_removes_its_generated_files(db_session, instance_dir, output_dir):
    demo.load_demo(db_session, "hasło-demo-123")
    family = db_session.execute(select(Family).where(Family.family_name == "Krajewscy")).scalar_one()
    document = create_document(db_session, family, "work_plan", family.assistant)
    document.data = {**_complete(document)}
    record = generate(db_session, document, family.assistant, today=dt.date(2026, 11, 23))
    db_session.commit()
    assert document.case_number == "MOPS.AR.4101.1.2026"
    path = file_path(record)
    assert path.is_file()

    demo.load_demo(db_session, "hasło-demo-123")
    assert not path.exists()
    assert db_session.execute(select(func.count()).select_from(Document)).scalar_one() == 0
    assert db_session.execute(select(func.count()).select_from(CaseCounter)).scalar_one() == 0
    assert db_session.execute(select(func.count()).select_from(CaseFile)).scalar_one() == 0


def test_demo_refuses_usernames_of_another_office(db_session, instance_dir):
    office = make_office(db_session)
    make_user(db_session, office, username="admin", full_name="Ktoś Inny", role="admin")
    db_session.commit()
    with pytest.raises(ValueError, match="admin"):
        demo.load_demo(db_session, "hasło-demo-123")
    assert _demo_offices(db_session) == []
