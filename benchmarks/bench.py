"""The cost of making a work plan, measured in one run against its floor.

- floor: docxtpl alone renders the template with a ready context and saves it (in memory);
- full:  what `docgen render` does: validate the data, build the context, render, write the file;
- http:  one real HTTP request to the app (waitress on loopback) that generates the plan:
         login session, access check, validation, case number, render, file, database commit.
- dashboard: GET /pulpit over HTTP with 10,000 families in the database (with members,
         plans, assessments and drafts), for an assistant and for the head of the office;
         once with the families spread over 10 offices, once all in one office.
- pdf:   cold `soffice --convert-to pdf` against the warm pool; a print job of 100 documents
         into one PDF; the workers' memory over 500 conversions (benchmarks/pdf_bench.py;
         skipped with --no-pdf or where LibreOffice is missing).
- http load: 20 clients with their own logins generating at once against `docgen serve` in its
         own process, under waitress and gunicorn: documents/s, p50/p95, errors, server CPU per
         document (benchmarks/http_bench.py; skipped with --no-http-load).

Prints medians and the ratios to the floor. Usage: python benchmarks/bench.py [--runs N] [--database-url URL]
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
        family = session.scalars(select(Family).where(Family.assistant_id == user.id).order_by(Family.id)).first()
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


def seed_region(url: str, *, families: int, offices: int, password: str) -> None:
    """`families` families over `offices` offices, 15 per assistant, each with 3 members, a generated
    plan, an assessment for two in three, a draft for one in five, a child in foster care for one in
    twenty; assignment dates spread over two years, so every list of the dashboard has entries.
    Bulk inserts skip the models' events, so the assessment deadline is set here as they would."""
    import datetime as dt

    from sqlalchemy import insert

    from docgen.rules import add_months
    from docgen.store.db import make_engine, make_sessionmaker
    from docgen.store.models import Document, Family, Office, Person, User
    from docgen.store.users import hash_password

    start = dt.date(2024, 12, 1)
    hashed = hash_password(password)
    per_office = families // offices
    rows: dict[type, list[dict]] = {Office: [], User: [], Family: [], Person: [], Document: []}
    user_id = family_id = document_id = 0
    for office_id in range(1, offices + 1):
        rows[Office].append(dict(id=office_id, name=f"Ośrodek Pomocy Społecznej nr {office_id}",
                                 address="ul. Testowa 1, 00-001 Miasto", city="Miasto", phone="", email="",
                                 case_prefix=f"OPS{office_id}.AR", jrwa_symbol="4101", caseload_limit=15,
                                 session_timeout_minutes=30, retention_years=10))
        user_id += 1
        rows[User].append(dict(id=user_id, office_id=office_id, username=f"kierownik{office_id}",
                               full_name=f"Kierownik {office_id}", role="kierownik", password_hash=hashed,
                               active=True))
        for index in range(per_office):
            if index % 15 == 0:
                user_id += 1
                rows[User].append(dict(id=user_id, office_id=office_id, username=f"asystent{office_id}_{user_id}",
                                       full_name=f"Asystent {user_id}", role="asystent", password_hash=hashed,
                                       active=True))
            family_id += 1
            assigned = start + dt.timedelta(days=(family_id * 7) % 700)
            assessed = assigned + dt.timedelta(days=150 + family_id % 60) if family_id % 3 else None
            rows[Family].append(dict(id=family_id, office_id=office_id, assistant_id=user_id,
                                     assessment_due=add_months(assessed or assigned, 6),
                                     family_name=f"Rodzina {family_id}", address="ul. Polna 2", social_worker_name="",
                                     assignment_date=assigned, referral_ref="", basis="zgoda", court_name="",
                                     court_case_number="", coordinator_name="", coordinator_unit="",
                                     coordinator_contact="", active=True))
            for position, relation in enumerate(("matka", "ojciec", "dziecko")):
                rows[Person].append(dict(family_id=family_id, position=position, first_name="Jan",
                                         last_name=f"Nowak {family_id}", relation=relation, in_household=True,
                                         took_part=relation != "dziecko",
                                         foster_care=relation == "dziecko" and family_id % 20 == 0))
            documents = [("work_plan", assigned + dt.timedelta(days=20), "final")]
            if assessed:
                documents.append(("periodic_assessment", assessed, "final"))
            if family_id % 5 == 0:
                documents.append(("periodic_assessment", None, "draft"))
            for doc_type, on, status in documents:
                document_id += 1
                rows[Document].append(dict(id=document_id, office_id=office_id, family_id=family_id,
                                           doc_type=doc_type, status=status, data={}, version=1 if on else 0,
                                           case_number=f"OPS{office_id}.AR.4101.{document_id}.2026" if on else None,
                                           document_date=on))
    with make_sessionmaker(make_engine(url))() as session:
        for model in (Office, User, Family, Person, Document):
            for chunk in range(0, len(rows[model]), 5000):
                session.execute(insert(model), rows[model][chunk:chunk + 5000])
        session.commit()


def bench_dashboard(runs: int, workdir: Path, *, offices: int, database_url: str | None) -> dict[str, float]:
    import os

    from sqlalchemy import select
    from waitress import create_server

    from docgen.store.db import make_engine, make_sessionmaker
    from docgen.store.migrate import upgrade
    from docgen.store.models import Family, User
    from webforms import create_app

    os.environ["DOCGEN_INSTANCE_DIR"] = str(workdir / "instance")
    url = database_url or f"sqlite:///{workdir / f'region{offices}.sqlite3'}"
    upgrade(url)
    password = "haslo-benchmark-1"
    seed_region(url, families=10_000, offices=offices, password=password)
    with make_sessionmaker(make_engine(url))() as session:
        assistant = session.scalars(select(User).join(Family, Family.assistant_id == User.id)
                                    .where(User.office_id == 1).limit(1)).one().username
    server = create_server(create_app({"DATABASE_URL": url}), host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    base = f"http://127.0.0.1:{server.effective_port}"
    figures = {}
    for who, username in (("assistant", assistant), ("head", "kierownik1")):
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        page = opener.open(base + "/login").read().decode()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        opener.open(base + "/login", urllib.parse.urlencode(
            {"username": username, "password": password, "csrf_token": token}).encode())

        def get():
            page = opener.open(base + "/pulpit").read().decode()
            if "Oceny okresowe po terminie" not in page:
                raise RuntimeError("the dashboard did not answer")

        figures[who] = _median_ms(get, runs)
        if who == "head":
            figures["head, family list (/rodziny/, 100 a page)"] = _median_ms(
                lambda: opener.open(base + "/rodziny/").read(), runs)
    server.close()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--database-url", help="an EMPTY database for the dashboard's 10,000 families "
                                               "(e.g. PostgreSQL); default: a temporary SQLite file")
    parser.add_argument("--no-pdf", action="store_true", help="skip the LibreOffice figures")
    parser.add_argument("--only-pdf", action="store_true", help="only the LibreOffice figures")
    parser.add_argument("--no-http-load", action="store_true", help="skip the HTTP load (benchmarks/http_bench.py)")
    args = parser.parse_args()
    pdf = None
    if not args.no_pdf:
        from docgen.pdf import libreoffice_available

        if libreoffice_available():
            import pdf_bench

            with tempfile.TemporaryDirectory() as folder:
                pdf = pdf_bench.bench_pdf(args.runs, Path(folder))
            if args.only_pdf:
                pdf_bench.report(pdf, args.runs)
                return 0
        else:
            print("LibreOffice with python3-uno is missing: the PDF figures are skipped.")
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        floor, full = bench_engine(args.runs, workdir)
        http_ms = bench_http(args.runs, workdir)
        spread = bench_dashboard(args.runs, workdir, offices=10, database_url=None)
        single = bench_dashboard(args.runs, workdir, offices=1, database_url=args.database_url)
    print(f"work_plan, median of {args.runs} runs")
    print(f"{'path':<44}{'ms':>9}{'× floor':>10}")
    for name, value in (("floor: docxtpl render + save (in memory)", floor),
                        ("full: validate + context + render + write", full),
                        ("http: POST generate through the app", http_ms)):
        print(f"{name:<44}{value:>9.1f}{value / floor:>10.2f}")
    where = "PostgreSQL" if args.database_url else "SQLite"
    print(f"\nGET /pulpit (and the head's family list) with 10,000 families, median of {args.runs} runs (target: under 100 ms)")
    print(f"{'who':<84}{'ms':>9}")
    for label, figures in (("10 offices x 1,000 families, SQLite", spread),
                           (f"1 office x 10,000 families, {where}", single)):
        for who, value in figures.items():
            print(f"{who + ', ' + label:<84}{value:>9.1f}")
    if pdf is not None:
        import pdf_bench

        pdf_bench.report(pdf, args.runs)
    if not args.no_http_load:
        import http_bench

        with tempfile.TemporaryDirectory() as folder:
            load = http_bench.run(clients=20, seconds=15, workers=[2, 4], database_url=args.database_url,
                                  serial=300, workdir=Path(folder))
        http_bench.report(load, clients=20, seconds=15)
    return 0


if __name__ == "__main__":
    sys.exit(main())
