"""Word fields: only page numbers, dates and references inside the document pass, in the template and in
what a render produces, however the field is written (any case, split over runs, built by Jinja)."""
from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile

import pytest
from pypdf import PdfReader

from docgen.context import Letterhead
from docgen.pdf import libreoffice_available
from docgen.pdfbatch import convert_files
from docgen.doctypes.work_plan import WORK_PLAN
from docgen.render import render
from docgen.templates import TemplateRejected, check_template
from docgen.templates.engine import render_context, template_path
from docgen.templates.fields import allowed
from docgen.templates.vocabulary import example_context

BASE = template_path(WORK_PLAN).read_bytes()
LETTERHEAD = Letterhead(name="MOPS w Lipowcu", address="ul. Mickiewicza 5", city="Lipowiec Mazurski")
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
TARGET = "http://zdjecia.example.invalid/rodzina"
FOOTNOTES_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
FOOTNOTES_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"


def read(data: bytes, name: str) -> str:
    return zipfile.ZipFile(io.BytesIO(data)).read(name).decode("utf-8")


def zip_edit(data: bytes, replace: dict[str, str]) -> bytes:
    """The package with parts replaced or added (same order, new ones last)."""
    replace = dict(replace)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            new = replace.pop(info.filename, None)
            zout.writestr(info.filename, new.encode("utf-8") if new is not None else zin.read(info.filename))
        for name, text in replace.items():
            zout.writestr(name, text.encode("utf-8"))
    return out.getvalue()


def field(*instructions: str) -> str:
    """A complex field: fldChar begin, one run of w:instrText per instruction, separate, a result, end."""
    runs = [f'<w:r><w:instrText xml:space="preserve">{text}</w:instrText></w:r>' for text in instructions]
    return ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>' + "".join(runs)
            + '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>wynik</w:t></w:r>'
            + '<w:r><w:fldChar w:fldCharType="end"/></w:r>')


def in_body(runs: str) -> bytes:
    xml = read(BASE, "word/document.xml")
    return zip_edit(BASE, {"word/document.xml": xml.replace("<w:sectPr", f"<w:p>{runs}</w:p><w:sectPr", 1)})


def in_footer(runs: str) -> bytes:
    xml = read(BASE, "word/footer1.xml")
    return zip_edit(BASE, {"word/footer1.xml": xml.replace("</w:ftr>", f"<w:p>{runs}</w:p></w:ftr>")})


def in_footnotes(runs: str) -> bytes:
    """The template with a footnotes part (Word's separators and one note holding `runs`)."""
    notes = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes {W}>'
             '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
             '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r>'
             f'</w:p></w:footnote><w:footnote w:id="1"><w:p>{runs}</w:p></w:footnote></w:footnotes>')
    types = read(BASE, "[Content_Types].xml").replace(
        "</Types>", f'<Override PartName="/word/footnotes.xml" ContentType="{FOOTNOTES_TYPE}"/></Types>')
    rels = read(BASE, "word/_rels/document.xml.rels").replace(
        "</Relationships>", f'<Relationship Id="rIdNotes" Type="{FOOTNOTES_REL}" Target="footnotes.xml"/>'
                            "</Relationships>")
    return zip_edit(BASE, {"word/footnotes.xml": notes, "[Content_Types].xml": types,
                           "word/_rels/document.xml.rels": rels})


def problems(data: bytes) -> list[str]:
    return [str(problem) for problem in check_template(data, WORK_PLAN)]


def forced(data: bytes, context=None) -> str:
    """Rendered past the check: refused all the same, in Polish."""
    with pytest.raises(TemplateRejected) as refused:
        render_context(data, context or example_context(WORK_PLAN))
    return str(refused.value)


# --- the probe's bypasses, in the template -------------------------------------------------------

@pytest.mark.parametrize("instruction, code", [
    (f'includepicture "{TARGET}" \\d', "INCLUDEPICTURE"),
    ('ddeauto c:\\\\windows\\\\system32\\\\cmd.exe "/k calc.exe"', "DDEAUTO"),
    ('includetext "c:\\\\dane\\\\rodziny.docx"', "INCLUDETEXT"),
    ('DATABASE \\d "c:\\\\dane\\\\rodziny.mdb" \\s "select * from rodziny"', "DATABASE"),
    ('IncludePicture "\\\\\\\\serwer\\\\udzial\\\\x.png"', "INCLUDEPICTURE"),
])
def test_a_field_reaching_outside_is_refused_in_any_case(instruction, code):
    data = in_body(field(instruction))
    found = problems(data)
    assert any(f"Pole Worda {code} pobiera dane z zewnątrz" in problem and problem.startswith("treść dokumentu, akapit")
               for problem in found), found
    assert f"Pole Worda {code}" in forced(data)


def test_a_field_split_over_two_runs_is_read_whole():
    data = in_body(field(" INCLUDE", f'PICTURE "{TARGET}" '))
    assert any("Pole Worda INCLUDEPICTURE" in problem for problem in problems(data))
    assert "INCLUDEPICTURE" in forced(data)


def test_a_field_code_built_by_jinja_is_refused_by_the_check_and_when_forced():
    data = in_body(field('{{ "INCLUDE" ~ "PICTURE" }} ', f'"{TARGET}/{{{{ family_name }}}}"'))
    found = problems(data)
    assert any("znaczniki szablonu" in problem and "INCLUDE" in problem for problem in found), found
    assert "znaczniki szablonu" in forced(data)


def test_a_simple_field_is_judged_like_a_complex_one():
    data = in_body(f'<w:fldSimple w:instr=" includeText &quot;{TARGET}&quot; "><w:r><w:t>x</w:t></w:r></w:fldSimple>')
    assert any("Pole Worda INCLUDETEXT" in problem for problem in problems(data))


def test_a_field_whose_code_is_the_result_of_another_field_is_refused():
    """{ { REF zakladka } }: Word builds the outer field's code from the bookmark's text."""
    nested = ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>' + field(" REF zakladka ")
              + '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>')
    assert any("wyniku innych pól" in problem for problem in problems(in_body(nested)))


@pytest.mark.parametrize("part, place", [("word/endnotes.xml", "przypisy końcowe"),
                                         ("word/comments.xml", "komentarze")])
def test_endnotes_and_comments_are_scanned_too(part, place):
    root = "endnotes" if "endnotes" in part else "comments"
    xml = f'<w:{root} {W}><w:p>{field(" INCLUDETEXT x ")}</w:p></w:{root}>'
    found = problems(zip_edit(BASE, {part: xml}))
    assert any(problem.startswith(place) and "INCLUDETEXT" in problem for problem in found), found


def test_a_hyperlink_only_to_a_bookmark_and_page_numbers_and_dates_pass():
    data = in_body(field(" PAGE ") + field(" numpages \\* MERGEFORMAT ") + field(' DATE \\@ "d MMMM yyyy" ')
                   + field(' HYPERLINK \\l "plan" \\o "Do planu" ') + field(" PAGEREF plan \\h "))
    assert problems(data) == []
    out = render(WORK_PLAN, WORK_PLAN.example(), letterhead=LETTERHEAD, case_number="X.1", template=data)
    assert 'HYPERLINK \\l "plan"' in read(out, "word/document.xml")
    assert any("prowadzi poza dokument" in problem
               for problem in problems(in_body(field(f' HYPERLINK "{TARGET}" '))))
    assert [allowed(code) for code in (" page ", "SEQ Tabela \\* ARABIC", "TOC \\o \"1-3\" \\h", "FILLIN x",
                                       "MACROBUTTON x", 'HYPERLINK \\l "a" "http://x"')] == [
        True, True, True, False, False, False]


# --- fields that appear only once rendered ------------------------------------------------------

def _appearing_for(family: str) -> str:
    """A field Word reads as `SEQ a INCLUDEPICTURE …` (allowed: a numbering with odd arguments), whose
    first run a Jinja condition on runs ({%r if %}) drops for one family: then it is an INCLUDEPICTURE
    with that family's name in the address, which Word would fetch when it updates fields."""
    return ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r><w:t>{{%r if family_name != "{family}" %}}</w:t></w:r>'
            '<w:r><w:instrText xml:space="preserve"> SEQ a </w:instrText></w:r>'
            '<w:r><w:t>{%r endif %}</w:t></w:r>'
            f'<w:r><w:instrText xml:space="preserve"> INCLUDEPICTURE "{TARGET}/{family}" \\d </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>wynik</w:t></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r>')


@pytest.mark.parametrize("where, place", [(in_body, "treść dokumentu, akapit"), (in_footer, "stopka"),
                                          (in_footnotes, "przypisy")])
def test_a_field_that_a_render_makes_is_refused_naming_the_field_and_the_place(where, place):
    data = where(_appearing_for("Kowalscy"))
    assert problems(data) == []  # the example's family (Zawadzcy) keeps the harmless field
    data_of_family = dict(WORK_PLAN.example(), family_name="Kowalscy")
    with pytest.raises(TemplateRejected) as refused:
        render(WORK_PLAN, data_of_family, letterhead=LETTERHEAD, case_number="X.1", template=data)
    message = str(refused.value)
    assert "Po wypełnieniu szablonu powstaje pole Worda INCLUDEPICTURE" in message
    assert re.search(place + r"[^:]*\(„INCLUDEPICTURE", message), message
    # the same template, another family: the numbering field stays and the document is made
    out = render(WORK_PLAN, WORK_PLAN.example(), letterhead=LETTERHEAD, case_number="X.1", template=data)
    assert "INCLUDEPICTURE" in "".join(read(out, name) for name in zipfile.ZipFile(io.BytesIO(out)).namelist()
                                       if name.endswith(".xml"))  # as the argument of SEQ, inert


def test_the_check_refuses_what_its_trial_render_makes():
    data = in_body(_appearing_for("Zawadzcy"))  # the example's own family
    found = problems(data)
    assert any(problem.startswith("treść dokumentu, akapit") and "Próbne wypełnienie" in problem
               and "powstaje pole Worda INCLUDEPICTURE" in problem for problem in found), found


def test_a_template_in_use_as_a_mail_merge_or_importing_a_chunk_is_refused():
    settings = read(BASE, "word/settings.xml").replace(
        "</w:settings>", '<w:mailMerge><w:mainDocumentType w:val="formLetters"/><w:linkToQuery/>'
                         '<w:dataType w:val="native"/><w:query w:val="SELECT * FROM rodziny"/></w:mailMerge>'
                         "</w:settings>")
    found = problems(zip_edit(BASE, {"word/settings.xml": settings}))
    assert any("korespondencji seryjnej" in problem for problem in found), found
    rels = read(BASE, "word/_rels/document.xml.rels").replace(
        "</Relationships>", '<Relationship Id="rIdChunk" Target="chunk.rtf" Type="http://schemas.openxmlformats.org/'
                            'officeDocument/2006/relationships/aFChunk"/></Relationships>')
    data = zip_edit(BASE, {"word/_rels/document.xml.rels": rels, "word/chunk.rtf": "{\\rtf1 x}"})
    assert any("osadzone obiekty" in problem for problem in problems(data))


@pytest.mark.skipif(not libreoffice_available() and not os.environ.get("CI"),
                    reason="LibreOffice is not installed (apt-get install libreoffice-writer-nogui python3-uno)")
def test_the_allowed_fields_of_an_office_template_still_print_page_numbers_and_dates(tmp_path):
    """Real LibreOffice: a paragraph "Strona {PAGE} z {NUMPAGES}, wydruk: {DATE}" added by the office."""
    text = ('<w:r><w:t xml:space="preserve">Strona </w:t></w:r>' + field(" PAGE ")
            + '<w:r><w:t xml:space="preserve"> z </w:t></w:r>' + field(" NUMPAGES ")
            + '<w:r><w:t xml:space="preserve">, wydruk: </w:t></w:r>' + field(' DATE \\@ "yyyy" '))
    out = render(WORK_PLAN, WORK_PLAN.example(), letterhead=LETTERHEAD, case_number="X.1", template=in_body(text))
    source = tmp_path / "plan.docx"
    source.write_bytes(out)
    [pdf] = convert_files([source], tmp_path)
    pages = [" ".join((page.extract_text() or "").split()) for page in PdfReader(pdf).pages]
    assert f"Strona {len(pages)} z {len(pages)}, wydruk: {dt.date.today().year}" in pages[-1]
