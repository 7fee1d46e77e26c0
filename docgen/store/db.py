"""Engine and sessions. SQLite under instance/ by default; DATABASE_URL for PostgreSQL."""
from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from . import locking

PROJECT_ROOT = Path(__file__).resolve().parents[2]
INSTANCE_DIR = Path(os.environ.get("DOCGEN_INSTANCE_DIR", PROJECT_ROOT / "instance"))


def normalise_url(url: str) -> str:
    """The plain postgresql:// form that hosting panels print means psycopg 3 here."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return normalise_url(url)
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{INSTANCE_DIR / 'docgen.sqlite3'}"


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # a writer waits this long for another one (docgen.store.locking), then gives up with a message
    cursor.execute(f"PRAGMA busy_timeout={int(locking.LOCK_WAIT_SECONDS * 1000)}")
    # deleted rows (an anonymised family, an old address) are overwritten with zeros, not
    # left readable in free space of the file (RODO art. 17, docgen.store.lifecycle)
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def make_engine(url: str | None = None) -> Engine:
    url = normalise_url(url or database_url())
    engine = create_engine(url, pool_pre_ping=not url.startswith("sqlite"))
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
