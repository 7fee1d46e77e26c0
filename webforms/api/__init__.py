"""The JSON API under /api/v1 for the office's other systems (a case-management system sends a
family's data and takes the documents back without retyping).

Only a bearer token (docgen.store.api_tokens) authenticates here: the login cookie never does, so
CSRF does not apply and is off for this blueprint alone. The token's user then stands behind every
call exactly as in the HTML app: the ids in the URL go through webforms/access.py (404 for anything
not the caller's), reads are logged by webforms/audit.py, writes by the views. Every error is
application/problem+json (RFC 9457) with a Polish `detail`.
"""
from __future__ import annotations

import json
import math
import os
import time
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from flask_login import AnonymousUserMixin
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from docgen.store import api_tokens
from docgen.store.locking import Busy, is_busy

from .. import db

PREFIX = "/api/"
bp = Blueprint("api", __name__, url_prefix="/api/v1")

PROBLEM_TYPE = "application/problem+json"
# the Polish title and the detail said when a view gives none
STATUS_TEXTS: dict[int, tuple[str, str]] = {
    400: ("Nieprawidłowe żądanie", "Żądanie nie mogło zostać przyjęte."),
    401: ("Brak uwierzytelnienia", "Podaj ważny token API w nagłówku „Authorization: Bearer …”. Token tworzy się "
                                   "w programie na stronie „Tokeny API” (menu konta)."),
    403: ("Brak dostępu", "Nie masz uprawnień do tej operacji."),
    404: ("Nie znaleziono", "Nie ma takiego zasobu albo nie masz do niego dostępu."),
    405: ("Niedozwolona metoda", "Ten adres nie obsługuje tej metody HTTP."),
    409: ("Konflikt", "Operacja nie może zostać wykonana w obecnym stanie zasobu."),
    412: ("Nieaktualna wersja", "Dokument zmienił się od chwili odczytu (nagłówek If-Match nie zgadza się z ETag). "
                               "Pobierz dokument ponownie i nanieś zmiany na aktualną wersję."),
    413: ("Za duże dane", "Treść żądania jest za duża; nic nie zostało zapisane."),
    415: ("Nieobsługiwany format", "Treść żądania musi być w formacie JSON (Content-Type: application/json)."),
    422: ("Nieprawidłowe dane", "Dane zawierają błędy; każdy jest wskazany w liście „problems”."),
    428: ("Brak nagłówka If-Match", "Zmiana szkicu wymaga nagłówka If-Match z wartością ETag ostatnio odczytanej "
                                    "wersji dokumentu, aby nie nadpisać cudzych zmian."),
    429: ("Zbyt wiele żądań", "Przekroczono limit żądań dla tego tokenu. Odczekaj tyle sekund, ile podaje "
                             "nagłówek Retry-After, i spróbuj ponownie."),
    500: ("Błąd serwera", "Coś poszło nie tak. Spróbuj ponownie za chwilę; dane zapisane wcześniej są bezpieczne."),
    503: ("Usługa niedostępna", "Usługa jest chwilowo niedostępna."),
}


class ApiProblem(Exception):
    """Raised by a view: answered as a problem document."""

    def __init__(self, status: int, detail: str | None = None, *, problems: list[dict[str, Any]] | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(detail or STATUS_TEXTS.get(status, ("", ""))[1])
        self.status, self.detail, self.problems, self.headers = status, detail, problems, headers or {}


def problem_response(status: int, detail: str | None = None, *, problems: list[dict[str, Any]] | None = None,
                     headers: dict[str, str] | None = None) -> Response:
    title, default = STATUS_TEXTS.get(status, ("Błąd", "Żądanie nie mogło zostać wykonane."))
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": detail or default,
                            "instance": request.path}
    if problems is not None:
        body["problems"] = problems
    response = current_app.response_class(json.dumps(body, ensure_ascii=False), status=status,
                                          mimetype=PROBLEM_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def is_api_request() -> bool:
    return request.path.startswith(PREFIX)


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    response = jsonify(body)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def issue_json(issue, confirmed: set[str] | frozenset = frozenset()) -> dict[str, Any]:
    """One problem of the data, as the wizard and the CLI show it: where, what (Polish), how grave."""
    body = {"path": issue.path, "message": issue.message, "severity": "warning" if issue.warning else "blocker"}
    if issue.warning:
        body.update(key=issue.key, confirmed=issue.key in confirmed)
    return body


# --- reading the request ---------------------------------------------------------------------

def json_body() -> dict[str, Any]:
    """The request's JSON object; 415, 400 (Polish) otherwise. Its size is capped by MAX_CONTENT_LENGTH (413)."""
    mimetype = request.mimetype or ""
    if mimetype not in ("application/json", "application/merge-patch+json") and not mimetype.endswith("+json"):
        raise ApiProblem(415)
    raw = request.get_data(cache=True)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiProblem(400, "Treść żądania nie jest poprawnym tekstem UTF-8.") from None
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as error:
        where = f" (wiersz {error.lineno}, kolumna {error.colno})" if isinstance(error, json.JSONDecodeError) else ""
        raise ApiProblem(400, f"Treść żądania nie jest poprawnym dokumentem JSON{where}.") from None
    if not isinstance(value, dict):
        raise ApiProblem(400, "Treść żądania musi być obiektem JSON ({…}).")
    return value


def _refuse_constant(name: str):
    raise ValueError(f"{name} nie jest wartością JSON")


# --- who calls -------------------------------------------------------------------------------

def _bearer() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _authenticate(_endpoint: str | None, _values: dict[str, Any] | None) -> None:
    """Before the access checks run: the caller of an API URL is its token's user, or nobody.
    Flask-Login reads `g._login_user` first, so the session cookie is never even looked at."""
    if not is_api_request():
        return
    found = api_tokens.user_of_token(db.session(), _bearer())
    if found is None:
        g._login_user = AnonymousUserMixin()
        return
    g._login_user, g.api_token = found
    db.session().commit()  # its last use


@bp.before_request
def _require_token() -> Response | None:
    if "api_token" not in g and request.endpoint != "api.openapi":
        return problem_response(401)
    return None


def _caller_key() -> str:
    """The rate limit counts per token (its hash: the token itself is not kept even in memory)."""
    token = _bearer()
    return "api:" + (api_tokens.token_hash(token)[:32] if token else request.remote_addr or "")


# --- errors ----------------------------------------------------------------------------------

def _retry_after() -> str:
    limiter = next(iter(current_app.extensions.get("limiter", ())), None)
    limit = limiter.current_limit if limiter is not None else None
    seconds = math.ceil(limit.reset_at - time.time()) if limit is not None else 60
    return str(max(1, seconds))


def _wrap_error_handlers(app: Flask) -> None:
    """API URLs answer every HTTP error as problem+json; pages keep their HTML error pages."""
    spec = app.error_handler_spec.setdefault(None, {})
    for code in (400, 401, 403, 404, 405, 409, 413, 415, 429, 500):
        handlers = spec.get(code, {})
        previous = next(iter(handlers.values()), None)

        def handle(error, code=code, previous=previous):
            if is_api_request():
                if code == 429:
                    return problem_response(429, headers={"Retry-After": _retry_after()})
                if code == 500:
                    return problem_response(500)
                return problem_response(code)
            if previous is not None:
                return previous(error)
            return error if isinstance(error, HTTPException) else problem_response(500)

        app.register_error_handler(code, handle)
    # the database waited its limit for another writer (docgen.store.locking): the page says "try again",
    # the API the same as a 503
    by_class = spec.get(None, {})
    for kind in (Busy, OperationalError):
        previous_page = by_class.get(kind)
        if previous_page is None:
            continue

        def busy(error, previous_page=previous_page):
            if is_api_request() and (not isinstance(error, OperationalError) or is_busy(error)):
                return problem_response(503, "Te same dane zapisuje właśnie ktoś inny; spróbuj ponownie za chwilę. "
                                             "Nic nie zostało utracone.", headers={"Retry-After": "2"})
            return previous_page(error)

        app.register_error_handler(kind, busy)
    app.register_error_handler(ApiProblem, lambda problem: problem_response(
        problem.status, problem.detail, problems=problem.problems, headers=problem.headers))


def _limit_setting() -> str:
    return os.environ.get("DOCGEN_API_LIMIT", "").strip() or "600 per minute"


def finish(app: Flask) -> None:
    """After webforms/security.py made the app's limiter: the API's rate limit per token, and its errors."""
    app.config.setdefault("API_RATE_LIMIT", _limit_setting())
    limiter = next(iter(app.extensions["limiter"]))
    limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=_caller_key)(bp)
    _wrap_error_handlers(app)


def install(app: Flask) -> None:
    """The API's routes, its token authentication (before every other URL processor) and its rate limit."""
    from . import documents, families, institutions, meta, printing, types  # noqa: F401  (routes on bp)
    from .. import csrf

    from .meta import docs
    from .tokens import bp as tokens_bp

    csrf.exempt(bp)
    app.register_blueprint(bp)
    app.register_blueprint(docs)
    app.register_blueprint(tokens_bp)
    app.url_value_preprocessors.setdefault(None, []).insert(0, _authenticate)
