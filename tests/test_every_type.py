"""Every document type, through the same machinery: its example renders to a complete .docx
that holds everything typed, and a document missing a required section is reported."""
from __future__ import annotations

import io

import docx
import pytest

from docgen.context import Letterhead
from docgen.definition import TEXT, TEXTAREA, Field, Repeat
from docgen.doctypes import DOCTYPES, get_doctype
from docgen.docxcheck import check_docx
from docgen.render import render

# the office-format documents: a title and numbered sections. The family's own documents (a letter,
# a CV) print neither: the user's title or the person's name heads them.
OFFICE_FORMAT = [type_id for type_id, doctype in DOCTYPES.items() if doctype.numbered_sections()]

# the title names the family, its name in the genitive after the word "rodzina" (any case of it)
TITLES = {
    "family_consent": "ZGODA RODZINY ZAWADZKICH NA WSPÓŁPRACĘ Z ASYSTENTEM RODZINY",
    "work_plan": "PLAN PRACY Z RODZINĄ ZAWADZKICH",
    "coordinated_plan": "PLAN PRACY Z RODZINĄ ZAWADZKICH SKOORDYNOWANY Z PLANEM POMOCY DZIECKU",
    "visit_record": "KARTA WIZYTY",
    "periodic_assessment": "OKRESOWA OCENA SYTUACJI RODZINY ZAWADZKICH",
    "court_opinion": "OPINIA O RODZINIE ZAWADZKICH I JEJ CZŁONKACH",
    "closing_report": "SPRAWOZDANIE Z ZAKOŃCZENIA PRACY Z RODZINĄ ZAWADZKICH",
    "monitoring_note": "MONITOROWANIE FUNKCJONOWANIA RODZINY ZAWADZKICH PO ZAKOŃCZENIU PRACY Z RODZINĄ",
}

LETTERHEAD = Letterhead(name="Miejski Ośrodek Pomocy Społecznej w Lipowcu Mazurskim",
                        address="ul. Kościuszki 5, 11-440 Lipowiec Mazurski", city="Lipowiec Mazurski",
                        phone="89 123 45 67", email="sekretariat@mops-lipowiec.example")


def _render(type_id: str) -> bytes:
    doctype = get_doctype(type_id)
    return render(doctype, doctype.example(), letterhead=LETTERHEAD, case_number="MOPS.AR.4101.1.2026")


def _text(content: bytes) -> str:
    """The document's text; a non-breaking space (after "w" in an addressee) reads as a space."""
    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    parts += [p.text for table in document.tables for row in table.rows for cell in row.cells
              for p in cell.paragraphs]
    return "\n".join(parts).replace("\u00a0", " ")


def _typed(doctype, data):
    """Every text the example's user typed, line by line."""
    for _, item in doctype.items():
        rows = data.get(item.name) or [] if isinstance(item, Repeat) else [data]
        specs = item.fields if isinstance(item, Repeat) else (item,)
        for row in rows:
            for spec in specs:
                value = row.get(spec.name)
                if isinstance(spec, Field) and spec.kind in (TEXT, TEXTAREA) and value:
                    yield from (line for line in value.split("\n") if line)


@pytest.mark.parametrize("type_id", DOCTYPES)
def test_the_example_renders_to_a_complete_document_holding_every_typed_text(type_id):
    doctype = get_doctype(type_id)
    content = _render(type_id)
    assert check_docx(doctype, content) == []
    text = _text(content)
    missing = [line for line in _typed(doctype, doctype.example()) if line not in text]
    assert missing == []
    if type_id in OFFICE_FORMAT:
        assert TITLES[type_id] in text.split("\n")
    for section in doctype.numbered_sections():
        assert doctype.numbered_title(section) in text


@pytest.mark.parametrize("type_id", OFFICE_FORMAT)
def test_a_document_without_a_required_section_is_reported(type_id):
    doctype = get_doctype(type_id)
    section = next(s for s in reversed(doctype.numbered_sections()) if not s.optional)
    title = doctype.numbered_title(section)
    document = docx.Document(io.BytesIO(_render(type_id)))
    heading = next(p for p in document.paragraphs if p.text == title)
    heading._p.getparent().remove(heading._p)
    out = io.BytesIO()
    document.save(out)
    assert f"Brak sekcji „{title}”." in check_docx(doctype, out.getvalue())
