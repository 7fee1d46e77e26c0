"""Writing helpers and the blocks every template shares: one docxtpl tag per run, styles by name."""
from __future__ import annotations

from typing import Callable, Iterable

from docx.document import Document as DocumentObject
from docx.oxml import parse_xml
from docx.shared import Cm
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from docgen.definition import DocType, Repeat

from .styles import TEXT_WIDTH_CM, W

Container = DocumentObject | _Cell


def para(container: Container, style: str, *runs: str | tuple[str, str], first: bool = False) -> Paragraph:
    """A paragraph of the given style id; a run is text or (text, character style id)."""
    if first and isinstance(container, _Cell) and not container.paragraphs[0].text:
        paragraph = container.paragraphs[0]
    else:
        paragraph = container.add_paragraph()
    paragraph._p.get_or_add_pPr().get_or_add_pStyle().val = style
    for run in runs:
        text, char_style = (run, None) if isinstance(run, str) else run
        r = paragraph.add_run(text)
        if char_style:
            r._r.get_or_add_rPr().get_or_add_rStyle().val = char_style
    return paragraph


def tag(container: Container, text: str, first: bool = False) -> Paragraph:
    """A paragraph holding only a `{%p … %}` tag (docxtpl drops the paragraph)."""
    assert text.startswith("{%p ") and text.endswith(" %}"), text
    return para(container, "TemplateTag", text, first=first)


def field_line(document: DocumentObject, label: str, value: str) -> Paragraph:
    return para(document, "FieldLine", (f"{label}: ", "Strong"), value)


def heading(document: DocumentObject, doctype: DocType, section_name: str) -> Paragraph:
    return para(document, "Heading1", doctype.numbered_title(doctype.section(section_name)))


def _tr_pr(row, xml: str) -> None:
    row._tr.get_or_add_trPr().append(parse_xml(f"<w:x {W}>{xml}</w:x>")[0])


def table(document: DocumentObject, widths_cm: Iterable[float], style: str, rows: int) -> Table:
    widths = list(widths_cm)
    assert abs(sum(widths) - TEXT_WIDTH_CM) < 0.01, widths
    tbl = document.add_table(rows=rows, cols=len(widths))
    total = sum(int(Cm(w).twips) for w in widths)
    tbl_pr = tbl._tbl.tblPr
    for child in list(tbl_pr):
        tbl_pr.remove(child)
    # children in schema order: Word rejects a misordered tblPr
    for xml in (f'<w:tblStyle w:val="{style}"/>',
                f'<w:tblW w:w="{total}" w:type="dxa"/>',
                '<w:tblLayout w:type="fixed"/>',
                '<w:tblLook w:val="0420" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" '
                'w:noHBand="1" w:noVBand="1"/>'):
        tbl_pr.append(parse_xml(xml.replace("/>", f" {W}/>", 1)))
    for index, width in enumerate(widths):
        tbl.columns[index].width = Cm(width)
        for cell in tbl.columns[index].cells:
            cell.width = Cm(width)
    return tbl


def header_row(tbl: Table, titles: Iterable[str]) -> None:
    row = tbl.rows[0]
    _tr_pr(row, "<w:cantSplit/>")
    _tr_pr(row, "<w:tblHeader/>")  # repeated at the top of every page
    for cell, title in zip(row.cells, titles):
        para(cell, "TableHeading", title, first=True)


def loop_rows(tbl: Table, start: int, for_tag: str, body: Callable[[list[_Cell]], None], *,
              keep_row: bool) -> None:
    """Rows start, start+1, start+2: `{%tr for %}`, the repeated row, `{%tr endfor %}`.

    keep_row=True keeps each row on one page; only for rows of bounded height: Word
    cuts off a row that may not break and is taller than the page.
    """
    para(tbl.rows[start].cells[0], "TemplateTag", for_tag, first=True)
    row = tbl.rows[start + 1]
    if keep_row:
        _tr_pr(row, "<w:cantSplit/>")
    body(row.cells)
    para(tbl.rows[start + 2].cells[0], "TemplateTag", "{%tr endfor %}", first=True)


def label(doctype: DocType, name: str) -> str:
    return doctype.item(name).label


def sub_label(group: Repeat, name: str) -> str:
    return group.field(name).label


def jinja_string(text: str) -> str:
    assert '"' not in text and "\\" not in text and "%" not in text and "}" not in text, text
    return f'"{text}"'


# --------------------------------------------------------------------------
# Shared blocks: letterhead, title
# --------------------------------------------------------------------------

def letterhead(document: DocumentObject) -> None:
    """Office name, address, phone / e-mail; the style draws one rule under the group."""
    para(document, "LetterheadName", "{{ office.name }}")
    para(document, "Letterhead", "{{ office.address }}")
    tag(document, "{%p if office.phone or office.email %}")
    para(document, "Letterhead",
         "{% if office.phone %}tel. {{ office.phone }}{% endif %}"
         "{% if office.phone and office.email %}, {% endif %}"
         "{% if office.email %}e-mail: {{ office.email }}{% endif %}")
    tag(document, "{%p endif %}")
    para(document, "PlaceDate", "{{ place_and_date }}")
    para(document, "CaseReference", ("Znak sprawy: ", "Strong"), "{{ case_number }}")


def title(document: DocumentObject, legal_basis: str) -> None:
    para(document, "Title", "{{ document_title|upper }}")
    if legal_basis:
        para(document, "Subtitle", legal_basis)


