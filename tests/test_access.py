"""Ownership across the whole app: every route, called by someone without the right, answers
404 (or nothing about the family). The routes come from the app's own url_map, so a new route
is covered without anyone adding it here."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from docgen.doctypes import get_doctype
from docgen.store import api_tokens, approvals
from docgen.store import templates as office_templates
from docgen.store.documents import create_document, generate
from docgen.store import office_types
from docgen.store.institutions import create as create_institution
from docgen.store.models import JOB_FINISHED, Family, Office, Person, PrintJob, User
from docgen.store.users import create_user
from test_office_templates import changed_template

PASSWORD = "inne-haslo-biura-2026"
# values for URL arguments that are not ids
PLAIN_ARGUMENTS = {"step": "family", "filename": "style.css", "page": 1, "doc_type": "work_plan",
                   "typ": "notatka_sluzbowa", "token": "nieznany-token"}


@pytest.fixture
def world(session, output_dir):
    """Office A (demo) and office B, each with a family that has a generated plan."""
    office_b = Office(name="Gminny Ośrodek Pomocy Społecznej w Brzozówce", address="ul. Długa 1, 22-100 Brzozówka",
                      city="Brzozówka", case_prefix="GOPS.AR")
    session.add(office_b)
    session.flush()
    head_b = create_user(session, office_b, "kierownik_b", "Irena Sowa", "kierownik", PASSWORD)
    assistant_b = create_user(session, office_b, "asystent_b", "Adam Czapla", "asystent", PASSWORD)
    family_b = Family(office_id=office_b.id, assistant_id=assistant_b.id, family_name="Jarzębinowscy",
                      address="ul. Krzywa 9, 22-100 Brzozówka")
    family_b.members = [Person(first_name="Celina", last_name="Jarzębinowska", birth_date=dt.date(1985, 7, 24),
                               relation="matka", position=0)]
    session.add(family_b)

    assistant1 = session.scalars(select(User).where(User.username == "asystent1")).one()
    family_a = session.scalars(select(Family).where(Family.assistant_id == assistant1.id).order_by(Family.id)).first()
    plan = get_doctype("work_plan")
    files = {}
    for family, user in ((family_a, assistant1), (family_b, assistant_b)):
        document = create_document(session, family, "work_plan", user)
        document.data = plan.example()
        files[family.id] = generate(session, document, user)
    # a print job of each office's assistant holding that plan
    jobs = {}
    for family, user in ((family_a, assistant1), (family_b, assistant_b)):
        jobs[family.id] = PrintJob(office_id=family.office_id, created_by_id=user.id, title="Wydruk",
                                   file_ids=[files[family.id].id], status=JOB_FINISHED)
        session.add(jobs[family.id])
    # an entry of each office's directory of institutions (the demo office has its own already)
    institution_b = create_institution(session, office_b.id, {"name": "Szkoła Podstawowa w Brzozówce",
                                                              "kind": "szkola", "address": "ul. Szkolna 2"})
    institution_a = create_institution(session, family_a.office_id, {"name": "Klub Sportowy w Lipowcu",
                                                                     "kind": "ngo", "address": "ul. Sportowa 1"})
    # an account change waiting in each office for its head (only its admin and heads may see it)
    admin_b = create_user(session, office_b, "admin_b", "Ewa Lis", "admin", PASSWORD)
    admin_a = session.scalars(select(User).where(User.username == "admin")).one()
    changes = {"a": approvals.request(session, admin_a, assistant1, approvals.PROMOTION),
               "b": approvals.request(session, admin_b, assistant_b, approvals.PROMOTION)}
    # a Word template uploaded by each office (only its admin may see it)
    templates = {which: office_templates.upload(session, office, "work_plan", changed_template(), "plan.docx", None)
                 for which, office in (("a", family_a.office), ("b", office_b))}
    # a draft of each office's own version of a shipped type (only its admin and head may see it)
    type_versions = {which: office_types.copy_to_draft(session, office, "notatka_sluzbowa", None)
                     for which, office in (("a", family_a.office), ("b", office_b))}
    # an API token of each office's assistant (only its user and the office's admin may revoke it)
    tokens = {"a": api_tokens.create(session, assistant1, "system A")[0],
              "b": api_tokens.create(session, assistant_b, "system B")[0]}
    session.commit()
    return {"token_a": tokens["a"], "token_b": tokens["b"],
            "family_a": family_a, "file_a": files[family_a.id], "family_b": family_b, "file_b": files[family_b.id],
            "institution_a": institution_a, "institution_b": institution_b,
            "job_a": jobs[family_a.id], "job_b": jobs[family_b.id],
            "head_b": head_b, "assistant_b": assistant_b,
            "template_a": templates["a"], "template_b": templates["b"],
            "change_a": changes["a"], "change_b": changes["b"],
            "type_version_a": type_versions["a"], "type_version_b": type_versions["b"]}


def _url(rule, values):
    arguments = {}
    for name in rule.arguments:
        if name in values:
            arguments[name] = values[name]
        elif name in PLAIN_ARGUMENTS:
            arguments[name] = PLAIN_ARGUMENTS[name]
        else:
            pytest.fail(f"{rule.rule}: the walk does not know the argument {name!r}; add it to the test")
    return rule.build(arguments, append_unknown=False)[1]


def _walk(app, client, values, secrets):
    """Every route with every method: the ones with ids must answer 404; none may show a secret."""
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "auth.logout", "auth.logout_everywhere", "auth.login"):
            continue
        url = _url(rule, values)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, data={})
            body = response.get_data().decode("utf-8", "replace")  # the admin downloads a .docx
            if rule.rule.startswith("/api/") and rule.endpoint != "api.openapi":
                # a login cookie never opens the API (its bearer-token twin of this walk: tests/test_api.py)
                assert response.status_code == 401, f"{method} {url} answered {response.status_code}"
            elif any(argument.endswith("_id") for argument in rule.arguments):
                assert response.status_code == 404, f"{method} {url} answered {response.status_code}"
            for secret in secrets:
                assert secret not in body, f"{method} {url} showed {secret!r}"
            checked += 1
    assert checked > 10
    return checked


def _ids(world, which):
    family = world[f"family_{which}"]
    record = world[f"file_{which}"]
    return {"family_id": family.id, "document_id": record.document_id, "file_id": record.id,
            "job_id": world[f"job_{which}"].id, "institution_id": world[f"institution_{which}"].id,
            "template_id": world[f"template_{which}"].id, "change_id": world[f"change_{which}"].id,
            "type_version_id": world[f"type_version_{which}"].id, "token_id": world[f"token_{which}"].id}


def _login(app, username, password):
    client = app.test_client()
    assert client.post("/login", data={"username": username, "password": password}).status_code == 302
    return client


def test_other_assistant_of_the_same_office_gets_404_everywhere(app, world, demo_password, session):
    other = session.scalars(select(User).where(User.username == "asystent1")).one()
    # the directory of institutions is the whole office's: only another office's entry is out of reach
    values = {**_ids(world, "a"), "user_id": other.id, "institution_id": world["institution_b"].id}
    _walk(app, _login(app, "asystent2", demo_password), values, [world["family_a"].family_name])


def test_head_of_another_office_gets_404_everywhere(app, world):
    assistant1_id = world["family_a"].assistant_id
    values = {**_ids(world, "a"), "user_id": assistant1_id}
    _walk(app, _login(app, "kierownik_b", PASSWORD), values, [world["family_a"].family_name])


def test_assistant_of_another_office_gets_404_everywhere(app, world, demo_password):
    values = {**_ids(world, "b"), "user_id": world["head_b"].id}
    _walk(app, _login(app, "asystent1", demo_password), values, [world["family_b"].family_name, "Jarzębinowska"])


def test_admin_sees_no_family_data(app, world, demo_password):
    values = {**_ids(world, "a"), "user_id": world["head_b"].id, "institution_id": world["institution_b"].id,
              "template_id": world["template_b"].id, "change_id": world["change_b"].id,
              "type_version_id": world["type_version_b"].id, "token_id": world["token_b"].id}
    client = _login(app, "admin", demo_password)
    _walk(app, client, values, [world["family_a"].family_name])
    assert client.get(f"/rodziny/{world['family_a'].id}").status_code == 404


def test_owner_and_head_do_see_the_family(app, world, demo_password):
    family = world["family_a"]
    for username in ("asystent1", "kierownik"):
        client = _login(app, username, demo_password)
        assert family.family_name in client.get(f"/rodziny/{family.id}").get_data(as_text=True)
        assert client.get(f"/pliki/{world['file_a'].id}").status_code == 200


def test_a_route_with_an_unchecked_id_stops_the_app(web_db):
    from flask import Blueprint

    import webforms

    extra = Blueprint("extra", __name__)
    extra.add_url_rule("/widzety/<int:widget_id>", "show", lambda widget_id: "x")
    original = webforms._register_error_pages

    def with_extra(app):
        app.register_blueprint(extra)
        original(app)

    webforms._register_error_pages = with_extra
    try:
        with pytest.raises(RuntimeError, match="widget_id"):
            webforms.create_app({"TESTING": True, "DATABASE_URL": web_db, "SECRET_KEY": "x"})
    finally:
        webforms._register_error_pages = original
