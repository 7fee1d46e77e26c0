"""Behind a reverse proxy (DOCGEN_BEHIND_PROXY=1): the real nginx of deploy/nginx/docgen.conf with
https in front of `docgen serve` (waitress) in a subprocess. Through it the session cookie is
Secure and the login limits see each client's own address; headers a client forges are believed
from nobody but the proxy. Clients are told apart by their loopback source address (127.0.0.x)."""
from __future__ import annotations

import http.client
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest

from webforms import create_app

EXAMPLE = Path(__file__).resolve().parents[1] / "deploy" / "nginx" / "docgen.conf"
needs_nginx = pytest.mark.skipif(not shutil.which("nginx") and not os.environ.get("CI"),
                                 reason="nginx is not installed (apt-get install nginx-light)")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(port: int, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{what} stopped: {process.stderr.read().decode(errors='replace') if process.stderr else ''}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"{what} did not start on port {port}")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _nginx_conf(tmp: Path, http_port: int, https_port: int, backend: int) -> Path:
    """The README's example as it is, with this test's ports and certificate."""
    example = EXAMPLE.read_text(encoding="utf-8")
    substitutions = {"listen 80;": f"listen 127.0.0.1:{http_port};",
                     "listen 443 ssl;": f"listen 127.0.0.1:{https_port} ssl;",
                     "/etc/ssl/certs/docgen.pem": str(tmp / "cert.pem"),
                     "/etc/ssl/private/docgen.key": str(tmp / "key.pem"),
                     "http://127.0.0.1:5000": f"http://127.0.0.1:{backend}"}
    for old, new in substitutions.items():
        assert old in example, f"deploy/nginx/docgen.conf no longer has {old!r}; update this test"
        example = example.replace(old, new)
    (tmp / "docgen.conf").write_text(example, encoding="utf-8")
    temp = {name: tmp / name for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir()
    main = tmp / "nginx.conf"
    main.write_text(f"""
{"user root;" if os.geteuid() == 0 else ""}
daemon off;
worker_processes 1;
pid {tmp / "nginx.pid"};
error_log {tmp / "error.log"} warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {temp["client_body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    include {tmp / "docgen.conf"};
}}
""", encoding="utf-8")
    return main


@pytest.fixture
def behind_nginx(tmp_path, web_db):
    """(https port of nginx, port of docgen serve) with the demo office behind them."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-days", "1", "-subj", "/CN=localhost", "-keyout", str(tmp_path / "key.pem"),
                    "-out", str(tmp_path / "cert.pem")], check=True, capture_output=True)
    backend, http_port, https_port = _free_port(), _free_port(), _free_port()
    env = {**os.environ, "DATABASE_URL": web_db, "DOCGEN_SECRET_KEY": "nginx-test", "DOCGEN_BEHIND_PROXY": "1",
           "DOCGEN_LOGIN_LIMIT_PER_ADDRESS": "3 per minute", "DOCGEN_PDF_WORKERS": "1"}
    env.pop("DOCGEN_TRUSTED_PROXY", None)  # the default: nginx on this computer
    server = subprocess.Popen([sys.executable, "-m", "docgen.cli", "serve", "--host", "127.0.0.1",
                               "--port", str(backend)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    nginx = None
    try:
        _wait_for(backend, server, "docgen serve")
        conf = _nginx_conf(tmp_path, http_port, https_port, backend)
        nginx = subprocess.Popen(["nginx", "-p", str(tmp_path), "-c", str(conf)], stderr=subprocess.PIPE)
        _wait_for(https_port, nginx, "nginx")
        yield https_port, backend, http_port
    finally:
        if nginx is not None:
            _stop(nginx)
        _stop(server)


class Browser:
    """A client at its own loopback address, keeping the session cookie."""

    def __init__(self, address: str, port: int, https: bool = True):
        self.address, self.port, self.https = address, port, https
        self.cookie = ""
        self.set_cookie = ""

    def request(self, method: str, path: str, body: str = "", headers: dict | None = None):
        if self.https:
            context = ssl.create_default_context()
            context.check_hostname, context.verify_mode = False, ssl.CERT_NONE  # the test's own certificate
            connection = http.client.HTTPSConnection("127.0.0.1", self.port, context=context, timeout=30,
                                                     source_address=(self.address, 0))
        else:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30,
                                                    source_address=(self.address, 0))
        sent = {**(headers or {})}
        if self.cookie:
            sent["Cookie"] = self.cookie
        if body:  # as a browser sends a form (Flask-WTF checks the Referer over https)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Referer"] = f"{'https' if self.https else 'http'}://127.0.0.1:{self.port}/login"
        connection.request(method, path, body=body.encode(), headers=sent)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        self.set_cookie = response.getheader("Set-Cookie") or ""
        if self.set_cookie.startswith("session="):
            self.cookie = self.set_cookie.split(";", 1)[0]
        connection.close()
        return response.status, text

    def log_in(self, username: str, password: str, headers: dict | None = None) -> int:
        status, page = self.request("GET", "/login")
        assert status == 200, page
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        from urllib.parse import urlencode
        status, _ = self.request("POST", "/login", urlencode({"csrf_token": token, "username": username,
                                                              "password": password}), headers)
        return status


def test_the_readme_shows_the_example_that_is_tested():
    example = EXAMPLE.read_text(encoding="utf-8")
    readme = (EXAMPLE.parents[2] / "README.md").read_text(encoding="utf-8")
    assert example[example.index("server {"):].strip() in readme
    assert "DOCGEN_TRUSTED_PROXY" in readme


@needs_nginx
def test_through_nginx_the_cookie_is_secure_and_each_client_has_its_own_address(behind_nginx, demo_password):
    https_port, backend, http_port = behind_nginx
    # plain http is sent to https by the example
    status, _ = Browser("127.0.0.2", http_port, https=False).request("GET", "/login")
    assert status == 301

    colleague = Browser("127.0.0.3", https_port)
    assert colleague.log_in("asystent1", demo_password) == 302
    assert "Secure" in colleague.set_cookie and "HttpOnly" in colleague.set_cookie
    assert colleague.request("GET", "/rodziny/")[0] == 200

    # wrong passwords from one client lock that client's address (3 a minute here) ...
    guesser = Browser("127.0.0.2", https_port)
    assert [guesser.log_in(f"ktos{i}", "zle-haslo-1234") for i in range(3)] == [200, 200, 200]
    assert guesser.log_in("asystent2", demo_password) == 429
    # ... which it cannot shake off by claiming another address
    assert guesser.log_in("asystent2", demo_password, {"X-Forwarded-For": "203.0.113.9"}) == 429
    # while everyone else behind the same proxy logs in as usual
    assert Browser("127.0.0.4", https_port).log_in("asystent2", demo_password) == 302


@needs_nginx
def test_a_client_that_skips_nginx_cannot_forge_https_or_its_address(behind_nginx, demo_password):
    https_port, backend, _ = behind_nginx
    forged = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.0.3"}
    direct = Browser("127.0.0.5", backend, https=False)
    assert direct.log_in("asystent1", demo_password, forged) == 302
    assert "Secure" not in direct.set_cookie
    guesser = Browser("127.0.0.5", backend, https=False)
    assert [guesser.log_in(f"ktos{i}", "zle-haslo-1234", forged) for i in range(3)] == [200, 200, 200]
    assert guesser.log_in("asystent1", demo_password, forged) == 429
    # the address it named is not locked: the limit counted the real one
    assert Browser("127.0.0.3", https_port).log_in("asystent1", demo_password) == 302


# --- the app under other WSGI servers: one layer believes the proxy -------------------------

def _secure_cookie(web_db, demo_password, peer: str, monkeypatch, **config) -> bool:
    monkeypatch.setenv("DOCGEN_BEHIND_PROXY", "1")
    app = create_app({"TESTING": True, "DATABASE_URL": web_db, "SECRET_KEY": "x", "WTF_CSRF_ENABLED": False,
                      **config})
    response = app.test_client().post("/login", data={"username": "asystent1", "password": demo_password},
                                      headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "192.0.2.44"},
                                      environ_base={"REMOTE_ADDR": peer})
    assert response.status_code == 302
    return "Secure" in response.headers["Set-Cookie"]


def test_the_app_believes_forwarded_headers_from_the_trusted_proxy_only(web_db, demo_password, monkeypatch):
    assert _secure_cookie(web_db, demo_password, "127.0.0.1", monkeypatch)
    assert not _secure_cookie(web_db, demo_password, "192.0.2.7", monkeypatch)
    monkeypatch.setenv("DOCGEN_TRUSTED_PROXY", "10.0.0.5")
    assert _secure_cookie(web_db, demo_password, "10.0.0.5", monkeypatch)
    assert not _secure_cookie(web_db, demo_password, "127.0.0.1", monkeypatch)


def test_when_waitress_applies_the_headers_the_app_does_not_again(web_db, demo_password, monkeypatch):
    from webforms import proxy

    assert not _secure_cookie(web_db, demo_password, "127.0.0.1", monkeypatch, **{proxy.APPLIED_BY_SERVER: True})
    options = proxy.waitress_options()
    assert options["trusted_proxy"] == "127.0.0.1" and options["trusted_proxy_headers"] == {
        "x-forwarded-for", "x-forwarded-proto"}


def test_a_wrong_trusted_proxy_setting_stops_with_a_polish_message(monkeypatch):
    from webforms import proxy

    monkeypatch.setenv("DOCGEN_BEHIND_PROXY", "1")
    monkeypatch.setenv("DOCGEN_TRUSTED_PROXY", "nginx.lokalny")
    with pytest.raises(SystemExit, match="podaj adres IP serwera pośredniczącego"):
        proxy.waitress_options()
