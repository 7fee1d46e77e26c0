"""Build the office-format Word templates in templates_docx/ with python-docx.

The templates are committed; this script makes them reproducible: the section
headings come from the document-type definitions (so they never drift from
the validator and the .docx check), and the output is byte-for-byte the same
on every run (fixed timestamps), so `git diff` shows only real changes.

    python tools/build_templates.py            # rebuild every template
    python tools/build_templates.py --check    # exit 1 if a committed template is stale

Rules for the docxtpl tags written here (see "Things that bite with docxtpl" in the design notes):
- every tag is written as one run, so Word's run splitting cannot cut it;
- `{%tr %}` drives table rows, `{%p %}` paragraphs; no plain `{% %}` spans
  structure; inline `{% if %}` appears only inside one run's text;
- the context is `docgen.render.build_context`; the environment uses
  StrictUndefined, so only names that context provides are referenced.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
import zipfile
from pathlib import Path
from typing import Callable, Iterable

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from docx import Document  # noqa: E402
from docx.document import Document as DocumentObject  # noqa: E402
from docx.enum.section import WD_ORIENT  # noqa: E402
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT  # noqa: E402
from docx.opc.constants import RELATIONSHIP_TYPE as RT  # noqa: E402
from docx.oxml import parse_xml  # noqa: E402
from docx.oxml.ns import nsdecls, qn  # noqa: E402
from docx.shared import Cm  # noqa: E402
from docx.table import Table, _Cell  # noqa: E402
from docx.text.paragraph import Paragraph  # noqa: E402

from docgen.definition import DocType, Field, Repeat  # noqa: E402
from docgen.doctypes.work_plan import WORK_PLAN  # noqa: E402

OUT_DIR = ROOT / "templates_docx"

FONT = "Calibri"          # Carlito on machines without Microsoft fonts: same metrics
TEXT_WIDTH_CM = 16.0      # A4 21 cm minus 2 x 2.5 cm margins
FIXED_TIME = dt.datetime(2026, 1, 1, 0, 0, 0)
DOTS = "." * 44           # the signature line
W = nsdecls("w")

# --------------------------------------------------------------------------
# Styles: everything visual lives here, the body only names styles.
# --------------------------------------------------------------------------

DOC_DEFAULTS = f"""
<w:docDefaults {W}>
  <w:rPrDefault><w:rPr>
    <w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:eastAsia="{FONT}" w:cs="{FONT}"/>
    <w:sz w:val="22"/><w:szCs w:val="22"/>
    <w:lang w:val="pl-PL" w:eastAsia="pl-PL" w:bidi="ar-SA"/>
  </w:rPr></w:rPrDefault>
  <w:pPrDefault><w:pPr>
    <w:spacing w:after="80" w:line="264" w:lineRule="auto"/>
  </w:pPr></w:pPrDefault>
</w:docDefaults>"""


def _pstyle(style_id: str, name: str, *, based_on: str | None = "Normal", next_id: str | None = None,
            ppr: str = "", rpr: str = "", custom: bool = True, extra: str = "") -> str:
    return (
        f'<w:style {W} w:type="paragraph" w:styleId="{style_id}"'
        + (' w:customStyle="1"' if custom else "")
        + (' w:default="1"' if style_id == "Normal" else "")
        + f'><w:name w:val="{name}"/>'
        + (f'<w:basedOn w:val="{based_on}"/>' if based_on else "")
        + (f'<w:next w:val="{next_id}"/>' if next_id else "")
        + extra
        + "<w:qFormat/>"
        + (f"<w:pPr>{ppr}</w:pPr>" if ppr else "")
        + (f"<w:rPr>{rpr}</w:rPr>" if rpr else "")
        + "</w:style>"
    )


SMALL = '<w:sz w:val="17"/><w:szCs w:val="17"/>'      # 8.5 pt
TABLE_SIZE = '<w:sz w:val="20"/><w:szCs w:val="20"/>'  # 10 pt
TIGHT = '<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>'
RULE = '<w:pBdr><w:bottom w:val="single" w:sz="6" w:space="4" w:color="000000"/></w:pBdr>'
KEEP = "<w:keepNext/><w:keepLines/>"
GREY = '<w:color w:val="404040"/>'

PARAGRAPH_STYLES = [
    _pstyle("Normal", "Normal", based_on=None, custom=False),
    # python-docx and the .docx check recognise section headings by this name
    _pstyle("Heading1", "heading 1", next_id="Normal", custom=False,
            extra='<w:uiPriority w:val="9"/>',
            ppr=KEEP + '<w:spacing w:before="300" w:after="100"/><w:outlineLvl w:val="0"/>',
            rpr='<w:b/><w:bCs/><w:sz w:val="24"/><w:szCs w:val="24"/>'),
    _pstyle("Title", "Title", next_id="Subtitle", custom=False,
            ppr=KEEP + '<w:spacing w:before="360" w:after="40" w:line="240" w:lineRule="auto"/><w:jc w:val="center"/>',
            rpr='<w:b/><w:bCs/><w:spacing w:val="10"/><w:sz w:val="28"/><w:szCs w:val="28"/>'),
    _pstyle("Subtitle", "Subtitle", next_id="Normal", custom=False,
            ppr='<w:keepNext/><w:spacing w:before="0" w:after="240" w:line="240" w:lineRule="auto"/>'
                '<w:jc w:val="center"/>',
            rpr="<w:i/><w:iCs/>" + GREY + '<w:sz w:val="18"/><w:szCs w:val="18"/>'),
    _pstyle("Footer", "footer", custom=False,
            ppr=TIGHT + '<w:jc w:val="center"/>', rpr=GREY + SMALL),
    _pstyle("Letterhead", "Nagłówek pisma – dane urzędu", next_id="Letterhead",
            ppr=RULE + '<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>',
            rpr='<w:sz w:val="20"/><w:szCs w:val="20"/>'),
    _pstyle("LetterheadName", "Nagłówek pisma – nazwa urzędu", based_on="Letterhead", next_id="Letterhead",
            ppr='<w:spacing w:before="0" w:after="20" w:line="240" w:lineRule="auto"/>',
            rpr='<w:b/><w:bCs/><w:sz w:val="24"/><w:szCs w:val="24"/>'),
    _pstyle("PlaceDate", "Miejscowość i data", next_id="CaseReference",
            ppr='<w:spacing w:before="240" w:after="0"/><w:jc w:val="right"/>'),
    _pstyle("CaseReference", "Znak sprawy", next_id="Title",
            ppr='<w:spacing w:before="60" w:after="0"/>'),
    _pstyle("FieldLine", "Dane – wiersz", next_id="FieldLine",
            ppr='<w:spacing w:after="60"/>'),
    _pstyle("LeadIn", "Wprowadzenie do tabeli", next_id="Normal",
            ppr='<w:keepNext/><w:spacing w:before="120" w:after="60"/>'),
    _pstyle("BodyText", "Treść sekcji", next_id="BodyText",
            ppr='<w:spacing w:after="80"/>'),
    _pstyle("ItemLabel", "Pozycja – tytuł", next_id="ItemText",
            ppr=KEEP + '<w:spacing w:before="120" w:after="20"/>', rpr="<w:b/><w:bCs/>"),
    _pstyle("ItemText", "Pozycja – opis", next_id="ItemLabel",
            ppr='<w:spacing w:after="60"/><w:ind w:left="340"/>'),
    _pstyle("NumberedItem", "Pozycja numerowana", next_id="NumberedItem",
            ppr='<w:tabs><w:tab w:val="left" w:pos="340"/></w:tabs><w:spacing w:after="60"/>'
                '<w:ind w:left="340" w:hanging="340"/>'),
    _pstyle("TableText", "Tabela – tekst", next_id="TableText",
            ppr=TIGHT, rpr=TABLE_SIZE),
    _pstyle("TableHeading", "Tabela – nagłówek kolumny", based_on="TableText",
            ppr='<w:keepNext/>', rpr="<w:b/><w:bCs/>"),
    _pstyle("TableNote", "Tabela – obszar działania", based_on="TableText",
            ppr='<w:spacing w:before="40" w:after="0" w:line="240" w:lineRule="auto"/>',
            rpr="<w:i/><w:iCs/>" + GREY + SMALL),
    _pstyle("SignatureLabel", "Podpis – kto podpisuje", next_id="SignatureLine",
            ppr=KEEP + '<w:spacing w:before="60" w:after="0"/><w:jc w:val="center"/>'),
    _pstyle("SignatureLine", "Podpis – linia", next_id="SignatureCaption",
            ppr=KEEP + '<w:spacing w:before="520" w:after="0" w:line="240" w:lineRule="auto"/><w:jc w:val="center"/>'),
    _pstyle("SignatureCaption", "Podpis – opis", next_id="Normal",
            ppr='<w:keepLines/><w:spacing w:before="20" w:after="60" w:line="240" w:lineRule="auto"/>'
                '<w:jc w:val="center"/>',
            rpr=SMALL),
    _pstyle("Consultation", "Konsultacja z pracownikiem socjalnym", next_id="Normal",
            ppr='<w:keepLines/><w:spacing w:before="240" w:after="300"/>'),
    # Word needs a paragraph after a table that ends the document; keep it tiny
    _pstyle("EndMark", "Koniec dokumentu", next_id="Normal",
            ppr='<w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/>',
            rpr='<w:sz w:val="2"/><w:szCs w:val="2"/>'),
    # holds a `{%p %}` / `{%tr %}` tag; docxtpl removes the whole paragraph
    _pstyle("TemplateTag", "Znacznik szablonu", next_id="Normal",
            ppr=TIGHT, rpr=GREY + SMALL),
]

TABLE_STYLES = [
    f"""<w:style {W} w:type="table" w:customStyle="1" w:styleId="PlanTable">
  <w:name w:val="Tabela dokumentu"/>
  <w:basedOn w:val="TableNormal"/>
  <w:uiPriority w:val="59"/>
  <w:qFormat/>
  <w:pPr>{TIGHT}</w:pPr>
  <w:tblPr>
    <w:tblBorders>
      <w:top w:val="single" w:sz="4" w:space="0" w:color="000000"/>
      <w:left w:val="single" w:sz="4" w:space="0" w:color="000000"/>
      <w:bottom w:val="single" w:sz="4" w:space="0" w:color="000000"/>
      <w:right w:val="single" w:sz="4" w:space="0" w:color="000000"/>
      <w:insideH w:val="single" w:sz="4" w:space="0" w:color="000000"/>
      <w:insideV w:val="single" w:sz="4" w:space="0" w:color="000000"/>
    </w:tblBorders>
    <w:tblCellMar>
      <w:top w:w="57" w:type="dxa"/><w:left w:w="85" w:type="dxa"/>
      <w:bottom w:w="57" w:type="dxa"/><w:right w:w="85" w:type="dxa"/>
    </w:tblCellMar>
  </w:tblPr>
  <w:tblStylePr w:type="firstRow">
    <w:rPr><w:b/><w:bCs/></w:rPr>
    <w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="E7E7E7"/></w:tcPr>
  </w:tblStylePr>
</w:style>""",
    f"""<w:style {W} w:type="table" w:customStyle="1" w:styleId="LayoutTable">
  <w:name w:val="Tabela układu (bez obramowania)"/>
  <w:basedOn w:val="TableNormal"/>
  <w:uiPriority w:val="59"/>
  <w:tblPr>
    <w:tblBorders>
      <w:top w:val="nil"/><w:left w:val="nil"/><w:bottom w:val="nil"/><w:right w:val="nil"/>
      <w:insideH w:val="nil"/><w:insideV w:val="nil"/>
    </w:tblBorders>
    <w:tblCellMar>
      <w:top w:w="0" w:type="dxa"/><w:left w:w="57" w:type="dxa"/>
      <w:bottom w:w="0" w:type="dxa"/><w:right w:w="57" w:type="dxa"/>
    </w:tblCellMar>
  </w:tblPr>
</w:style>""",
]

# styles of the default python-docx template worth keeping (others are removed
# so that an office editing the template sees only what the document uses)
KEEP_STYLE_IDS = {"DefaultParagraphFont", "TableNormal", "NoList", "Strong", "Emphasis"}


def install_styles(document: DocumentObject) -> None:
    styles = document.styles.element
    for child in list(styles):
        if child.tag == qn("w:docDefaults"):
            styles.replace(child, parse_xml(DOC_DEFAULTS))
        elif child.tag == qn("w:style") and child.get(qn("w:styleId")) not in KEEP_STYLE_IDS:
            styles.remove(child)
    for child in styles.iter(qn("w:link")):  # links to removed "… Char" styles
        child.getparent().remove(child)
    for xml in PARAGRAPH_STYLES + TABLE_STYLES:
        styles.append(parse_xml(xml))


# --------------------------------------------------------------------------
# Package, page, footer
# --------------------------------------------------------------------------

def new_document(title: str) -> DocumentObject:
    document = Document()
    install_styles(document)
    package = document.part.package
    # python-docx's default package carries a thumbnail of its own sample page
    # (Explorer would preview it) and a Word 2010 copy of the old styles.
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            package.rels.pop(rel_id)
    # ... and list numbering for the "List …" styles removed above (nothing here uses it)
    for rel_id, rel in list(document.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects") or rel.reltype == RT.NUMBERING:
            document.part.rels.pop(rel_id)
    settings = document.settings.element
    for tag in ("w:savePreviewPicture", "w:rsids", "w:proofState"):
        for child in settings.findall(qn(tag)):
            settings.remove(child)
    for child in settings.findall(qn("w:themeFontLang")):
        child.set(qn("w:val"), "pl-PL")
    for child in settings.findall(qn("w:decimalSymbol")):
        child.set(qn("w:val"), ",")
    for child in settings.findall(qn("w:listSeparator")):
        child.set(qn("w:val"), ";")
    for child in settings.findall(qn("w:defaultTabStop")):
        child.set(qn("w:val"), "708")

    props = document.core_properties
    props.title = title
    props.author = ""
    props.last_modified_by = ""
    props.comments = ""
    props.subject = ""
    props.keywords = ""
    props.category = ""
    props.language = "pl-PL"
    props.revision = 1
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    for child in props._element.findall(qn("cp:lastPrinted")):
        props._element.remove(child)

    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin = section.bottom_margin = Cm(2.5)
    section.header_distance = section.footer_distance = Cm(1.25)
    add_page_footer(document)
    return document


def _field(instruction: str, placeholder: str) -> str:
    """A complex field (what Word itself writes); Word and LibreOffice compute it."""
    return (f'<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r><w:instrText xml:space="preserve"> {instruction} </w:instrText></w:r>'
            f'<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            f'<w:r><w:t>{placeholder}</w:t></w:r>'
            f'<w:r><w:fldChar w:fldCharType="end"/></w:r>')


def add_page_footer(document: DocumentObject) -> None:
    footer = document.sections[0].footer
    footer.is_linked_to_previous = False
    paragraph = footer.paragraphs[0]
    p = paragraph._p
    p.get_or_add_pPr().get_or_add_pStyle().val = "Footer"
    p.append(parse_xml(f'<w:r {W}><w:t xml:space="preserve">Strona </w:t></w:r>'))
    for xml in parse_xml(f"<w:p {W}>{_field('PAGE', '1')}</w:p>"):
        p.append(xml)
    p.append(parse_xml(f'<w:r {W}><w:t xml:space="preserve"> z </w:t></w:r>'))
    for xml in parse_xml(f"<w:p {W}>{_field('NUMPAGES', '1')}</w:p>"):
        p.append(xml)


# --------------------------------------------------------------------------
# Writing helpers: one tag per run, styles by name
# --------------------------------------------------------------------------

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
    para(document, "Subtitle", legal_basis)


# --------------------------------------------------------------------------
# work_plan
# --------------------------------------------------------------------------

def build_work_plan(doctype: DocType = WORK_PLAN) -> DocumentObject:
    sections = [s.name for s in doctype.sections]
    expected = ["family", "basis", "period", "diagnosis", "strengths", "main_goal", "goals", "actions",
                "cooperation", "signatures"]
    if sections != expected:
        raise SystemExit(f"work_plan: sections changed ({sections}); update build_work_plan()")
    basis = doctype.item("basis")
    assert isinstance(basis, Field)
    if [code for code, _ in basis.choices] != ["zgoda", "postanowienie"]:
        raise SystemExit("work_plan: the choices of 'basis' changed; update section 2 of the template")

    document = new_document(doctype.title)
    letterhead(document)
    title(document, "(art. 15 ust. 1 pkt 1 ustawy z dnia 9 czerwca 2011 r. "
                    "o wspieraniu rodziny i systemie pieczy zastępczej)")

    # 1. Dane rodziny
    heading(document, doctype, "family")
    field_line(document, label(doctype, "family_name"), "{{ family_name }}")
    field_line(document, label(doctype, "address"), "{{ address }}")
    members = doctype.item("members")
    assert isinstance(members, Repeat)
    para(document, "LeadIn", (f"{members.label}:", "Strong"))
    tbl = table(document, (4.4, 2.4, 2.9, 3.3, 3.0), "PlanTable", rows=4)
    header_row(tbl, ("Imię i nazwisko", "Data urodzenia", "PESEL", "Rola w rodzinie",
                     "We wspólnym gospodarstwie"))

    def member_row(cells: list[_Cell]) -> None:
        para(cells[0], "TableText", "{{ m.first_name }} {{ m.last_name }}", first=True)
        para(cells[1], "TableText", '{{ m.birth_date|data_krotka if m.birth_date else "–" }}', first=True)
        para(cells[2], "TableText", '{{ m.pesel or "–" }}', first=True)
        para(cells[3], "TableText", "{{ m.relation }}", first=True)
        para(cells[4], "TableText", '{{ m.in_household if m.in_household is not none else "–" }}', first=True)

    loop_rows(tbl, 1, "{%tr for m in members %}", member_row, keep_row=True)  # short fields only

    # 2. Podstawa objęcia wsparciem
    heading(document, doctype, "basis")
    for name in ("assignment_date", "referral_ref", "basis"):
        field_line(document, label(doctype, name), f"{{{{ {name} }}}}")
    consent, court = (basis.choice_label(code) for code in ("zgoda", "postanowienie"))
    tag(document, f"{{%p if basis == {jinja_string(consent)} %}}")
    field_line(document, label(doctype, "consent_date"), "{{ consent_date }}")
    tag(document, f"{{%p elif basis == {jinja_string(court)} %}}")
    for name in ("court_name", "court_case_number", "court_order_date"):
        field_line(document, label(doctype, name), f"{{{{ {name} }}}}")
    tag(document, "{%p endif %}")

    # 3. Okres obowiązywania planu
    heading(document, doctype, "period")
    para(document, "BodyText", "Plan obowiązuje od {{ valid_from }} do {{ valid_to }}")

    # 4. Diagnoza sytuacji rodziny
    heading(document, doctype, "diagnosis")
    tag(document, "{%p for p in problems %}")
    para(document, "ItemLabel", "{{ loop.index }}) {{ p.problem[:1]|upper }}{{ p.problem[1:] }}")
    para(document, "ItemText", "{{ p.description }}")
    tag(document, "{%p endfor %}")

    # 5. Zasoby i mocne strony rodziny, 6. Cel główny
    heading(document, doctype, "strengths")
    para(document, "BodyText", "{{ strengths }}")
    heading(document, doctype, "main_goal")
    para(document, "BodyText", "{{ main_goal }}")

    # 7. Cele szczegółowe
    heading(document, doctype, "goals")
    tag(document, "{%p for g in goals %}")
    para(document, "NumberedItem", "{{ loop.index }})\t{{ g.goal }}")
    tag(document, "{%p endfor %}")

    # 8. Działania
    heading(document, doctype, "actions")
    actions = doctype.item("actions")
    assert isinstance(actions, Repeat)
    columns = ("action", "responsible", "deadline", "expected_effect", "verification")
    tbl = table(document, (4.6, 3.0, 2.2, 3.3, 2.9), "PlanTable", rows=4)
    header_row(tbl, [sub_label(actions, name) for name in columns])

    def action_row(cells: list[_Cell]) -> None:
        para(cells[0], "TableText", "{{ a.action }}", first=True)
        tag(cells[0], "{%p if a.area %}")
        para(cells[0], "TableNote", "obszar: {{ a.area }}")
        tag(cells[0], "{%p endif %}")
        para(cells[1], "TableText", "{{ a.responsible }}", first=True)
        para(cells[2], "TableText", "{{ a.deadline|data_krotka }}", first=True)
        para(cells[3], "TableText", "{{ a.expected_effect }}", first=True)
        para(cells[4], "TableText", "{{ a.verification }}", first=True)

    loop_rows(tbl, 1, "{%tr for a in actions %}", action_row, keep_row=False)  # long texts may run on

    # 9. Współpraca z instytucjami (optional: the document says so when empty)
    heading(document, doctype, "cooperation")
    institutions = doctype.item("institutions")
    assert isinstance(institutions, Repeat)
    tag(document, "{%p if institutions %}")
    tbl = table(document, (6.0, 10.0), "PlanTable", rows=4)
    header_row(tbl, [sub_label(institutions, name) for name in ("institution", "scope")])

    def institution_row(cells: list[_Cell]) -> None:
        para(cells[0], "TableText", "{{ i.institution }}", first=True)
        para(cells[1], "TableText", "{{ i.scope }}", first=True)

    loop_rows(tbl, 1, "{%tr for i in institutions %}", institution_row, keep_row=False)
    tag(document, "{%p else %}")
    para(document, "BodyText", "Nie wskazano.")
    tag(document, "{%p endif %}")

    # 10. Podpisy. One row per family member who made the plan, the assistant beside
    # the first one; then the consultation statement beside the social worker's line.
    # Every row holds one signature block, so it stays on one page and is never too tall.
    # (Valid data always has a signatory: the rule adults_took_part.)
    heading(document, doctype, "signatures")
    tbl = table(document, (8.0, 8.0), "LayoutTable", rows=4)

    def signature_row(cells: list[_Cell]) -> None:
        family, assistant = cells
        tag(family, "{%p if loop.first %}", first=True)
        para(family, "SignatureLabel", "Członkowie rodziny współtworzący plan:")
        tag(family, "{%p endif %}")
        para(family, "SignatureLine", DOTS)
        para(family, "SignatureCaption", "(data i podpis – {{ s.name }})")
        tag(assistant, "{%p if loop.first %}", first=True)
        para(assistant, "SignatureLabel", "Asystent rodziny:")
        para(assistant, "SignatureLine", DOTS)
        para(assistant, "SignatureCaption", "(data i podpis asystenta rodziny – {{ assistant_name }})")
        tag(assistant, "{%p else %}")
        para(assistant, "TableText")  # a cell needs a paragraph
        tag(assistant, "{%p endif %}")

    loop_rows(tbl, 0, "{%tr for s in signatories %}", signature_row, keep_row=True)
    last = tbl.rows[3]
    _tr_pr(last, "<w:cantSplit/>")
    statement, worker = last.cells
    statement.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM
    para(statement, "Consultation",
         "Plan skonsultowano z pracownikiem socjalnym: {{ social_worker_name }}, dnia {{ consultation_date }}",
         first=True)
    para(worker, "SignatureLine", DOTS, first=True)
    para(worker, "SignatureCaption", "(podpis pracownika socjalnego)")
    para(document, "EndMark")
    return document


BUILDERS: dict[str, Callable[[], DocumentObject]] = {
    WORK_PLAN.template: build_work_plan,
}


# --------------------------------------------------------------------------
# Reproducible output
# --------------------------------------------------------------------------

def to_bytes(document: DocumentObject) -> bytes:
    """Save with fixed zip timestamps, so an unchanged template is byte-identical."""
    raw = io.BytesIO()
    document.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as zin, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            zout.writestr(fixed, zin.read(info.filename))
    return out.getvalue()


def build_all() -> dict[str, bytes]:
    return {name: to_bytes(builder()) for name, builder in BUILDERS.items()}


def same_package(a: bytes, b: bytes) -> bool:
    """Same parts with the same bytes (zlib builds may compress the same data differently)."""
    try:
        with zipfile.ZipFile(io.BytesIO(a)) as za, zipfile.ZipFile(io.BytesIO(b)) as zb:
            return (za.namelist() == zb.namelist()
                    and all(za.read(name) == zb.read(name) for name in za.namelist()))
    except zipfile.BadZipFile:
        return False


def stale_templates(folder: Path = OUT_DIR) -> list[str]:
    """Names of templates in `folder` that differ from a fresh build."""
    return [name for name, data in build_all().items()
            if not (folder / name).exists() or not same_package((folder / name).read_bytes(), data)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if a committed template differs from a fresh build")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output folder (default: templates_docx/)")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_templates(args.out)
        if stale:
            print("Nieaktualne szablony (uruchom tools/build_templates.py): " + ", ".join(stale), file=sys.stderr)
            return 1
        print("Szablony są aktualne.")
        return 0
    for name, data in build_all().items():
        path = args.out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        print(f"zapisano {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
