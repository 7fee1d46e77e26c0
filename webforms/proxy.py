"""Running behind a reverse proxy with https (nginx, IIS): which proxy's X-Forwarded-For and
X-Forwarded-Proto headers to believe, decided in one place.

With DOCGEN_BEHIND_PROXY=1 the headers are believed only from DOCGEN_TRUSTED_PROXY (the
proxy's address as the app sees it, 127.0.0.1 by default: nginx on the same computer) and
only its last hop; from anyone else they are dropped, so a client talking to the app directly
cannot pretend to be another address or to have come over https. Then the session cookie is
marked Secure and the login limits count each client's own address.

Exactly one layer applies them. `docgen serve` hands the job to waitress (`waitress_options`),
which otherwise drops the headers of every peer; the app then leaves them alone. Under any
other WSGI server the app applies them itself (`install`: werkzeug's ProxyFix, for the trusted
peer only).
"""
from __future__ import annotations

import ipaddress
import os
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

DEFAULT_TRUSTED_PROXY = "127.0.0.1"
HEADERS = ("x-forwarded-for", "x-forwarded-proto")
# set by `docgen serve` when waitress applies the headers, so they are not applied twice
APPLIED_BY_SERVER = "PROXY_HEADERS_APPLIED_BY_SERVER"


def trusted_proxy() -> str | None:
    """The proxy's address when the app runs behind one (DOCGEN_BEHIND_PROXY=1), else None."""
    if os.environ.get("DOCGEN_BEHIND_PROXY") != "1":
        return None
    address = os.environ.get("DOCGEN_TRUSTED_PROXY", "").strip() or DEFAULT_TRUSTED_PROXY
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        raise SystemExit(f"Ustawienie DOCGEN_TRUSTED_PROXY={address!r}: podaj adres IP serwera pośredniczącego "
                         f"(np. {DEFAULT_TRUSTED_PROXY}, gdy nginx działa na tym samym komputerze).") from None


def waitress_options() -> dict[str, Any]:
    """waitress.serve(...) arguments: trust one hop of the proxy's headers, drop everyone else's."""
    proxy = trusted_proxy()
    if proxy is None:
        return {}
    return {"trusted_proxy": proxy, "trusted_proxy_count": 1, "trusted_proxy_headers": set(HEADERS),
            "clear_untrusted_proxy_headers": True}


class _TrustedProxyFix:
    """ProxyFix for requests from the trusted proxy; the headers of any other peer are dropped."""

    def __init__(self, app, proxy: str):
        self.app, self.proxy = app, proxy
        self.fixed = ProxyFix(app, x_for=1, x_proto=1)

    def __call__(self, environ, start_response):
        if environ.get("REMOTE_ADDR") == self.proxy:
            return self.fixed(environ, start_response)
        for header in HEADERS:
            environ.pop("HTTP_" + header.upper().replace("-", "_"), None)
        return self.app(environ, start_response)


def install(app: Flask) -> None:
    proxy = trusted_proxy()
    if proxy is not None and not app.config.get(APPLIED_BY_SERVER):
        app.wsgi_app = _TrustedProxyFix(app.wsgi_app, proxy)
