"""The audit trail on SQLite and PostgreSQL: recording, append-only guards, reading per family
and per user within an office."""
from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import aliased

from docgen.store import audit, users
from docgen.store.models import ROLE_ASSISTANT, AuditEntry, Office


def make_office(session, name="Gminny Ośrodek Pomocy Społecznej w Brzozówce", prefix="GOPS.AR"):
    office = Office(name=name, address="ul. Szkolna 1, 11-500 Brzozówka", city="Brzozówka",
                    case_prefix=prefix, jrwa_symbol="4101")
    session.add(office)
    session.flush()
    return office


def make_user(session, office, username="asystentka", full_name="Iwona Sadowska"):
    return users.create_user(session, office, username, full_name, ROLE_ASSISTANT, "hasło-testowe-1")


def count(session) -> int:
    return session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()


def test_record(db_session):
    office = make_office(db_session)
    user = make_user(db_session, office)

    entry = audit.record(db_session, user=user, action=audit.GENERATE, object_type="document", object_id=7,
                         family_id=3, detail="work_plan v2")
    failed = audit.record(db_session, user=None, username="ktoś-obcy", action=audit.LOGIN_FAILED)
    db_session.commit()
    db_session.expunge_all()

    stored = db_session.get(AuditEntry, entry.id)
    assert (stored.user_id, stored.username, stored.office_id, stored.action, stored.object_type,
            stored.object_id, stored.family_id, stored.detail) == \
        (user.id, "asystentka", office.id, "generate", "document", 7, 3, "work_plan v2")
    assert stored.at is not None
    stored = db_session.get(AuditEntry, failed.id)
    assert (stored.user_id, stored.username, stored.office_id, stored.action) == \
        (None, "ktoś-obcy", None, "login_failed")


def test_record_keeps_the_username_after_the_account_is_renamed(db_session):
    office = make_office(db_session)
    user = make_user(db_session, office)
    entry = audit.record(db_session, user=user, action=audit.LOGIN, office_id=None)
    user.username = "iwona.sadowska"
    db_session.commit()
    db_session.refresh(entry)
    assert entry.username == "asystentka"


def test_record_refuses_unknown_actions_and_pesel_like_details(db_session):
    with pytest.raises(ValueError, match="Nieznany rodzaj zdarzenia"):
        audit.record(db_session, user=None, action="read")
    with pytest.raises(ValueError, match="danych osobowych"):
        audit.record(db_session, user=None, action=audit.VIEW, detail="pesel 91031441223")
    assert set(audit.ACTIONS) == {"view", "create", "update", "generate", "download", "delete", "export",
                                  "anonymise", "close", "reopen", "login", "login_failed", "logout",
                                  "request", "confirm", "refuse", "cancel"}


def test_record_trims_to_the_columns(db_session):
    entry = audit.record(db_session, user=None, username="u" * 200, action=audit.LOGIN_FAILED, detail="d" * 500)
    db_session.commit()  # PostgreSQL would refuse a value longer than VARCHAR(n)
    assert len(entry.username) == 80 and len(entry.detail) == 300


def test_entries_cannot_be_updated_through_the_orm(db_session):
    entry = audit.record(db_session, user=None, username="system", action=audit.ANONYMISE, family_id=1)
    db_session.commit()

    entry.detail = "zmienione"
    with pytest.raises(RuntimeError, match="tylko do dopisywania"):
        db_session.flush()
    db_session.rollback()
    db_session.expire_all()
    assert db_session.get(AuditEntry, entry.id).detail == ""


def test_entries_cannot_be_deleted_through_the_orm(db_session):
    entry = audit.record(db_session, user=None, username="system", action=audit.ANONYMISE, family_id=1)
    db_session.commit()

    db_session.delete(entry)
    with pytest.raises(RuntimeError, match="tylko do dopisywania"):
        db_session.commit()
    db_session.rollback()
    assert count(db_session) == 1


def test_mapper_events_refuse_even_without_the_flush_check(db_session):
    """The second line of defence: before_update / before_delete on the mapper."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    entry = audit.record(db_session, user=None, username="system", action=audit.LOGIN)
    db_session.commit()
    event.remove(Session, "before_flush", audit._refuse_changed_entries)
    try:
        entry.detail = "zmienione"
        with pytest.raises(RuntimeError, match="tylko do dopisywania"):
            db_session.flush()
        db_session.rollback()
        db_session.delete(entry)
        with pytest.raises(RuntimeError, match="tylko do dopisywania"):
            db_session.flush()
        db_session.rollback()
    finally:
        event.listen(Session, "before_flush", audit._refuse_changed_entries)
    assert count(db_session) == 1


@pytest.mark.parametrize("statement", [
    update(AuditEntry).values(detail="zmienione"),
    update(AuditEntry).where(AuditEntry.id == 1).values(username="ktoś"),
    update(AuditEntry.__table__).values(detail="zmienione"),
    delete(AuditEntry),
    delete(AuditEntry).where(AuditEntry.family_id == 1),
    delete(aliased(AuditEntry)),
], ids=["update", "update-where", "update-table", "delete", "delete-where", "delete-alias"])
def test_bulk_statements_are_refused(db_session, statement):
    audit.record(db_session, user=None, username="system", action=audit.LOGIN, family_id=1)
    db_session.commit()
    with pytest.raises(RuntimeError, match="tylko do dopisywania"):
        db_session.execute(statement)
    db_session.rollback()
    assert db_session.execute(select(AuditEntry.detail)).scalar_one() == ""


def test_other_bulk_statements_still_work(db_session):
    office = make_office(db_session)
    db_session.execute(update(Office).where(Office.id == office.id).values(phone="1"))
    db_session.execute(delete(Office).where(Office.id == office.id))
    db_session.commit()


def test_entries_for_family_and_user_newest_first_within_the_office(db_session):
    office = make_office(db_session)
    other_office = make_office(db_session, name="Ośrodek B", prefix="OPS.B")
    user = make_user(db_session, office)
    colleague = make_user(db_session, office, "kolega", "Adam Nowak")
    stranger = make_user(db_session, other_office, "obcy", "Piotr Obcy")

    first = audit.record(db_session, user=user, action=audit.VIEW, object_type="family", object_id=5, family_id=5)
    db_session.flush()
    second = audit.record(db_session, user=colleague, action=audit.UPDATE, object_type="family", object_id=5,
                          family_id=5)
    db_session.flush()
    third = audit.record(db_session, user=user, action=audit.GENERATE, object_type="document", object_id=9,
                         family_id=5)
    db_session.flush()
    audit.record(db_session, user=user, action=audit.VIEW, object_type="family", object_id=6, family_id=6)
    # another office's entry with the same family id (ids of another office must not leak)
    audit.record(db_session, user=stranger, action=audit.VIEW, object_type="family", object_id=5, family_id=5)
    db_session.commit()

    assert [e.id for e in audit.entries_for_family(db_session, office.id, 5)] == [third.id, second.id, first.id]
    assert [e.id for e in audit.entries_for_family(db_session, office.id, 5, limit=2)] == [third.id, second.id]
    assert [e.action for e in audit.entries_for_user(db_session, office.id, user.id)] == \
        ["view", "generate", "view"]
    assert audit.entries_for_user(db_session, office.id, stranger.id) == []
    assert [e.username for e in audit.entries_for_family(db_session, other_office.id, 5)] == ["obcy"]


@pytest.mark.parametrize("sql", ["UPDATE audit_entry SET detail = 'zmienione'", "DELETE FROM audit_entry"])
def test_the_database_itself_refuses_to_rewrite_the_trail(db_engine, sql):
    """Hand-written SQL bypasses the ORM guards; the migration's triggers still refuse it."""
    from sqlalchemy import insert
    from sqlalchemy.exc import DBAPIError

    from docgen.store.models import AuditEntry

    with db_engine.begin() as connection:
        connection.execute(insert(AuditEntry).values(action="login", username="ktos", object_type="user",
                                                     detail=""))
    with pytest.raises(DBAPIError, match="tylko do dopisywania"):
        with db_engine.begin() as connection:
            connection.exec_driver_sql(sql)
    with db_engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT detail FROM audit_entry").scalars().all() == [""]
