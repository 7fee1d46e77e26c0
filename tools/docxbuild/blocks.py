"""Writing helpers and the blocks every template shares: one docxtpl tag per run, styles by name."""
from __future__ import annotations

from typing import Callable, Iterable

from docx.document import Document as DocumentObject
from docx.oxml import parse_xml
from docx.shared import Cm, Pt
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
    """A table of fixed column widths whose every row stays on one page (w:cantSplit): a row of a
    plan cut in two by a page break is read as two rows. The fields printed in table cells are kept
    short enough (their max_length) for a row to stay well under a page."""
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
    for row in tbl.rows:
        _tr_pr(row, "<w:cantSplit/>")
    return tbl


def header_row(tbl: Table, titles: Iterable[str]) -> None:
    row = tbl.rows[0]
    _tr_pr(row, "<w:tblHeader/>")  # repeated at the top of every page
    for cell, title in zip(row.cells, titles):
        para(cell, "TableHeading", title, first=True)


def keep_with_next(*containers: Container | Paragraph) -> None:
    """Every paragraph of these cells (or these paragraphs) stays on the page of what follows."""
    for container in containers:
        paragraphs = [container] if isinstance(container, Paragraph) else container.paragraphs
        for paragraph in paragraphs:
            paragraph.paragraph_format.keep_with_next = True


def loop_rows(tbl: Table, start: int, for_tag: str, body: Callable[[list[_Cell]], None], *,
              keep_last: bool = False) -> None:
    """Rows start, start+1, start+2: `{%tr for %}`, the repeated row, `{%tr endfor %}`.

    keep_last=True (the table ends the content before the signatures): seven rows, the last item's
    row a copy that keeps with what follows, so the signatures never stand on a page alone:
    `{%tr for %}`, `{%tr if not loop.last %}`, the row, `{%tr else %}`, the kept row, `{%tr endif %}`,
    `{%tr endfor %}`.
    """
    para(tbl.rows[start].cells[0], "TemplateTag", for_tag, first=True)
    if not keep_last:
        body(tbl.rows[start + 1].cells)
        para(tbl.rows[start + 2].cells[0], "TemplateTag", "{%tr endfor %}", first=True)
        return
    para(tbl.rows[start + 1].cells[0], "TemplateTag", "{%tr if not loop.last %}", first=True)
    body(tbl.rows[start + 2].cells)
    para(tbl.rows[start + 3].cells[0], "TemplateTag", "{%tr else %}", first=True)
    body(tbl.rows[start + 4].cells)
    keep_with_next(*tbl.rows[start + 4].cells)
    para(tbl.rows[start + 5].cells[0], "TemplateTag", "{%tr endif %}", first=True)
    para(tbl.rows[start + 6].cells[0], "TemplateTag", "{%tr endfor %}", first=True)


def loop_rows_count(keep_last: bool) -> int:
    """Rows `loop_rows` needs after the header."""
    return 7 if keep_last else 3


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


def title(document: DocumentObject, doctype: DocType) -> None:
    """The title, naming the family in running text: "PLAN PRACY Z RODZINĄ ZAWADZKICH", "OPINIA O
    RODZINIE ZAWADZKICH I JEJ CZŁONKACH" (the genitive follows the first word "rodzina" in any case);
    a type whose title has no such word keeps it as it is."""
    heading = para(document, "Title", titled(doctype))
    if doctype.legal_basis:
        para(document, "Subtitle", doctype.legal_basis)
    else:  # the space the subtitle would have left
        heading.paragraph_format.space_after = Pt(12)


def titled(doctype: DocType) -> str:
    words = doctype.title.upper().split(" ")
    for index, word in enumerate(words):
        if word.startswith("RODZIN"):
            return " ".join(words[:index + 1] + ["{{ family_name_gen|upper }}"] + words[index + 1:])
    return "{{ document_title|upper }}"


