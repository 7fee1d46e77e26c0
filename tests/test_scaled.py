"""The layout past one machine (DOCGEN_REDIS_URL): real redis-server, PostgreSQL, `docgen serve
--workers 2` and two `docgen worker` processes, started here with the commands of
deploy/systemd/. The login limit holds across the web processes; a print job spreads over both
queue workers and its progress reads the same from every web process; a queue worker killed with
-9 in the middle of a job loses no document; with Redis gone the app answers and a PDF says
"try again" (503); a web worker killed with -9 during wizard step saves loses no saved step."""
from __future__ import annotations

import http.client
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from conftest import DEMO_PASSWORD, PG_URL, _throwaway_postgres_database
from docgen import jobqueue
from docgen.doctypes import get_doctype
from docgen.pdf import libreoffice_available
from docgen.pdf_cleanup import reap
from docgen.store.db import make_engine, make_sessionmaker
from docgen.store.demo import load_demo
from docgen.store.documents import create_document, generate
from docgen.store.migrate import upgrade
from docgen.store.models import Family, User

IN_CI = bool(os.environ.get("CI"))
UNITS = Path(__file__).resolve().parents[1] / "deploy" / "systemd"
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(sys.platform == "win32", reason="gunicorn needs fork()"),
    pytest.mark.skipif(not shutil.which("redis-server") and not IN_CI,
                       reason="redis-server is not installed (apt-get install redis-server)"),
    pytest.mark.skipif(not libreoffice_available() and not IN_CI, reason="LibreOffice is not installed"),
    pytest.mark.skipif(not PG_URL and not IN_CI, reason="PostgreSQL: TEST_DATABASE_URL is not set"),
]
DOCUMENTS = 14


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, f"{what} stopped: {process.stdout.read().decode(errors='replace')}"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"{what} did not start on port {port}")


def _unit_command(unit: str) -> list[str]:
    """The ExecStart of the systemd unit, run from this venv: the test runs what the unit runs."""
    line = next(line for line in (UNITS / unit).read_text().splitlines() if line.startswith("ExecStart="))
    words = line.removeprefix("ExecStart=").split()
    assert words[0].endswith("/docgen"), line
    return [sys.executable, "-m", "docgen.cli", *words[1:]]


class Web:
    """A client of the gunicorn workers: a new connection per request, so requests spread over them."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookie = ""

    def request(self, path: str, form: dict | None = None) -> tuple[int, dict, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = urllib.parse.urlencode(form, doseq=True)
        connection.request("POST" if form is not None else "GET", path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read()
        connection.close()
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        return response.status, dict(response.getheaders()), content

    def token(self, path: str) -> str:
        status, _, page = self.request(path)
        assert status == 200, (path, status)
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.decode()).group(1)

    def log_in(self, username: str, password: str) -> int:
        return self.request("/login", {"username": username, "password": password,
                                       "csrf_token": self.token("/login")})[0]


@pytest.fixture(scope="module")
def layout(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("scaled")
    url = next(database := _throwaway_postgres_database())
    output = tmp / "output"
    output.mkdir()
    env = {**os.environ, "DATABASE_URL": url, "DOCGEN_OUTPUT_DIR": str(output),
           "DOCGEN_INSTANCE_DIR": str(tmp / "instance"), "DOCGEN_PDF_POOLS_DIR": str(tmp / "pools"),
           "DOCGEN_SECRET_KEY": "klucz-testu-skalowania"}
    os.environ["DOCGEN_OUTPUT_DIR"] = str(output)  # generate() below writes there
    try:
        upgrade(url)
        engine = make_engine(url)
        with make_sessionmaker(engine)() as session:
            load_demo(session, password=DEMO_PASSWORD)
            user = session.scalars(select(User).where(User.username == "asystent1")).one()
            families = session.scalars(select(Family).where(Family.assistant_id == user.id)).all()
            for number in range(DOCUMENTS):
                family = families[number % len(families)]
                document = create_document(session, family, "visit_record", user)
                document.data = {**get_doctype("visit_record").example(), "family_name": family.family_name,
                                 "topics": f"Wizyta nr {number + 1} & <dzieci>"}
                generate(session, document, user)
            session.commit()
        engine.dispose()
    finally:
        del os.environ["DOCGEN_OUTPUT_DIR"]
    redis_port, web_port = _free_port(), _free_port()
    env["DOCGEN_REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
    started: dict[str, subprocess.Popen] = {}

    def start(name: str, command: list[str], port: int | None = None) -> subprocess.Popen:
        started[name] = process = subprocess.Popen(command, env=env, cwd=tmp, stdout=subprocess.PIPE,
                                                   stderr=subprocess.STDOUT, start_new_session=True)
        if port:
            _wait_for_port(port, process, name)
        return process

    redis_command = ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                     "--appendonly", "no", "--dir", str(tmp)]
    start("redis", redis_command, redis_port)
    web_command = [part.replace("5000", str(web_port)) for part in _unit_command("docgen-web.service")]
    start("web", web_command, web_port)
    for name in ("kolejka-1", "kolejka-2"):
        start(name, [*_unit_command("docgen-worker.service"), "--name", name])
    redis = jobqueue.connection(env["DOCGEN_REDIS_URL"])
    deadline = time.monotonic() + 60
    from rq import Worker

    while Worker.count(connection=redis) < 2:
        assert time.monotonic() < deadline, "the queue workers did not start"
        for name in ("kolejka-1", "kolejka-2"):
            assert started[name].poll() is None, started[name].stdout.read().decode(errors="replace")
        time.sleep(0.2)
    try:
        yield {"env": env, "web": web_port, "redis": redis, "output": output, "url": url, "started": started,
               "start": start, "redis_command": redis_command, "redis_port": redis_port, "tmp": tmp}
    finally:
        for name, process in started.items():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in started.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        reap(tmp / "pools")  # the LibreOffice of the worker killed with -9
        next(database, None)


def _file_ids(url: str) -> list[int]:
    from docgen.store.models import GeneratedFile

    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        ids = session.scalars(select(GeneratedFile.id).where(GeneratedFile.kind == "docx")
                              .order_by(GeneratedFile.id)).all()
    engine.dispose()
    return list(ids)


def _print(web: Web, file_ids: list[int], title: str) -> int:
    token = web.token("/drukarnia/?pokaz=1")
    status, headers, _ = web.request("/drukarnia/?pokaz=1", {"plik": [str(i) for i in file_ids], "title": title,
                                                            "cover_sheet": "y", "csrf_token": token})
    assert status == 302, status
    return int(re.search(r"/drukarnia/(\d+)$", headers["Location"]).group(1))


def _state(web: Web, job_id: int) -> dict:
    status, _, body = web.request(f"/drukarnia/{job_id}/stan")
    assert status == 200
    return json.loads(body)


def _until_done(web: Web, job_id: int, seen: list[dict] | None = None, seconds: float = 240) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        state = _state(web, job_id)
        if seen is not None:
            seen.append(state)
        if state["status"] in ("finished", "failed"):
            return state
        time.sleep(0.3)
    pytest.fail(f"print job {job_id} did not end: {state}")


def test_five_wrong_passwords_over_both_web_workers_trigger_the_limit(layout):
    answers = [Web(layout["web"]).log_in("asystent2", "nie-to-haslo") for _ in range(9)]
    # each process counting alone would let up to 8 of 9 through; together they stop after 5
    assert answers == [200] * 5 + [429] * 4
    assert Web(layout["web"]).log_in("asystent2", DEMO_PASSWORD) == 429  # the account, not the request, is held


def test_a_print_job_is_spread_over_both_queue_workers_and_reads_the_same_everywhere(layout):
    from rq import Queue
    from rq.registry import FinishedJobRegistry

    web = Web(layout["web"])
    assert web.log_in("asystent1", DEMO_PASSWORD) == 302
    files = _file_ids(layout["url"])
    assert len(files) == DOCUMENTS
    job_id = _print(web, files, "Wizyty – cały miesiąc")
    seen: list[dict] = []
    state = _until_done(web, job_id, seen)
    assert state["status"] == "finished" and state["failures"] == [] and state["total"] == DOCUMENTS
    assert [s["done"] for s in seen] == sorted(s["done"] for s in seen)  # progress only grows
    # every web process reads the one state from the database
    assert all(_state(web, job_id) == state for _ in range(6))
    status, headers, pdf = web.request(f"/drukarnia/{job_id}/pdf")
    assert status == 200 and headers["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.outline) == DOCUMENTS + 1  # the cover sheet and every document
    text = "".join(page.extract_text() for page in reader.pages)
    assert all(f"Wizyta nr {n} & <dzieci>" in text for n in range(1, DOCUMENTS + 1))
    # who did the work: the print job on one worker, conversions handed to the other
    redis = layout["redis"]
    printer = Queue(jobqueue.PRINT_QUEUE, connection=redis).fetch_job(f"print-{job_id}").worker_name
    helpers = {Queue(jobqueue.PDF_QUEUE, connection=redis).fetch_job(rq_id).worker_name
               for rq_id in FinishedJobRegistry(jobqueue.PDF_QUEUE, connection=redis).get_job_ids()}
    assert {printer} | helpers == {"kolejka-1", "kolejka-2"}


def _forget_pdfs(output: Path) -> None:
    """The PDFs made beside the .docx files go, so that the next job converts every document again."""
    for pdf in output.glob("*/**/*.pdf"):
        if "wydruki" not in pdf.parts:
            pdf.unlink()


def _started_conversion_of(redis, worker: str, seconds: float = 120) -> None:
    from rq import Queue
    from rq.registry import StartedJobRegistry

    queue = Queue(jobqueue.PDF_QUEUE, connection=redis)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for rq_id in StartedJobRegistry(jobqueue.PDF_QUEUE, connection=redis).get_job_ids():
            job = queue.fetch_job(rq_id)
            if job is not None and job.worker_name == worker:
                return
        time.sleep(0.05)
    pytest.fail(f"{worker} took no conversion")


def test_a_queue_worker_killed_mid_job_loses_no_document(layout):
    from rq import Queue

    web = Web(layout["web"])
    assert web.log_in("asystent1", DEMO_PASSWORD) == 302
    _forget_pdfs(layout["output"])
    files = _file_ids(layout["url"])
    job_id = _print(web, files, "Wizyty – po awarii")
    redis = layout["redis"]
    deadline = time.monotonic() + 60
    while not (printer := Queue(jobqueue.PRINT_QUEUE, connection=redis).fetch_job(f"print-{job_id}").worker_name):
        assert time.monotonic() < deadline, "no worker took the print job"
        time.sleep(0.05)
    helper = ({"kolejka-1", "kolejka-2"} - {printer}).pop()
    _started_conversion_of(redis, helper)
    os.killpg(layout["started"][helper].pid, signal.SIGKILL)  # the worker, not its LibreOffice (own session)
    state = _until_done(web, job_id)
    # the conversion the dead worker held is done again by the one printing: every document is in
    assert state["status"] == "finished" and state["failures"] == [] and state["done"] == DOCUMENTS, state
    status, _, pdf = web.request(f"/drukarnia/{job_id}/pdf")
    assert status == 200 and len(PdfReader(io.BytesIO(pdf)).outline) == DOCUMENTS + 1
    assert not list(layout["output"].rglob("*.part"))  # no half-written file anywhere
    layout["start"]("kolejka-3", [*_unit_command("docgen-worker.service"), "--name", "kolejka-3"])


def test_with_redis_gone_the_app_answers_and_a_pdf_says_try_again(layout):
    web = Web(layout["web"])
    assert web.log_in("asystent1", DEMO_PASSWORD) == 302
    _forget_pdfs(layout["output"])
    files = _file_ids(layout["url"])
    job_id = _print(web, files[:-1], "Wizyty – Redis wyłączony")
    deadline = time.monotonic() + 120
    while _state(web, job_id)["done"] < 2:  # Redis goes away in the middle of the job
        assert time.monotonic() < deadline, "the print job did not start"
        time.sleep(0.1)
    redis = layout["started"]["redis"]
    os.killpg(redis.pid, signal.SIGKILL)
    redis.wait()
    status, headers, page = web.request(f"/pliki/{files[-1]}/pdf")
    assert status == 503 and headers["Retry-After"] == "30"
    assert jobqueue.UNAVAILABLE_MESSAGE in page.decode()
    status, _, page = web.request("/pulpit")
    assert status == 200 and "Ewa Kalinowska" in page.decode()
    assert Web(layout["web"]).log_in("kierownik", DEMO_PASSWORD) == 302  # the limits count in memory meanwhile
    refused = _print(web, files[:1], "Wydruk bez kolejki")
    assert _state(web, refused)["message"] == jobqueue.PRINT_UNAVAILABLE
    layout["start"]("redis", layout["redis_command"], layout["redis_port"])
    state = _until_done(web, job_id)  # the job in hand went on, converting on its own worker
    assert state["status"] == "finished" and state["failures"] == [] and state["done"] == len(files) - 1, state
    deadline = time.monotonic() + 60
    while (status := web.request(f"/pliki/{files[-1]}/pdf")[0]) != 200:  # the workers reconnect
        assert status == 503 and time.monotonic() < deadline
        time.sleep(0.5)


def _gunicorn_workers(master: int) -> list[int]:
    return [int(child) for task in os.listdir(f"/proc/{master}/task")
            for child in Path(f"/proc/{master}/task/{task}/children").read_text().split()]


def test_a_web_worker_killed_during_step_saves_loses_no_saved_step(layout):
    import threading

    from docgen.store.models import Document

    engine = make_engine(layout["url"])
    with make_sessionmaker(engine)() as session:
        documents = session.scalars(select(Document.id).where(Document.doc_type == "visit_record")).all()
    acknowledged: dict[int, str] = {}
    unanswered: dict[int, list[str]] = {document_id: [] for document_id in documents}
    killed = threading.Event()

    def save_steps(document_id: int) -> None:
        web = Web(layout["web"])
        for _ in range(3):  # a login that met the killed worker is tried again, as a person would
            try:
                assert web.log_in("asystent1", DEMO_PASSWORD) == 302
                break
            except (OSError, http.client.HTTPException):
                continue
        for attempt in range(6):
            if attempt == 2:
                killed.wait(30)
            path = f"/dokumenty/{document_id}/krok/topics"
            try:
                status, _, page = web.request(path)
                text = page.decode()
                form = {"csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', text).group(1),
                        "step_revision": re.search(r'name="step_revision"[^>]*value="([^"]*)"', text).group(1),
                        "topics": f"Zapis {attempt} dokumentu {document_id}: „ważne” & <pilne>", "action": "next"}
            except (OSError, http.client.HTTPException):
                continue  # the page came from the killed worker: a person reloads it
            try:
                status, _, _ = web.request(path, form)
            except (OSError, http.client.HTTPException):  # no answer: saved or not, the person cannot know
                unanswered[document_id].append(form["topics"])
                continue
            assert status == 302, status
            acknowledged[document_id] = form["topics"]
            unanswered[document_id].clear()

    threads = [threading.Thread(target=save_steps, args=(document_id,)) for document_id in documents]
    for thread in threads:
        thread.start()
    master = layout["started"]["web"].pid
    victim = _gunicorn_workers(master)[0]
    os.kill(victim, signal.SIGKILL)
    killed.set()
    for thread in threads:
        thread.join(120)
    # every save answered "saved" is in the database as typed (or a later one whose answer was lost)
    with make_sessionmaker(engine)() as session:
        for document_id in documents:
            topics = session.get(Document, document_id).data["topics"]
            assert topics in [acknowledged[document_id], *unanswered[document_id]], (document_id, topics)
    engine.dispose()
    assert sorted(acknowledged) == sorted(documents)
    # gunicorn replaced the worker: the office keeps working
    deadline = time.monotonic() + 60
    while len(_gunicorn_workers(master)) < 2 or victim in _gunicorn_workers(master):
        assert time.monotonic() < deadline, "gunicorn did not replace the killed worker"
        time.sleep(0.2)
    web = Web(layout["web"])
    assert web.log_in("asystent1", DEMO_PASSWORD) == 302 and web.request("/pulpit")[0] == 200
