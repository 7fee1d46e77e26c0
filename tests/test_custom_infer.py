"""A definition drafted from a Word template: templates of many shapes (headings, tables, loops, conditions,
headers and footers, the family card's names), and templates that cannot become a type, each refused with
a Polish message naming the place."""
from __future__ import annotations

import io
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest

from docgen.custom.definition import doctype_from_definition
from docgen.custom.infer import TemplateNotUnderstood, propose
from docgen.definition import BOOL, CHOICE, COURT_CASE, DATE, TEXT, TEXTAREA, Field, Repeat
from docgen.pdf import libreoffice_available
from docgen.templates import check_template


def build(*blocks, header: str = "", footer: str = "") -> bytes:
    """A .docx: a block is ("p", text), ("h", heading text), ("title", text) or ("table", [[cell, …], …])."""
    document = docx.Document()
    if header:
        document.sections[0].header.paragraphs[0].text = header
    if footer:
        document.sections[0].footer.paragraphs[0].text = footer
    for kind, value in blocks:
        if kind == "p":
            document.add_paragraph(value)
        elif kind == "h":
            document.add_paragraph(value, style="Heading 1")
        elif kind == "title":
            document.add_paragraph(value, style="Title")
        else:
            table = document.add_table(rows=len(value), cols=len(value[0]))
            for r, row in enumerate(value):
                for c, text in enumerate(row):
                    table.cell(r, c).text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def items(definition) -> dict:
    doctype = doctype_from_definition(definition)
    return {item.name: item for _, item in doctype.items()}


def steps(definition) -> list[tuple[str, str, list[str]]]:
    return [(s["title"], s["heading"], [i["name"] for i in s["items"]]) for s in definition["sections"]]


def refused(data: bytes) -> list[str]:
    with pytest.raises(TemplateNotUnderstood) as caught:
        propose(data, type_id="proba", title="Próba")
    return [str(problem) for problem in caught.value.problems]


NOTATKA = build(
    ("p", "{{ office.name }}"), ("p", "{{ place_and_date }}"), ("p", "Znak sprawy: {{ case_number }}"),
    ("title", "NOTATKA SŁUŻBOWA"),
    ("h", "1. Okoliczności"),
    ("p", "Rodzina {{ family_name_gen }}, {{ address }}"),
    ("p", "Data rozmowy: {{ data_rozmowy|data }}"),
    ("p", "Forma: {% if forma == 'telefon' %}telefonicznie{% elif forma == 'wizyta' %}w domu{% endif %}"),
    ("p", "Z kim: {{ z_kim }}"),
    ("h", "2. Ustalenia"),
    ("p", "{{ ustalenia }}"),
    ("p", "{%p if uwagi %}"), ("p", "Uwagi: {{ uwagi }}"), ("p", "{%p endif %}"),
    ("h", "3. Dalsze działania"),
    ("table", [["Zadanie", "Kto", "Termin"], ["{%tr for k in kroki %}", "", ""],
               ["{{ k.zadanie }}", "{{ k.kto }}", "{{ k.termin|data_krotka }}"], ["{%tr endfor %}", "", ""]]),
    ("p", "Sporządził: {{ assistant_name }}"),
)


# --- shapes --------------------------------------------------------------------------------

def test_headings_become_steps_and_placeholders_become_typed_fields():
    definition = propose(NOTATKA, type_id="notatka", title="Notatka z rozmowy")
    assert steps(definition) == [
        ("Dane podstawowe", "", ["place", "document_date"]),
        ("Okoliczności", "1. Okoliczności", ["family_name_gen", "address", "data_rozmowy", "forma", "z_kim"]),
        ("Ustalenia", "2. Ustalenia", ["ustalenia", "uwagi"]),
        ("Dalsze działania", "3. Dalsze działania", ["kroki", "assistant_name"]),
    ]
    fields = items(definition)
    assert fields["data_rozmowy"].kind == DATE and fields["data_rozmowy"].label == "Data rozmowy"
    assert fields["forma"].kind == CHOICE and fields["forma"].choices == (("telefon", "telefon"),
                                                                          ("wizyta", "wizyta"))
    assert fields["z_kim"].kind == TEXT and fields["z_kim"].label == "Z kim"
    assert fields["ustalenia"].kind == TEXTAREA and fields["ustalenia"].required
    assert fields["uwagi"].kind == TEXTAREA and not fields["uwagi"].required  # printed only inside its own if
    # the family card's names: the built-in fields, prefilled, needing no question to draft
    assert fields["address"].prefill == "address" and fields["address"].label == "Adres zamieszkania"
    # the genitive printed alone is asked for itself, prefilled from the card which keeps it
    assert fields["family_name_gen"].prefill == "family_name_genitive" and fields["family_name_gen"].required
    assert fields["place"].prefill == "office_city" and fields["document_date"].prefill == "today"
    assert fields["assistant_name"].prefill == "assistant_name"


def test_a_table_row_loop_is_a_list_with_its_columns():
    kroki = items(propose(NOTATKA, type_id="notatka", title="Notatka"))["kroki"]
    assert isinstance(kroki, Repeat)
    assert [(f.name, f.kind) for f in kroki.fields] == [("zadanie", TEXT), ("kto", TEXT), ("termin", DATE)]
    assert kroki.min_items == 1 and kroki.item_label == "krok"  # unguarded: a document needs a row


def test_a_guarded_paragraph_loop_may_stay_empty():
    data = build(("h", "1. Obecni"), ("p", "{%p if obecni %}"), ("p", "{%p for o in obecni %}"),
                 ("p", "{{ loop.index }}. {{ o.imie }} {{ o.nazwisko }}{% if o.rola %} – {{ o.rola }}{% endif %}"),
                 ("p", "{%p endfor %}"), ("p", "{%p else %}"), ("p", "Nikt."), ("p", "{%p endif %}"))
    obecni = items(propose(data, type_id="lista", title="Lista"))["obecni"]
    assert obecni.min_items == 0 and obecni.item_label == "osoba"
    assert [(f.name, f.label, f.required) for f in obecni.fields] == [
        ("imie", "Imię", True), ("nazwisko", "Nazwisko", True), ("rola", "Rola", False)]


def test_the_familys_members_come_from_the_family_card():
    data = build(("h", "1. Skład rodziny"),
                 ("table", [["Osoba", "Rola"], ["{%tr for m in members %}", ""],
                            ["{{ m.first_name }} {{ m.last_name }}", "{{ m.relation_label }}"], ["{%tr endfor %}", ""]]))
    members = items(propose(data, type_id="sklad", title="Skład"))["members"]
    assert members.prefill == "members" and members.label == "Członkowie rodziny"
    assert [(f.name, f.prefill) for f in members.fields] == [
        ("first_name", "first_name"), ("last_name", "last_name"), ("relation_label", "relation_label")]


def test_headers_and_footers_are_read_and_their_fields_asked_first():
    data = build(("h", "1. Treść"), ("p", "{{ tresc }}"),
                 header="{{ office.name }} – teczka {{ numer_teczki }}", footer="Sygn. {{ sygnatura_akt }}")
    definition = propose(data, type_id="pismo", title="Pismo")
    assert steps(definition)[0] == ("Dane podstawowe", "", ["numer_teczki", "sygnatura_akt"])
    fields = items(definition)
    assert fields["sygnatura_akt"].kind == COURT_CASE and fields["numer_teczki"].kind == TEXT


def test_a_condition_only_tested_is_yes_or_no():
    data = build(("h", "1. Zgoda"), ("p", "{%p if czy_zgoda %}"), ("p", "Rodzina wyraziła zgodę."), ("p", "{%p endif %}"),
                 ("p", "{% if dochod_ponizej %}Dochód poniżej kryterium.{% endif %}"), ("p", "Opis: {{ opis }}"))
    fields = items(propose(data, type_id="zgoda", title="Zgoda"))
    assert fields["czy_zgoda"].kind == BOOL and not fields["czy_zgoda"].required
    assert fields["dochod_ponizej"].kind == BOOL and fields["dochod_ponizej"].label == "Dochód ponizej"
    assert fields["opis"].kind == TEXTAREA  # "opis" is a long text even inline


def test_without_headings_one_step_holds_everything():
    data = build(("p", "Wniosek o {{ przedmiot }} z dnia {{ termin_zlozenia }}."), ("p", "{{ uzasadnienie }}"))
    definition = propose(data, type_id="wniosek", title="Wniosek")
    assert steps(definition) == [("Treść dokumentu", "", ["przedmiot", "termin_zlozenia", "uzasadnienie"])]
    assert items(definition)["termin_zlozenia"].kind == DATE


def test_the_genitive_beside_the_name_is_declined_from_it_when_left_blank():
    data = build(("title", "NOTATKA W SPRAWIE RODZINY {{ family_name_gen|upper }}"), ("h", "1. Treść"),
                 ("p", "Rodzina: {{ family_name }}"), ("p", "{{ tresc }}"))
    definition = propose(data, type_id="n", title="N")
    fields = items(definition)
    assert fields["family_name"].required and not fields["family_name_gen"].required
    doctype = doctype_from_definition(definition)
    assert doctype.derive({"family_name": "Nowakowie", "family_name_gen": None})["family_name_gen"] == "Nowaków"


def test_a_form_like_table_gives_one_line_fields():
    data = build(("h", "1. Dane szkoły"),
                 ("table", [["Nazwa szkoły", "{{ nazwa_szkoly }}"], ["Klasa", "{{ klasa }}"],
                            ["Wychowawca", "{{ wychowawca }}"]]))
    fields = items(propose(data, type_id="szkola", title="Szkoła"))
    assert [(name, spec.kind) for name, spec in fields.items()] == [
        ("nazwa_szkoly", TEXT), ("klasa", TEXT), ("wychowawca", TEXT)]
    assert fields["nazwa_szkoly"].label == "Nazwa szkoły"  # Polish letters put back in common words


def test_choices_from_a_list_of_texts_and_a_date_by_its_filter_only():
    data = build(("h", "1. Wizyta"), ("p", "{% if miejsce in ['dom', 'ośrodek'] %}Wizyta stacjonarna.{% endif %}"),
                 ("p", "Kiedy: {{ kiedy|data }}"))
    fields = items(propose(data, type_id="w", title="W"))
    assert fields["miejsce"].choices == (("dom", "dom"), ("osrodek", "ośrodek"))
    assert fields["kiedy"].kind == DATE


def test_every_proposal_passes_the_template_check_and_renders_its_example():
    for data in (NOTATKA, build(("h", "1. A"), ("p", "{{ a }}"))):
        definition = propose(data, type_id="t", title="T")
        doctype = doctype_from_definition(definition)
        assert check_template(data, doctype) == []


# --- refusals ------------------------------------------------------------------------------

@pytest.mark.parametrize("blocks, expected", [
    ([("h", "1. A"), ("p", "Data: {{ data }}")],
     "akapit 2 („Data: {{ data }}”): Nazwa „data” jest zarezerwowana przez program; nazwij pole dokładniej, "
     "np. {{ data_dokumentu }} albo {{ data_rozmowy }}."),
    ([("h", "1. A"), ("p", "Imię: {{ osoba.imie }}")],
     "akapit 2 („Imię: {{ osoba.imie }}”): „osoba.imie”: pole z kropką działa tylko w pętli po liście"),
    ([("h", "1. A"), ("p", "{%p for r in lista %}"), ("p", "{{ r }}"), ("p", "{%p endfor %}")],
     "akapit 3 („{{ r }}”): „{{ r }}” wypisuje całą pozycję listy „lista”"),
    ([("p", "{%p for r in lista %}"), ("p", "{%p for s in r.podlista %}"), ("p", "{{ s.a }}"),
      ("p", "{%p endfor %}"), ("p", "{%p endfor %}")],
     "akapit 2 („{%p for s in r.podlista %}”): Pętla po „r.podlista”: lista w liście nie jest możliwa"),
    ([("p", "Miejscowość: {{ miejscowość }}")],
     "akapit 1 („Miejscowość: {{ miejscowość }}”): Nazwa „miejscowość” nie nadaje się na pole: w znacznikach pisz "
     "małymi literami, bez polskich znaków i spacji, np. {{ miejscowosc }}."),
    ([("p", "Nazwisko: {{ nazwisko }")], "akapit 1 („Nazwisko: {{ nazwisko }”): Znacznik zaczyna się w tym akapicie"),
    ([("p", "{% macro m() %}x{% endmacro %}{{ a }}")], "akapit 1"),
    ([("p", "{{ a|safe }}")], "Filtr „safe” jest niedozwolony"),
    ([("p", "{% for a, b in pary %}{{ a }}{% endfor %}")], "Pętla z kilkoma zmiennymi"),
    ([("p", "Zwykły dokument bez pól.")], "Szablon nie ma żadnego pola do wypełnienia"),
    ([("p", "{% if a %}"), ("p", "{{ a }}{% endif %}")], "akapit 1"),
])
def test_templates_that_cannot_become_a_type_are_refused_with_the_place(blocks, expected):
    problems = refused(build(*blocks))
    assert any(expected in problem for problem in problems), problems


def test_a_file_that_is_not_a_word_document_is_refused():
    assert refused(b"to nie jest docx")[0].startswith("Plik nie jest dokumentem Word (.docx)")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/vbaProject.bin", b"\0")
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    assert any("makra" in problem for problem in refused(out.getvalue()))


# --- a template written in LibreOffice -------------------------------------------------------

FODT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
 <office:styles>
  <style:style style:name="Heading_20_1" style:display-name="Heading 1" style:family="paragraph" style:default-outline-level="1">
   <style:text-properties fo:font-size="13pt" fo:font-weight="bold"/></style:style>
  <style:style style:name="Title" style:family="paragraph"><style:paragraph-properties fo:text-align="center"/>
   <style:text-properties fo:font-size="16pt" fo:font-weight="bold"/></style:style>
 </office:styles>
 <office:automatic-styles>
  <style:style style:name="T1" style:family="text"><style:text-properties fo:font-weight="bold"/></style:style>
 </office:automatic-styles>
 <office:body><office:text>
  <text:p>{{ office.name }}</text:p>
  <text:p>{{ office.address }}</text:p>
  <text:p>{{ place_and_date }}</text:p>
  <text:p><text:span text:style-name="T1">Znak sprawy: </text:span>{{ case_number }}</text:p>
  <text:p text:style-name="Title">NOTATKA SŁUŻBOWA</text:p>
  <text:h text:style-name="Heading_20_1" text:outline-level="1">1. Rozmowa</text:h>
  <text:p>Rodzina {{ family_name_gen }}, {{ address }}.</text:p>
  <text:p><text:span text:style-name="T1">Data rozmowy:</text:span> {{ data_rozmowy }}</text:p>
  <text:p><text:span text:style-name="T1">Z kim:</text:span> {{ z_kim }}</text:p>
  <text:p><text:span text:style-name="T1">O czym:</text:span> {{ o_czym }}</text:p>
  <text:h text:style-name="Heading_20_1" text:outline-level="1">2. Ustalenia</text:h>
  <text:p>{{ ustalenia }}</text:p>
  <text:h text:style-name="Heading_20_1" text:outline-level="1">3. Dalsze kroki</text:h>
  <text:p>{{ dalsze_kroki }}</text:p>
  <text:p>{{ assistant_name }}</text:p>
 </office:text></office:body>
</office:document>
"""


def libreoffice_template(folder: Path) -> Path:
    """The notatka written as LibreOffice's flat ODT and saved by LibreOffice itself as .docx: its XML,
    its runs and styles are LibreOffice's."""
    source = folder / "notatka_lo.fodt"
    source.write_text(FODT, encoding="utf-8")
    profile = folder / "lo-profile"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
                    "docx:MS Word 2007 XML", "--outdir", str(folder), str(source)],
                   check=True, capture_output=True, timeout=120)
    return folder / "notatka_lo.docx"


@pytest.mark.skipif(not libreoffice_available(), reason="needs LibreOffice (soffice)")
def test_a_template_saved_by_libreoffice_is_read_like_one_from_word(tmp_path):
    data = libreoffice_template(tmp_path).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "LibreOffice" in archive.read("docProps/app.xml").decode()
    definition = propose(data, type_id="notatka_lo", title="Notatka (LibreOffice)")
    assert [(title, heading) for title, heading, _ in steps(definition)] == [
        ("Dane podstawowe", ""), ("Rozmowa", "1. Rozmowa"), ("Ustalenia", "2. Ustalenia"),
        ("Dalsze kroki", "3. Dalsze kroki")]
    fields = items(definition)
    assert fields["data_rozmowy"].kind == DATE and fields["ustalenia"].kind == TEXTAREA
    assert isinstance(fields["address"], Field) and fields["address"].prefill == "address"


# --- the hostile suite: what the office-template check refuses, inference refuses too ------------

def test_every_hostile_template_is_refused_quickly_and_runs_nothing(tmp_path):
    import time

    from test_hostile_templates import payloads

    sentinel = tmp_path / "SENTINEL"
    for name, (payload, message) in payloads(sentinel).items():
        start = time.perf_counter()
        problems = refused(build(("h", "1. Treść"), ("p", "{{ tresc }}"), ("p", payload)))
        assert time.perf_counter() - start < 10, name
        assert problems and any(message in problem or "zarezerwowana" in problem for problem in problems), \
            (name, problems)
        assert not sentinel.exists(), f"{name} ran a command"
