"""The web app: the wizards and pages over the docgen engine."""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, redirect, render_template, request, url_for
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy.exc import OperationalError

from docgen.store.db import INSTANCE_DIR, database_url, make_engine, make_sessionmaker
from docgen.store.locking import Busy, is_busy

from . import access, api, audit, db, display, security, sessions

csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Zaloguj się, aby zobaczyć tę stronę."
login_manager.login_message_category = "info"


def _secret_key(instance: Path) -> str:
    """From DOCGEN_SECRET_KEY, else a random key kept in instance/ (never in the repository)."""
    configured = os.environ.get("DOCGEN_SECRET_KEY")
    if configured:
        return configured
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def _positive_setting(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise SystemExit(f"Ustawienie {name}={value!r}: podaj liczbę całkowitą większą od zera.")
    return int(value)


def _check_template_limits() -> None:
    """DOCGEN_TEMPLATE_* are read on every use (docgen.templates.limits); a wrong one stops the start."""
    from docgen.templates.limits import process_limits, worker_count

    try:
        process_limits()
        worker_count()
    except ValueError as error:
        raise SystemExit(str(error)) from None


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(INSTANCE_DIR))
    app.config.update(
        DATABASE_URL=None,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the login session
        SESSION_HOURS=12,  # a login ends this long after it began, however busy (webforms/sessions.py)
        # warm LibreOffice workers for PDFs (each about 200 MB) and the seconds one conversion may take
        PDF_WORKERS=_positive_setting("DOCGEN_PDF_WORKERS", 1),
        PDF_TIMEOUT=_positive_setting("DOCGEN_PDF_TIMEOUT", 60),
    )
    if test_config:
        app.config.update(test_config)
    _check_template_limits()
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(Path(app.instance_path))

    engine = make_engine(app.config["DATABASE_URL"] or database_url())
    db.init_app(app, make_sessionmaker(engine))
    csrf.init_app(app)
    login_manager.init_app(app)

    sessions.install(login_manager)

    from .accounts.routes import bp as accounts_bp
    from .auditlog.routes import bp as auditlog_bp
    from .admin.custom_types import bp as office_types_bp
    from .admin.routes import bp as admin_bp
    from .auth.routes import bp as auth_bp
    from .calendar.routes import bp as calendar_bp
    from .dashboard.routes import bp as dashboard_bp
    from .documents import drafts  # noqa: F401  (adds its routes to the documents blueprint)
    from .documents import type_versions  # noqa: F401  (moving a draft to its type's newer version)
    from .documents.routes import bp as documents_bp
    from .families import lifecycle  # noqa: F401  (adds its routes to the families blueprint)
    from .families.routes import bp as families_bp
    from .institutions.routes import bp as institutions_bp
    from .printing.routes import bp as printing_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(families_bp)
    app.register_blueprint(documents_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(office_types_bp)
    app.register_blueprint(auditlog_bp)
    app.register_blueprint(institutions_bp)
    app.register_blueprint(printing_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(calendar_bp)

    @app.before_request
    def require_login():
        # every page but the login form, static files, the calendar feed (its secret token is the key)
        # and the session's state (it answers 401 itself) needs a logged-in user
        if request.endpoint in ("auth.login", "static", "calendar.feed", "auth.session_state"):
            return None
        if api.is_api_request():  # bearer tokens only: the API answers 401 itself (webforms/api)
            return None
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return None

    display.register(app)

    @app.get("/")
    def index():
        # an admin manages accounts and sees no families
        return redirect(url_for("admin.users" if current_user.role == "admin" else "dashboard.index"))

    _register_error_pages(app)
    api.install(app)  # before the access checks, which then cover its routes too
    access.install(app)
    security.install(app)
    audit.install(app)
    api.finish(app)  # last: the API's rate limit on the app's limiter; its errors as problem+json
    return app


def _register_error_pages(app: Flask) -> None:
    messages = {
        400: ("Nieprawidłowe żądanie", "Formularz nie mógł zostać przyjęty. Wróć i spróbuj ponownie."),
        403: ("Brak dostępu", "Nie masz uprawnień do tej strony."),
        404: ("Nie znaleziono", "Takiej strony nie ma albo nie masz do niej dostępu."),
        405: ("Niedozwolona operacja", "Tej strony nie otwiera się w ten sposób. Wróć i użyj przycisku na stronie."),
        413: ("Za duże dane", "Przesłane dane są zbyt duże, więc nic nie zostało zapisane. Wróć przyciskiem "
                              "„Wstecz” przeglądarki (wpisany tekst zwykle jest nadal w formularzu), skróć najdłuższe "
                              "pole albo podziel tekst i wyślij ponownie."),
        500: ("Błąd serwera", "Coś poszło nie tak. Spróbuj ponownie za chwilę; dane zapisane wcześniej są bezpieczne."),
    }

    def page(code: int):
        title, text = messages[code]
        return render_template("errors/error.html", title=title, text=text, code=code), code

    for code in messages:
        app.register_error_handler(code, lambda error, code=code: page(code))

    @app.errorhandler(Busy)
    @app.errorhandler(OperationalError)
    def busy(error):
        # the database waited its limit for another writer (docgen.store.locking); anything else is a 500
        if isinstance(error, OperationalError) and not is_busy(error):
            raise error
        return render_template(
            "errors/error.html", code=503, title="Spróbuj za chwilę",
            text="Te same dane zapisuje właśnie ktoś inny, a program nie doczekał się na swoją kolej. Wróć "
                 "i wyślij formularz ponownie za chwilę; dane zapisane wcześniej są bezpieczne."), 503

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_template(
            "errors/error.html", code=400, title="Formularz wygasł",
            text="Ze względów bezpieczeństwa formularz stracił ważność (np. po ponownym zalogowaniu). "
                 "Wróć, odśwież stronę i wyślij go jeszcze raz."), 400
