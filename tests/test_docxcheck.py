"""The .docx section check: a rendered plan passes; missing, empty, misplaced sections and non-Word files fail."""
from __future__ import annotations

import functools
import io
import zipfile

import pytest
from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.text.paragraph import Paragraph

from docgen.context import Letterhead
from docgen.doctypes.work_plan import WORK_PLAN
from docgen.docxcheck import NOT_DOCX, check_docx
from docgen.render import render
from docgen.templates.engine import template_path

LETTERHEAD = Letterhead(name="Miejski Ośrodek Pomocy Społecznej w Lipowcu Mazurskim",
                        address="ul. Mickiewicza 5, 11-440 Lipowiec Mazurski", city="Lipowiec Mazurski",
                        phone="89 755 12 34", email="sekretariat@mops.lipowiec.example.pl")


@functools.lru_cache(maxsize=1)
def example_bytes() -> bytes:
    return render(WORK_PLAN, WORK_PLAN.example(), letterhead=LETTERHEAD, case_number="MOPS.AR.4101.1.2026")


def title(name: str) -> str:
    return WORK_PLAN.numbered_title(WORK_PLAN.section(name))


def edited(change) -> bytes:
    """The rendered example after `change(document)`, saved again with python-docx."""
    document = Document(io.BytesIO(example_bytes()))
    change(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def heading_of(document, name: str) -> Paragraph:
    return next(p for p in document.paragraphs if p.text == title(name))


def blocks_after(document, name: str) -> list:
    """The section's body elements (w:p, w:tbl) up to the next heading."""
    found, blocks = False, []
    for block in document.iter_inner_content():
        is_heading = isinstance(block, Paragraph) and block.style.name == "Heading 1"
        if found and is_heading:
            break
        if found:
            blocks.append(block)
        found = found or (is_heading and block.text == title(name))
    return blocks


def remove(element) -> None:
    element.getparent().remove(element)


def test_rendered_example_passes():
    assert check_docx(WORK_PLAN, example_bytes()) == []


def test_committed_template_passes():
    assert check_docx(WORK_PLAN, template_path(WORK_PLAN)) == []


def test_accepts_path_and_file_object(tmp_path):
    path = tmp_path / "plan.docx"
    path.write_bytes(example_bytes())
    assert check_docx(WORK_PLAN, path) == []
    assert check_docx(WORK_PLAN, str(path)) == []
    with path.open("rb") as handle:
        assert check_docx(WORK_PLAN, handle) == []


@pytest.mark.parametrize("name", [s.name for s in WORK_PLAN.sections if not s.optional])
def test_removed_heading_names_the_section(name):
    raw = edited(lambda document: remove(heading_of(document, name)._p))
    assert check_docx(WORK_PLAN, raw) == [f"Brak sekcji „{title(name)}”."]


def test_missing_section_message_text():
    raw = edited(lambda document: remove(heading_of(document, "diagnosis")._p))
    assert check_docx(WORK_PLAN, raw) == ["Brak sekcji „4. Diagnoza sytuacji rodziny”."]


def test_optional_section_may_be_absent():
    def drop_cooperation(document):
        for block in blocks_after(document, "cooperation"):
            remove(block._element)
        remove(heading_of(document, "cooperation")._p)

    assert check_docx(WORK_PLAN, edited(drop_cooperation)) == []


def test_present_optional_section_must_not_be_empty():
    def empty_cooperation(document):
        for block in blocks_after(document, "cooperation"):
            remove(block._element)

    assert check_docx(WORK_PLAN, edited(empty_cooperation)) == [f"Sekcja „{title('cooperation')}” jest pusta."]


def test_emptied_paragraph_section_is_reported_empty():
    def clear_strengths(document):
        for block in blocks_after(document, "strengths"):
            for run in block.runs:
                run.text = ""

    assert check_docx(WORK_PLAN, edited(clear_strengths)) == [
        "Sekcja „5. Zasoby i mocne strony rodziny” jest pusta."]


def test_section_with_only_an_empty_table_is_reported_empty():
    def clear_actions(document):
        for block in blocks_after(document, "actions"):
            for row in block.rows:
                for cell in row.cells:
                    for paragraph in cell.paragraphs:
                        for run in paragraph.runs:
                            run.text = ""

    assert check_docx(WORK_PLAN, edited(clear_actions)) == [f"Sekcja „{title('actions')}” jest pusta."]


def test_table_content_counts_as_content():
    """Section 8 holds only the actions table, and it passes."""
    document = Document(io.BytesIO(example_bytes()))
    assert [type(block).__name__ for block in blocks_after(document, "actions")] == ["Table"]


def test_title_without_heading_style_is_reported():
    def demote(document):
        heading_of(document, "main_goal").style = document.styles["Normal"]

    assert check_docx(WORK_PLAN, edited(demote)) == [
        "Tytuł sekcji „6. Cel główny” nie jest nagłówkiem: nadaj mu styl „Nagłówek 1”."]


def test_whitespace_around_titles_and_outline_levels_are_accepted():
    def reformat(document):
        paragraph = heading_of(document, "diagnosis")
        for run in paragraph.runs[1:]:
            run.text = ""
        paragraph.runs[0].text = "  4.  Diagnoza sytuacji rodziny \u00a0"
        # a heading made with an outline level instead of a heading style
        other = heading_of(document, "strengths")
        other.style = document.styles["Normal"]
        other._p.get_or_add_pPr().append(parse_xml(f'<w:outlineLvl {nsdecls("w")} w:val="0"/>'))

    assert check_docx(WORK_PLAN, edited(reformat)) == []


def test_sections_out_of_order_are_reported():
    def swap(document):
        # move "6. Cel główny" and its paragraph before "5. Zasoby…"
        target = heading_of(document, "strengths")._p
        moving = [heading_of(document, "main_goal")._p] + [b._element for b in blocks_after(document, "main_goal")]
        for element in moving:
            target.addprevious(element)

    messages = check_docx(WORK_PLAN, edited(swap))
    assert messages == ["Sekcja „6. Cel główny” stoi przed sekcją „5. Zasoby i mocne strony rodziny”; "
                        "zachowaj kolejność sekcji ze wzoru."]


def test_duplicated_section_is_reported():
    def duplicate(document):
        heading = heading_of(document, "goals")._p
        heading.addprevious(parse_xml(heading.xml))  # a copy right before it, with nothing under it

    messages = check_docx(WORK_PLAN, edited(duplicate))
    assert f"Sekcja „{title('goals')}” występuje w dokumencie 2 razy." in messages


@pytest.mark.parametrize("raw", [
    b"",
    b"To nie jest dokument Word.",
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512,  # an old binary .doc
], ids=["empty", "text", "pdf", "doc"])
def test_non_docx_files_are_rejected(raw):
    assert check_docx(WORK_PLAN, raw) == [NOT_DOCX]
    assert NOT_DOCX == "Plik nie jest dokumentem Word (.docx)."


def test_a_zip_that_is_not_a_word_document_is_rejected():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        package.writestr("content.xml", "<office:document-content/>")
    assert check_docx(WORK_PLAN, out.getvalue()) == [NOT_DOCX]
