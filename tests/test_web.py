"""The web app through Flask's test client: login, the family record, the whole wizard, download."""
from __future__ import annotations

import io
import re

import docx
from sqlalchemy import select

from docgen.doctypes import get_doctype
from docgen.store.models import Document, Family, GeneratedFile, User

PLAN = get_doctype("work_plan")



def test_every_page_but_login_and_static_requires_login(client):
    for path in ("/", "/rodziny/", "/rodziny/1", "/rodziny/nowa", "/dokumenty/1", "/dokumenty/1/krok/family",
                 "/pliki/1"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.location.startswith("/login"), path
    assert client.get("/login").status_code == 200
    assert client.get("/static/style.css").status_code == 200


def test_wrong_password_gets_a_polish_message(client):
    response = client.post("/login", data={"username": "asystent1", "password": "zle-haslo-123"})
    assert response.status_code == 200
    assert "Nieprawidłowy login lub hasło." in response.text


def test_login_rejects_a_missing_csrf_token(csrf_client):
    response = csrf_client.post("/login", data={"username": "asystent1", "password": "x"})
    assert response.status_code == 400
    assert "Formularz wygasł" in response.text or "Nieprawidłowe żądanie" in response.text


def test_assistant_sees_only_assigned_families(login, session):
    client = login("asystent1")
    page = client.get("/rodziny/").text
    own = session.scalars(select(Family).join(User, Family.assistant).where(User.username == "asystent1")).all()
    other = session.scalars(select(Family).join(User, Family.assistant).where(User.username == "asystent2")).all()
    assert len(own) == 2 and other
    for family in own:
        assert family.family_name in page
    for family in other:
        assert family.family_name not in page
        assert client.get(f"/rodziny/{family.id}").status_code == 404
        assert client.get(f"/rodziny/{family.id}/edycja").status_code == 404
        assert client.post(f"/rodziny/{family.id}/dokumenty", data={"doc_type": "work_plan"}).status_code == 404


def test_head_sees_every_family_of_the_office(login, session):
    page = login("kierownik").get("/rodziny/").text
    for family in session.scalars(select(Family)).all():
        assert family.family_name in page


def test_new_family_keeps_what_was_typed_when_invalid(login):
    client = login("asystent1")
    response = client.post("/rodziny/nowa", data={
        "family_name": "Kowalczykowie & <syn>", "address": "",
        "members-0-first_name": "Jan", "members-0-last_name": "Kowalczyk", "members-0-pesel": "12345678901",
        "members-0-relation": "ojciec", "action": "save"})
    assert response.status_code == 200
    assert "Adres zamieszkania: pole jest wymagane." in response.text
    assert "nieprawidłowy numer PESEL" in response.text
    # typed values come back, escaped for HTML
    assert 'value="Kowalczykowie &amp; &lt;syn&gt;"' in response.text
    assert 'value="12345678901"' in response.text


def _start_plan(login, session):
    """asystent1 logged in, their first family, and a new work-plan draft: (client, family, url, id)."""
    client = login("asystent1")
    family = session.scalars(select(Family).join(User, Family.assistant)
                             .where(User.username == "asystent1").order_by(Family.id)).first()
    location = client.post(f"/rodziny/{family.id}/dokumenty", data={"doc_type": "work_plan"}).location
    return client, family, location, int(re.search(r"/dokumenty/(\d+)/", location).group(1))


def _post_step(client, document_id, step, fields, action="next"):
    return client.post(f"/dokumenty/{document_id}/krok/{step}", data={**fields, "action": action})


def _form_fields(section, data):
    """The form a browser would send for a section holding `data`."""
    fields = {}
    for item in section.items:
        if hasattr(item, "fields"):
            for index, row in enumerate(data.get(item.name) or []):
                for spec in item.fields:
                    value = row.get(spec.name)
                    if spec.kind == "bool":
                        if value:
                            fields[f"{item.name}-{index}-{spec.name}"] = "y"
                    elif value is not None:
                        fields[f"{item.name}-{index}-{spec.name}"] = value.replace("\n", "\r\n")
        else:
            value = data.get(item.name)
            if item.kind == "bool":
                if value:
                    fields[item.name] = "y"
            elif value is not None:
                fields[item.name] = value.replace("\n", "\r\n")
    return fields


def test_whole_wizard_prefills_saves_validates_generates_and_downloads(login, session, output_dir):
    client = login("asystent1")
    family = session.scalars(select(Family).join(User, Family.assistant)
                             .where(User.username == "asystent1").order_by(Family.id)).first()
    response = client.post(f"/rodziny/{family.id}/dokumenty", data={"doc_type": "work_plan"})
    assert response.status_code == 302
    document_id = int(re.search(r"/dokumenty/(\d+)/krok/family", response.location).group(1))

    # step 1 is prefilled from the family record
    page = client.get(response.location).text
    assert family.family_name in page
    for person in family.members:
        assert f'value="{person.first_name}"' in page
    assert "Krok 1 z 10" in page

    example = PLAN.example()
    example["strengths"] = 'Babcia pomaga & wspiera <zawsze>.\nDrugi wiersz\t"cytat" {{ nie_zmienna }} 🙂 zażółć'
    for index, section in enumerate(PLAN.sections):
        fields = _form_fields(section, example)
        if section.name == "family":
            response = _post_step(client, document_id, section.name, fields, action="back")
        # an empty required field keeps the user on the step, with the field named, in Polish
        if section.name == "period":
            bad = dict(fields, valid_to="")
            response = _post_step(client, document_id, section.name, bad)
            assert response.status_code == 200
            assert "Plan obowiązuje do: pole jest wymagane." in response.text
        response = _post_step(client, document_id, section.name, fields)
        assert response.status_code == 302, (section.name, re.findall(r'class="error"[^>]*>([^<]*)', response.text))
        expected = (f"/dokumenty/{document_id}/krok/{PLAN.sections[index + 1].name}"
                    if index + 1 < len(PLAN.sections) else f"/dokumenty/{document_id}")
        assert response.location == expected

    # "back" goes one step back and keeps the data
    response = _post_step(client, document_id, "strengths", _form_fields(PLAN.section("strengths"), example),
                          action="back")
    assert response.location.endswith("/krok/diagnosis")

    review = client.get(f"/dokumenty/{document_id}").text
    assert "Dokument jest kompletny" in review
    response = client.post(f"/dokumenty/{document_id}/generuj")
    assert response.status_code == 302
    session.expire_all()
    document = session.get(Document, document_id)
    assert document.status == "final" and document.version == 1
    assert re.fullmatch(r"MOPS\.AR\.4101\.\d+\.\d{4}", document.case_number)
    record = session.scalars(select(GeneratedFile).where(GeneratedFile.document_id == document_id)).one()

    download = client.get(f"/pliki/{record.id}")
    assert download.status_code == 200
    assert "attachment" in download.headers["Content-Disposition"]
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(download.data)).paragraphs)
    assert example["strengths"] in text
    assert document.case_number in text

    # a second generation is a new version; the first file stays as it was
    client.post(f"/dokumenty/{document_id}/generuj")
    session.expire_all()
    files = session.scalars(select(GeneratedFile).where(GeneratedFile.document_id == document_id)
                            .order_by(GeneratedFile.version)).all()
    assert [f.version for f in files] == [1, 2]
    assert (output_dir / files[0].storage_path).read_bytes() == download.data


def test_adding_and_removing_rows_keeps_the_other_rows(login, session):
    client, family, location, document_id = _start_plan(login, session)
    fields = {"goals-0-goal": "Pierwszy cel", "goals-1-goal": "Drugi cel"}
    response = _post_step(client, document_id, "goals", fields, action="add:goals")
    assert response.status_code == 302
    session.expire_all()
    assert [g["goal"] for g in session.get(Document, document_id).data["goals"]] == ["Pierwszy cel", "Drugi cel", None]
    _post_step(client, document_id, "goals", {**fields, "goals-2-goal": "Trzeci"}, action="remove:goals:0")
    session.expire_all()
    assert [g["goal"] for g in session.get(Document, document_id).data["goals"]] == ["Drugi cel", "Trzeci"]


def test_generate_is_refused_while_the_plan_is_incomplete(login, session):
    client, family, location, document_id = _start_plan(login, session)
    review = client.get(f"/dokumenty/{document_id}").text
    assert "Do uzupełnienia przed wygenerowaniem" in review
    assert "Cel główny (długoterminowy): pole jest wymagane." in review
    response = client.post(f"/dokumenty/{document_id}/generuj", follow_redirects=True)
    assert "nie jest jeszcze kompletny" in response.text
    session.expire_all()
    assert session.get(Document, document_id).case_number is None


def test_conditionally_required_fields_say_when_they_are_needed(login, session):
    client, family, location, document_id = _start_plan(login, session)
    page = client.get(f"/dokumenty/{document_id}/krok/basis").text
    assert page.count("Wymagane, gdy „Podstawa pracy z rodziną” to: postanowienie sądu.") == 3
    assert "Wymagane, gdy „Podstawa pracy z rodziną” to: zgoda rodziny." in page


def test_a_step_can_take_the_family_record_again_after_it_changed(login, session):
    client, family, location, document_id = _start_plan(login, session)
    page = client.get(location).text
    assert "wczytaj je ponownie z karty rodziny" in page
    family.address = "ul. Nowa 1, 11-440 Lipowiec Mazurski"
    session.commit()
    response = _post_step(client, document_id, "family", {"family_name": "Wpisane ręcznie", "address": "stary"},
                          action="prefill")
    assert response.status_code == 302
    session.expire_all()
    data = session.get(Document, document_id).data
    assert data["address"] == "ul. Nowa 1, 11-440 Lipowiec Mazurski"
    assert data["family_name"] == family.family_name
    assert len(data["members"]) == len(family.members)
    # steps without prefilled fields offer nothing to reload
    assert "wczytaj je ponownie" not in client.get(f"/dokumenty/{document_id}/krok/goals").text
