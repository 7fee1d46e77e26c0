"""`docgen serve --workers N`: several gunicorn processes serve one office, and a login holds on
every new connection, whichever process takes it (the session is a signed cookie, the state is in
the database)."""
from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from docgen.cli import main

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="gunicorn needs fork()")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(port: int, path: str, cookie: str = "", form: str | None = None):
    """A new connection each time, so the requests spread over the workers."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Cookie": cookie} if cookie else {}
    if form is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request("POST" if form is not None else "GET", path, body=form, headers=headers)
    response = connection.getresponse()
    page = response.read().decode()
    connection.close()
    return response, page


def _workers(pid: int) -> list[int]:
    children = []
    for task in os.listdir(f"/proc/{pid}/task"):
        children += [int(child) for child in Path(f"/proc/{pid}/task/{task}/children").read_text().split()]
    return children


def test_two_worker_processes_serve_the_office_and_share_the_login(tmp_path, instance_dir, output_dir, capsys):
    url = f"sqlite:///{tmp_path / 'serve.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": url}
    os.environ["DATABASE_URL"] = url
    try:
        assert main(["demo", "--password", "haslo-demo-2026"]) == 0
    finally:
        del os.environ["DATABASE_URL"]
    capsys.readouterr()
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "docgen.cli", "serve", "--port", str(port), "--workers", "2"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                response, page = _get(port, "/login")
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, server.stdout.read().decode()
                time.sleep(0.2)
        assert response.status == 200
        while len(_workers(server.pid)) < 2 and time.monotonic() < deadline:  # the first may answer before the second is up
            time.sleep(0.2)
        assert len(_workers(server.pid)) == 2
        cookie = response.getheader("Set-Cookie").split(";", 1)[0]
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        response, _ = _get(port, "/login", cookie, f"username=asystent1&password=haslo-demo-2026&csrf_token={token}")
        assert response.status == 302
        cookie = response.getheader("Set-Cookie").split(";", 1)[0]
        for _ in range(8):
            response, page = _get(port, "/pulpit", cookie)
            assert response.status == 200 and "Ewa Kalinowska" in page
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        output = server.communicate(timeout=30)[0].decode()
    assert "2 procesy (gunicorn)" in output and "Booting worker" in output


def test_workers_must_be_a_positive_number(capsys, tmp_path, instance_dir, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite3'}")
    assert main(["serve", "--workers", "0"]) == 2
    assert "--workers: podaj liczbę procesów większą od zera." in capsys.readouterr().err
