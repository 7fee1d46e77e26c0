"""Page, styles and footer of every template: everything visual lives here, the body only names styles."""
from __future__ import annotations

import datetime as dt

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm

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
    _pstyle("Addressee", "Adresat pisma", next_id="Addressee",
            ppr='<w:keepNext/><w:spacing w:before="0" w:after="0"/><w:ind w:left="4820"/>',
            rpr="<w:b/><w:bCs/>"),
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
    _pstyle("AddresseeAddress", "Adresat pisma – adres", based_on="Addressee", next_id="Normal",
            rpr="<w:b w:val=\"0\"/><w:bCs w:val=\"0\"/>"),
    _pstyle("SignatureGroup", "Podpis – grupa podpisujących", next_id="SignatureLine",
            ppr=KEEP + '<w:spacing w:before="120" w:after="0"/>'),
    _pstyle("SignatureLabel", "Podpis – kto podpisuje", next_id="SignatureLine",
            ppr=KEEP + '<w:spacing w:before="60" w:after="0"/><w:jc w:val="center"/>'),
    _pstyle("SignatureLine", "Podpis – linia", next_id="SignatureCaption",
            ppr=KEEP + '<w:spacing w:before="520" w:after="0" w:line="240" w:lineRule="auto"/><w:jc w:val="center"/>'),
    _pstyle("SignatureCaption", "Podpis – opis", next_id="Normal",
            ppr='<w:keepNext/><w:keepLines/><w:spacing w:before="20" w:after="60" w:line="240" w:lineRule="auto"/>'
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


