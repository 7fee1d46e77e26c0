"""Writes that two people can make at the same moment, serialised by the database itself.

    document = lock(session, select(Document).where(Document.id == 7)).scalar_one()

`lock` returns the rows as they are now (re-read, not as the session remembered them) and holds
them until the transaction ends, so a read-modify-write built on them cannot lose another's write:

- PostgreSQL locks the selected rows (SELECT … FOR UPDATE); a second writer waits for the first
  to commit and then reads what it wrote.
- SQLite has one writer per database file. Its default (deferred) transaction takes the write lock
  only at the first write, after the reads the write was based on; `begin_writing` starts it with
  BEGIN IMMEDIATE instead, which takes the lock before anything is read.

Waiting is bounded by LOCK_WAIT_SECONDS (SQLite's busy timeout, set by docgen.store.db on every
connection; PostgreSQL's lock_timeout); after it, `Busy`, with a Polish message, instead of a
server error.
"""
from __future__ import annotations

from sqlalchemy import Result, Select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

LOCK_WAIT_SECONDS = 5
# PostgreSQL: lock_not_available (lock_timeout), deadlock_detected
_PG_BUSY = {"55P03", "40P01"}


class Busy(Exception):
    """Someone else holds the rows for longer than a person should wait; retrying later is right."""

    def __init__(self, message: str = "Te same dane zapisuje właśnie ktoś inny. Spróbuj ponownie za chwilę – "
                                      "nic nie zostało utracone.") -> None:
        super().__init__(message)


def is_busy(error: OperationalError) -> bool:
    """The database gave up waiting for a lock (not any other failure)."""
    if getattr(error.orig, "sqlstate", None) in _PG_BUSY:
        return True
    return "database is locked" in str(error.orig)


def begin_writing(session: Session) -> None:
    """Make the session's transaction a writer from here on (see the module's doc)."""
    connection = session.connection()
    try:
        if connection.dialect.name == "sqlite":
            # the stdlib driver opens a transaction by itself only before a write; when one is open,
            # this session has written already and so holds the database's write lock
            if not connection.connection.dbapi_connection.in_transaction:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
        elif connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{int(LOCK_WAIT_SECONDS * 1000)}ms'")
    except OperationalError as error:
        if is_busy(error):
            raise Busy() from error
        raise


def lock(session: Session, statement: Select) -> Result:
    """Run `statement` for writing: its rows re-read and held until commit or rollback."""
    begin_writing(session)
    try:
        return session.execute(statement.with_for_update().execution_options(populate_existing=True))
    except OperationalError as error:
        if is_busy(error):
            raise Busy() from error
        raise
