"""A realistic mix of logged-in users against the embedded default and against the scaled layout
(issue 15): requests/s, p50/p95/p99 per kind of request, errors, and the generated versions in the
database against the generate requests answered with success (they must be equal).

Each user logs in with its own cookies and, in a loop with no pause, does one of: the dashboard (30 %),
its family's page (20 %), a wizard step saved as the browser sends it (20 %), "Generuj" (20 %),
the PDF of its newest version (10 %: the review page, then the PDF, made by LibreOffice since the
version is new). The users run as threads in several client processes, so that the client's own
Python is not what limits the figures.

    python benchmarks/scale_bench.py [--users 50] [--seconds 60] [--layouts embedded scaled]
        [--database-url EMPTY_POSTGRESQL_URL] [--web-workers 2] [--queue-workers 2]

embedded: `docgen serve` (waitress, one process, its own LibreOffice, print jobs in a thread) on SQLite.
scaled: redis-server on a free port, `docgen serve --workers N` and M × `docgen worker`
(DOCGEN_REDIS_URL) on PostgreSQL (--database-url, an EMPTY database), the commands of deploy/systemd/.
"""
from __future__ import annotations

import argparse
import html.parser
import multiprocessing
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from http_bench import TOKEN, Client, Server, _free_port, prepare  # noqa: E402

MIX = [("dashboard", 30), ("family", 20), ("step", 20), ("generate", 20), ("pdf", 10)]
PDF_LINK = re.compile(r'/pliki/(\d+)/pdf')
FAMILY_LINK = re.compile(r'href="/rodziny/(\d+)"')


class _Form(html.parser.HTMLParser):
    """The fields of a page's form as the browser would send them."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._select: str | None = None
        self._selected: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("submit", "button", "file") or (kind in ("checkbox", "radio") and "checked" not in a):
                return
            self.fields.append((name, a.get("value") or ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields.append((name, ""))
        elif tag == "select" and name:
            self._select, self._selected = name, None
        elif tag == "option" and self._select and ("selected" in a or self._selected is None):
            self._selected = a.get("value", "")

    def handle_data(self, data):
        if self._textarea:
            name, value = self.fields[-1]
            self.fields[-1] = (name, value + data)

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select:
            self.fields.append((self._select, self._selected or ""))
            self._select = None


class User(Client):
    """http_bench's client with the other requests of the mix."""

    def timed(self, kind: str, method: str, path: str, form=None, ok=(200,)) -> tuple[int, str, str]:
        start = time.perf_counter()
        response, page = self._send(method, path, form, keep_cookie=method == "GET")
        self.results.append((kind, time.perf_counter() - start, response.status in ok))
        return response.status, page, response.getheader("Location") or ""

    def prepare_mix(self, step: str) -> None:
        self.results: list[tuple[str, float, bool]] = []
        self.generated = 0
        self.step = step
        _, page = self._send("GET", "/pulpit")
        found = FAMILY_LINK.search(page)
        self.family = int(found.group(1)) if found else None

    def one(self, kind: str) -> None:
        if kind == "dashboard":
            self.timed(kind, "GET", "/pulpit")
        elif kind == "family":
            self.timed(kind, "GET", f"/rodziny/{self.family}")
        elif kind == "step":
            path = f"/dokumenty/{self.document_id}/krok/{self.step}"
            _, page, _ = self.timed("step page", "GET", path)
            form = _Form()
            form.feed(page)
            fields = [(n, v) for n, v in form.fields if n != "csrf_token"]
            self.timed(kind, "POST", path, [*fields, ("csrf_token", TOKEN.search(page).group(1))], ok=(200, 302, 303))
        elif kind == "generate":
            status, _, location = self.timed(kind, "POST", f"/dokumenty/{self.document_id}/generuj",
                                             {"csrf_token": self.token, "expected_version": str(self.version)},
                                             ok=(302,))
            # to the new version's files, or to the family card's offered changes (the step saves change it)
            if status == 302 and location.endswith(("#pliki", "#karta")):
                self.version += 1
                self.generated += 1
            else:
                self.results[-1] = (kind, self.results[-1][1], False)
                _, page = self._send("GET", f"/dokumenty/{self.document_id}")  # as a person would: look again
                self.version = int(re.search(r'name="expected_version" value="(\d+)"', page).group(1))
        elif kind == "pdf":
            _, page, _ = self.timed("review page", "GET", f"/dokumenty/{self.document_id}")
            newest = max((int(n) for n in PDF_LINK.findall(page)), default=None)
            if newest is not None:
                status, _, _ = self.timed(kind, "GET", f"/pliki/{newest}/pdf")
                if status in (302, 503):  # "the print room is busy, try again": LibreOffice was saturated
                    self.results[-1] = ("pdf busy", self.results[-1][1], True)


def _client_process(port: int, accounts, step: str, seconds: float, seed: int, start_at: float, out) -> None:
    random.seed(seed)
    kinds = [k for k, _ in MIX]
    weights = [w for _, w in MIX]
    users = []
    for username, document_id in accounts:
        user = User(port, username, document_id)
        user.log_in()
        user.prepare_mix(step)
        user.one("generate")  # a first version, so that the PDF has something to convert
        user.results.clear()
        users.append(user)
    stop_at = start_at + seconds

    def run(user: User) -> None:
        while time.time() < start_at:
            time.sleep(0.01)
        while time.time() < stop_at:
            try:
                user.one(random.choices(kinds, weights)[0])
            except Exception as error:  # noqa: BLE001 - counted as an error, the user goes on
                user.results.append(("exception", 0.0, False))
                user.errors.append(repr(error)[:200])
                user.connection.close()
                user.connection = user._connect()

    threads = [threading.Thread(target=run, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out.put(([r for user in users for r in user.results], sum(user.generated for user in users),
             [e for user in users for e in user.errors][:3]))


def measure(port: int, accounts, seconds: float, processes: int) -> dict:
    from docgen.doctypes import get_doctype

    step = get_doctype("work_plan").sections[1].name
    context = multiprocessing.get_context("fork")
    out = context.Queue()
    start_at = time.time() + 10 + len(accounts) * 0.3  # everyone logged in and warmed up first
    shares = [accounts[i::processes] for i in range(processes)]
    workers = [context.Process(target=_client_process, args=(port, share, step, seconds, i, start_at, out))
               for i, share in enumerate(shares) if share]
    for worker in workers:
        worker.start()
    results, generated, errors = [], 0, []
    for _ in workers:
        r, g, e = out.get(timeout=seconds + 600)
        results += r
        generated += g
        errors += e
    for worker in workers:
        worker.join()
    return {"results": results, "generated": generated, "errors": errors, "seconds": seconds}


def _versions(url: str) -> int:
    from sqlalchemy import func, select

    from docgen.store.db import make_engine, make_sessionmaker
    from docgen.store.models import GeneratedFile

    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        count = session.scalar(select(func.count()).select_from(GeneratedFile).where(GeneratedFile.kind == "docx"))
    engine.dispose()
    return count


def _start(command, env, cwd) -> subprocess.Popen:
    return subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def _stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def run_layout(layout: str, args, workdir: Path) -> dict:
    url = args.database_url if layout == "scaled" else f"sqlite:///{workdir / 'embedded.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": url, "DOCGEN_OUTPUT_DIR": str(workdir / layout / "output"),
           "DOCGEN_INSTANCE_DIR": str(workdir / layout / "instance"), "DOCGEN_SECRET_KEY": "benchmark-" + "x" * 40,
           "DOCGEN_LOGIN_LIMIT_PER_ADDRESS": "10000 per minute"}
    os.environ.update({key: env[key] for key in ("DOCGEN_OUTPUT_DIR", "DOCGEN_INSTANCE_DIR")})
    accounts = prepare(url, args.users)
    before = _versions(url)
    extra: list[subprocess.Popen] = []
    try:
        if layout == "scaled":
            redis_port = _free_port()
            extra.append(_start(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                                 "--appendonly", "no"], env, workdir))
            env["DOCGEN_REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
            time.sleep(1)
            for number in range(args.queue_workers):
                extra.append(_start([sys.executable, "-m", "docgen.cli", "worker", "--name", f"bench-{number}"],
                                    env, ROOT))
        server = Server(env, 1 if layout == "embedded" else args.web_workers)
        # the server's log is read as it comes: a full pipe would stop the server at its next warning
        # (waitress warns of its task queue's depth under this load)
        log_lines: list[str] = []
        threading.Thread(target=lambda: log_lines.extend(line.decode(errors="replace") for line in server.process.stderr),
                         daemon=True).start()
        try:
            figures = measure(server.port, accounts, args.seconds, args.processes)
            figures["log"] = [line.strip() for line in log_lines if "WARNING" in line or "ERROR" in line][-3:]
        finally:
            server.stop()
    finally:
        for process in reversed(extra):
            _stop(process)
    figures["versions"] = _versions(url) - before
    return figures


def report(layout: str, figures: dict, args) -> None:
    results, seconds = figures["results"], figures["seconds"]
    ok_generates = sum(1 for kind, _, ok in results if kind == "generate" and ok)
    print(f"\n{layout}: {args.users} users, {seconds:.0f} s: {len(results) / seconds:.1f} requests/s, "
          f"{sum(1 for *_, ok in results if not ok)} errors")
    print(f"{'request':<14}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for kind in sorted({kind for kind, *_ in results}):
        times = sorted(t for k, t, _ in results if k == kind)
        errors = sum(1 for k, _, ok in results if k == kind and not ok)

        def pick(share: float) -> float:
            return times[min(len(times) - 1, int(share * len(times)))] * 1000

        print(f"{kind:<14}{len(times):>7}{pick(0.5):>9.0f}{pick(0.95):>9.0f}{pick(0.99):>9.0f}{errors:>8}")
    print(f"generated versions in the database: {figures['versions']}; generate requests answered with "
          f"success: {figures['generated'] - ok_generates} before the run + {ok_generates} during it = "
          f"{figures['generated']}" + ("" if figures["versions"] == figures["generated"] else "  <-- MISMATCH"))
    if figures.get("log"):
        print(f"    the server's last warnings: {' | '.join(figures['log'])}")
    if figures["errors"]:
        print(f"    errors, e.g.: {'; '.join(figures['errors'])}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--processes", type=int, default=4, help="client processes the users are spread over")
    parser.add_argument("--layouts", nargs="+", default=["embedded", "scaled"], choices=["embedded", "scaled"])
    parser.add_argument("--database-url", help="scaled: an EMPTY PostgreSQL database")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--queue-workers", type=int, default=2)
    args = parser.parse_args()
    if "scaled" in args.layouts and (not args.database_url or not shutil.which("redis-server")):
        parser.error("scaled needs --database-url (an empty PostgreSQL database) and redis-server")
    with tempfile.TemporaryDirectory() as folder:
        for layout in args.layouts:
            report(layout, run_layout(layout, args, Path(folder)), args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
