"""The cost of making a work plan, measured in one run against its floor.

- floor: docxtpl alone renders the template with a ready context and saves it (in memory);
- full:  what `docgen render` does: validate the data, build the context, render, write the file;
- http:  one real HTTP request to the app (waitress on loopback) that generates the plan:
         login session, access check, validation, case number, render, file, database commit.

Prints medians and the ratios to the floor. Usage: python benchmarks/bench.py [--runs N]
"""
from __future__ import annotations

import argparse
import http.cookiejar
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _median_ms(action, runs: int) -> float:
    action()  # warm-up: imports, caches, first template load
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def bench_engine(runs: int, workdir: Path) -> tuple[float, float]:
    import io

    from docxtpl import DocxTemplate

    from docgen.doctypes import get_doctype
    from docgen.render import Letterhead, build_context, make_environment, render, template_path
    from docgen.validate import normalise

    plan = get_doctype("work_plan")
    data = plan.example()
    letterhead = Letterhead(name="Miejski Ośrodek Pomocy Społecznej w Lipowcu Mazurskim",
                            address="ul. Kościuszki 5, 11-440 Lipowiec Mazurski", city="Lipowiec Mazurski",
                            phone="89 123 45 67", email="sekretariat@mops-lipowiec.example")
    context = build_context(plan, normalise(plan, data), letterhead=letterhead, case_number="MOPS.AR.4101.1.2026")
    template = template_path(plan)

    def floor():
        document = DocxTemplate(str(template))
        document.render(context, make_environment(), autoescape=True)
        document.save(io.BytesIO())

    def full():
        content = render(plan, data, letterhead=letterhead, case_number="MOPS.AR.4101.1.2026")
        (workdir / "plan.docx").write_bytes(content)

    return _median_ms(floor, runs), _median_ms(full, runs)


def bench_http(runs: int, workdir: Path) -> float:
    import os

    os.environ["DOCGEN_OUTPUT_DIR"] = str(workdir / "output")
    os.environ["DOCGEN_INSTANCE_DIR"] = str(workdir / "instance")
    from sqlalchemy import select
    from waitress import create_server

    from docgen.doctypes import get_doctype
    from docgen.store.db import make_engine, make_sessionmaker
    from docgen.store.demo import load_demo
    from docgen.store.documents import create_document
    from docgen.store.migrate import upgrade
    from docgen.store.models import Family, User
    from webforms import create_app

    url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    upgrade(url)
    password = "haslo-benchmark-1"
    with make_sessionmaker(make_engine(url))() as session:
        load_demo(session, password=password)
        user = session.scalars(select(User).where(User.username == "asystent1")).one()
        family = session.scalars(select(Family).where(Family.assistant_id == user.id)).first()
        document = create_document(session, family, "work_plan", user)
        document.data = get_doctype("work_plan").example()
        session.commit()
        document_id = document.id

    server = create_server(create_app({"DATABASE_URL": url}), host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    base = f"http://127.0.0.1:{server.effective_port}"
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    cookies = urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    opener = urllib.request.build_opener(cookies)

    def token(path: str) -> str:
        page = opener.open(base + path).read().decode()
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)

    form = {"username": "asystent1", "password": password, "csrf_token": token("/login")}
    opener.open(base + "/login", urllib.parse.urlencode(form).encode())
    body = urllib.parse.urlencode({"csrf_token": token(f"/dokumenty/{document_id}")}).encode()

    opener = urllib.request.build_opener(cookies, NoRedirect())

    def generate():
        try:
            status = opener.open(base + f"/dokumenty/{document_id}/generuj", body).status
        except urllib.error.HTTPError as answer:
            status = answer.code
        if status != 302:  # success redirects to the list of files
            raise RuntimeError(f"generation answered {status}")

    return _median_ms(generate, runs)  # the server thread is a daemon and ends with the script


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        floor, full = bench_engine(args.runs, workdir)
        http_ms = bench_http(args.runs, workdir)
    print(f"work_plan, median of {args.runs} runs")
    print(f"{'path':<44}{'ms':>9}{'× floor':>10}")
    for name, value in (("floor: docxtpl render + save (in memory)", floor),
                        ("full: validate + context + render + write", full),
                        ("http: POST generate through the app", http_ms)):
        print(f"{name:<44}{value:>9.1f}{value / floor:>10.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
