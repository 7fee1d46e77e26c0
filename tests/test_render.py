"""Rendering the work plan into its Word template: structure, print details, and text kept verbatim."""
from __future__ import annotations

import copy
import functools
import importlib.util
import io
import re
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm
from docx.table import Table
from docx.text.paragraph import Paragraph
from hypothesis import given, settings
from hypothesis import strategies as st

from docgen.context import Letterhead
from docgen.doctypes.work_plan import WORK_PLAN, derive
from docgen.render import render
from docgen.templates.engine import template_path

LETTERHEAD = Letterhead(
    name="Miejski Ośrodek Pomocy Społecznej w Lipowcu Mazurskim",
    address="ul. Mickiewicza 5, 11-440 Lipowiec Mazurski",
    city="Lipowiec Mazurski",
    phone="89 755 12 34",
    email="sekretariat@mops.lipowiec.example.pl",
)
CASE_NUMBER = "MOPS.AR.4101.1.2026"
ACTION_COLUMNS = ["Działanie", "Osoba odpowiedzialna", "Termin realizacji", "Przewidywany efekt",
                  "Sposób weryfikacji"]
MEMBER_COLUMNS = ["Imię i nazwisko", "Data urodzenia", "PESEL", "Rola w rodzinie", "We wspólnym gospodarstwie"]


def render_plan(data: dict | None = None, letterhead: Letterhead = LETTERHEAD) -> bytes:
    return render(WORK_PLAN, WORK_PLAN.example() if data is None else data, letterhead=letterhead,
                  case_number=CASE_NUMBER)


def open_docx(raw: bytes):
    return Document(io.BytesIO(raw))


def table_text(table: Table) -> list[str]:
    texts = []
    for row in table.rows:
        for cell in row.cells:
            texts.append(cell.text)
            for inner in cell.tables:
                texts.extend(table_text(inner))
    return texts


def all_text(document) -> str:
    """Paragraph and table-cell text of the body, in order, as python-docx reads it."""
    parts = []
    for block in document.iter_inner_content():
        parts.extend([block.text] if isinstance(block, Paragraph) else table_text(block))
    return "\n".join(parts)


def headings(document) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]


def section_blocks(document, section_name: str) -> list:
    """Body blocks between a section's heading and the next heading."""
    title = WORK_PLAN.numbered_title(WORK_PLAN.section(section_name))
    blocks, inside = [], False
    for block in document.iter_inner_content():
        is_heading = isinstance(block, Paragraph) and block.style.name.startswith("Heading")
        if is_heading:
            if inside:
                break
            inside = block.text == title
            continue
        if inside:
            blocks.append(block)
    assert inside or blocks, f"no section {title}"
    return blocks


def table_with_header(document, columns: list[str]) -> Table:
    for table in document.tables:
        if [cell.text for cell in table.rows[0].cells] == columns:
            return table
    raise AssertionError(f"no table with header {columns}")


@functools.lru_cache(maxsize=1)
def example_bytes() -> bytes:
    return render_plan()


@pytest.fixture(scope="module")
def example():
    return open_docx(example_bytes())


# --- the example, as printed -------------------------------------------------------------

def test_example_renders_to_a_docx_that_python_docx_reads(example):
    text = all_text(example)
    assert "PLAN PRACY Z RODZINĄ ZAWADZKICH" in [p.text for p in example.paragraphs]
    assert f"Znak sprawy: {CASE_NUMBER}" in text
    assert LETTERHEAD.name in [p.text for p in example.paragraphs]
    assert "tel. 89 755 12 34, e-mail: sekretariat@mops.lipowiec.example.pl" in text
    assert "Lipowiec Mazurski, dnia 2 listopada 2026 r." in text


def test_every_section_heading_in_order(example):
    assert headings(example) == [WORK_PLAN.numbered_title(section) for section in WORK_PLAN.sections]
    assert all(p.style.name == "Heading 1" for p in example.paragraphs if p.text in headings(example))


def test_actions_table_has_the_five_columns_and_one_row_per_action(example):
    data = WORK_PLAN.example()
    table = table_with_header(example, ACTION_COLUMNS)
    assert len(table.rows) == 1 + len(data["actions"])
    header_props = table.rows[0]._tr.trPr
    assert header_props is not None and header_props.find(qn("w:tblHeader")) is not None  # repeats per page
    for row, action in zip(table.rows[1:], data["actions"]):
        cells = row.cells
        assert cells[0].paragraphs[0].text == action["action"]
        assert cells[1].text == action["responsible"]
        day = action["deadline"]
        assert cells[2].text == f"{day[8:10]}.{day[5:7]}.{day[0:4]}"
        assert cells[3].text == action["expected_effect"]
        assert cells[4].text == action["verification"]
    area = WORK_PLAN.item("actions").field("area").choice_label("praca")
    assert table.rows[1].cells[0].paragraphs[-1].text == f"obszar: {area}"


def test_members_table_one_row_per_person(example):
    data = WORK_PLAN.example()
    table = table_with_header(example, MEMBER_COLUMNS)
    rows = [[cell.text for cell in row.cells] for row in table.rows[1:]]
    assert rows[0] == ["Anna Zawadzka", "14.03.1991", "91031441223", "matka", "tak"]
    assert rows[3] == ["Kacper Zawadzki", "07.11.2018", "–", "dziecko", "tak"]
    assert len(rows) == len(data["members"])


def test_footer_has_page_x_of_y_fields():
    with zipfile.ZipFile(io.BytesIO(example_bytes())) as package:
        footers = [package.read(name).decode() for name in package.namelist()
                   if re.fullmatch(r"word/footer\d*\.xml", name)]
    assert footers
    xml = "".join(footers)
    assert "Strona" in xml
    instructions = re.findall(r"<w:instrText[^>]*>([^<]*)</w:instrText>", xml) + \
        re.findall(r'w:instr="([^"]*)"', xml)
    assert [i.split()[0] for i in instructions] == ["PAGE", "NUMPAGES"]


def test_one_signature_caption_per_signatory(example):
    signatories = derive(WORK_PLAN.example())["signatories"]
    assert len(signatories) == 2
    captions = [line for line in all_text(example).split("\n") if line.startswith("(data i podpis – ")]
    assert captions == [f"(data i podpis – {s['name']})" for s in signatories]
    text = all_text(example)
    assert "(data i podpis asystenta rodziny – Ewa Kalinowska)" in text
    assert ("Plan skonsultowano z pracownikiem socjalnym: Marek Sobczak, dnia 29 października 2026 r."
            in text)
    assert "(podpis pracownika socjalnego)" in text


def test_no_template_tags_or_tag_paragraphs_left(example):
    text = all_text(example)
    assert "{{" not in text and "{%" not in text
    body = list(example.iter_inner_content())
    empty = [block for block in body[:-1] if isinstance(block, Paragraph) and not block.text.strip()]
    assert empty == []  # every `{%p %}` line went away with its paragraph
    assert not any(p.style.name == "Znacznik szablonu" for p in example.paragraphs)


def test_page_and_fonts_are_office_format(example):
    section = example.sections[0]
    assert abs(section.page_width - Cm(21)) < Cm(0.01) and abs(section.page_height - Cm(29.7)) < Cm(0.01)
    for margin in (section.left_margin, section.right_margin, section.top_margin, section.bottom_margin):
        assert abs(margin - Cm(2.5)) < Cm(0.01)
    defaults = example.styles.element.find(qn("w:docDefaults"))
    fonts = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}")
    size = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:sz')}")
    assert fonts.get(qn("w:ascii")) == fonts.get(qn("w:hAnsi")) == "Calibri"
    assert 22 <= int(size.get(qn("w:val"))) <= 24  # 11–12 pt


def test_consent_basis_shows_the_consent_date(example):
    text = all_text(example)
    assert "Data wyrażenia zgody przez rodzinę: 12 października 2026 r." in text
    assert "Sygnatura akt" not in text


def test_court_order_basis_shows_the_court_and_not_the_consent():
    data = WORK_PLAN.example()
    data.update(basis="postanowienie", consent_date=None,
                court_name="Sąd Rejonowy w Lipowcu, III Wydział Rodzinny i Nieletnich",
                court_case_number="III Nsm 253/26", court_order_date="2026-09-20")
    text = all_text(open_docx(render_plan(data)))
    assert "Podstawa pracy z rodziną: postanowienie sądu" in text
    assert "Sąd, który wydał postanowienie: Sąd Rejonowy w Lipowcu, III Wydział Rodzinny i Nieletnich" in text
    assert "Sygnatura akt: III Nsm 253/26" in text
    assert "Data postanowienia: 20 września 2026 r." in text
    assert "Data wyrażenia zgody" not in text


def test_no_institutions_says_so():
    data = WORK_PLAN.example()
    data["institutions"] = []
    document = open_docx(render_plan(data))
    blocks = section_blocks(document, "cooperation")
    assert [block.text for block in blocks] == ["Nie wskazano."]
    assert not any([c.text for c in t.rows[0].cells] == ["Instytucja", "Zakres współpracy"]
                   for t in document.tables)


def test_institutions_table_when_given(example):
    table = table_with_header(example, ["Instytucja", "Zakres współpracy"])
    assert [cell.text for cell in table.rows[2].cells] == ["Powiatowy Urząd Pracy w Lipowcu Mazurskim",
                                                            "Oferty pracy i szkolenia dla rodziców."]


def test_letterhead_without_phone_or_email_drops_the_line():
    document = open_docx(render_plan(letterhead=Letterhead(name="GOPS w Kętrzynie", address="ul. Długa 1",
                                                            city="Kętrzyn")))
    first = [p.text for p in document.paragraphs[:3]]
    assert first == ["GOPS w Kętrzynie", "ul. Długa 1", "Lipowiec Mazurski, dnia 2 listopada 2026 r."]


def test_committed_template_is_what_the_build_script_makes():
    path = Path(__file__).resolve().parent.parent / "tools" / "build_templates.py"
    spec = importlib.util.spec_from_file_location("build_templates", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.stale_templates(template_path(WORK_PLAN).parent) == [], \
        "run: python tools/build_templates.py"


# --- what a user typed comes out verbatim -------------------------------------------------

def test_template_syntax_in_values_is_not_evaluated():
    data = WORK_PLAN.example()
    data["family_name"] = "{{ 7*7 }}"
    data["strengths"] = "{% if true %}tak{% endif %} {{ 7*7 }}"
    data["actions"][0]["responsible"] = "{{ 7*7 }}"
    document = open_docx(render_plan(data))
    text = all_text(document)
    assert "49" not in text
    assert "Nazwisko rodziny: {{ 7*7 }}" in text
    assert "{% if true %}tak{% endif %} {{ 7*7 }}" in text
    assert table_with_header(document, ACTION_COLUMNS).rows[1].cells[1].text == "{{ 7*7 }}"


def test_edge_spaces_survive_in_the_xml():
    """python-docx reads text without xml:space; Word and LibreOffice drop edge spaces without it."""
    data = WORK_PLAN.example()
    data["family_name"] = "  Zawadzcy  "
    data["actions"][0]["responsible"] = " Anna\n  Zawadzka "
    raw = render_plan(data)
    xml = zipfile.ZipFile(io.BytesIO(raw)).read("word/document.xml").decode()
    for match in re.finditer(r"<w:t( [^>]*)?>([^<]*)</w:t>", xml):
        attrs, text = match.group(1) or "", match.group(2)
        if text != text.strip():
            assert 'xml:space="preserve"' in attrs, match.group(0)
    assert "Nazwisko rodziny:   Zawadzcy  " in all_text(open_docx(raw))


TRICKY = ["\n", "\t", "&", "<", ">", '"', "'", "{", "}", "%", "{{ x }}", "{% if %}", "{%", "%}", "{#", "#}",
          "{_{", "}_}", "{_%", "%_}", "{{", "}}", "{%p if x %}", "{%tr endfor %}", "&amp;", "<w:t>", "</w:p>",
          "]]>", "😀", "👨‍👩‍👧", "ąćęłńóśźż", "ĄĆĘŁŃÓŚŹŻ", " ", "  ", "\u00a0", "\u2028"]
CHARACTERS = st.characters(exclude_categories=("Cs", "Cc"), include_characters="\n\t",
                           exclude_characters="\ufffe\uffff")
VALUES = (st.lists(st.one_of(st.text(CHARACTERS, max_size=12), st.sampled_from(TRICKY)), min_size=1, max_size=10)
          .map("".join)
          .filter(lambda value: value.strip() != "" and len(value) <= 300))


def test_python_docx_reads_line_breaks_and_tabs_as_newline_and_tab():
    """The round trip below compares with python-docx text; it maps <w:br/> to "\\n" and <w:tab/> to "\\t"."""
    data = WORK_PLAN.example()
    data["strengths"] = "a\tb\nc"
    raw = render_plan(data)
    xml = zipfile.ZipFile(io.BytesIO(raw)).read("word/document.xml").decode()
    assert re.search(r">a</w:t>.*?<w:tab/>.*?>b</w:t><w:br/><w:t[^>]*>c<", xml)
    assert [b.text for b in section_blocks(open_docx(raw), "strengths")] == ["a\tb\nc"]


@settings(max_examples=40, deadline=None)
@given(single_line=VALUES, textarea=VALUES, cell_text=VALUES, cell_textarea=VALUES)
def test_text_round_trips_verbatim(single_line, textarea, cell_text, cell_textarea):
    data = copy.deepcopy(WORK_PLAN.example())
    data["family_name"] = single_line
    data["strengths"] = textarea
    data["actions"][0]["responsible"] = cell_text
    data["actions"][0]["action"] = cell_textarea
    document = open_docx(render_plan(data))

    family = section_blocks(document, "family")
    assert family[0].text == f"Nazwisko rodziny: {single_line}"
    assert [block.text for block in section_blocks(document, "strengths")] == [textarea]
    row = table_with_header(document, ACTION_COLUMNS).rows[1].cells
    assert row[0].paragraphs[0].text == cell_textarea
    assert row[1].text == cell_text
