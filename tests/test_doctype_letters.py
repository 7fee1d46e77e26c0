"""Letters a family member writes with the assistant: every kind renders, the authorisation page,
what was typed comes out exactly as typed, and the wizard offers the kind's title and body."""
from __future__ import annotations

import io
import json
import re
import zipfile

import docx
import jsonschema
import pytest
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from sqlalchemy import select

from docgen.cli import main
from docgen.context import Letterhead
from docgen.doctypes import DOCTYPES
from docgen.doctypes.letter import LETTER, LETTER_KINDS, kind_body
from docgen.docxcheck import check_docx
from docgen.prefill import prefill
from docgen.render import render, render_valid
from docgen.store.models import Document, Family, User
from docgen.validate import require_valid, validate

LETTERHEAD = Letterhead(name="Miejski Ośrodek Pomocy Społecznej w Lipowcu Mazurskim",
                        address="ul. Kościuszki 5, 11-440 Lipowiec Mazurski", city="Lipowiec Mazurski",
                        phone="89 123 45 67", email="sekretariat@mops-lipowiec.example")
CASE_NUMBER = "MOPS.AR.4101.9.2026"
TYPED = 'Babcia & <syn> {{ nie_zmienna }} {% if x %} "cytat" \'apostrof\' 🙂 zażółć'


def _render(data):
    return render(LETTER, data, letterhead=LETTERHEAD, case_number=CASE_NUMBER)


def _paragraphs(content: bytes) -> list[tuple[str, bool]]:
    """(text, starts a new page) of every paragraph, tables included, in document order."""
    document = docx.Document(io.BytesIO(content))
    result = []
    for p in document.element.body.iter(qn("w:p")):
        ppr = p.find(qn("w:pPr"))
        breaks = ppr is not None and ppr.find(qn("w:pageBreakBefore")) is not None
        result.append((Paragraph(p, document).text, breaks))
    return result


def _text(content: bytes) -> str:
    """The letter's text; the non-breaking space after a one-letter word reads as a space."""
    return "\n".join(text for text, _ in _paragraphs(content)).replace("\u00a0", " ")


def _after_page_break(content: bytes) -> str:
    paragraphs = _paragraphs(content)
    starts = [index for index, (_, breaks) in enumerate(paragraphs) if breaks]
    return "\n".join(text for text, _ in paragraphs[starts[0]:]) if starts else ""


# --- the kinds ---------------------------------------------------------------------------------


def test_the_eleven_ready_made_kinds_are_the_choices_of_the_kind_field():
    assert len(LETTER_KINDS) == 11
    assert all(re.fullmatch(r"[a-z][a-z_]*", code) for code in LETTER_KINDS)
    assert LETTER.item("kind").choices == tuple((code, label) for code, (label, _, _) in LETTER_KINDS.items())
    labels = [label for label, _, _ in LETTER_KINDS.values()]
    for wanted in ("wniosek o dodatek mieszkaniowy", "wniosek o przydział lokalu socjalnego", "podanie o pracę",
                   "list motywacyjny", "wniosek o rozłożenie zadłużenia na raty",
                   "usprawiedliwienie nieobecności dziecka w szkole", "prośba o spotkanie z wychowawcą",
                   "wniosek o zasiłek", "odwołanie od decyzji", "upoważnienie", "pismo ogólne"):
        assert wanted in labels
    for label, title, body in LETTER_KINDS.values():
        assert title and "[…]" in body, label


def test_types_lists_letter_and_cv_and_schema_shows_the_kinds(capsys):
    assert main(["types"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert f"letter\t{LETTER.title}" in lines and f"cv\t{DOCTYPES['cv'].title}" in lines
    assert main(["schema", "letter"]) == 0
    schema = json.loads(capsys.readouterr().out)
    kind = schema["properties"]["kind"]
    assert kind["enum"] == list(LETTER_KINDS)
    assert kind["x-labels"]["rozlozenie_na_raty"] == "wniosek o rozłożenie zadłużenia na raty"
    jsonschema.Draft202012Validator(schema).validate(LETTER.example())


@pytest.mark.parametrize("kind", LETTER_KINDS)
def test_every_kind_renders_with_its_title_body_and_signature(kind):
    _, title, _ = LETTER_KINDS[kind]
    body = kind_body(kind, "M", "Tomasz Zawadzki")
    assert "(-a)" not in body and "(-am)" not in body and "{" not in body
    data = {**LETTER.example(), "kind": kind, "title": title, "body": body, "on_behalf": True}
    # the wording's own gaps are only warnings: confirmed on purpose, they are printed as they are
    issues = validate(LETTER, data)
    gapped = ["title"] if "[…]" in title else []
    assert [(issue.path, issue.rule, issue.warning) for issue in issues] == [
        (path, "template_gaps", True) for path in gapped + ["body"]]
    content = render_valid(LETTER, require_valid(LETTER, data, [issue.key for issue in issues]),
                           letterhead=LETTERHEAD, case_number=CASE_NUMBER)
    assert check_docx(LETTER, content) == []
    text = _text(content)
    assert title in text
    for line in body.split("\n"):
        assert line in text
    assert "Tomasz Zawadzki\nul. Leśna 12 m. 4\n11-440 Lipowiec Mazurski" in text
    assert "Lipowiec Mazurski, dnia 20 listopada 2026 r." in text
    assert "Spółdzielnia Mieszkaniowa „Jutrzenka” w Lipowcu Mazurskim\nul. Spółdzielcza 3" in text
    # the family's letter: no letterhead, no case number
    for office_only in (LETTERHEAD.address, LETTERHEAD.phone, LETTERHEAD.email, CASE_NUMBER, "Znak sprawy"):
        assert office_only not in text
    if kind == "upowaznienie":  # the letter is the authorisation: no second one
        assert _after_page_break(content) == ""
        assert "UPOWAŻNIENIE" not in text
        assert text.count("(podpis osoby udzielającej upoważnienia)") == 1
        assert "(podpis nadawcy)" not in text
    else:
        authorisation = _after_page_break(content)
        assert authorisation.count("UPOWAŻNIENIE") == 1 and text.count("UPOWAŻNIENIE") == 1
        assert "(podpis nadawcy)" in text and "(podpis nadawcy)" not in authorisation
        assert "(podpis osoby udzielającej upoważnienia)" in authorisation


# --- the authorisation page ----------------------------------------------------------------------


def test_filing_on_behalf_adds_a_signed_authorisation_page():
    authorisation = _after_page_break(_render(LETTER.example()))
    lines = [line for line in authorisation.split("\n") if line]
    assert lines[0] == "Lipowiec Mazurski, dnia 20 listopada 2026 r."
    assert "UPOWAŻNIENIE" in lines
    assert ("Ja, niżej podpisany Tomasz Zawadzki, zamieszkały: ul. Leśna 12 m. 4, 11-440 Lipowiec Mazurski, "
            "dokument tożsamości: dowód osobisty ABS 524317,") in lines
    assert ("upoważniam: Ewa Kalinowska – asystent rodziny, Miejski Ośrodek Pomocy Społecznej "
            "w Lipowcu Mazurskim, dokument tożsamości: dowód osobisty AYK 203948,") in lines
    assert ("do złożenia w moim imieniu w Spółdzielni Mieszkaniowej „Jutrzenka” wniosku o rozłożenie "
            "zadłużenia na raty wraz z załącznikami oraz odbioru korespondencji w tej sprawie.") in lines
    # signed by the family member who sends the letter
    assert lines[-2:] == ["Tomasz Zawadzki", "(podpis osoby udzielającej upoważnienia)"]


def test_without_filing_on_behalf_there_is_one_page_only():
    content = _render({**LETTER.example(), "on_behalf": False, "authorised_name": None})
    assert _after_page_break(content) == ""
    assert "UPOWAŻNIENIE" not in _text(content)


def test_an_empty_scope_is_printed_as_the_default_one_and_the_id_when_given():
    data = {**LETTER.example(), "authorisation_scope": None, "authorised_id": "dowód osobisty ABC 123456"}
    authorisation = _after_page_break(_render(data))
    assert ("do złożenia w moim imieniu pisma „Wniosek o rozłożenie zadłużenia na raty” (adresat: Spółdzielnia "
            "Mieszkaniowa „Jutrzenka” w Lipowcu Mazurskim) wraz z załącznikami oraz odbioru korespondencji "
            "i dokumentów w tej sprawie.") in authorisation
    assert ", dokument tożsamości: dowód osobisty ABC 123456," in authorisation


def test_a_typed_scope_is_not_given_a_second_do_or_full_stop():
    data = {**LETTER.example(), "authorisation_scope": "do odbioru decyzji."}
    assert "\ndo odbioru decyzji.\n" in _after_page_break(_render(data))


def test_filing_on_behalf_needs_the_assistants_name():
    data = {**LETTER.example(), "authorised_name": "  "}
    assert [(i.path, i.message) for i in validate(LETTER, data)] == [
        ("authorised_name", "Osoba upoważniona: gdy asystent rodziny składa pismo w imieniu nadawcy, podaj imię "
                            "i nazwisko asystenta – wystawiamy dla niego upoważnienie.")]
    assert validate(LETTER, {**data, "on_behalf": False}) == []
    assert [i.path for i in validate(LETTER, data, sections=["filing"])] == ["authorised_name"]


# --- attachments, required fields ---------------------------------------------------------------


def test_attachments_are_a_numbered_list_and_nothing_when_there_are_none():
    text = _text(_render(LETTER.example()))
    assert ("Załączniki:\n1.\tOświadczenie o dochodach gospodarstwa domowego\n2.\tKopia zaświadczenia o "
            "rejestracji") in text
    text = _text(_render({**LETTER.example(), "attachments": []}))
    assert "Załącznik" not in text and "1.\t" not in text


def test_an_empty_phone_leaves_no_line():
    text = _text(_render({**LETTER.example(), "sender_phone": None}))
    assert "tel." not in text


def test_the_letters_fields_are_required_but_phone_attachments_and_filing():
    issues = {issue.path for issue in validate(LETTER, {})}
    assert issues == {"sender_name", "sender_sex", "sender_address", "addressee_name", "addressee_address", "kind",
                      "title", "body", "place", "document_date"}


# --- what was typed, exactly ------------------------------------------------------------------------


def test_what_was_typed_comes_out_exactly_as_typed():
    many = TYPED + "\nDrugi wiersz\tpo tabulatorze\n\nNowy akapit"
    data = {**LETTER.example(),
            "sender_name": TYPED, "sender_address": many, "sender_phone": "<605> & 214",
            "addressee_name": TYPED + " 2", "addressee_address": many + " 2",
            "title": TYPED + " tytuł", "body": many + " treść",
            "attachments": [{"name": TYPED + " załącznik"}],
            "authorised_name": TYPED + " asystent", "authorised_id": "{{ id }} & <nr>",
            "authorisation_scope": many + " zakres"}
    assert validate(LETTER, data) == []
    text = _text(_render(data))
    for value in (TYPED, many, "tel. <605> & 214", TYPED + " 2", many + " 2", TYPED + " tytuł", many + " treść",
                  "1.\t" + TYPED + " załącznik", f"upoważniam: {TYPED} asystent", "{{ id }} & <nr>",
                  f"do {many} zakres."):
        assert value in text, value
    assert text.count(TYPED) >= 8


# --- the fill-in hook ------------------------------------------------------------------------------


def test_fill_in_offers_the_kinds_title_and_body_for_blank_fields_only():
    _, title, body = LETTER_KINDS["odwolanie"]
    assert LETTER.blanks_filled({"kind": "odwolanie", "title": None, "body": "  "}) == {"title": title, "body": body}
    assert LETTER.blanks_filled({"kind": "odwolanie", "title": "Mój tytuł", "body": "Moja treść"}) == {
        "authorisation_scope": "złożenia w moim imieniu pisma „Mój tytuł” wraz z załącznikami oraz odbioru "
                               "korespondencji i dokumentów w tej sprawie"}
    assert LETTER.blanks_filled({"kind": "odwolanie"}, names=["title"]) == {"title": title}
    assert LETTER.blanks_filled({"kind": None}) == {}
    assert DOCTYPES["work_plan"].blanks_filled(DOCTYPES["work_plan"].example()) == {}


def test_a_new_letter_is_prefilled_with_the_family_member_the_assistant_and_the_office():
    facts = {"family_head_name": "Anna Zawadzka", "address_lines": "ul. Leśna 12 m. 4\n11-440 Lipowiec Mazurski",
             "assistant_name": "Ewa Kalinowska", "office_city": "Lipowiec Mazurski", "today": "2026-11-23",
             "head_name": "Barbara Lis"}
    data = prefill(LETTER, facts)
    assert data["sender_name"] == "Anna Zawadzka"
    assert data["sender_address"] == "ul. Leśna 12 m. 4\n11-440 Lipowiec Mazurski"
    assert data["authorised_name"] == "Ewa Kalinowska"
    assert (data["place"], data["document_date"]) == ("Lipowiec Mazurski", "2026-11-23")
    assert data["kind"] is None and data["title"] is None and data["body"] is None
    assert data["attachments"] == []


# --- the wizard --------------------------------------------------------------------------------------


def _post(client, document_id, step, fields, action="next"):
    return client.post(f"/dokumenty/{document_id}/krok/{step}", data={**fields, "action": action})


def test_the_wizard_offers_the_kinds_title_and_body_and_keeps_what_was_typed(login, session):
    client = login("asystent1")
    family = session.scalars(select(Family).join(User, Family.assistant)
                             .where(User.username == "asystent1").order_by(Family.id)).first()
    response = client.post(f"/rodziny/{family.id}/dokumenty", data={"doc_type": "letter"})
    assert response.location.endswith("/krok/sender")
    document_id = int(re.search(r"/dokumenty/(\d+)/", response.location).group(1))

    # the sender is the family's parent, the address as a letter prints it
    data = session.get(Document, document_id).data
    mother = next(p for p in family.members if p.relation == "matka")
    assert data["sender_name"] == f"{mother.first_name} {mother.last_name}"
    assert data["sender_sex"] == "K"  # from her PESEL: the ready-made wording will be hers
    assert data["sender_address"] == family.address.replace(", 11-440", "\n11-440")
    assert data["authorised_name"] == family.assistant.full_name

    # with no kind chosen yet, the content step offers nothing
    page = client.get(f"/dokumenty/{document_id}/krok/content").text
    assert not any(body.split("\n")[0] in page for _, _, body in LETTER_KINDS.values())

    assert _post(client, document_id, "kind", {"kind": "spotkanie_z_wychowawca"}).location.endswith("/krok/content")
    assert "Chciałabym porozmawiać o […]" in client.get(f"/dokumenty/{document_id}/krok/content").text
    assert _post(client, document_id, "kind", {"kind": "lokal_socjalny"}).location.endswith("/krok/content")
    _, title, body = LETTER_KINDS["lokal_socjalny"]
    page = client.get(f"/dokumenty/{document_id}/krok/content").text
    assert f'value="{title}"' in page
    assert body.split("\n")[0] in page
    session.expire_all()
    assert session.get(Document, document_id).data["body"] is None  # offered, not saved until sent

    # a typed title stays; the emptied body is offered again
    _post(client, document_id, "content", {"title": "Prośba o mieszkanie & <pilne>", "body": ""}, action="save")
    page = client.get(f"/dokumenty/{document_id}/krok/content").text
    assert 'value="Prośba o mieszkanie &amp; &lt;pilne&gt;"' in page and f'value="{title}"' not in page
    assert body.split("\n")[0] in page

    _post(client, document_id, "content", {"title": "Prośba o mieszkanie", "body": "Moja własna treść."},
          action="save")
    page = client.get(f"/dokumenty/{document_id}/krok/content").text
    assert "Moja własna treść." in page and body.split("\n")[0] not in page
    # the authorisation's scope follows from the title and the addressee
    page = client.get(f"/dokumenty/{document_id}/krok/filing").text
    assert "złożenia w moim imieniu pisma „Prośba o mieszkanie”" in page


def test_the_letter_has_no_office_page_footer():
    with zipfile.ZipFile(io.BytesIO(_render(LETTER.example()))) as archive:
        footers = "".join(archive.read(name).decode("utf-8") for name in archive.namelist()
                          if re.fullmatch(r"word/footer\d*\.xml", name))
    assert "PAGE" not in footers and "Strona" not in footers
