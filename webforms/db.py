"""One SQLAlchemy session per request, closed when the request ends."""
from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session, sessionmaker


def init_app(app: Flask, factory: sessionmaker[Session]) -> None:
    app.extensions["docgen_sessionmaker"] = factory
    app.teardown_appcontext(_close)


def session() -> Session:
    if "db_session" not in g:
        g.db_session = current_app.extensions["docgen_sessionmaker"]()
    return g.db_session


def _close(_exc: BaseException | None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()
