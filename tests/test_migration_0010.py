"""Migration 0010 on a database that already holds families, documents and an office's limit: the name
in the genitive filled in, a limit above the Act's 15 brought down to it and held there by the database,
the monitoring note's "decision" renamed to "conclusion" – on SQLite and PostgreSQL."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from docgen.store import db, migrate
from docgen.store.models import Document, Family, Office


def test_existing_data_is_carried_over(db_url):
    migrate.upgrade(db_url, "0007")
    engine = db.make_engine(db_url)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO office (id, name, address, city, phone, email, case_prefix, jrwa_symbol, caseload_limit, "
            "session_timeout_minutes, retention_years) VALUES (1, 'MOPS', 'ul. Krótka 1', 'Lipowiec', '', '', "
            "'MOPS.AR', '4101', 20, 30, 10)"))
        for family_id, name in ((1, "Zawadzcy"), (2, "Nowak-Zielińscy")):
            connection.execute(text(
                "INSERT INTO family (id, office_id, family_name, address, social_worker_name, referral_ref, basis, "
                "court_name, court_case_number, coordinator_name, coordinator_unit, coordinator_contact, active, "
                "created_at, updated_at) VALUES (:id, 1, :name, '', '', '', '', '', '', '', '', '', true, "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"), {"id": family_id, "name": name})
        connection.execute(text(
            "INSERT INTO document (id, office_id, family_id, doc_type, status, data, version, created_at, "
            "updated_at) VALUES (1, 1, 1, 'monitoring_note', 'draft', :data, 0, CURRENT_TIMESTAMP, "
            "CURRENT_TIMESTAMP)"), {"data": '{"decision": "kontynuacja", "justification": "Bez zmian."}'})
    engine.dispose()

    migrate.upgrade(db_url)
    assert migrate.differences(db_url) == []
    engine = db.make_engine(db_url)
    try:
        with db.make_sessionmaker(engine)() as session:
            assert {f.family_name: f.family_name_gen for f in session.query(Family)} == {
                "Zawadzcy": "Zawadzkich", "Nowak-Zielińscy": "Nowak-Zielińskich"}
            assert session.get(Office, 1).caseload_limit == 15
            assert session.get(Document, 1).data == {"conclusion": "kontynuacja", "justification": "Bez zmian."}
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(text("UPDATE office SET caseload_limit = 16"))
    finally:
        engine.dispose()
    migrate.downgrade(db_url, "0007")
    engine = db.make_engine(db_url)
    try:
        with engine.connect() as connection:
            data = connection.execute(text("SELECT data FROM document WHERE id = 1")).scalar_one()
        assert "decision" in (data if isinstance(data, dict) else json.loads(data))
    finally:
        engine.dispose()


def test_the_model_refuses_a_limit_above_the_act():
    office = Office(name="MOPS", address="ul. Krótka 1", city="Lipowiec", case_prefix="MOPS.AR")
    office.caseload_limit = 12
    with pytest.raises(ValueError, match="art. 15 ust. 4"):
        office.caseload_limit = 16
    with pytest.raises(ValueError):
        office.caseload_limit = 0
    assert office.caseload_limit == 12
