"""The family's consent, laid out by hand: its statements are worded for who signs.

One person signs: "Ja, niżej podpisana, wyrażam zgodę …", "Oświadczam, że otrzymałam informację …";
several: "My, niżej podpisani, wyrażamy zgodę …" (the words come from `derive`'s `wording`, by the
signers' sex). The people are listed with their PESEL, or their date of birth when they have none:
one identifier, not both. The information clause is a statement the same people sign, not a "tak".
"""
from __future__ import annotations

from docx.document import Document as DocumentObject
from docx.table import _Cell

from docgen.definition import DocType, Field, Repeat
from docgen.doctypes.family_consent import FAMILY_CONSENT

from .blocks import (field_line, header_row, heading, keep_with_next, label, letterhead, loop_rows, para, table, tag,
                     title)
from .generic import signature_blocks
from .styles import new_document

CONSENT = ("{{ wording.ja }}, niżej {{ wording.podpisany }}, {{ wording.wyrazam }} zgodę na współpracę rodziny "
           "{{ family_name_gen }} z asystentem rodziny i na prowadzenie z nią pracy, w tym na wizyty asystenta "
           "w miejscu zamieszkania rodziny. {{ wording.przyjmuje|capitalize }} do wiadomości, że praca z rodziną "
           "jest prowadzona za jej zgodą i z jej aktywnym udziałem (art. 8 ust. 3 ustawy) oraz że zgodę można "
           "w każdej chwili wycofać, informując o tym ośrodek.")
INFORMATION = ("{{ wording.oswiadczam|capitalize }}, że {{ wording.otrzymalem }} informację o przetwarzaniu "
               "{{ wording.moich }} danych osobowych (art. 13 RODO). Administratorem danych jest {{ office.name }}.")


def build_family_consent(doctype: DocType = FAMILY_CONSENT) -> DocumentObject:
    sections = [s.name for s in doctype.sections]
    if sections != ["family", "consenting", "statement", "rodo", "signatures"]:
        raise SystemExit(f"family_consent: sections changed ({sections}); update build_family_consent()")
    people = doctype.item("consenting")
    assert isinstance(people, Repeat)
    if [f.name for f in people.fields] != ["first_name", "last_name", "birth_date", "pesel", "sex", "relation",
                                           "married_minor"]:
        raise SystemExit("family_consent: the consenting person's fields changed; update build_family_consent()")

    document = new_document(doctype.title)
    letterhead(document)
    title(document, doctype)

    heading(document, doctype, "family")
    field_line(document, label(doctype, "family_name"), "{{ family_name }}")
    field_line(document, label(doctype, "address"), "{{ address }}")

    heading(document, doctype, "consenting")
    tbl = table(document, (6.0, 5.0, 5.0), "PlanTable", rows=4)
    header_row(tbl, ("Imię i nazwisko", "PESEL, a gdy go nie ma – data urodzenia", "Rola w rodzinie"))

    def person(cells: list[_Cell]) -> None:
        para(cells[0], "TableText", "{{ r.first_name }} {{ r.last_name }}", first=True)
        tag(cells[0], "{%p if r.married_minor %}")
        para(cells[0], "TableNote", "pełnoletność przez zawarcie małżeństwa (art. 10 § 2 k.c.)")
        tag(cells[0], "{%p endif %}")
        para(cells[1], "TableText", "{{ r.pesel if r.pesel else r.birth_date|data_krotka }}", first=True)
        para(cells[2], "TableText", "{{ r.relation }}", first=True)

    loop_rows(tbl, 1, "{%tr for r in consenting %}", person)

    heading(document, doctype, "statement")
    para(document, "BodyText", CONSENT)

    heading(document, doctype, "rodo")
    keep_with_next(para(document, "BodyText", INFORMATION))  # the signatures follow: they keep together

    heading(document, doctype, "signatures")
    optional = {item.name for _, item in doctype.items() if isinstance(item, Field) and not item.required}
    signature_blocks(document, doctype.signatures, optional)
    para(document, "EndMark")
    return document
