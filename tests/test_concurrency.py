"""Two (or twenty) people acting at the same moment, on SQLite and on PostgreSQL: generating one
document, saving steps of one draft, case numbers, print jobs, office templates. Every race is
started by a barrier, so the requests really overlap; each test says what a user would check
afterwards (versions, files, what was saved, what each person was told)."""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from docgen.doctypes import get_doctype
from docgen.store import cases, printjobs
from docgen.store import templates as office_templates
from docgen.store.db import make_sessionmaker
from docgen.store.demo import load_demo
from docgen.store.documents import create_document, file_path, generate
from docgen.store.models import (ROLE_ADMIN, JOB_FINISHED, JOB_QUEUED, ActiveTemplate, CaseCounter, CaseFile, Document,
                                 Family, GeneratedFile, Office, PrintJob, TemplateVersion, User)
from test_office_templates import changed_template
from test_print_office import needs_libreoffice, pool  # noqa: F401  (a module-wide warm LibreOffice)

PLAN = get_doctype("work_plan")
PEOPLE = 20


def at_once(count: int, action) -> list:
    """action(0..count-1) in `count` threads released together; each one's result or exception."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = action(index)
        except Exception as error:  # noqa: BLE001 - the test looks at every outcome
            results[index] = error

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@pytest.fixture
def world(db_engine, output_dir, instance_dir):
    """The demo office on the database of `db_url`, and a complete work-plan draft of asystent1's first family."""
    sessions = make_sessionmaker(db_engine)
    with sessions() as session:
        load_demo(session, password="haslo-demo-2026")
        user = session.scalars(select(User).where(User.username == "asystent1")).one()
        family = session.scalars(select(Family).where(Family.assistant_id == user.id).order_by(Family.id)).first()
        document = create_document(session, family, "work_plan", user)
        document.data = {**PLAN.example(), "family_name": family.family_name}
        session.commit()
        ids = {"user": user.id, "family": family.id, "document": document.id, "office": user.office_id}
    return {"sessions": sessions, "url": db_engine.url.render_as_string(hide_password=False), **ids}


@pytest.fixture
def web(world):
    """The app on the world's database and a way to get clients logged in as asystent1."""
    from webforms import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": world["url"], "SECRET_KEY": "race-test",
                      "WTF_CSRF_ENABLED": False, "LOGIN_RATE_LIMIT": "100 per minute"})
    first = app.test_client()
    assert first.post("/login", data={"username": "asystent1", "password": "haslo-demo-2026"}).status_code == 302
    cookie = first.get_cookie("session").value

    def client():
        fresh = app.test_client()
        fresh.set_cookie("session", cookie)
        return fresh

    yield client
    app.extensions["docgen_sessionmaker"].kw["bind"].dispose()


def _flash(page: str) -> str:
    return " ".join(re.findall(r'class="flash flash-\w+" role="(?:status|alert)">([^<]*)<', page))


# --- generating one document ---------------------------------------------------------------

def test_twenty_simultaneous_generations_give_twenty_distinct_versions(world):
    sessions = world["sessions"]
    with sessions() as session:
        spent_before = session.scalar(select(func.coalesce(func.sum(CaseCounter.last_number), 0)))

    def generate_once(_index):
        with sessions() as session:
            record = generate(session, session.get(Document, world["document"]), session.get(User, world["user"]))
            session.commit()
            return record.version

    results = at_once(PEOPLE, generate_once)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(results) == list(range(1, PEOPLE + 1))
    with sessions() as session:
        document = session.get(Document, world["document"])
        files = session.scalars(select(GeneratedFile).where(GeneratedFile.document_id == document.id)
                                .order_by(GeneratedFile.version)).all()
        assert document.version == PEOPLE and len({f.storage_path for f in files}) == PEOPLE
        # every file on disk is the one its row describes
        for record in files:
            content = file_path(record).read_bytes()
            assert hashlib.sha256(content).hexdigest() == record.sha256
        # a single case number was spent, shared by every version
        assert session.scalar(select(func.sum(CaseCounter.last_number))) == spent_before + 1


def test_twenty_clicks_on_one_page_make_one_version_and_tell_the_others(world, web):
    """Twenty requests of one "Generuj" page (same expected version) at once: one new version; the
    others are told in Polish that it was just made, never a server error."""
    clients = [web() for _ in range(PEOPLE)]
    url = f"/dokumenty/{world['document']}/generuj"

    def click(index):
        return clients[index].post(url, data={"expected_version": "0"})

    responses = at_once(PEOPLE, click)
    assert [getattr(r, "status_code", r) for r in responses] == [302] * PEOPLE
    told = Counter()
    for client in clients:
        message = _flash(client.get(f"/dokumenty/{world['document']}").text)
        told["made" if message.startswith("Wygenerowano dokument") else
             "already" if "Wersja 1 tego dokumentu powstała przed chwilą" in message else message] += 1
    assert told == Counter({"made": 1, "already": PEOPLE - 1})
    with world["sessions"]() as session:
        assert session.scalars(select(GeneratedFile.version)
                               .where(GeneratedFile.document_id == world["document"])).all() == [1]


def _generate_in_new_session(sessions, world):
    with sessions() as session:
        record = generate(session, session.get(Document, world["document"]), session.get(User, world["user"]))
        session.commit()
        return record.version, record.document.case_number


def test_a_version_holds_the_data_saved_before_it_was_numbered(world):
    """Generation renders before it takes the lock; a save that lands in between is not lost: the
    version is rendered again from what was saved."""
    import docx

    sessions = world["sessions"]
    _generate_in_new_session(sessions, world)  # numbered: later generations render before the lock
    with sessions() as first, sessions() as second:
        document = first.get(Document, world["document"])
        assert document.data["strengths"] != "Nowe: sąsiadka pomaga przy lekcjach."
        other = second.get(Document, world["document"])
        other.data = {**other.data, "strengths": "Nowe: sąsiadka pomaga przy lekcjach."}
        second.commit()
        record = generate(first, document, first.get(User, world["user"]))
        first.commit()
        text = "\n".join(p.text for p in docx.Document(str(file_path(record))).paragraphs)
    assert "Nowe: sąsiadka pomaga przy lekcjach." in text and record.version == 2


def test_a_file_left_by_a_generation_that_never_committed_is_replaced(world):
    """A version's file written but its transaction lost (the process died): the next generation
    takes that version number again and its file, instead of failing for ever."""
    sessions = world["sessions"]
    with sessions() as session:
        record = generate(session, session.get(Document, world["document"]), session.get(User, world["user"]))
        leftover = file_path(record)
        session.rollback()
    assert leftover.is_file()
    leftover.write_bytes(b"half a file")
    version, _number = _generate_in_new_session(sessions, world)
    assert version == 1 and leftover.read_bytes()[:2] == b"PK"


def test_a_document_held_too_long_by_someone_else_is_answered_in_polish(world, monkeypatch):
    """When the row stays locked past the wait limit, "Generuj" says so; no error page, no version."""
    from docgen.store import locking
    from webforms import create_app

    monkeypatch.setattr(locking, "LOCK_WAIT_SECONDS", 0.3)
    app = create_app({"TESTING": True, "DATABASE_URL": world["url"], "SECRET_KEY": "race-test",
                      "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    assert client.post("/login", data={"username": "asystent1", "password": "haslo-demo-2026"}).status_code == 302
    with world["sessions"]() as holder:
        locking.lock(holder, select(Document.id).where(Document.id == world["document"])).all()
        response = client.post(f"/dokumenty/{world['document']}/generuj", data={"expected_version": "0"})
        holder.rollback()
    assert response.status_code == 302
    assert "Te same dane zapisuje właśnie ktoś inny" in _flash(client.get(response.location).text)
    with world["sessions"]() as session:
        assert session.get(Document, world["document"]).version == 0
    app.extensions["docgen_sessionmaker"].kw["bind"].dispose()


# --- saving steps of one draft ----------------------------------------------------------

def _revision(client, document_id, step):
    page = client.get(f"/dokumenty/{document_id}/krok/{step}").text
    return re.search(r'name="step_revision" value="([0-9a-f]+)"', page).group(1)


def test_two_people_saving_different_steps_at_once_both_keep_their_work(world, web):
    document_id = world["document"]
    anna, piotr = web(), web()
    for round_ in range(20):
        strengths = f"Runda {round_}: babcia pomaga przy dzieciach."
        goal = f"Runda {round_}: rodzina utrzymuje mieszkanie."
        sends = [(anna, "strengths", {"strengths": strengths}), (piotr, "main_goal", {"main_goal": goal})]
        revisions = [_revision(client, document_id, step) for client, step, _ in sends]

        def save(index):
            client, step, fields = sends[index]
            return client.post(f"/dokumenty/{document_id}/krok/{step}",
                               data={**fields, "step_revision": revisions[index], "action": "save"})

        responses = at_once(2, save)
        assert [r.status_code for r in responses] == [302, 302], round_
        with world["sessions"]() as session:
            data = session.get(Document, document_id).data
        assert (data["strengths"], data["main_goal"]) == (strengths, goal), f"round {round_}"


def test_the_later_of_two_saves_of_one_step_is_refused_with_what_was_typed(world, web):
    document_id = world["document"]
    anna, piotr = web(), web()
    revision = _revision(anna, document_id, "strengths")
    texts = ["Anna: dziadek odwiedza rodzinę & pomaga.", "Piotr: ciocia <Ola> wspiera mamę."]

    def save(index):
        return (anna, piotr)[index].post(f"/dokumenty/{document_id}/krok/strengths",
                                         data={"strengths": texts[index], "step_revision": revision, "action": "next"})

    responses = at_once(2, save)
    assert sorted(r.status_code for r in responses) == [302, 409]
    saved, refused = sorted(range(2), key=lambda i: responses[i].status_code)
    page = responses[refused].text
    assert "Ktoś inny zapisał ten krok" in page and "Twoje zmiany nie zostały jeszcze zapisane" in page
    assert texts[refused].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in page
    with world["sessions"]() as session:
        assert session.get(Document, document_id).data["strengths"] == texts[saved]
    # sent again from the refusal page (which carries the revision it showed), it is saved
    again = re.search(r'name="step_revision" value="([0-9a-f]+)"', page).group(1)
    client = (anna, piotr)[refused]
    response = client.post(f"/dokumenty/{document_id}/krok/strengths",
                           data={"strengths": texts[refused], "step_revision": again, "action": "next"})
    assert response.status_code == 302
    with world["sessions"]() as session:
        assert session.get(Document, document_id).data["strengths"] == texts[refused]


# --- case numbers -----------------------------------------------------------------------

def test_twenty_simultaneous_case_numbers_are_distinct_and_consecutive(world):
    """Starting a new year of a JRWA class: the counter's row is created by whichever comes first,
    and each of twenty cases opened at once gets its own number, none skipped."""
    sessions = world["sessions"]

    def open_one(_index):
        with sessions() as session:
            office = session.get(Office, world["office"])
            case = cases.open_case(session, office, office.jrwa_symbol, dt.date(2031, 1, 2), opened_by="work_plan")
            session.commit()
            return case.reference

    results = at_once(PEOPLE, open_one)
    assert sorted(results, key=lambda n: int(n.split(".")[-2])) == [f"MOPS.AR.4101.{n}.2031"
                                                                    for n in range(1, PEOPLE + 1)], results
    with sessions() as session:
        assert session.scalars(select(CaseCounter.last_number).where(
            CaseCounter.office_id == world["office"], CaseCounter.year == 2031)).all() == [PEOPLE]


def test_twenty_people_opening_one_familys_case_at_once_open_one(world):
    """Twenty first documents of one family at the same moment: one case, one znak for all, one number spent."""
    sessions = world["sessions"]
    with sessions() as session:
        spent_before = session.scalar(select(func.coalesce(func.sum(CaseCounter.last_number), 0)))

    def family_case(_index):
        with sessions() as session:
            case = cases.family_case(session, session.get(Family, world["family"]), dt.date(2031, 1, 2),
                                     opened_by="visit_record")
            session.commit()
            return case.reference

    results = at_once(PEOPLE, family_case)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len(set(results)) == 1, results
    with sessions() as session:
        assert session.scalars(select(CaseFile.reference).where(CaseFile.family_id == world["family"])).all() \
            == results[:1]
        assert session.scalar(select(func.sum(CaseCounter.last_number))) == spent_before + 1


# --- print jobs -------------------------------------------------------------------------

def _printable(world):
    with world["sessions"]() as session:
        user = session.get(User, world["user"])
        generate(session, session.get(Document, world["document"]), user)
        session.commit()
        families = select(Family).where(Family.assistant_id == user.id)
        return printjobs.printable_documents(session, families)


def test_a_print_job_is_claimed_by_one_runner_only(world):
    chosen = _printable(world)
    with world["sessions"]() as session:
        job_id = printjobs.create_job(session, session.get(User, world["user"]), chosen, title="Wydruk").id
        session.commit()

    def claim(_index):
        with world["sessions"]() as session:
            claimed = printjobs.claim(session, job_id)
            session.commit()
            return claimed

    results = at_once(PEOPLE, claim)
    assert results.count(True) == 1 and results.count(False) == PEOPLE - 1, results


@needs_libreoffice
def test_a_runner_started_twice_prints_the_job_once(world, pool):
    """Two runners handed one job (two app processes): one prints it, the other leaves it alone."""
    chosen = _printable(world)
    with world["sessions"]() as session:
        job_id = printjobs.create_job(session, session.get(User, world["user"]), chosen, title="Wydruk").id
        session.commit()
    progress: list[int] = []

    def run(index):
        printjobs.run_print_job(job_id, world["sessions"], pool, on_progress=lambda done: progress.append(index))

    results = at_once(4, run)
    assert results == [None] * 4
    assert len(set(progress)) == 1 and len(progress) == len(chosen)
    with world["sessions"]() as session:
        assert session.get(PrintJob, job_id).status == JOB_FINISHED


def test_twenty_print_jobs_created_at_once_are_all_kept(world):
    chosen = _printable(world)
    with world["sessions"]() as session:
        user = session.get(User, world["user"])
        old = printjobs.create_job(session, user, chosen, title="Stary wydruk")
        old.status, old.created_at = JOB_FINISHED, printjobs.now() - dt.timedelta(days=30)
        session.commit()

    def create(index):
        with world["sessions"]() as session:
            job = printjobs.create_job(session, session.get(User, world["user"]), chosen, title=f"Wydruk {index}")
            session.commit()
            return job.id

    results = at_once(PEOPLE, create)
    assert not [r for r in results if isinstance(r, Exception)], results
    with world["sessions"]() as session:
        jobs = session.execute(select(PrintJob.id, PrintJob.title, PrintJob.status)).all()
    # the old stack went; every new one stayed (SQLite may give the old one's id to a new job)
    assert sorted(job.id for job in jobs) == sorted(results)
    assert sorted(job.title for job in jobs) == sorted(f"Wydruk {index}" for index in range(PEOPLE))
    assert {job.status for job in jobs} == {JOB_QUEUED}


# --- office templates -------------------------------------------------------------------

def test_two_admins_activating_at_once_leave_one_version_in_use(world):
    sessions = world["sessions"]
    with sessions() as session:
        office = session.get(Office, world["office"])
        admin = session.scalars(select(User).where(User.office_id == office.id, User.role == ROLE_ADMIN)).first()
        versions = [office_templates.upload(session, office, "work_plan", changed_template(header=f"Wzór {n}"),
                                            f"wzor{n}.docx", admin).id for n in (1, 2)]
        session.commit()
        admin_id = admin.id

    def activate(index):
        with sessions() as session:
            version = session.get(TemplateVersion, versions[index % 2])
            office_templates.activate(session, world["office"], "work_plan", version, session.get(User, admin_id))
            session.commit()

    results = at_once(PEOPLE, activate)
    assert results == [None] * PEOPLE
    with sessions() as session:
        rows = session.scalars(select(ActiveTemplate).where(ActiveTemplate.office_id == world["office"])).all()
        assert len(rows) == 1 and rows[0].version_id in versions


def test_simultaneous_uploads_get_consecutive_version_numbers(world, monkeypatch):
    from docgen.templates import isolation
    from docgen.templates.check import check_template_here
    from docgen.templates.engine import render_context

    # the race is over version numbers: the uploads check their templates in this process, since the
    # template workers take one upload's check at a time and tell the others to try again
    # (tests/test_template_limits.py)
    monkeypatch.setattr(isolation, "check", check_template_here)
    monkeypatch.setattr(isolation, "render", render_context)
    sessions = world["sessions"]
    with sessions() as session:
        admin_id = session.scalars(select(User.id).where(User.office_id == world["office"],
                                                         User.role == ROLE_ADMIN)).first()
    templates = [changed_template(header=f"Wzór ośrodka {n}") for n in range(4)]

    def upload(index):
        with sessions() as session:
            version = office_templates.upload(session, session.get(Office, world["office"]), "work_plan",
                                              templates[index], f"wzor{index}.docx", session.get(User, admin_id))
            session.commit()
            return version.number

    results = at_once(len(templates), upload)
    assert sorted(results) == [1, 2, 3, 4], results
    with sessions() as session:
        assert session.scalar(select(func.count(TemplateVersion.id))) == 4


# --- the schema's backstop ----------------------------------------------------------------

def test_one_version_of_a_document_is_one_file_and_old_duplicates_are_renumbered(world, db_url):
    """Before generation locked the document, two requests could both write "version 1". The
    migration adding unique (document, version) renumbers such pairs in the order they were made."""
    from alembic.script import ScriptDirectory
    from sqlalchemy import text, update
    from sqlalchemy.exc import IntegrityError

    from docgen.store import migrate

    sessions = world["sessions"]
    first, second = (_generate_in_new_session(sessions, world)[0] for _ in range(2))
    assert (first, second) == (1, 2)
    before = ScriptDirectory(str(migrate.MIGRATIONS_DIR)).get_revision("0013").down_revision
    sessions.kw["bind"].dispose()
    migrate.downgrade(db_url, before)
    with sessions() as session:  # what the race used to leave: two files of version 1
        session.execute(text("UPDATE generated_file SET version = 1"))
        session.execute(text("UPDATE document SET version = 1 WHERE id = :id"), {"id": world["document"]})
        session.commit()
    sessions.kw["bind"].dispose()
    migrate.upgrade(db_url)
    with sessions() as session:
        rows = session.execute(select(GeneratedFile.id, GeneratedFile.version)
                               .where(GeneratedFile.document_id == world["document"]).order_by(GeneratedFile.id)).all()
        assert [row.version for row in rows] == [1, 2]
        assert session.get(Document, world["document"]).version == 2
        with pytest.raises(IntegrityError):
            session.execute(update(GeneratedFile).where(GeneratedFile.id == rows[1].id).values(version=1))
