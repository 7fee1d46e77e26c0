"""Database migrations (Alembic) without an alembic.ini: the configuration is built here.

    from docgen.store import migrate
    migrate.upgrade()                       # DATABASE_URL or the SQLite file in instance/
    migrate.upgrade("postgresql+psycopg://…")

For a new migration after changing the models:

    python -c "from docgen.store import migrate; migrate.revision('what changed')"
"""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from . import db
from .models import Base

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class SchemaMismatch(RuntimeError):
    """An existing database whose tables differ from the models."""


def make_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolates "%": an URL-encoded password must survive it
    config.set_main_option("sqlalchemy.url", (url or db.database_url()).replace("%", "%%"))
    return config


def display_url(url: str | None = None) -> str:
    """The URL with its password hidden, for messages."""
    return make_url(url or db.database_url()).render_as_string(hide_password=True)


def differences(url: str | None = None) -> list:
    """What autogenerate would change to make the database match the models ([] = in step)."""
    engine = db.make_engine(url)
    try:
        with engine.connect() as connection:
            return compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()


def _adopt_unversioned(config: Config, url: str) -> None:
    """A database made by `Base.metadata.create_all()` (before migrations existed) has the
    tables but no alembic_version: it is stamped at head when it matches the models exactly,
    and refused otherwise rather than guessed at."""
    engine = db.make_engine(url)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    if "alembic_version" in tables or not tables & set(Base.metadata.tables):
        return
    diff = differences(url)
    if diff:
        raise SchemaMismatch(
            "Baza danych ma tabele, ale nie ma informacji o migracjach, a jej schemat różni się od "
            f"oczekiwanego ({len(diff)} różnic). Użyj nowej bazy albo dopasuj schemat ręcznie.")
    command.stamp(config, "head")


def upgrade(url: str | None = None, revision: str = "head") -> None:
    url = url or db.database_url()
    config = make_config(url)
    _adopt_unversioned(config, url)
    command.upgrade(config, revision)


def downgrade(url: str | None = None, revision: str = "base") -> None:
    command.downgrade(make_config(url), revision)


def revision(message: str, url: str | None = None) -> None:
    """Autogenerate a new migration from the difference between the models and the database
    at `url`, which must be at head (e.g. a scratch SQLite file after `upgrade(url)`)."""
    command.revision(make_config(url), message=message, autogenerate=True)
