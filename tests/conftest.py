"""Shared fixtures. Each group under its own header."""
from __future__ import annotations

import os
import shutil
import threading
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

# ---------------------------------------------------------------------------------------
# storage
#
# `db_url` is parametrized over SQLite (a temp file) and PostgreSQL (a throwaway database
# created per test on the server of TEST_DATABASE_URL, dropped afterwards). Without
# TEST_DATABASE_URL the PostgreSQL case is skipped, except under CI, where it fails:
# CI must never pass by skipping. `.ci/postgres.sh` sets up a local server.
# ---------------------------------------------------------------------------------------

PG_URL = os.environ.get("TEST_DATABASE_URL")
IN_CI = bool(os.environ.get("CI"))

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=[
        pytest.mark.postgres,
        pytest.mark.skipif(not PG_URL and not IN_CI,
                           reason="PostgreSQL: TEST_DATABASE_URL is not set (run .ci/postgres.sh to get one)"),
    ]),
]


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'docgen-test.sqlite3'}"


def _throwaway_postgres_database():
    """Create an empty database on the TEST_DATABASE_URL server; yields its URL, drops it after."""
    if not PG_URL:
        pytest.fail("CI is set but TEST_DATABASE_URL is not: the PostgreSQL tests must run in CI "
                    "(source .ci/postgres.sh before pytest).")
    server = make_url(PG_URL)
    if server.drivername in ("postgresql", "postgres"):
        server = server.set(drivername="postgresql+psycopg")
    name = f"docgen_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield server.set(database=name).render_as_string(hide_password=False)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request, sqlite_url):
    """An empty database, once per backend."""
    if request.param == "sqlite":
        yield sqlite_url
    else:
        yield from _throwaway_postgres_database()


@pytest.fixture
def db_engine(db_url):
    """The database of `db_url`, migrated to head."""
    from docgen.store import db, migrate

    migrate.upgrade(db_url)
    engine = db.make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def db_session(db_engine):
    from docgen.store import db

    with db.make_sessionmaker(db_engine)() as session:
        yield session


@pytest.fixture
def output_dir(tmp_path, monkeypatch):
    """Generated documents go to a temp folder (DOCGEN_OUTPUT_DIR)."""
    path = tmp_path / "output"
    path.mkdir()
    monkeypatch.setenv("DOCGEN_OUTPUT_DIR", str(path))
    return path


@pytest.fixture
def instance_dir(tmp_path, monkeypatch):
    """A temp instance folder (demo-logins.txt and the default SQLite file go there)."""
    from docgen.store import db

    path = tmp_path / "instance"
    path.mkdir()
    monkeypatch.setenv("DOCGEN_INSTANCE_DIR", str(path))
    monkeypatch.setattr(db, "INSTANCE_DIR", path)
    return path


# ---------------------------------------------------------------------------------------
# web
#
# A migrated SQLite database holding the demo office (password DEMO_PASSWORD for every
# user), the Flask app on it, and test clients. Files go to a private output folder.
# ---------------------------------------------------------------------------------------
DEMO_PASSWORD = "haslo-demo-2026"


@pytest.fixture
def demo_password() -> str:
    return DEMO_PASSWORD


@pytest.fixture
def web_db(tmp_path, output_dir, instance_dir):
    """A migrated SQLite database with the demo office."""
    from docgen.store.db import make_engine, make_sessionmaker
    from docgen.store.demo import load_demo
    from docgen.store.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'web.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        load_demo(session, password=DEMO_PASSWORD)
        session.commit()
    yield url
    engine.dispose()


@pytest.fixture
def session(web_db):
    from docgen.store.db import make_engine, make_sessionmaker

    engine = make_engine(web_db)
    with make_sessionmaker(engine)() as db_session:
        yield db_session
    engine.dispose()


def _app(url, **config):
    from webforms import create_app

    return create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test-secret", **config})


@pytest.fixture
def app(web_db):
    return _app(web_db, WTF_CSRF_ENABLED=False)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def csrf_client(web_db):
    return _app(web_db).test_client()


@pytest.fixture
def login(app):
    def log_in(username: str):
        client = app.test_client()
        response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, f"login of {username} failed"
        return client
    return log_in


# ---------------------------------------------------------------------------------------
# browser
#
# The app served on a free loopback port (its PDF workers and print runner stopped after),
# and a page of headless Debian Chromium through Playwright.
# ---------------------------------------------------------------------------------------
@pytest.fixture
def live_server(web_db):
    from werkzeug.serving import make_server

    from webforms import create_app
    from webforms.jobs import close_print_runner
    from webforms.pdf import close_pdf_pool

    app = create_app({"DATABASE_URL": web_db, "SECRET_KEY": "browser-test"})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    close_print_runner(app)
    close_pdf_pool(app)


@pytest.fixture
def page(tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium") or "/usr/bin/chromium", headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"])
        context = browser.new_context(accept_downloads=True, locale="pl-PL", viewport={"width": 1280, "height": 900})
        yield context.new_page()
        context.close()
        browser.close()
