"""The JSON API (/api/v1) as another system of the office uses it: bearer tokens only, the app's own
ownership checks, problem+json errors, ETag drafts. Every answer is checked against the API's own
OpenAPI document (jsonschema on the matched operation's response schema)."""
from __future__ import annotations

import datetime as dt
import io
import re
import time
import zipfile

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import select

from docgen.doctypes import get_doctype
from docgen.store import api_tokens
from docgen.store.demo import pesel_for
from docgen.store.models import ApiToken, AuditEntry, Family, Office, Person, User
from docgen.store.users import create_user

HOSTILE = 'Ala & <b>Ola</b> {{ x }} {% if %} „cudzysłów” "quote" \'apos\'\nnowa linia 😀'


@pytest.fixture
def api(db_url, output_dir, instance_dir):
    """The app on a migrated database of `db_url` with the demo office, another office, and tokens."""
    from docgen.store.db import make_engine, make_sessionmaker
    from docgen.store.demo import load_demo
    from docgen.store.migrate import upgrade
    from webforms import create_app
    from webforms.jobs import close_print_runner
    from webforms.pdf import close_pdf_pool

    upgrade(db_url)
    engine = make_engine(db_url)
    with make_sessionmaker(engine)() as session:
        load_demo(session, password="haslo-demo-2026")
        office_b = Office(name="Gminny Ośrodek Pomocy Społecznej w Brzozówce", address="ul. Długa 1, 22-100 Brzozówka",
                          city="Brzozówka", case_prefix="GOPS.AR")
        session.add(office_b)
        session.flush()
        assistant_b = create_user(session, office_b, "asystent_b", "Adam Czapla", "asystent", "inne-haslo-2026-b")
        family_b = Family(office_id=office_b.id, assistant_id=assistant_b.id, family_name="Jarzębinowscy",
                          address="ul. Krzywa 9, 22-100 Brzozówka")
        family_b.members = [Person(first_name="Celina", last_name="Jarzębinowska", birth_date=dt.date(1985, 7, 24),
                                   relation="matka", position=0)]
        session.add(family_b)
        tokens = {}
        for username in ("asystent1", "asystent2", "kierownik", "admin"):
            user = session.scalars(select(User).where(User.username == username)).one()
            tokens[username] = api_tokens.create(session, user, f"system {username}")[1]
        tokens["asystent_b"] = api_tokens.create(session, assistant_b, "system B")[1]
        session.commit()
        family_b_id = family_b.id
    app = create_app({"TESTING": True, "DATABASE_URL": db_url, "SECRET_KEY": "api-test"})
    yield {"app": app, "tokens": tokens, "family_b": family_b_id, "sessions": make_sessionmaker(engine)}
    close_print_runner(app)
    close_pdf_pool(app)
    engine.dispose()


# --- every answer against the OpenAPI document ------------------------------------------------

def _spec(app):
    return app.test_client().get("/api/v1/openapi.json").get_json()


def _operation(spec, path: str, method: str):
    for template, methods in spec["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", r"[^/]+", template) + "$"
        if re.match(pattern, path):
            return methods.get(method.lower(), "undocumented method")
    return None


def check_against_openapi(spec, method: str, path: str, response) -> None:
    """The answer's status, media type and body are what the OpenAPI document says they are."""
    operation = _operation(spec, path.split("?")[0], method)
    if operation is None:  # no route at all: the app's 404, as problem+json
        assert response.status_code == 404 and response.mimetype == "application/problem+json"
        return
    if operation == "undocumented method":  # a method the path does not take: 405, as problem+json
        assert response.status_code == 405 and response.mimetype == "application/problem+json"
        return
    answers = operation["responses"]
    assert str(response.status_code) in answers, f"{method} {path}: {response.status_code} is not documented"
    content = answers[str(response.status_code)]["content"]
    assert response.mimetype in content, f"{method} {path}: {response.mimetype} not in {list(content)}"
    schema = content[response.mimetype]["schema"]
    if "json" in response.mimetype:
        validator = Draft202012Validator({**schema, "components": spec["components"]})
        errors = sorted(validator.iter_errors(response.get_json()), key=str)
        assert not errors, f"{method} {path}: {errors[0].message} at {list(errors[0].absolute_path)}"


class Caller:
    """A client of the API with a token; every answer is checked against the OpenAPI document."""

    def __init__(self, app, token: str | None, spec):
        self.client, self.token, self.spec = app.test_client(), token, spec

    def __call__(self, method: str, path: str, json=None, headers=None, **kwargs):
        headers = dict(headers or {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        response = self.client.open(path, method=method, json=json, headers=headers, **kwargs)
        check_against_openapi(self.spec, method, path, response)
        return response


@pytest.fixture
def call(api):
    spec = _spec(api["app"])
    return lambda username=None, token=None: Caller(api["app"], token or api["tokens"].get(username), spec)


def _family_data(**overrides):
    born = dt.date(1988, 3, 14)
    return {"family_name": "Zielińscy", "address": "ul. Lipowa 3, 22-400 Zamość",
            "members": [{"first_name": "Marta", "last_name": "Zielińska", "sex": "K", "birth_date": born.isoformat(),
                         "pesel": pesel_for(born, 123, True), "relation": "matka"}], **overrides}


# --- a whole case through the API alone --------------------------------------------------------

def test_a_whole_case_through_the_api(api, call):
    me = call("asystent1")
    # a family: a wrong PESEL is refused with the form's message, naming the field
    data = _family_data()
    wrong = {**data, "members": [{**data["members"][0], "pesel": "88031412345"}]}
    refused = me("POST", "/api/v1/families", json={"data": wrong})
    assert refused.status_code == 422
    assert any(p["path"].startswith("members[0].pesel") for p in refused.get_json()["problems"])
    created = me("POST", "/api/v1/families", json={"data": data})
    assert created.status_code == 201, created.get_json()
    family = created.get_json()
    assert family["data"]["members"][0]["pesel"] == data["members"][0]["pesel"]  # the record itself holds it
    # the list finds it, without PESEL numbers
    listing = me("GET", "/api/v1/families?q=zielinsc")
    assert [row["id"] for row in listing.get_json()["items"]] == [family["id"]]
    assert data["members"][0]["pesel"] not in listing.get_data(as_text=True)
    # a work plan draft with part of its data: the problems name their fields, in Polish
    plan = get_doctype("work_plan").example()
    draft = me("POST", f"/api/v1/families/{family['id']}/documents",
               json={"doc_type": "work_plan", "data": {"strengths": HOSTILE}})
    assert draft.status_code == 201, draft.get_json()
    document = draft.get_json()
    problems = me("GET", f"/api/v1/documents/{document['id']}/problems").get_json()
    assert not problems["ready"]
    assert any(p["severity"] == "blocker" and p["path"] == "actions" for p in problems["problems"]) or \
        any(p["severity"] == "blocker" for p in problems["problems"])
    refused = me("POST", f"/api/v1/documents/{document['id']}/versions")
    assert refused.status_code == 422 and refused.get_json()["problems"]
    # fixed with the type's example (the family's own fields stay), the hostile text kept
    fix = {key: value for key, value in plan.items() if key not in document["data"] or not document["data"][key]}
    fix["strengths"] = HOSTILE
    fix["members"] = [{**row, "took_part": True} for row in document["data"]["members"]]
    etag = me("GET", f"/api/v1/documents/{document['id']}").headers["ETag"]
    patched = me("PATCH", f"/api/v1/documents/{document['id']}", json={"data": fix}, headers={"If-Match": etag})
    assert patched.status_code == 200, patched.get_json()
    report = me("GET", f"/api/v1/documents/{document['id']}/problems").get_json()
    assert not [p for p in report["problems"] if p["severity"] == "blocker"], report
    warnings = [p["key"] for p in report["problems"] if p["severity"] == "warning" and not p["confirmed"]]
    if warnings:
        assert me("POST", f"/api/v1/documents/{document['id']}/warnings", json={"confirm": warnings}).status_code == 200
    generated = me("POST", f"/api/v1/documents/{document['id']}/versions")
    assert generated.status_code == 201, generated.get_json()
    version = generated.get_json()
    assert version["version"] == 1 and version["case_number"].startswith("MOPS.AR.")
    assert [v["id"] for v in me("GET", f"/api/v1/documents/{document['id']}/versions").get_json()["items"]] == \
        [version["id"]]
    docx = me("GET", version["docx_url"])
    assert docx.status_code == 200
    with zipfile.ZipFile(io.BytesIO(docx.data)) as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
    text = re.sub(r"<w:br/>", "\n", xml)
    text = re.sub(r"<[^>]+>", "", text).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">") \
        .replace("&quot;", '"').replace("&apos;", "'")
    for line in HOSTILE.split("\n"):
        assert line in text, f"{line!r} not verbatim in the .docx"
    pdf = me("GET", version["pdf_url"])  # real LibreOffice, the app's pool
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    # a print job of that version, followed to its PDF
    job = me("POST", "/api/v1/print-jobs", json={"file_ids": [version["id"]], "title": "Plan – API"})
    assert job.status_code == 202, job.get_json()
    state = job.get_json()
    deadline = time.monotonic() + 120
    while state["status"] not in ("finished", "failed") and time.monotonic() < deadline:
        time.sleep(0.2)  # the job runs in the app's background runner
        state = me("GET", f"/api/v1/print-jobs/{state['id']}").get_json()
    assert state["status"] == "finished", state
    printed = me("GET", state["pdf_url"])
    assert printed.status_code == 200 and printed.data.startswith(b"%PDF")
    # the work ends; every write is in the audit trail under the token's user
    ended = me("POST", f"/api/v1/families/{family['id']}/end", json={"closed_on": dt.date.today().isoformat()})
    assert ended.status_code == 200 and ended.get_json()["active"] is False
    with api["sessions"]() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.family_id == family["id"])).all()
        token = session.scalars(select(ApiToken).where(ApiToken.name == "system asystent1")).one()
        assert token.last_used_at is not None
    assert {(e.action, e.object_type) for e in entries} >= {
        ("create", "family"), ("create", "document"), ("update", "document"), ("view", "document"),
        ("generate", "document"), ("download", "file"), ("export", "print_job"), ("close", "family")}
    assert {e.username for e in entries} == {"asystent1"}
    assert ("view", "api.document") in {(e.action, e.detail) for e in entries}
    assert data["members"][0]["pesel"] not in " ".join(e.detail for e in entries)


# --- ownership: every endpoint's IDOR and role twin -----------------------------------------------

def _world_ids(api, call):
    """A family of asystent1 with a generated plan and a print job, through the API."""
    me = call("asystent1")
    family = me("POST", "/api/v1/families", json={"data": _family_data()}).get_json()
    document = me("POST", f"/api/v1/families/{family['id']}/documents",
                  json={"doc_type": "work_plan", "data": get_doctype("work_plan").example()}).get_json()
    return {"family_id": family["id"], "document_id": document["id"], "doc_type": "work_plan"}


def test_nobody_else_reaches_anything_of_a_family_through_the_api(api, call):
    app = api["app"]
    ids = _world_ids(api, call)
    with api["sessions"]() as session:
        from docgen.store.documents import generate
        from docgen.store.models import Document, PrintJob, JOB_FINISHED
        document = session.get(Document, ids["document_id"])
        user = session.scalars(select(User).where(User.username == "asystent1")).one()
        record = generate(session, document, user)
        job = PrintJob(office_id=user.office_id, created_by_id=user.id, title="Wydruk", file_ids=[record.id],
                       status=JOB_FINISHED)
        session.add(job)
        session.commit()
        from docgen.store.institutions import create as create_institution
        institution = create_institution(session, user.office_id, {"name": "Klub Sportowy w Lipowcu", "kind": "ngo",
                                                                   "address": "ul. Sportowa 1"})
        session.commit()
        ids.update(file_id=record.id, job_id=job.id, institution_id=institution.id)
    rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")]
    with_ids = [rule for rule in rules if any(a.endswith("_id") for a in rule.arguments)]
    assert len(with_ids) >= 12
    for username in ("asystent2", "asystent_b", "admin"):
        other = call(username)
        for rule in with_ids:
            if "institution_id" in rule.arguments and username != "asystent_b":
                continue  # the directory of institutions is the whole office's; only another office is out
            url = rule.build({a: ids[a] for a in rule.arguments}, append_unknown=False)[1]
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                response = other(method, url, json={})
                assert response.status_code == 404, f"{username} {method} {url}: {response.status_code}"
    # the head of the office sees it; the owner too
    assert call("kierownik")("GET", f"/api/v1/families/{ids['family_id']}").status_code == 200
    # another office's family is not in anyone's list here
    assert str(api["family_b"]) not in [str(r["id"]) for r in
                                        call("kierownik")("GET", "/api/v1/families").get_json()["items"]]


def test_cookies_never_open_the_api_and_revoked_tokens_stop_at_once(api, call):
    app = api["app"]
    browser = _browser(app, "asystent1")
    answer = browser.get("/api/v1/families")
    assert answer.status_code == 401 and answer.mimetype == "application/problem+json"
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert "token" in answer.get_json()["detail"]
    me = call("asystent1")
    assert me("GET", "/api/v1/families").status_code == 200
    with api["sessions"]() as session:
        record = session.scalars(select(ApiToken).where(ApiToken.name == "system asystent1")).one()
        assert record.token_hash == api_tokens.token_hash(api["tokens"]["asystent1"])
        assert api["tokens"]["asystent1"] not in {record.token_hash, record.token_start}
        api_tokens.revoke(session, record, record.user)
        session.commit()
    assert me("GET", "/api/v1/families").status_code == 401
    assert call(token="dar_" + "x" * 43)("GET", "/api/v1/types").status_code == 401
    assert call()("GET", "/api/v1/openapi.json").status_code == 200  # the description holds no data


def _browser(app, username):
    """A logged-in browser (the login form has its CSRF token like every form)."""
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    assert client.post("/login", data={"username": username, "password": "haslo-demo-2026",
                                       "csrf_token": csrf}).status_code == 302
    return client


# --- malformed, oversized, hostile --------------------------------------------------------------

@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_bad_requests_get_polish_problem_documents(api, call):
    me = call("asystent1")
    family = me("POST", "/api/v1/families", json={"data": _family_data()}).get_json()
    url = f"/api/v1/families/{family['id']}/documents"
    cases = [
        (me("POST", url, data="doc_type=work_plan", content_type="application/x-www-form-urlencoded"), 415),
        (me("POST", url, data='{"doc_type": "work_plan",', content_type="application/json"), 400),
        (me("POST", url, data="[1, 2]", content_type="application/json"), 400),
        (me("POST", url, data=b"\xff\xfe", content_type="application/json"), 400),
        (me("POST", url, data='{"doc_type": NaN}', content_type="application/json"), 400),
        (me("POST", url, json={"doc_type": "nie_ma"}), 422),
        (me("POST", url, json={"doc_type": "work_plan", "data": "tekst"}), 422),
        (me("POST", url, data="x" * (3 * 1024 * 1024), content_type="application/json"), 413),
        (me("POST", url, json={"doc_type": "work_plan", "data": {"strengths": "ą" * 9000}}), 413),
        (me("DELETE", f"/api/v1/families/{family['id']}"), 405),
        (me("GET", "/api/v1/nie-ma-takiego"), 404),
        (me("POST", "/api/v1/families", json={"data": {"members": "x"}}), 422),
        (me("POST", "/api/v1/families", json={"data": _family_data(family_name=["lista"])}), 422),
    ]
    for response, status in cases:
        assert response.status_code == status, (status, response.get_data(as_text=True)[:300])
        body = response.get_json()
        assert response.mimetype == "application/problem+json" and body["status"] == status
        assert re.search(r"[ąćęłńóśźżĄĆĘŁŃÓŚŹŻ]|\b(nie|Nie|jest|Podaj|Treść|Za|Dane)\b", body["detail"]), body
    oversized = cases[8][0].get_json()
    assert any(p["path"] == "strengths" for p in oversized["problems"])


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_limiter_answers_429_with_retry_after(api, call):
    api["app"].config["API_RATE_LIMIT"] = "3 per minute"
    me = call("asystent1")
    answers = [me("GET", "/api/v1/types") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert 1 <= int(answers[-1].headers["Retry-After"]) <= 61
    assert call("asystent2")("GET", "/api/v1/types").status_code == 200  # per token


def test_two_writes_with_the_same_etag_one_412(api, call):
    me = call("asystent1")
    family = me("POST", "/api/v1/families", json={"data": _family_data()}).get_json()
    document = me("POST", f"/api/v1/families/{family['id']}/documents", json={"doc_type": "work_plan"})
    etag, url = document.headers["ETag"], f"/api/v1/documents/{document.get_json()['id']}"
    assert me("PATCH", url, json={"data": {"strengths": "pierwszy"}}).status_code == 428
    first = me("PATCH", url, json={"data": {"strengths": "pierwszy"}}, headers={"If-Match": etag})
    second = me("PATCH", url, json={"data": {"strengths": "drugi"}}, headers={"If-Match": etag})
    assert (first.status_code, second.status_code) == (200, 412)
    assert second.headers["ETag"] == first.headers["ETag"]
    assert me("GET", url).get_json()["data"]["strengths"] == "pierwszy"


def test_two_writes_at_once_with_the_same_etag_one_wins(api, call):
    """Raced on threads: the lock makes the ETag check and the write one step, on either database."""
    import threading

    me = call("asystent1")
    family = me("POST", "/api/v1/families", json={"data": _family_data()}).get_json()
    document = me("POST", f"/api/v1/families/{family['id']}/documents", json={"doc_type": "work_plan"})
    etag, url = document.headers["ETag"], f"/api/v1/documents/{document.get_json()['id']}"
    results, barrier = [], threading.Barrier(2)

    def write(text):
        caller = call("asystent1")
        barrier.wait()
        results.append(caller("PATCH", url, json={"data": {"strengths": text}}, headers={"If-Match": etag}).status_code)

    threads = [threading.Thread(target=write, args=(text,)) for text in ("jeden", "dwa")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [200, 412]


# --- the tokens page --------------------------------------------------------------------------

@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_tokens_are_made_shown_once_and_revoked_in_the_app(api, call):
    app = api["app"]
    client = _browser(app, "asystent2")
    page = client.get("/konto/tokeny-api/").get_data(as_text=True)
    token_field = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or \
        re.search(r'value="([^"]+)"[^>]*name="csrf_token"', page)
    assert client.post("/konto/tokeny-api/", data={"name": "Import"}).status_code == 400  # no CSRF token
    made = client.post("/konto/tokeny-api/", data={"name": "System spraw", "csrf_token": token_field.group(1)})
    shown = re.search(r"(dar_[A-Za-z0-9_-]{43})", made.get_data(as_text=True)).group(1)
    assert call(token=shown)("GET", "/api/v1/families").status_code == 200
    again = client.get("/konto/tokeny-api/").get_data(as_text=True)
    assert shown not in again and "System spraw" in again and shown[:10] in again
    with api["sessions"]() as session:
        mine = session.scalars(select(ApiToken).where(ApiToken.name == "System spraw")).one()
        others = session.scalars(select(ApiToken).where(ApiToken.name == "system asystent1")).one()
        mine_id, others_id = mine.id, others.id
    # nobody revokes another's token but the office's admin
    assert client.post(f"/konto/tokeny-api/{others_id}/odwolaj",
                       data={"csrf_token": token_field.group(1)}).status_code == 404
    assert client.post(f"/konto/tokeny-api/{mine_id}/odwolaj", data={"csrf_token": token_field.group(1)}).status_code == 302
    assert call(token=shown)("GET", "/api/v1/families").status_code == 401
    admin = _browser(app, "admin")
    admin_page = admin.get("/konto/tokeny-api/").get_data(as_text=True)
    assert "system asystent1" in admin_page
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', admin_page) or \
        re.search(r'value="([^"]+)"[^>]*name="csrf_token"', admin_page)
    assert admin.post(f"/konto/tokeny-api/{others_id}/odwolaj", data={"csrf_token": csrf.group(1)}).status_code == 302
    assert call("asystent1")("GET", "/api/v1/families").status_code == 401


def test_the_openapi_document_covers_every_api_route(api):
    app = api["app"]
    spec = _spec(app)
    Draft202012Validator.check_schema(spec["components"]["schemas"]["FamilyRecord"])
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            assert set(m.lower() for m in rule.methods - {"HEAD", "OPTIONS"}) <= set(spec["paths"][path])
    page = _browser(app, "asystent1")
    html = page.get("/pomoc/api").get_data(as_text=True)
    assert "/api/v1/families/{family_id}/documents" in html and "Nowy szkic dokumentu z danymi" in html


# --- institutions -------------------------------------------------------------------------------

@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_directory_of_institutions_through_the_api(api, call):
    me = call("asystent1")
    refused = me("POST", "/api/v1/institutions", json={"name": "Poradnia", "kind": "poradnia",
                                                       "address": "ul. Zdrowa 2", "nip": "1234567890"})
    assert refused.status_code == 422
    assert [p["path"] for p in refused.get_json()["problems"]] == ["nip"]
    assert "NIP" in refused.get_json()["problems"][0]["message"]
    made = me("POST", "/api/v1/institutions", json={"name": "Poradnia & <Rodzinna> „Most”", "kind": "poradnia",
                                                    "address": "ul. Zdrowa 2\n22-400 Zamość"})
    assert made.status_code == 201, made.get_json()
    entry = made.get_json()
    assert entry["name"] == "Poradnia & <Rodzinna> „Most”"
    found = me("GET", "/api/v1/institutions?q=poradnia most").get_json()
    assert [item["id"] for item in found["items"]] == [entry["id"]]
    changed = me("PUT", f"/api/v1/institutions/{entry['id']}", json={**entry, "phone": "84 111 22 33"})
    assert changed.status_code == 200 and changed.get_json()["phone"] == "84 111 22 33"
    csv = ("nazwa;rodzaj;adres;telefon;email;zakres;nip;regon\n"
           "Szkoła Podstawowa nr 9;szkoła;ul. Szkolna 9, 22-400 Zamość;;;;;\n"
           "Zła placówka;szkoła;ul. Krzywa 1;;nie-email;;;\n")
    report = me("POST", "/api/v1/institutions/import", data=csv.encode("utf-8"), content_type="text/csv")
    assert report.status_code == 200, report.get_data(as_text=True)
    body = report.get_json()
    assert (body["added"], body["skipped"]) == (1, 1)
    assert body["errors"] and body["errors"][0].startswith("Wiersz 3")
    assert "Zła placówka" in body["rejected_text"]
    assert me("POST", "/api/v1/institutions/import", json={"x": 1}).status_code == 415
    other = call("asystent_b")
    assert other("GET", f"/api/v1/institutions/{entry['id']}").status_code == 404
    assert entry["id"] not in [i["id"] for i in other("GET", "/api/v1/institutions").get_json()["items"]]


def test_an_offices_own_type_is_listed_with_its_schema_and_drafted_only_in_that_office(api, call):
    from docgen.store import office_types
    from test_custom_infer import NOTATKA

    with api["sessions"]() as session:
        head = session.scalars(select(User).where(User.username == "kierownik")).one()
        version = office_types.start_type(session, head.office, NOTATKA, "notatka.docx", head, title="Notatka z rozmowy")
        office_types.publish(session, version, head)
        session.commit()
        type_id = version.type_id
        family_id = session.scalars(select(Family.id).where(Family.family_name == "Krajewscy")).one()
        fields = {item.name for section in office_types.version_doctype(version).sections for item in section.items}
    me = call("asystent1")
    listed = {item["id"]: item for item in me("GET", "/api/v1/types").get_json()["items"]}
    assert listed[type_id]["title"] == "Notatka z rozmowy"
    assert "work_plan" in listed and "notatka_sluzbowa" in listed  # built-in and shipped beside it
    schema = me("GET", f"/api/v1/types/{type_id}/schema").get_json()
    assert fields <= set(schema["properties"])
    created = me("POST", f"/api/v1/families/{family_id}/documents", json={"doc_type": type_id})
    assert created.status_code == 201 and created.get_json()["title"] == "Notatka z rozmowy"
    # another office neither lists it nor drafts it
    other = call("asystent_b")
    assert type_id not in {item["id"] for item in other("GET", "/api/v1/types").get_json()["items"]}
    assert other("GET", f"/api/v1/types/{type_id}/schema").status_code == 404
    refused = other("POST", f"/api/v1/families/{api['family_b']}/documents", json={"doc_type": type_id})
    assert refused.status_code == 422 and refused.get_json()["problems"][0]["path"] == "doc_type"
