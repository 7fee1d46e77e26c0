"""HTTP load on `docgen serve`, from outside the server: generated documents a second, latency,
errors and the server's CPU time per document, for waitress (one process) and gunicorn (N workers).

The server is `python -m docgen.cli serve` in its own process(es), on a fresh database (SQLite by
default, or an EMPTY one given by --database-url) with the demo office and one assistant per
client, each with a family and a complete work plan. Each client logs in with its own cookies
(GET /login for the CSRF token, POST /login), reads its plan's page for the form's token and
version, then sends "Generuj" (POST /dokumenty/<id>/generuj) over and over on one keep-alive
connection, as a browser would, counting anything but the redirect to the new version as an error.
Clients generate their own documents, so every request makes a version.

The server's CPU time comes from the kernel (/proc/<pid>/task/*/schedstat of the server and its
workers, nanoseconds): per request when one client sends them one at a time, and per document
under load.

    python benchmarks/http_bench.py [--clients 20] [--seconds 15] [--workers 2 4] [--database-url URL]

`bench.py` runs it as a section of `make bench`.
"""
from __future__ import annotations

import argparse
import datetime as dt
import http.client
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PASSWORD = "haslo-benchmark-1"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
VERSION = re.compile(r'name="expected_version" value="(\d+)"')


# --- the database --------------------------------------------------------------------------

def prepare(url: str, clients: int) -> list[tuple[str, int]]:
    """The demo office and `clients` assistants, each with a family and a complete work plan:
    [(username, document id)]."""
    from docgen.doctypes import get_doctype
    from docgen.store.db import make_engine, make_sessionmaker
    from docgen.store.demo import find_demo_office, load_demo
    from docgen.store.documents import create_document
    from docgen.store.migrate import upgrade
    from docgen.store import db
    from docgen.store.models import ROLE_ASSISTANT, Family, Person
    from docgen.store.users import create_user

    db.INSTANCE_DIR = Path(os.environ["DOCGEN_INSTANCE_DIR"])  # the demo's logins file goes there
    upgrade(url)
    engine = make_engine(url)
    plan = get_doctype("work_plan")
    accounts = []
    with make_sessionmaker(engine)() as session:
        load_demo(session, password=PASSWORD)
        office = find_demo_office(session)
        for index in range(1, clients + 1):
            user = create_user(session, office, f"obciazenie{index:02d}", f"Asystentka Testowa {index}",
                               ROLE_ASSISTANT, PASSWORD)
            family = Family(office=office, assistant=user, family_name=f"Próbna {index}",
                            address=f"ul. Wiosenna {index}, 11-440 Lipowiec Mazurski",
                            social_worker_name="Marek Sobczak", assignment_date=dt.date(2026, 10, 5),
                            referral_ref=f"MOPS.PS.4101.{index}.2026", basis="zgoda",
                            consent_date=dt.date(2026, 10, 12), court_name="", court_case_number="")
            family.members = [
                Person(position=0, first_name="Alicja", last_name="Próbna", birth_date=dt.date(1990, 4, 2),
                       relation="matka", in_household=True, took_part=True),
                Person(position=1, first_name="Staś", last_name="Próbny", birth_date=dt.date(2015, 9, 1),
                       relation="dziecko", in_household=True, took_part=False),
            ]
            session.add(family)
            session.flush()
            document = create_document(session, family, "work_plan", user)
            document.data = {**plan.example(), "family_name": family.family_name}
            session.flush()
            accounts.append((user.username, document.id))
        session.commit()
    engine.dispose()
    return accounts


# --- the server ----------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """`docgen serve` in its own process group, and its CPU time read from the kernel."""

    def __init__(self, env: dict[str, str], workers: int) -> None:
        self.port = _free_port()
        # the server's log goes to a file: a pipe nobody reads fills up under load (waitress warns of its
        # queue) and then holds the whole server
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "docgen.cli", "serve", "--port", str(self.port), "--workers", str(workers)],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=self.log, start_new_session=True)
        deadline = time.monotonic() + 60
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/login")
                if connection.getresponse().status == 200:
                    connection.close()
                    break
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.log.seek(0)
                raise RuntimeError(f"the server did not start: {self.log.read().decode(errors='replace')[-2000:]}")
            time.sleep(0.2)

    def _pids(self) -> list[int]:
        pids, queue = [], [self.process.pid]
        while queue:
            pid = queue.pop()
            pids.append(pid)
            try:
                for task in os.listdir(f"/proc/{pid}/task"):
                    children = Path(f"/proc/{pid}/task/{task}/children").read_text().split()
                    queue.extend(int(child) for child in children)
            except OSError:
                continue
        return pids

    def cpu_ns(self) -> int:
        """CPU time of the server and its workers so far, in nanoseconds (every thread)."""
        total = 0
        for pid in self._pids():
            try:
                tasks = os.listdir(f"/proc/{pid}/task")
            except OSError:
                continue
            for task in tasks:
                try:
                    total += int(Path(f"/proc/{pid}/task/{task}/schedstat").read_text().split()[0])
                except OSError:
                    pass
        return total

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


# --- a client ------------------------------------------------------------------------------

@dataclass
class Client:
    """One person in a browser: own cookies, one keep-alive connection."""

    port: int
    username: str
    document_id: int
    cookie: str = ""
    token: str = ""
    version: int = 0
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.connection = self._connect()

    def _connect(self) -> http.client.HTTPConnection:
        # as browsers do: headers and form go out at once, not held back by Nagle's algorithm
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        connection.connect()
        connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection

    def _send(self, method: str, path: str, form: dict[str, str] | None = None, keep_cookie: bool = True):
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        except (OSError, http.client.HTTPException):
            # the server closed a kept-alive connection: a browser opens another and sends again
            self.connection.close()
            self.connection = self._connect()
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        content = response.read()
        page = "" if content.startswith(b"%PDF") else content.decode()  # a PDF download is no page
        cookie = response.getheader("Set-Cookie")
        if keep_cookie and cookie and cookie.startswith("session="):
            self.cookie = cookie.split(";", 1)[0]
        return response, page

    def log_in(self) -> None:
        _, page = self._send("GET", "/login")
        response, _ = self._send("POST", "/login", {"username": self.username, "password": PASSWORD,
                                                    "csrf_token": TOKEN.search(page).group(1)})
        if response.status != 302:
            raise RuntimeError(f"{self.username}: login answered {response.status}")
        _, page = self._send("GET", f"/dokumenty/{self.document_id}")
        self.token, self.version = TOKEN.search(page).group(1), int(VERSION.search(page).group(1))

    def generate(self) -> None:
        start = time.perf_counter()
        # the answer's cookie only carries the flash for the page the browser would open next;
        # keeping it without opening that page would pile the messages up in the cookie
        response, _ = self._send("POST", f"/dokumenty/{self.document_id}/generuj",
                                 {"csrf_token": self.token, "expected_version": str(self.version)},
                                 keep_cookie=False)
        self.latencies.append(time.perf_counter() - start)
        location = response.getheader("Location") or ""
        # a new version opens its files, or first the offer to copy new facts to the family card
        if response.status == 302 and location.endswith(("#pliki", "#karta")):
            self.version += 1
        else:
            self.errors.append(f"{response.status} {location}")


# --- the measurements ------------------------------------------------------------------------

@dataclass
class Load:
    label: str
    documents: int
    seconds: float
    latencies: list[float]
    errors: int
    cpu_ms_per_document: float
    error_examples: list[str] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.documents / self.seconds

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000 if ordered else float("nan")


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def serial_cpu(server: Server, username: str, document_id: int, requests: int) -> dict[str, float]:
    """One client, one request at a time: the server's CPU time and the latency of each generate."""
    client = Client(server.port, username, document_id)
    client.log_in()
    for _ in range(10):
        client.generate()
    cpu, wall = [], []
    for _ in range(requests):
        before = server.cpu_ns()
        client.generate()
        cpu.append((server.cpu_ns() - before) / 1e6)
        wall.append(client.latencies[-1] * 1000)
    if client.errors:
        raise RuntimeError(f"serial generation failed: {client.errors[:3]}")
    return {"cpu_p50": statistics.median(cpu), "cpu_p95": _percentile(cpu, 0.95),
            "latency_p50": statistics.median(wall)}


def load(server: Server, label: str, accounts: list[tuple[str, int]], seconds: float) -> Load:
    """Every client logs in, warms up with two generations, then all generate for `seconds`."""
    clients = [Client(server.port, username, document_id) for username, document_id in accounts]
    ready = threading.Barrier(len(clients) + 1)
    stop = threading.Event()
    failures: list[BaseException] = []

    def run(client: Client) -> None:
        try:
            client.log_in()
            client.generate()
            client.generate()
        except BaseException as error:  # noqa: BLE001 - reported after the run
            failures.append(error)
        client.latencies.clear()
        client.errors.clear()
        ready.wait()
        while not stop.is_set():
            client.generate()

    threads = [threading.Thread(target=run, args=(client,), daemon=True) for client in clients]
    for thread in threads:
        thread.start()
    ready.wait()
    cpu_before, start = server.cpu_ns(), time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=120)
    elapsed, cpu = time.perf_counter() - start, server.cpu_ns() - cpu_before
    if failures:
        raise RuntimeError(f"{label}: {failures[0]!r}")
    latencies = [value for client in clients for value in client.latencies]
    errors = sum(len(client.errors) for client in clients)
    documents = len(latencies) - errors
    examples = [error for client in clients for error in client.errors][:3]
    return Load(label, documents, elapsed, latencies, errors, cpu / 1e6 / max(1, documents), examples)


def run(*, clients: int, seconds: float, workers: list[int], database_url: str | None, serial: int,
        workdir: Path) -> dict:
    from webforms.serving import GUNICORN_THREADS

    url = database_url or f"sqlite:///{workdir / 'http.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": url, "DOCGEN_OUTPUT_DIR": str(workdir / "output"),
           "DOCGEN_INSTANCE_DIR": str(workdir / "instance"), "DOCGEN_SECRET_KEY": "benchmark-" + "x" * 40}
    os.environ.update({key: env[key] for key in ("DOCGEN_OUTPUT_DIR", "DOCGEN_INSTANCE_DIR")})
    accounts = prepare(url, clients + 1)
    loads, figures = [], {}
    for count in [1, *workers]:
        server = Server(env, count)
        try:
            if count == 1 and serial:
                figures["serial"] = serial_cpu(server, *accounts[-1], serial)
            label = ("waitress, 1 process, 8 threads" if count == 1
                     else f"gunicorn, {count} workers x {GUNICORN_THREADS} threads")
            loads.append(load(server, label, accounts[:clients], seconds))
        finally:
            server.stop()
    figures["loads"] = loads
    figures["database"] = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    return figures


def report(figures: dict, *, clients: int, seconds: float) -> None:
    if "serial" in figures:
        serial = figures["serial"]
        print(f"\nOne generate at a time (waitress, {figures['database']}): server CPU p50 {serial['cpu_p50']:.1f} ms "
              f"(p95 {serial['cpu_p95']:.1f} ms; target: p50 <= 10 ms), latency p50 {serial['latency_p50']:.1f} ms")
    print(f"\nHTTP load: {clients} clients, each logged in with its own cookies, generating its own work plan "
          f"for {seconds:.0f} s ({figures['database']}; target: >= 100 documents/s, 0 errors)")
    print(f"{'server':<36}{'docs/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'errors':>8}{'CPU ms/doc':>12}")
    for result in figures["loads"]:
        print(f"{result.label:<36}{result.per_second:>8.1f}{result.percentile(0.5):>9.0f}"
              f"{result.percentile(0.95):>9.0f}{result.errors:>8}{result.cpu_ms_per_document:>12.1f}")
        if result.error_examples:
            print(f"    errors, e.g.: {'; '.join(result.error_examples)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--workers", type=int, nargs="*", default=[2, 4],
                        help="gunicorn worker counts to measure besides waitress")
    parser.add_argument("--serial", type=int, default=300, help="requests for the one-at-a-time CPU figure")
    parser.add_argument("--database-url", help="an EMPTY database (e.g. PostgreSQL); default: a temporary SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        figures = run(clients=args.clients, seconds=args.seconds, workers=args.workers,
                      database_url=args.database_url, serial=args.serial, workdir=Path(folder))
    report(figures, clients=args.clients, seconds=args.seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
