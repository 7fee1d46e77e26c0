"""The office's own types in the web app: who gets there, the editor keeping what was typed when it refuses,
the wizard preview, the export, a shipped type in "Nowy dokument", a draft moved to a newer version."""
from __future__ import annotations

import io
import json
import re

from sqlalchemy import select

from docgen.store import office_types
from docgen.store.models import Document, Family, OfficeTypeVersion, User
from test_custom_infer import NOTATKA, build
from test_office_types_store import _without_znak


def _upload(client, data: bytes = NOTATKA, title: str = "Notatka z rozmowy"):
    return client.post("/typy-dokumentow/nowy", data={"title": title, "template": (io.BytesIO(data), "notatka.docx")},
                       content_type="multipart/form-data")


def test_only_the_admin_and_the_head_change_the_offices_types(login):
    assert login("asystent1").get("/typy-dokumentow/").status_code == 404
    for username in ("admin", "kierownik"):
        page = login(username).get("/typy-dokumentow/")
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert "Notatka służbowa" in text and "Oświadczenie o wycofaniu zgody" in text
        assert "Nowy typ z szablonu Word" in text


def test_a_refused_template_names_every_place_and_stores_nothing(login, session):
    client = login("admin")
    page = _upload(client, build(("p", "Data: {{ data }}"), ("p", "{{ osoba.imie }}")), "Zły")
    text = page.get_data(as_text=True)
    assert "Z tego szablonu nie da się utworzyć typu dokumentu – nic nie zapisano" in text
    assert "<strong>akapit 1</strong> („Data: {{ data }}”): Nazwa „data” jest zarezerwowana" in text
    assert "<strong>akapit 2</strong>" in text and "value=\"Zły\"" in text  # the typed name stays
    assert session.scalars(select(OfficeTypeVersion)).all() == []


def test_a_type_sent_out_by_the_family_may_not_print_a_znak_it_will_not_have(login, session):
    """The head marks a type as sent out by the family member while its template prints the znak: refused
    with the place and what to do, the other changes typed kept, nothing saved."""
    client = login("kierownik")
    location = _upload(client).headers["Location"]
    version_id = int(location.rsplit("/", 1)[1])
    refused = client.post(location, data={"item.z_kim.label": "Z kim rozmawiano", "type.filing": "wychodzi"})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "(„Znak sprawy: {{ case_number }}”): Dokument „Notatka z rozmowy” nie trafia do akt sprawy" in text
    assert "„case_number” wydrukowałby się pusty. Usuń go z szablonu." in text
    assert 'value="Z kim rozmawiano"' in text and '<option value="wychodzi" selected>' in text
    session.expire_all()
    assert office_types.version_doctype(session.get(OfficeTypeVersion, version_id)).in_case_file


def test_the_editor_refuses_with_places_and_keeps_what_was_typed(login, session):
    client = login("kierownik")
    location = _upload(client, _without_znak(NOTATKA)).headers["Location"]
    version_id = int(location.rsplit("/", 1)[1])
    page = client.get(location).get_data(as_text=True)
    assert 'value="Data rozmowy"' in page and "z karty rodziny" in page
    # a condition that points at a field which is neither a choice nor yes/no: refused, the typing kept
    refused = client.post(location, data={"item.z_kim.label": "Z kim rozmawiano & gdzie",
                                          "item.z_kim.required": "gdy", "item.z_kim.when_field": "ustalenia",
                                          "item.z_kim.when_value": "tak"})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "warunek może zależeć tylko od pola wyboru albo tak/nie" in text
    assert 'value="Z kim rozmawiano &amp; gdzie"' in text
    session.expire_all()
    assert office_types.version_doctype(session.get(OfficeTypeVersion, version_id)).item("z_kim").label == "Z kim"
    # corrected: two labels, a choice's list, a field moved to another step, saved
    saved = client.post(location, data={"item.z_kim.label": "Z kim rozmawiano", "item.ustalenia.label": "Co ustalono",
                                        "item.forma.choices": "telefon\nwizyta\nspotkanie = spotkanie w ośrodku",
                                        "item.assistant_name.step": "okolicznosci", "type.filing": "wychodzi",
                                        "after": "kreator"})
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"/wersje/{version_id}/kreator")
    session.expire_all()
    doctype = office_types.version_doctype(session.get(OfficeTypeVersion, version_id))
    assert doctype.item("ustalenia").label == "Co ustalono"
    assert doctype.item("forma").choices[-1] == ("spotkanie", "spotkanie w ośrodku")
    assert doctype.section_of("assistant_name").name == "okolicznosci"
    assert (doctype.in_case_file, doctype.leaves_office) == (False, True)  # sent out: no znak, a neutral name
    assert '<option value="wychodzi" selected>' in client.get(location).get_data(as_text=True)
    wizard = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Tak asystent zobaczy kreator" in wizard and "Krok 1 z 4" in wizard
    step = client.get(saved.headers["Location"] + "/okolicznosci").get_data(as_text=True)
    assert re.search(r'<label for="data_rozmowy">Data rozmowy', step)
    assert re.search(r'<label for="assistant_name">Asystent rodziny', step)  # moved into this step
    assert "Zawadzkich" in step  # the invented example, never a family's data


def test_published_it_is_offered_for_a_family_and_its_definition_can_be_downloaded(login, session):
    admin = login("admin")
    location = _upload(admin).headers["Location"]
    assert admin.post(location + "/opublikuj").status_code == 302
    exported = admin.get("/typy-dokumentow/typ/notatka_z_rozmowy/definicja.json")
    definition = json.loads(exported.get_data(as_text=True))
    assert definition["id"] == "notatka_z_rozmowy" and definition["format"] == "docgen.typ/1"
    built_in = json.loads(admin.get("/typy-dokumentow/typ/work_plan/definicja.json").get_data(as_text=True))
    assert built_in["title"] == "Plan pracy z rodziną" and "Reguły programu" in built_in["description"]

    assistant = login("asystent1")
    family = session.scalars(select(Family).join(User, User.id == Family.assistant_id)
                             .where(User.username == "asystent1")).first()
    page = assistant.get(f"/rodziny/{family.id}").get_data(as_text=True)
    assert '<option value="notatka_z_rozmowy">Notatka z rozmowy</option>' in page
    assert '<option value="pismo_do_instytucji">Pismo asystenta rodziny do instytucji</option>' in page
    created = assistant.post(f"/rodziny/{family.id}/dokumenty", data={"doc_type": "notatka_z_rozmowy"})
    assert created.status_code == 302
    step = assistant.get(created.headers["Location"]).get_data(as_text=True)
    assert family.family_name in step or family.family_name_gen in step  # prefilled from the card
    assert assistant.post(f"/rodziny/{family.id}/dokumenty", data={"doc_type": "nie_ma_takiego"}).status_code == 400


def test_the_letter_to_an_institution_picks_the_addressee_and_the_family_member(login, session):
    assistant = login("asystent1")
    family = session.scalars(select(Family).join(User, User.id == Family.assistant_id)
                             .where(User.username == "asystent1")).first()
    created = assistant.post(f"/rodziny/{family.id}/dokumenty", data={"doc_type": "pismo_do_instytucji"})
    document_id = int(re.search(r"/dokumenty/(\d+)/", created.headers["Location"]).group(1))
    first = assistant.get(f"/dokumenty/{document_id}/krok/adresat").get_data(as_text=True)
    assert "Wybierz z wykazu placówek" in first
    person = assistant.get(f"/dokumenty/{document_id}/krok/osoba").get_data(as_text=True)
    assert "Wybierz członka rodziny" in person
    member = family.members[0]
    assistant.post(f"/dokumenty/{document_id}/krok/osoba",
                   data={"action": "pick:czlonek", "picker-czlonek": str(member.id),
                         "family_name_gen": family.family_name_gen or "x", "person_name": "", "person_birth_date": ""})
    session.expire_all()
    data = session.get(Document, document_id).data
    assert data["person_name"] == f"{member.first_name} {member.last_name}"


def test_a_draft_on_an_older_version_offers_to_move_and_moves_on_confirmation(login, session):
    head = login("kierownik")
    version = _upload(head).headers["Location"]
    head.post(version + "/opublikuj")
    assistant = login("asystent1")
    family = session.scalars(select(Family).join(User, User.id == Family.assistant_id)
                             .where(User.username == "asystent1")).first()
    created = assistant.post(f"/rodziny/{family.id}/dokumenty", data={"doc_type": "notatka_z_rozmowy"})
    document_id = int(re.search(r"/dokumenty/(\d+)/", created.headers["Location"]).group(1))
    assert "nowa-wersja-typu" not in assistant.get(f"/dokumenty/{document_id}").get_data(as_text=True)
    # the head changes the type: a new template without "z kim"
    smaller = build(("h", "1. Okoliczności"), ("p", "Data rozmowy: {{ data_rozmowy|data }}"), ("h", "2. Ustalenia"),
                    ("p", "{{ ustalenia }}"))
    draft = head.post("/typy-dokumentow/typ/notatka_z_rozmowy/szablon",
                      data={"template": (io.BytesIO(smaller), "v2.docx")}, content_type="multipart/form-data")
    head.post(draft.headers["Location"] + "/opublikuj")
    assistant.post(f"/dokumenty/{document_id}/krok/okolicznosci", data={"z_kim": "Anna", "data_rozmowy": "2026-11-16",
                                                                        "family_name_gen": "Zawadzkich",
                                                                        "address": "x", "forma": "telefon",
                                                                        "action": "save"})
    review = assistant.get(f"/dokumenty/{document_id}").get_data(as_text=True)
    assert "Ten dokument powstaje według wcześniejszej wersji swojego typu" in review
    assert "znikną</strong> odpowiedzi w polach: " in review and "Z kim" in review
    moved = assistant.post(f"/dokumenty/{document_id}/nowa-wersja-typu")
    assert moved.status_code == 302
    session.expire_all()
    document = session.get(Document, document_id)
    assert document.type_version_id == office_types.current_version(session, family.office_id,
                                                                     "notatka_z_rozmowy").id
    assert document.data["data_rozmowy"] == "2026-11-16" and "z_kim" not in document.data
