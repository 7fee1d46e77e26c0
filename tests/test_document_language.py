"""Documents as an office and a court read them: the family's name declined, words following the person's
sex, no form labels or "(-a)" in print, dates in words, the Act's wording, and pages that hold together."""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from docgen.doctypes import DOCTYPES, get_doctype
from docgen.doctypes.closing_report import REASONS
from docgen.doctypes.letter import LETTER_KINDS, kind_body
from docgen.polish import FEMALE, MALE
from docgen.context import Letterhead
from docgen.render import render

TEMPLATES = Path(__file__).resolve().parents[1] / "templates_docx"
LETTERHEAD = Letterhead(name="Miejski Ośrodek Pomocy Społecznej w Lipowcu Mazurskim",
                        address="ul. Kościuszki 5, 11-440 Lipowiec Mazurski", city="Lipowiec Mazurski",
                        phone="89 123 45 67", email="sekretariat@mops-lipowiec.example")
# "podpisany(-a)", "otrzymałem(-am)", "(chciałabym)": a form's way of leaving the choice to the reader
OPEN_CHOICE = re.compile(r"\(-\w{1,3}\)|\w\((?:a|am|ą|y|e)\)|\((?:chciałabym|uczennicy)\)")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def _render(type_id: str, data: dict | None = None) -> bytes:
    doctype = get_doctype(type_id)
    return render(doctype, data or doctype.example(), letterhead=LETTERHEAD, case_number="MOPS.AR.4101.1.2026")


def _paragraphs(content: bytes) -> list[Paragraph]:
    """Every paragraph, in table cells too, in document order."""
    document = docx.Document(io.BytesIO(content))
    return [Paragraph(p, document) for p in document.element.body.iter(qn("w:p"))]


def _text(content: bytes) -> str:
    return "\n".join(p.text for p in _paragraphs(content))


# --- what is printed ----------------------------------------------------------------------------

@pytest.mark.parametrize("type_id", DOCTYPES)
def test_no_form_label_open_choice_doubled_stop_or_iso_date_in_print(type_id):
    text = _text(_render(type_id))
    assert "(imię i nazwisko)" not in text and "(jakie)" not in text
    assert not OPEN_CHOICE.search(text), OPEN_CHOICE.search(text)
    assert "r.." not in text and "r. ." not in text
    assert not ISO_DATE.search(text), ISO_DATE.search(text)


def test_no_open_choice_in_any_template_or_wording_of_the_types():
    for path in TEMPLATES.glob("*.docx"):
        with zipfile.ZipFile(path) as package:
            xml = package.read("word/document.xml").decode("utf-8")
        assert not OPEN_CHOICE.search(re.sub(r"<[^>]+>", "", xml)), path.name
    for doctype in DOCTYPES.values():
        texts = [doctype.title, doctype.legal_basis, *(s.role for s in doctype.signatures)]
        for section in doctype.sections:
            texts += [section.title, section.help, section.statement]
            for item in section.items:
                texts += [item.label, item.help]
                texts += [spec.label for spec in getattr(item, "fields", ())]
                texts += [label for _, label in getattr(item, "choices", ())]
        for text in texts:
            assert not OPEN_CHOICE.search(text or ""), (doctype.id, text)
    for kind in LETTER_KINDS:
        for sex in (FEMALE, MALE):
            body = kind_body(kind, sex, "Anna Zawadzka")
            assert not OPEN_CHOICE.search(body) and "{" not in body, (kind, body)


def test_letter_skeletons_follow_the_senders_sex():
    assert "Pracowałam jako […] w […], gdzie zajmowałam się […]." in kind_body("list_motywacyjny", FEMALE)
    assert "Będę wdzięczny za możliwość rozmowy" in kind_body("list_motywacyjny", MALE)
    assert kind_body("spotkanie_z_wychowawca", FEMALE).count("Chciałabym porozmawiać") == 1
    assert kind_body("upowaznienie", FEMALE, "Anna Zawadzka").startswith(
        "Ja, niżej podpisana Anna Zawadzka, legitymująca się dowodem osobistym nr […], upoważniam: […], ")


def test_the_family_is_named_in_the_genitive_in_running_text():
    opinion = _text(_render("court_opinion"))
    assert "przedstawiam opinię o rodzinie Zawadzkich." in opinion
    assert "Zawadzcy" in opinion  # the name itself, as a labelled value ("Nazwisko rodziny: Zawadzcy")
    assert "rodzinie Zawadzcy" not in opinion and "rodziną Zawadzcy" not in opinion
    # a correction made on the family card is what the document prints
    corrected = {**get_doctype("work_plan").example(), "family_name": "Nowak-Zielińscy",
                 "family_name_gen": "Nowak-Zielińskich"}
    assert "PLAN PRACY Z RODZINĄ NOWAK-ZIELIŃSKICH" in _text(_render("work_plan", corrected))
    # without one, the program's declension
    plain = {**get_doctype("closing_report").example(), "family_name": "Nowakowie", "family_name_gen": None}
    assert "SPRAWOZDANIE Z ZAKOŃCZENIA PRACY Z RODZINĄ NOWAKÓW" in _text(_render("closing_report", plain))


@pytest.mark.parametrize("type_id, addressee", [
    ("letter", "Spółdzielnia Mieszkaniowa „Jutrzenka” w\u00a0Lipowcu Mazurskim"),
    ("court_opinion", "Sąd Rejonowy w\u00a0Lipowcu Mazurskim"),
])
def test_no_lone_one_letter_word_at_the_end_of_an_addressee_line(type_id, addressee):
    paragraphs = [p.text for p in _paragraphs(_render(type_id))]
    assert any(text.startswith(addressee) for text in paragraphs)


# --- the family's consent -----------------------------------------------------------------------

def _consent(*people: dict) -> str:
    data = {**get_doctype("family_consent").example(), "consenting": list(people)}
    return _text(_render("family_consent", data))


ANNA = {"first_name": "Anna", "last_name": "Zawadzka", "birth_date": "1991-03-14", "pesel": "91031441223",
        "sex": None, "relation": "matka", "married_minor": False}
TOMASZ = {"first_name": "Tomasz", "last_name": "Zawadzki", "birth_date": "1988-09-02", "pesel": "88090213717",
          "sex": None, "relation": "ojciec", "married_minor": False}
BABCIA = {"first_name": "Halina", "last_name": "Zawadzka", "birth_date": "1960-02-10", "pesel": None, "sex": "K",
          "relation": "inny", "married_minor": False}


def test_one_woman_consents_in_the_singular_and_in_her_gender():
    text = _consent(ANNA)
    assert ("Ja, niżej podpisana, wyrażam zgodę na współpracę rodziny Zawadzkich z asystentem rodziny i na "
            "prowadzenie z nią pracy") in text
    assert "Przyjmuję do wiadomości" in text
    assert ("Oświadczam, że otrzymałam informację o przetwarzaniu moich danych osobowych (art. 13 RODO). "
            "Administratorem danych jest Miejski Ośrodek Pomocy Społecznej w Lipowcu Mazurskim.") in text
    assert "Podpis osoby wyrażającej zgodę:" in text and "Podpisy osób" not in text
    assert "Przekazano klauzulę" not in text and ": tak" not in text


def test_one_man_consents_in_his_gender():
    text = _consent(TOMASZ)
    assert "Ja, niżej podpisany, wyrażam zgodę" in text and "Oświadczam, że otrzymałem informację" in text


@pytest.mark.parametrize("people, words", [
    ((ANNA, TOMASZ), ("My, niżej podpisani, wyrażamy zgodę", "Oświadczamy, że otrzymaliśmy informację o "
                                                             "przetwarzaniu naszych danych")),
    ((ANNA, BABCIA), ("My, niżej podpisane, wyrażamy zgodę", "Oświadczamy, że otrzymałyśmy informację")),
])
def test_several_people_consent_in_the_plural(people, words):
    text = _consent(*people)
    for phrase in words:
        assert phrase in text
    assert "Podpisy osób wyrażających zgodę:" in text


def test_the_consent_prints_the_pesel_or_else_the_date_of_birth_never_both():
    document = docx.Document(io.BytesIO(_render("family_consent", {
        **get_doctype("family_consent").example(), "consenting": [ANNA, BABCIA]})))
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Imię i nazwisko")
    rows = [[cell.text for cell in row.cells] for row in table.rows[1:]]
    assert rows == [["Anna Zawadzka", "91031441223", "matka"],
                    ["Halina Zawadzka", "10.02.1960", "inny członek rodziny"]]


def test_a_married_minor_is_listed_with_the_reason_and_signs():
    minor = {"first_name": "Oliwia", "last_name": "Zawadzka", "birth_date": "2009-05-01", "pesel": None,
             "sex": "K", "relation": "inny", "married_minor": True}
    text = _consent(ANNA, minor)
    assert "pełnoletność przez zawarcie małżeństwa (art. 10 § 2 k.c.)" in text
    assert "(data i podpis – Oliwia Zawadzka)" in text


# --- the letter's authorisation -------------------------------------------------------------------

def test_a_woman_authorises_in_her_gender_with_both_identity_documents():
    data = {**get_doctype("letter").example(), "sender_name": "Anna Zawadzka", "sender_sex": FEMALE,
            "sender_id": "dowód osobisty AXB 112233"}
    text = _text(_render("letter", data))
    assert ("Ja, niżej podpisana Anna Zawadzka, zamieszkała: ul. Leśna 12 m. 4, 11-440 Lipowiec Mazurski, "
            "dokument tożsamości: dowód osobisty AXB 112233,") in text
    assert "dokument tożsamości: dowód osobisty AYK 203948," in text


@pytest.mark.parametrize("field", ["sender_id", "authorised_id"])
def test_the_authorisation_needs_both_identity_documents(field):
    from docgen.validate import validate

    letter = get_doctype("letter")
    issues = validate(letter, {**letter.example(), field: "  "})
    assert [issue.path for issue in issues] == [field]
    assert "upoważnienie podaje dokumenty tożsamości obu osób" in issues[0].message
    # no authorisation page: the letter is filed by the sender, or is itself the authorisation
    assert validate(letter, {**letter.example(), field: None, "on_behalf": False}) == []


# --- the Act's wording ----------------------------------------------------------------------------

def test_the_court_opinion_prints_its_basis_once_the_courts_address_and_its_sources():
    text = _text(_render("court_opinion"))
    assert text.count("art. 15 ust. 1 pkt 17") == 1
    assert text.count("III Nsm 41/27") == 1  # the case signature once, in the header
    lines = text.split("\n")
    court = lines.index("Sąd Rejonowy w\u00a0Lipowcu Mazurskim")
    assert lines[court + 1:court + 4] == ["III Wydział Rodzinny i\u00a0Nieletnich", "ul. Sądowa 2",
                                          "11-440 Lipowiec Mazurski"]
    assert "2. Źródła informacji" in lines
    for label in ("Wizyty w miejscu zamieszkania rodziny:", "Rozmowy:", "Dokumenty:",
                  "Informacje z innych instytucji:"):
        assert label in lines


def test_the_closing_report_names_the_courts_order_and_the_familys_withdrawal():
    labels = dict(REASONS)
    assert labels["sad"] == "postanowienie sądu"
    assert labels["rezygnacja"] == "rezygnacja rodziny / wycofanie zgody"
    assert not any("decyzja" in label for label in labels.values())
    data = {**get_doctype("closing_report").example(), "end_reason": "rezygnacja"}
    assert "Przyczyna zakończenia pracy: rezygnacja rodziny / wycofanie zgody" in _text(_render("closing_report", data))


def test_the_monitoring_note_concludes_and_keeps_the_acts_title():
    note = get_doctype("monitoring_note")
    assert note.title == "Monitorowanie funkcjonowania rodziny po zakończeniu pracy z rodziną"
    text = _text(_render("monitoring_note"))
    assert "6. Wnioski" in text.split("\n") and "Wniosek: zakończenie monitorowania" in text
    assert "Decyzja" not in text and "decyzj" not in text


def test_the_coordinated_plan_prints_the_coordinator_in_its_section_or_the_institutions_contact():
    lines = _text(_render("coordinated_plan")).split("\n")
    section = lines.index("4. Koordynator rodzinnej pieczy zastępczej lub kontakt w placówce")
    assert lines[section + 1] == "Koordynator rodzinnej pieczy zastępczej: Monika Urbańska"
    plan = get_doctype("coordinated_plan").example()
    plan["children_in_care"][0].update(care_form="placowka", care_name="Placówka „Tęcza” w Lipowcu Mazurskim")
    plan.update(coordinator_name=None, coordinator_unit=None, coordinator_contact=None, social_worker_name=None,
                consultation_date=None, facility_contact_name="Jan Wróblewski, wychowawca",
                facility_contact="tel. 89 741 33 10")
    text = _text(_render("coordinated_plan", plan))
    assert "Osoba do kontaktu w placówce: Jan Wróblewski, wychowawca" in text
    assert "W imieniu placówki:" in text
    assert "Koordynator rodzinnej pieczy zastępczej:" not in text
    assert "pracownikiem socjalnym" not in text  # the consultation was not recorded: no empty line for it


# --- layout: rows, header rows, signatures that keep with the text ---------------------------------

def _parts(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as package:
        return [package.read(name).decode("utf-8") for name in package.namelist()
                if name.startswith("word/") and name.endswith(".xml")]


@pytest.mark.parametrize("path", sorted(TEMPLATES.glob("*.docx")), ids=lambda p: p.stem)
def test_every_table_row_stays_on_one_page_and_header_rows_repeat(path):
    document = docx.Document(str(path))
    rows = list(document.element.body.iter(qn("w:tr")))
    assert rows
    for row in rows:
        tr_pr = row.find(qn("w:trPr"))
        assert tr_pr is not None and tr_pr.find(qn("w:cantSplit")) is not None
    for table in document.tables:
        if table.style is not None and table.style.style_id == "PlanTable":
            first = table.rows[0]._tr.find(qn("w:trPr"))
            assert first.find(qn("w:tblHeader")) is not None


def _keeps(paragraph: Paragraph) -> bool:
    if paragraph.paragraph_format.keep_with_next is not None:
        return paragraph.paragraph_format.keep_with_next
    style = paragraph.style
    while style is not None:
        if style.paragraph_format.keep_with_next is not None:
            return style.paragraph_format.keep_with_next
        style = style.base_style
    return False


SIGNATURE_STYLES = {"SignatureGroup", "SignatureLabel", "SignatureLine"}


@pytest.mark.parametrize("type_id", [t for t, d in DOCTYPES.items() if d.numbered_sections()])
def test_the_signatures_keep_with_the_text_before_them(type_id):
    """No page holds signatures alone: from the last line of the content before the signature section's
    heading to the last signature, every paragraph keeps with the next."""
    paragraphs = [p for p in _paragraphs(_render(type_id)) if p.style.style_id != "EndMark"]
    first = next(i for i, p in enumerate(paragraphs) if p.style.style_id in SIGNATURE_STYLES)
    heading = max(i for i, p in enumerate(paragraphs[:first]) if p.style.style_id == "Heading1")
    kept = paragraphs[heading - 1:-1]
    assert [p.text for p in kept if not _keeps(p)] == []
    assert paragraphs[heading - 1].text  # a line of content, not an empty paragraph


PAGE_TEXT_HEIGHT_CM = 24.7


@pytest.mark.parametrize("type_id", DOCTYPES)
def test_a_table_row_fits_on_a_page_at_its_fields_longest(type_id):
    """A row may not split (w:cantSplit) and Word cuts off a row taller than the page: what a cell can
    hold is bounded. 10 pt text: about 5.3 characters per centimetre of column, 0.45 cm a line."""
    for _, item in get_doctype(type_id).items():
        if not getattr(item, "table", ()):
            continue
        widths = dict(item.table)
        first = item.table[0][0]
        notes = [spec for spec in item.fields if spec.name not in widths]  # printed under the first cell
        for name, width in item.table:
            specs = [item.field(name)] + (notes if name == first else [])
            lines = sum((spec.limit or 40) / (width * 5.3) + 1 for spec in specs)
            assert lines * 0.45 < PAGE_TEXT_HEIGHT_CM - 3, (item.name, name)
