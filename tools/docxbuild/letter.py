"""The letter's template, laid out by hand: a family member's letter in the Polish office format.

Sender top left, place and date top right, the addressee indented right, a bold title, the body
as typed (newlines kept), the signature on the right and the attachments under it. The family
writes it, not the office: no letterhead, no case number, no page footer. When the assistant
files it, a second page holds the "upoważnienie" the sender signs.
"""
from __future__ import annotations

from docx.document import Document as DocumentObject
from docx.oxml import parse_xml

from docgen.definition import DocType
from docgen.doctypes.letter import LETTER

from .blocks import para, table, tag
from .styles import DOTS, GREY, KEEP, SMALL, TIGHT, _pstyle, new_document

# styles of the family's own documents, added to the shared ones
LETTER_STYLES = [
    _pstyle("SenderName", "Pismo – nadawca", next_id="Sender",
            ppr=TIGHT, rpr="<w:b/><w:bCs/>"),
    _pstyle("Sender", "Pismo – dane nadawcy", next_id="Sender", ppr=TIGHT),
    _pstyle("LetterDate", "Pismo – miejscowość i data", next_id="Normal",
            ppr=TIGHT + '<w:jc w:val="right"/>'),
    _pstyle("LetterAddressee", "Pismo – adresat", next_id="LetterTitle",
            ppr='<w:keepNext/><w:spacing w:before="840" w:after="0" w:line="264" w:lineRule="auto"/>'
                '<w:ind w:left="4536"/>',
            rpr="<w:b/><w:bCs/>"),
    _pstyle("LetterTitle", "Pismo – tytuł", next_id="LetterBody",
            ppr=KEEP + '<w:spacing w:before="720" w:after="300" w:line="240" w:lineRule="auto"/>'
                '<w:jc w:val="center"/>',
            rpr='<w:b/><w:bCs/><w:sz w:val="24"/><w:szCs w:val="24"/>'),
    # left-aligned: a justified line ending in a typed line break would be stretched across the page
    _pstyle("LetterBody", "Pismo – treść", next_id="LetterBody",
            ppr='<w:spacing w:before="0" w:after="120" w:line="276" w:lineRule="auto"/>'),
    _pstyle("LetterSignatureLine", "Pismo – linia podpisu", next_id="LetterSignatureName",
            ppr=KEEP + '<w:spacing w:before="840" w:after="0" w:line="240" w:lineRule="auto"/>'
                '<w:ind w:left="5103"/><w:jc w:val="center"/>'),
    _pstyle("LetterSignatureName", "Pismo – podpisujący", next_id="LetterSignatureCaption",
            ppr=KEEP + TIGHT + '<w:ind w:left="5103"/><w:jc w:val="center"/>'),
    _pstyle("LetterSignatureCaption", "Pismo – opis podpisu", next_id="Normal",
            ppr='<w:keepLines/><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>'
                '<w:ind w:left="5103"/><w:jc w:val="center"/>',
            rpr=GREY + SMALL),
    _pstyle("AttachmentsLabel", "Pismo – załączniki", next_id="Attachment",
            ppr='<w:keepNext/><w:spacing w:before="480" w:after="40"/>', rpr="<w:u w:val=\"single\"/>"),
    _pstyle("Attachment", "Pismo – załącznik", next_id="Attachment",
            ppr='<w:tabs><w:tab w:val="left" w:pos="340"/></w:tabs><w:spacing w:before="0" w:after="20"/>'
                '<w:ind w:left="340" w:hanging="340"/>',
            rpr='<w:sz w:val="20"/><w:szCs w:val="20"/>'),
    _pstyle("AuthorisationTitle", "Upoważnienie – tytuł", next_id="LetterBody",
            ppr=KEEP + '<w:spacing w:before="960" w:after="480"/><w:jc w:val="center"/>',
            rpr='<w:b/><w:bCs/><w:spacing w:val="20"/><w:sz w:val="28"/><w:szCs w:val="28"/>'),
]


def add_styles(document: DocumentObject, styles: list[str]) -> None:
    element = document.styles.element
    for xml in styles:
        element.append(parse_xml(xml))


def no_footer(document: DocumentObject) -> None:
    """A family's own document carries no office page numbers."""
    paragraph = document.sections[0].footer.paragraphs[0]._p
    for child in list(paragraph):
        if not child.tag.endswith("}pPr"):
            paragraph.remove(child)


def signature(document: DocumentObject, caption: str) -> None:
    para(document, "LetterSignatureLine", DOTS)
    para(document, "LetterSignatureName", "{{ sender_name }}")
    para(document, "LetterSignatureCaption", caption)


def build_letter(doctype: DocType = LETTER) -> DocumentObject:
    names = [item.name for _, item in doctype.items()]
    expected = ["sender_name", "sender_sex", "sender_address", "sender_phone", "addressee_name",
                "addressee_address", "kind", "title", "body", "attachments", "on_behalf", "authorised_name",
                "authorised_id", "sender_id", "authorisation_scope", "place", "document_date"]
    if names != expected:
        raise SystemExit(f"letter: fields changed ({names}); update build_letter()")

    document = new_document(doctype.title)
    add_styles(document, LETTER_STYLES)
    no_footer(document)

    # sender top left, place and date top right
    top = table(document, (7.5, 8.5), "LayoutTable", rows=1)
    sender, when = top.rows[0].cells
    para(sender, "SenderName", "{{ sender_name }}", first=True)
    para(sender, "Sender", "{{ sender_address }}")
    tag(sender, "{%p if sender_phone %}")
    para(sender, "Sender", "tel. {{ sender_phone }}")
    tag(sender, "{%p endif %}")
    para(when, "LetterDate", "{{ place_and_date }}", first=True)

    # the addressee: name, then the address lines, in one block indented right; no one-letter word
    # left at a line's end ("Spółdzielnia Mieszkaniowa „Jutrzenka” w / Lipowcu Mazurskim")
    addressee = para(document, "LetterAddressee", "{{ addressee_name|bez_sierotek }}")
    addressee.runs[0].add_break()
    addressee.add_run("{{ addressee_address|bez_sierotek }}")

    para(document, "LetterTitle", "{{ title }}")
    # the body's last lines stay on the page of the signature
    para(document, "LetterBody", "{{ body }}").paragraph_format.keep_with_next = True

    signature(document, "{{ signature_caption }}")

    # "Załączniki" under the signature, at the left margin: nothing at all when there are none
    tag(document, "{%p if attachments %}")
    para(document, "AttachmentsLabel", "Załączniki:")
    tag(document, "{%p for a in attachments %}")
    para(document, "Attachment", "{{ loop.index }}.\t{{ a.name }}")
    tag(document, "{%p endfor %}")
    tag(document, "{%p endif %}")

    # page 2: the authorisation for the assistant who files the letter
    tag(document, "{%p if authorisation_page %}")
    first = para(document, "LetterDate", "{{ place_and_date }}")
    first.paragraph_format.page_break_before = True
    para(document, "AuthorisationTitle", "UPOWAŻNIENIE")
    # the sender's words follow the sender's sex; the person named after "upoważniam" stands after a
    # colon, as in a form, each with the identity document the authorisation needs
    para(document, "LetterBody", "{{ wording.ja }}, niżej {{ wording.podpisany }} {{ sender_name }}, "
                                 "{{ wording.zamieszkaly }}: {{ sender_address_inline }}, "
                                 "dokument tożsamości: {{ sender_id }},")
    para(document, "LetterBody", "upoważniam: {{ authorised_name }} – asystent rodziny, {{ office.name }}, "
                                 "dokument tożsamości: {{ authorised_id }},")
    para(document, "LetterBody", "do {{ authorisation_text }}.").paragraph_format.keep_with_next = True
    signature(document, "(podpis osoby udzielającej upoważnienia)")
    tag(document, "{%p endif %}")
    para(document, "EndMark")
    return document
