"""The CV's template, laid out by hand: one or two sober pages an employer accepts.

The name as the heading, the contact lines, then the sections; every optional section sits
inside its own `{%p if %}`, so a section without data leaves no heading behind. Periods stand
in a narrow left column. The consent clause closes the page in small print. No letterhead, no
case number, no signature, no page footer: the family member's own document.
"""
from __future__ import annotations

from docx.document import Document as DocumentObject
from docx.shared import Cm
from docx.table import _Cell

from docgen.definition import DocType
from docgen.doctypes.cv import CV

from .blocks import loop_rows, para, table, tag
from .letter import add_styles, no_footer
from .styles import GREY, KEEP, TIGHT, _pstyle, new_document

# run properties go in the schema's order (b, caps, color, spacing, sz): Word is strict about it
ACCENT = '<w:color w:val="1F3A5F"/>'   # one dark blue for the name and the headings, nothing louder
TEXT = '<w:sz w:val="21"/><w:szCs w:val="21"/>'    # 10.5 pt
SMALLER = '<w:sz w:val="19"/><w:szCs w:val="19"/>'  # 9.5 pt

CV_STYLES = [
    _pstyle("CvName", "CV – imię i nazwisko", next_id="CvContact",
            ppr='<w:spacing w:before="0" w:after="60" w:line="240" w:lineRule="auto"/>',
            rpr='<w:b/><w:bCs/>' + ACCENT + '<w:sz w:val="40"/><w:szCs w:val="40"/>'),
    _pstyle("CvContact", "CV – dane kontaktowe", next_id="CvContact",
            ppr=TIGHT, rpr=GREY + SMALLER),
    _pstyle("CvHeading", "CV – nagłówek sekcji", next_id="CvText",
            ppr=KEEP + '<w:pBdr><w:bottom w:val="single" w:sz="4" w:space="2" w:color="1F3A5F"/></w:pBdr>'
                       '<w:spacing w:before="320" w:after="120" w:line="240" w:lineRule="auto"/>'
                       '<w:outlineLvl w:val="0"/>',
            rpr='<w:b/><w:bCs/><w:caps/>' + ACCENT + '<w:spacing w:val="10"/><w:sz w:val="22"/><w:szCs w:val="22"/>'),
    _pstyle("CvText", "CV – tekst", next_id="CvText",
            ppr='<w:spacing w:before="0" w:after="60" w:line="259" w:lineRule="auto"/>', rpr=TEXT),
    _pstyle("CvPeriod", "CV – okres", next_id="CvPeriod",
            ppr='<w:spacing w:before="0" w:after="0" w:line="259" w:lineRule="auto"/>', rpr=GREY + SMALLER),
    _pstyle("CvEntry", "CV – pozycja", next_id="CvEntrySub",
            ppr='<w:keepNext/><w:spacing w:before="0" w:after="0" w:line="259" w:lineRule="auto"/>',
            rpr="<w:b/><w:bCs/>" + TEXT),
    _pstyle("CvEntrySub", "CV – pozycja, dalszy wiersz", next_id="CvEntryText",
            ppr='<w:spacing w:before="0" w:after="0" w:line="259" w:lineRule="auto"/>', rpr=TEXT),
    _pstyle("CvEntryText", "CV – pozycja, opis", next_id="CvEntryText",
            ppr='<w:spacing w:before="20" w:after="0" w:line="259" w:lineRule="auto"/>', rpr=GREY + SMALLER),
    # closes every row of the entries' tables: the space between two entries
    _pstyle("CvGap", "CV – odstęp", next_id="CvText",
            ppr='<w:spacing w:before="0" w:after="0" w:line="120" w:lineRule="exact"/>',
            rpr='<w:sz w:val="4"/><w:szCs w:val="4"/>'),
    _pstyle("CvBullet", "CV – wypunktowanie", next_id="CvBullet",
            ppr='<w:tabs><w:tab w:val="left" w:pos="284"/></w:tabs>'
                '<w:spacing w:before="0" w:after="40" w:line="259" w:lineRule="auto"/>'
                '<w:ind w:left="284" w:hanging="284"/>',
            rpr=TEXT),
    _pstyle("CvConsent", "CV – klauzula zgody", next_id="CvConsent",
            ppr='<w:keepLines/><w:spacing w:before="0" w:after="60" w:line="240" w:lineRule="auto"/>'
                '<w:jc w:val="both"/>',
            rpr=GREY + '<w:sz w:val="16"/><w:szCs w:val="16"/>'),
    _pstyle("CvConsentFirst", "CV – klauzula zgody, początek", based_on="CvConsent", next_id="CvConsent",
            ppr='<w:spacing w:before="600"/>'),
]

PERIOD_CM, ENTRY_CM = 3.2, 12.8


def heading(document: DocumentObject, doctype: DocType, section: str) -> None:
    para(document, "CvHeading", doctype.section(section).title)


def entries(document: DocumentObject, group: str, var: str, period: str,
            lines: list[tuple[str, str, str | None]]) -> None:
    """A borderless table, one row per entry: the period left; right the lines, each
    (style, text, the field it needs or None)."""
    tbl = table(document, (PERIOD_CM, ENTRY_CM), "LayoutTable", rows=3)

    def row(cells: list[_Cell]) -> None:
        when, what = cells
        para(when, "CvPeriod", period, first=True)
        first = True
        for style, text, needs in lines:
            if needs:
                tag(what, f"{{%p if {var}.{needs} %}}", first=first)
                para(what, style, text)
                tag(what, "{%p endif %}")
            else:
                para(what, style, text, first=first)
            first = False
        para(what, "CvGap")

    # an entry is at most a dozen lines: it stays on one page
    loop_rows(tbl, 0, f"{{%tr for {var} in {group} %}}", row)


def build_cv(doctype: DocType = CV) -> DocumentObject:
    sections = [s.name for s in doctype.sections]
    expected = ["person", "profile", "experience", "education", "courses", "qualifications", "skills",
                "interests", "consent"]
    if sections != expected:
        raise SystemExit(f"cv: sections changed ({sections}); update build_cv()")

    document = new_document(doctype.title)
    add_styles(document, CV_STYLES)
    no_footer(document)
    page = document.sections[0]
    page.top_margin = page.bottom_margin = Cm(2.0)

    para(document, "CvName", "{{ full_name }}")
    tag(document, "{%p if address %}")
    para(document, "CvContact", "{{ address }}")
    tag(document, "{%p endif %}")
    tag(document, "{%p if contact_line %}")
    para(document, "CvContact", "{{ contact_line }}")
    tag(document, "{%p endif %}")

    tag(document, "{%p if profile %}")
    heading(document, doctype, "profile")
    para(document, "CvText", "{{ profile }}")
    tag(document, "{%p endif %}")

    tag(document, "{%p if experience %}")
    heading(document, doctype, "experience")
    entries(document, "experience", "e", '{{ e.date_from }} – {{ e.date_to or "obecnie" }}', [
        ("CvEntry", "{{ e.position }}", None),
        ("CvEntrySub", "{{ e.employer }}", None),
        ("CvEntryText", "{{ e.duties }}", "duties"),
    ])
    tag(document, "{%p endif %}")

    tag(document, "{%p if education %}")
    heading(document, doctype, "education")
    entries(document, "education", "s", '{{ s.date_from }} – {{ s.date_to or "obecnie" }}', [
        ("CvEntry", "{{ s.school }}", None),
        ("CvEntrySub", "{{ s.details }}", "details"),
    ])
    tag(document, "{%p endif %}")

    tag(document, "{%p if courses %}")
    heading(document, doctype, "courses")
    entries(document, "courses", "c", "{{ c.year }}", [
        ("CvEntrySub", "{{ c.name }}", None),
        ("CvEntryText", "{{ c.organiser }}", "organiser"),
    ])
    tag(document, "{%p endif %}")

    tag(document, "{%p if qualifications %}")
    heading(document, doctype, "qualifications")
    tag(document, "{%p for q in qualifications %}")
    para(document, "CvBullet", "•\t{{ q.name }}{% if q.details %} ({{ q.details }}){% endif %}")
    tag(document, "{%p endfor %}")
    tag(document, "{%p endif %}")

    tag(document, "{%p if languages or computer or other_skills %}")
    heading(document, doctype, "skills")
    for name in ("languages", "computer", "other_skills"):
        label = doctype.item(name).label
        tag(document, f"{{%p if {name} %}}")
        para(document, "CvText", (f"{label}: ", "Strong"), f"{{{{ {name} }}}}")
        tag(document, "{%p endif %}")
    tag(document, "{%p endif %}")

    tag(document, "{%p if interests %}")
    heading(document, doctype, "interests")
    para(document, "CvText", "{{ interests }}")
    tag(document, "{%p endif %}")

    para(document, "CvConsentFirst", "{{ consent_clause }}")
    tag(document, "{%p if consent_future %}")
    para(document, "CvConsent", "{{ consent_future }}")
    tag(document, "{%p endif %}")
    para(document, "EndMark")
    return document
