"""The project's benchmark: every figure of benchmarks/README.md in one run, section by section.

- engine:    rendering the work plan in-process against named baselines, in interleaved runs:
             the template copied as it is (the floor: read the file, write it under the new name),
             python-docx `Document(template).save(out)`, docxtpl with the same environment (kept
             between runs, so it compiles each part once), and docgen: validate + context + render +
             write, for the example (3 actions) and 60 actions; at 1,000 actions (over the type's own
             limit, so not validated) render + write of the same ready context docxtpl gets.
- generate:  the store's `generate()` of a work plan (validation, case number, render, file, row),
             with the built-in template and with an office's own template in use (checked once per
             content, then rendered in a template worker process under limits); and the render alone
             of that template in the app's process against in a worker (the isolation's cost).
- http:      one real HTTP request to the app (waitress on loopback) that generates the plan.
- api:       one generation of the work plan through the JSON API (POST /api/v1/documents/<id>/versions,
             bearer token) against the same through the HTML form (POST /dokumenty/<id>/generuj, session
             cookie and CSRF), on one server (waitress, loopback), in interleaved runs.
- dashboard: GET /pulpit over HTTP with 10,000 families in the database (with members, plans,
             assessments and drafts), for an assistant and for the head of the office; once with the
             families spread over 10 offices, once all in one office.
- pdf:       LibreOffice: `docgen render --pdf` and `docgen pdf` of five plans against one cold
             `soffice --convert-to pdf` of the same files, the warm pool, a print job of 100 work plans
             into one PDF with its cover sheet, the workers' memory over 500 conversions
             (benchmarks/pdf_bench.py; left out where LibreOffice is missing).
- http_load: 20 clients with their own logins generating at once against `docgen serve` in its
             own process, under waitress and gunicorn: documents/s, p50/p95, errors, server CPU per
             document (benchmarks/http_bench.py; --no-http-load leaves it out).

Usage: python benchmarks/bench.py [--runs N] [--only engine,pdf] [--skip dashboard] [--database-url URL]
A section is a function `section_<name>(args, workdir)` listed in SECTIONS: it measures and prints.
"""
from __future__ import annotations

import argparse
import copy
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
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


DEMO_PASSWORD = "haslo-benchmark-1"


def demo_database(workdir: Path, name: str) -> str:
    """A migrated SQLite database with the demo office, the app's files beside it; returns its URL."""
    import os

    from docgen.store.db import make_engine, make_sessionmaker
    from docgen.store.demo import load_demo
    from docgen.store.migrate import upgrade

    os.environ["DOCGEN_OUTPUT_DIR"] = str(workdir / f"{name}-output")
    os.environ["DOCGEN_INSTANCE_DIR"] = str(workdir / f"{name}-instance")
    url = f"sqlite:///{workdir / f'{name}.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        load_demo(session, password=DEMO_PASSWORD)
        session.commit()
    engine.dispose()
    return url


def work_plan_family(session, user):
    """The assistant's first demo family whose plan is the work plan (a family with a child in foster
    care gets the coordinated plan instead)."""
    from sqlalchemy import select

    from docgen.store.documents import creation_refusal
    from docgen.store.models import Family

    return next(family for family in session.scalars(select(Family).where(Family.assistant_id == user.id)
                                                     .order_by(Family.id))
                if creation_refusal(family, "work_plan") is None)


def _median_ms(action, runs: int) -> float:
    action()  # warm-up: imports, caches, first template load
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def _interleaved_ms(actions: dict[str, Callable[[], object]], runs: int,
                    block: int = 5) -> dict[str, tuple[float, float]]:
    """Median (wall ms, CPU ms of this process) of each action. The actions take turns, `block` runs
    of one then of the next, so a busy machine slows them alike while each still runs with its own
    data in the caches; CPU time leaves out the time other programs had the core."""
    for action in actions.values():
        action()  # warm-up
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in actions}
    while any(len(values) < runs for values in samples.values()):
        for name, action in actions.items():
            for _ in range(min(block, runs - len(samples[name]))):
                wall, cpu = time.perf_counter(), time.process_time()
                action()
                samples[name].append(((time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000))
    return {name: (statistics.median(s[0] for s in values), statistics.median(s[1] for s in values))
            for name, values in samples.items()}


LETTERHEAD_ARGS = dict(name="Miejski Ośrodek Pomocy Społecznej w Lipowcu Mazurskim",
                       address="ul. Kościuszki 5, 11-440 Lipowiec Mazurski", city="Lipowiec Mazurski",
                       phone="89 123 45 67", email="sekretariat@mops-lipowiec.example")
CASE_NUMBER = "MOPS.AR.4101.1.2026"


def plan_with_actions(count: int | None) -> dict:
    """The example work plan; with `count`, that many actions (the example's three, repeated)."""
    from docgen.doctypes import get_doctype

    data = copy.deepcopy(get_doctype("work_plan").example())
    if count is not None:
        actions = data["actions"]
        data["actions"] = [dict(actions[number % len(actions)],
                                action=f"{number + 1}. {actions[number % len(actions)]['action']}")
                           for number in range(count)]
    return data


def engine_figures(runs: int, workdir: Path, actions: int | None) -> dict[str, object]:
    from docx import Document
    from docxtpl import DocxTemplate

    from docgen.context import Letterhead, build_context
    from docgen.doctypes import get_doctype
    from docgen.render import render
    from docgen.templates.engine import make_environment, render_context, template_path
    from docgen.validate import normalise

    plan = get_doctype("work_plan")
    data = plan_with_actions(actions)
    letterhead = Letterhead(**LETTERHEAD_ARGS)
    context = build_context(plan, normalise(plan, data), letterhead=letterhead, case_number=CASE_NUMBER)
    template = template_path(plan)
    environment = make_environment()  # one for all runs, as the app keeps its own
    validated = actions is None or actions <= plan.item("actions").max_items

    def copy_template():
        (workdir / "copy.docx").write_bytes(template.read_bytes())

    def python_docx():
        Document(str(template)).save(str(workdir / "python-docx.docx"))

    def docxtpl():
        document = DocxTemplate(str(template))
        document.render(context, environment, autoescape=True)
        document.save(str(workdir / "docxtpl.docx"))

    def docgen():
        if validated:
            content = render(plan, data, letterhead=letterhead, case_number=CASE_NUMBER)
        else:  # over the type's limit: rendered as docxtpl is, from the same ready context
            content = render_context(template, context)
        (workdir / "docgen.docx").write_bytes(content)

    figures = _interleaved_ms({"copy": copy_template, "python-docx": python_docx, "docxtpl": docxtpl,
                               "docgen": docgen}, runs)
    figures["validated"] = validated
    return figures


def section_engine(args: argparse.Namespace, workdir: Path) -> None:
    """The work plan rendered in-process, against its baselines; goals: docgen ≤ 0.5 × python-docx for
    the example, ≤ 0.5 × docxtpl at 60 and at 1,000 actions. Ratios of CPU time."""
    print("\nRendering the work plan in-process, medians of runs taking turns in blocks of 5; ratios of CPU time (goals: docgen "
          "≤ 0.5 × python-docx for the example, ≤ 0.5 × docxtpl at 60 and 1,000 actions)")
    print(f"{'what':<70}{'wall ms':>9}{'CPU ms':>9}{'× copy':>8}{'× p-docx':>10}{'× docxtpl':>11}")
    for actions, runs in ((None, args.runs), (60, args.runs), (1000, max(10, args.runs // 3))):
        figures = engine_figures(runs, workdir, actions)
        label = "the example, 3 actions" if actions is None else f"{actions:,} actions"
        docgen = ("docgen: validate + context + render + write" if figures["validated"]
                  else "docgen: render + write of the same ready context (no validation)")
        rows = (("template copied as it is (the floor)", figures["copy"]),
                ("python-docx: Document(template).save(out)", figures["python-docx"]),
                ("docxtpl, same environment: render + save(out)", figures["docxtpl"]),
                (docgen, figures["docgen"]))
        cpu = {name: value[1] for name, value in figures.items() if name != "validated"}
        print(f"{label}, {runs} runs")
        for name, (wall, used) in rows:
            print(f"  {name:<68}{wall:>9.1f}{used:>9.1f}{used / cpu['copy']:>8.1f}{used / cpu['python-docx']:>10.2f}"
                  f"{used / cpu['docxtpl']:>11.2f}")


def section_generate(args: argparse.Namespace, workdir: Path) -> None:
    """`generate()` of a work plan in the store (SQLite), with the built-in template and with an office's
    own template in use: the office's is checked once per content, then rendered like the built-in."""
    import io

    from docx import Document
    from sqlalchemy import select

    from docgen.doctypes import get_doctype
    from docgen.store import templates as office_templates
    from docgen.store.db import make_engine, make_sessionmaker
    from docgen.store.documents import create_document, generate
    from docgen.store.models import ROLE_ADMIN, User
    from docgen.templates import check_template
    from docgen.templates.engine import template_path

    url = demo_database(workdir, "generate")
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        user = session.scalars(select(User).where(User.username == "asystent1")).one()
        admin = session.scalars(select(User).where(User.role == ROLE_ADMIN)).first()
        family = work_plan_family(session, user)
        document = create_document(session, family, "work_plan", user)
        document.data = get_doctype("work_plan").example()
        session.commit()

        def generate_once():
            generate(session, document, user)
            session.commit()

        built_in = _median_ms(generate_once, args.runs)
        own = Document(str(template_path(get_doctype("work_plan"))))
        own.paragraphs[0].text = "Ośrodek Pomocy Społecznej – nasz nagłówek"
        out = io.BytesIO()
        own.save(out)
        data = out.getvalue()
        check = _median_ms(lambda: check_template(data, get_doctype("work_plan")), max(3, args.runs // 5))
        version = office_templates.upload(session, family.office, "work_plan", data, "plan.docx", admin)
        office_templates.activate(session, family.office.id, "work_plan", version, admin)
        session.commit()
        office = _median_ms(generate_once, args.runs)
        isolation = _isolation_figures(data, args.runs)
    engine.dispose()
    print(f"\ngenerate() of the work plan in the store (SQLite), median of {args.runs} runs")
    print(f"{'what':<72}{'ms':>9}{'× built-in':>12}")
    for name, value in (("generate with the built-in template", built_in),
                        ("generate with the office's template (checked once, rendered in a worker)", office),
                        ("the template check itself (on upload, and once per content after)", check),
                        *isolation.items()):
        print(f"  {name:<70}{value:>9.1f}{value / built_in:>12.2f}")


def _isolation_figures(data: bytes, runs: int) -> dict[str, float]:
    """The office's template rendered in the app's process and in a template worker, in turns."""
    from docgen.context import Letterhead, build_context
    from docgen.doctypes import get_doctype
    from docgen.templates import isolation
    from docgen.templates.engine import render_context
    from docgen.validate import require_valid

    doctype = get_doctype("work_plan")
    context = build_context(doctype, require_valid(doctype, doctype.example()),
                            letterhead=Letterhead(**LETTERHEAD_ARGS), case_number=CASE_NUMBER)
    figures = _interleaved_ms({"here": lambda: render_context(data, context),
                               "worker": lambda: isolation.render(data, context)}, runs)
    return {"  its render alone, in the app's process (as before)": figures["here"][0],
            "  its render alone, in a template worker process (now)": figures["worker"][0]}


def bench_http(runs: int, workdir: Path) -> float:
    from sqlalchemy import select
    from waitress import create_server

    from docgen.doctypes import get_doctype
    from docgen.store.db import make_engine, make_sessionmaker
    from docgen.store.documents import create_document
    from docgen.store.models import User
    from webforms import create_app

    url = demo_database(workdir, "http")
    password = DEMO_PASSWORD
    with make_sessionmaker(make_engine(url))() as session:
        user = session.scalars(select(User).where(User.username == "asystent1")).one()
        family = work_plan_family(session, user)
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
                                     coordinator_contact="", active=True,
                                     search_text=f"rodzina {family_id}\nul. polna 2\n"
                                                 + " ".join([f"jan nowak {family_id}"] * 3) + "\n\n"))
            for position, relation in enumerate(("matka", "ojciec", "dziecko")):
                rows[Person].append(dict(family_id=family_id, position=position, first_name="Jan",
                                         last_name=f"Nowak {family_id}", relation=relation, in_household=True,
                                         took_part=relation != "dziecko",
                                         foster_care=relation == "dziecko" and family_id % 20 == 0))
            documents = [("work_plan", assigned + dt.timedelta(days=20), "final")]
            # the plan's three actions fall in the month after it was made (what the calendar reads)
            plan_deadlines = [{"day": (assigned + dt.timedelta(days=30 + 10 * row)).isoformat(),
                               "text": f"Działanie {row + 1}", "key": f"actions-{row}"} for row in range(3)]
            if assessed:
                documents.append(("periodic_assessment", assessed, "final"))
            if family_id % 5 == 0:
                documents.append(("periodic_assessment", None, "draft"))
            for doc_type, on, status in documents:
                document_id += 1
                rows[Document].append(dict(id=document_id, office_id=office_id, family_id=family_id,
                                           doc_type=doc_type, status=status, data={}, version=1 if on else 0,
                                           case_number=f"OPS{office_id}.AR.4101.{document_id}.2026" if on else None,
                                           document_date=on,
                                           deadlines=plan_deadlines if doc_type == "work_plan" else None))
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
        figures[f"{who}, calendar (/kalendarz/, this month)"] = _median_ms(
            lambda: opener.open(base + "/kalendarz/").read(), runs)
        if who == "head":
            figures["head, family list (/rodziny/, 100 a page)"] = _median_ms(
                lambda: opener.open(base + "/rodziny/").read(), runs)
            figures["head, family list searched (/rodziny/?q=nowak+1234)"] = _median_ms(
                lambda: opener.open(base + "/rodziny/?q=nowak+1234").read(), runs)
    # the server stays up until the benchmark ends, as in the other sections: waitress has no clean
    # stop for a server run in a thread (closing its sockets under the running loop raises EBADF)
    return figures


def section_http(args: argparse.Namespace, workdir: Path) -> None:
    value = bench_http(args.runs, workdir)
    print(f"\nPOST /dokumenty/<id>/generuj through the app (waitress, loopback), median of {args.runs} runs: "
          f"{value:.1f} ms")


def bench_api(runs: int, workdir: Path) -> dict[str, tuple[float, float]]:
    """(wall ms, CPU ms of this process) of one generation through the API and through the HTML form."""
    import json

    from sqlalchemy import select
    from waitress import create_server

    from docgen.doctypes import get_doctype
    from docgen.store import api_tokens
    from docgen.store.db import make_engine, make_sessionmaker
    from docgen.store.documents import create_document
    from docgen.store.models import User
    from webforms import create_app

    url = demo_database(workdir, "api")
    password = DEMO_PASSWORD
    with make_sessionmaker(make_engine(url))() as session:
        user = session.scalars(select(User).where(User.username == "asystent1")).one()
        family = work_plan_family(session, user)
        documents = []
        for _ in range(2):  # one for each way, so both always generate a next version of the same plan
            document = create_document(session, family, "work_plan", user)
            document.data = get_doctype("work_plan").example()
            documents.append(document)
        _, bearer = api_tokens.create(session, user, "benchmark")
        session.commit()
        form_document, api_document = (d.id for d in documents)

    app = create_app({"DATABASE_URL": url, "API_RATE_LIMIT": "1000000 per minute"})
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    base = f"http://127.0.0.1:{server.effective_port}"

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    cookies = urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    opener = urllib.request.build_opener(cookies)

    def csrf(path: str) -> str:
        page = opener.open(base + path).read().decode()
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)

    opener.open(base + "/login", urllib.parse.urlencode(
        {"username": "asystent1", "password": password, "csrf_token": csrf("/login")}).encode())
    body = urllib.parse.urlencode({"csrf_token": csrf(f"/dokumenty/{form_document}")}).encode()
    opener = urllib.request.build_opener(cookies, NoRedirect())

    def through_form():
        try:
            status = opener.open(base + f"/dokumenty/{form_document}/generuj", body).status
        except urllib.error.HTTPError as answer:
            status = answer.code
        if status != 302:
            raise RuntimeError(f"the form's generation answered {status}")

    def through_api():
        request = urllib.request.Request(base + f"/api/v1/documents/{api_document}/versions", method="POST",
                                         headers={"Authorization": f"Bearer {bearer}"})
        with urllib.request.urlopen(request) as answer:
            if answer.status != 201 or "case_number" not in json.loads(answer.read()):
                raise RuntimeError(f"the API's generation answered {answer.status}")

    return _interleaved_ms({"HTML form: POST /dokumenty/<id>/generuj": through_form,
                            "JSON API: POST /api/v1/documents/<id>/versions": through_api}, runs)


def section_api(args: argparse.Namespace, workdir: Path) -> None:
    figures = bench_api(args.runs, workdir)
    print(f"\nOne work plan generated over HTTP (waitress, loopback), median of {args.runs} interleaved runs")
    print(f"{'way':<60}{'wall ms':>10}")
    for name, (wall, _cpu) in figures.items():
        print(f"{name:<60}{wall:>10.1f}")


def section_dashboard(args: argparse.Namespace, workdir: Path) -> None:
    spread = bench_dashboard(args.runs, workdir, offices=10, database_url=None)
    single = bench_dashboard(args.runs, workdir, offices=1, database_url=args.database_url)
    where = "PostgreSQL" if args.database_url else "SQLite"
    print(f"\nGET /pulpit (and the head's family list) with 10,000 families, median of {args.runs} runs "
          "(target: under 100 ms)")
    print(f"{'who':<84}{'ms':>9}")
    for label, figures in (("10 offices x 1,000 families, SQLite", spread),
                           (f"1 office x 10,000 families, {where}", single)):
        for who, value in figures.items():
            print(f"{who + ', ' + label:<84}{value:>9.1f}")


def section_pdf(args: argparse.Namespace, workdir: Path) -> None:
    from docgen.pdf import libreoffice_available

    if not libreoffice_available():
        print("\nLibreOffice with python3-uno is missing: the PDF figures are left out.")
        return
    import pdf_bench

    pdf_bench.report(pdf_bench.bench_pdf(args.runs, workdir), args.runs)


def section_http_load(args: argparse.Namespace, workdir: Path) -> None:
    import http_bench

    load = http_bench.run(clients=20, seconds=15, workers=[2, 4], database_url=args.database_url,
                          serial=300, workdir=workdir)
    http_bench.report(load, clients=20, seconds=15)


SECTIONS: dict[str, Callable[[argparse.Namespace, Path], None]] = {
    "engine": section_engine,
    "generate": section_generate,
    "http": section_http,
    "api": section_api,
    "dashboard": section_dashboard,
    "pdf": section_pdf,
    "http_load": section_http_load,
}


def _names(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in SECTIONS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown section(s) {', '.join(unknown)}; known: {', '.join(SECTIONS)}")
    return names


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--only", type=_names, default=None, metavar="A,B", help="run only these sections")
    parser.add_argument("--skip", type=_names, default=[], metavar="A,B", help="leave these sections out")
    parser.add_argument("--database-url", help="an EMPTY database for the dashboard's 10,000 families "
                                               "(e.g. PostgreSQL); default: a temporary SQLite file")
    parser.add_argument("--no-pdf", action="store_true", help="the same as --skip pdf")
    parser.add_argument("--only-pdf", action="store_true", help="the same as --only pdf")
    parser.add_argument("--no-http-load", action="store_true", help="the same as --skip http_load")
    args = parser.parse_args()
    chosen = args.only or (["pdf"] if args.only_pdf else list(SECTIONS))
    skipped = set(args.skip) | ({"pdf"} if args.no_pdf else set()) | ({"http_load"} if args.no_http_load else set())
    for name in chosen:
        if name in skipped:
            continue
        with tempfile.TemporaryDirectory(prefix=f"docgen-bench-{name}-") as folder:
            SECTIONS[name](args, Path(folder))
    return 0


if __name__ == "__main__":
    sys.exit(main())
