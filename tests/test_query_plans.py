"""Query plans that must not depend on luck: on SQLite, without ANALYZE statistics (a fresh
installation has none), an assistant's dashboard reads their families through the assistant's
index (families in monitoring: through the office's index of monitoring periods), never through
every family of the office."""
from __future__ import annotations

from sqlalchemy import event, select, text

from docgen.store import dashboard
from docgen.store.models import Family, User


def _plans(session, action) -> list[tuple[str, list[str]]]:
    """(statement, its EXPLAIN QUERY PLAN lines) of every SELECT `action` runs."""
    statements = []
    engine = session.get_bind()

    def grab(_conn, _cursor, statement, parameters, _context, _many):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", grab)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", grab)
    connection = session.connection()
    return [(statement, [row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)])
            for statement, parameters in statements]


def test_an_assistants_dashboard_uses_the_assistants_index_without_statistics(session):
    assert session.execute(text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")).scalar() == 0
    assistant = session.scalars(select(User).where(User.username == "asystent1")).one()
    assert session.scalar(select(Family.id).where(Family.assistant_id == assistant.id).limit(1)) is not None
    session.expire_all()
    plans = [(statement, lines) for statement, lines in _plans(session, lambda: dashboard.dashboard(session, assistant))
             if " family" in statement]
    assert len(plans) >= 10  # the counts and lists of every section
    for statement, lines in plans:
        reads = [line for line in lines if " family " in f"{line} " and "PRIMARY KEY" not in line]
        allowed = ["USING INDEX ix_family_assistant_due (assistant_id=? AND office_id=?"]
        if "monitoring_until" in statement:
            # families in monitoring: the office's few whose monitoring period is not over, by their own index
            allowed.append("USING INDEX ix_family_office_monitoring (office_id=? AND monitoring_until>")
        assert reads and all(any(index in line for index in allowed) for line in reads), (statement, lines)
        assert not any(line.startswith("SCAN") and ("family" in line or "document" in line) for line in lines), lines
        assert not any("ix_document_office_status" in line for line in lines), (statement, lines)
