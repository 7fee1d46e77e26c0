"""A template laid out from a document type's definition alone.

Every numbered section becomes a heading; a field becomes a "Label: value" line
(a long text: its label, then the text); a repeating group a table (when the
definition gives its columns) or a list of blocks; the signature blocks close
the last section. Nothing a user can type is left out: a group's fields that
are not table columns are printed under the row's first cell. Unnumbered
sections (the court's addressee and case signature) go to the header, through
a type's own header layout in HEADERS.

Pages hold together: every table row stays on one page, the header rows repeat, and the last
content before the signatures keeps with them (`keep`), so no page holds signatures alone.
"""
from __future__ import annotations

from typing import Callable

from docx.document import Document as DocumentObject
from docx.table import _Cell

from docgen.casefile import FAMILY_NAME_GEN, MEMBERS
from docgen.definition import BOOL, TEXTAREA, DocType, Field, Item, Repeat, Section, Signature

from .blocks import (field_line, header_row, heading, keep_with_next, letterhead, loop_rows, loop_rows_count, para,
                     table, tag, title)
from .styles import DOTS, new_document

NOT_GIVEN = "Nie wskazano."
# a "members" group with these fields is the family's, printed as the work plan prints it
_MEMBER_COLUMNS = {"first_name", "last_name", "birth_date", "pesel", "relation", "in_household", "foster_care"}
# inputs of running text, not lines of their own: the family's name in the genitive stands in the title
# and the sentences ("opinia o rodzinie Zawadzkich")
_NOT_LINES = {FAMILY_NAME_GEN.name}


def _shown_elsewhere(doctype: DocType, section: Section) -> set[str]:
    """Fields of `section` printed outside it: the place and date line; in the last section, the
    signers' names (under their signature lines); a name in another section (the coordinator's)
    is printed there as well."""
    names = {doctype.place_field, doctype.date_field} | _NOT_LINES
    if section is doctype.numbered_sections()[-1]:
        names |= {s.name for s in doctype.signatures if s.name}
    return names


def scalar(document: DocumentObject | _Cell, spec: Field, name: str, *, alone: bool, keep: bool = False) -> None:
    """One field. An optional one is printed only when filled. `keep`: on the page of what follows."""
    guard = spec.kind != BOOL and not spec.required
    if guard:
        tag(document, f"{{%p if {name} %}}")
    if spec.kind == TEXTAREA:
        if not alone:
            para(document, "FieldLine", (f"{spec.label}:", "Strong")).paragraph_format.keep_with_next = True
        printed = para(document, "BodyText", f"{{{{ {name} }}}}")
    else:  # values come formatted for print: dates in words, choices by label, yes/no
        printed = field_line(document, spec.label, f"{{{{ {name} }}}}")
    if keep:
        keep_with_next(printed)
    if guard:
        tag(document, "{%p endif %}")


def members_table(document: DocumentObject, group: Repeat) -> None:
    """The family's members, as the work plan prints them; foster care noted under the name."""
    para(document, "LeadIn", (f"{group.label}:", "Strong"))
    tbl = table(document, (4.4, 2.4, 2.9, 3.3, 3.0), "PlanTable", rows=4)
    header_row(tbl, ("Imię i nazwisko", "Data urodzenia", "PESEL", "Rola w rodzinie", "We wspólnym gospodarstwie"))

    def row(cells: list[_Cell]) -> None:
        para(cells[0], "TableText", "{{ m.first_name }} {{ m.last_name }}", first=True)
        tag(cells[0], "{%p if m.foster_care %}")
        para(cells[0], "TableNote", "przebywa w pieczy zastępczej")
        tag(cells[0], "{%p endif %}")
        para(cells[1], "TableText", '{{ m.birth_date|data_krotka if m.birth_date else "–" }}', first=True)
        para(cells[2], "TableText", '{{ m.pesel or "–" }}', first=True)
        para(cells[3], "TableText", "{{ m.relation }}", first=True)
        para(cells[4], "TableText", '{{ m.in_household if m.in_household is not none else "–" }}', first=True)

    loop_rows(tbl, 1, f"{{%tr for m in {group.name} %}}", row)


def _cell_value(spec: Field, var: str) -> str:
    name = f"{var}.{spec.name}"
    if spec.kind == "date":
        return f'{{{{ {name}|data_krotka if {name} else "–" }}}}'
    if spec.kind == BOOL:
        return f"{{{{ {name} }}}}"
    return f'{{{{ {name} if {name} else "–" }}}}'


def group_table(document: DocumentObject, group: Repeat, *, keep: bool = False) -> None:
    columns = [group.field(name) for name, _ in group.table]
    rest = [spec for spec in group.fields if spec.name not in dict(group.table)]
    tbl = table(document, [width for _, width in group.table], "PlanTable", rows=1 + loop_rows_count(keep))
    header_row(tbl, [spec.label for spec in columns])

    def row(cells: list[_Cell]) -> None:
        for cell, spec in zip(cells, columns):
            para(cell, "TableText", _cell_value(spec, "r"), first=True)
        for spec in rest:  # printed, never dropped
            tag(cells[0], f"{{%p if r.{spec.name} is not none %}}")
            para(cells[0], "TableNote", f"{spec.label}: {{{{ r.{spec.name} }}}}")
            tag(cells[0], "{%p endif %}")

    loop_rows(tbl, 1, f"{{%tr for r in {group.name} %}}", row, keep_last=keep)


def _item_title(group: Repeat) -> tuple[str, set[str]]:
    """The bold line of a list item: a person's name (and role), or the first field."""
    names = {spec.name for spec in group.fields}
    if {"first_name", "last_name"} <= names:
        text = "{{ r.first_name }} {{ r.last_name }}"
        used = {"first_name", "last_name"}
        if "relation" in names:
            text += "{% if r.relation %} ({{ r.relation }}){% endif %}"
            used.add("relation")
        return text, used
    first = group.fields[0]
    return f"{{{{ r.{first.name} }}}}", {first.name}


def group_list(document: DocumentObject, group: Repeat, *, keep: bool = False) -> None:
    text, used = _item_title(group)

    def item(kept: bool) -> None:
        para(document, "ItemLabel", f"{{{{ loop.index }}}}) {text}")
        for spec in group.fields:
            if spec.name in used:
                continue
            tag(document, f"{{%p if r.{spec.name} is not none %}}")
            printed = para(document, "ItemText", (f"{spec.label}: ", "Strong"), f"{{{{ r.{spec.name} }}}}")
            if kept:
                keep_with_next(printed)
            tag(document, "{%p endif %}")

    tag(document, f"{{%p for r in {group.name} %}}")
    if keep:  # the last item keeps with the signatures that follow
        tag(document, "{%p if not loop.last %}")
        item(False)
        tag(document, "{%p else %}")
        item(True)
        tag(document, "{%p endif %}")
    else:
        item(False)
    tag(document, "{%p endfor %}")


def group(document: DocumentObject, item: Repeat, *, alone: bool, keep: bool = False) -> None:
    if item.name == MEMBERS.name and _MEMBER_COLUMNS <= {f.name for f in item.fields}:
        members_table(document, item)
        return
    optional = item.min_items == 0
    if optional:
        tag(document, f"{{%p if {item.name} %}}")
    if not alone:
        para(document, "LeadIn", (f"{item.label}:", "Strong"))
    if item.table:
        group_table(document, item, keep=keep)
    else:
        group_list(document, item, keep=keep)
    if optional:
        tag(document, "{%p else %}")
        empty = para(document, "BodyText", f"{item.label}: nie wskazano." if not alone else NOT_GIVEN)
        if keep:
            keep_with_next(empty)
        tag(document, "{%p endif %}")


# --- signatures ---------------------------------------------------------------------------

def _caption(signature: Signature, name: str) -> str:
    return f"({signature.caption} – {name})" if name else f"({signature.caption})"


def _line(cell: _Cell, caption: str, *, first: bool) -> None:
    para(cell, "SignatureLine", DOTS, first=first)
    para(cell, "SignatureCaption", caption)


def _guarded(cell: _Cell, condition: str | None, fill: Callable[[_Cell, bool], None]) -> None:
    """The cell's content, inside `{%p if condition %}` when there is one (an optional signer)."""
    if condition is None:
        fill(cell, True)
        return
    tag(cell, f"{{%p if {condition} %}}", first=True)
    fill(cell, False)
    tag(cell, "{%p else %}")
    para(cell, "TableText")
    tag(cell, "{%p endif %}")


def signature_blocks(document: DocumentObject, signatures: tuple[Signature, ...], optional: set[str]) -> None:
    """The signatures, in borderless tables, every paragraph kept with the next so the block stays
    together (and with the content before it). A list of signers (`each`) gets its label once, then
    their lines two by two; the other signers stand two by two, their labels in a row of their own
    above the row of the lines, so the lines are level whatever the length of the labels. The block
    of a signer whose name field is optional and empty is left out."""
    fixed = [s for s in signatures if not s.each]
    for signature in (s for s in signatures if s.each):
        label = signature.role
        if signature.role_one:  # one signer: the label in the singular
            label = (f"{{% if {signature.each}|length > 1 %}}{signature.role}"
                     f"{{% else %}}{signature.role_one}{{% endif %}}")
        keep_with_next(para(document, "SignatureGroup", f"{label}:"))
        tbl = table(document, (8.0, 8.0), "LayoutTable", rows=3)

        def row(cells: list[_Cell], signature: Signature = signature) -> None:
            left, right = cells
            _line(left, _caption(signature, "{{ pair[0].name }}"), first=True)
            _guarded(right, "pair|length > 1",
                     lambda cell, first: _line(cell, _caption(signature, "{{ pair[1].name }}"), first=first))

        loop_rows(tbl, 0, f"{{%tr for pair in {signature.each}|batch(2) %}}", row)
        keep_with_next(*(cell for row in tbl.rows for cell in row.cells))
    pairs = [fixed[i:i + 2] for i in range(0, len(fixed), 2)]
    if not pairs:
        return
    tbl = table(document, (8.0, 8.0), "LayoutTable", rows=2 * len(pairs))
    for index, pair in enumerate(pairs):
        labels, lines = tbl.rows[2 * index].cells, tbl.rows[2 * index + 1].cells
        for label_cell, line_cell, signature in zip(labels, lines, pair):
            name = f"{{{{ {signature.name} }}}}" if signature.name else ""
            condition = signature.name if signature.name and signature.name in optional else None
            _guarded(label_cell, condition,
                     lambda cell, first, s=signature: para(cell, "SignatureLabel", f"{s.role}:", first=first))
            _guarded(line_cell, condition,
                     lambda cell, first, s=signature, n=name: _line(cell, _caption(s, n), first=first))
        if len(pair) == 1:
            para(labels[1], "TableText", first=True)
            para(lines[1], "TableText", first=True)
    keep_with_next(*(cell for row in tbl.rows for cell in row.cells))


# --- sections -----------------------------------------------------------------------------

def _printed(doctype: DocType, section: Section) -> list[Item]:
    skip = _shown_elsewhere(doctype, section)
    return [item for item in section.items if item.name not in skip]


def section_body(document: DocumentObject, doctype: DocType, section: Section, *, keep: str = "") -> None:
    """The section's fields and groups. `keep`: "all" keeps every line with what follows (the
    signatures' own section), "last" the section's last item (the content before the signatures)."""
    items = _printed(doctype, section)
    alone = len(items) == 1
    all_optional = items and all(isinstance(i, Field) and not i.required and i.kind != BOOL for i in items)
    if all_optional:  # the document says so rather than leaving the section empty
        tag(document, f"{{%p if {' or '.join(item.name for item in items)} %}}")
    for item in items:
        kept = keep == "all" or (keep == "last" and (item is items[-1] or all_optional))
        if isinstance(item, Repeat):
            group(document, item, alone=alone, keep=kept)
        else:
            scalar(document, item, item.name, alone=alone, keep=kept)
    if all_optional:
        tag(document, "{%p else %}")
        empty = para(document, "BodyText", NOT_GIVEN)
        if keep:
            keep_with_next(empty)
        tag(document, "{%p endif %}")


Header = Callable[[DocumentObject, DocType], None]


def _court_addressee(document: DocumentObject, doctype: DocType) -> None:
    """The court as a letter's addressee: name, division and address, no one-letter word left at a
    line's end ("Sąd Rejonowy w / Lipowcu")."""
    para(document, "Addressee", "{{ court_name|bez_sierotek }}")
    para(document, "Addressee", "{{ court_division|bez_sierotek }}")
    para(document, "AddresseeAddress", "{{ court_address|bez_sierotek }}")
    para(document, "CaseReference", ("Sygn. akt: ", "Strong"), "{{ court_case_number }}")


def _court_request(document: DocumentObject, doctype: DocType) -> None:
    # the case signature stands once, above; the basis once, here
    para(document, "BodyText", "W odpowiedzi na pismo z dnia {{ request_date }}, na podstawie "
                               "{{ opinion_basis_text }}, przedstawiam opinię o rodzinie {{ family_name_gen }}.")
    tag(document, "{%p if court_questions %}")
    para(document, "FieldLine", ("Pytania sądu:", "Strong"))
    para(document, "BodyText", "{{ court_questions }}")
    tag(document, "{%p endif %}")


# the fields of unnumbered sections, laid out before and after the title
HEADERS: dict[str, tuple[Header, Header]] = {
    "court_opinion": (_court_addressee, _court_request),
}


def build_from_definition(doctype: DocType) -> DocumentObject:
    document = new_document(doctype.title)
    letterhead(document)
    unnumbered = [s for s in doctype.sections if not s.numbered]
    if unnumbered and doctype.id not in HEADERS:
        raise SystemExit(f"{doctype.id}: unnumbered sections need a header layout in HEADERS")
    before, after = HEADERS.get(doctype.id, (None, None))
    if before:
        before(document, doctype)
    title(document, doctype)
    if after:
        after(document, doctype)
    numbered = doctype.numbered_sections()
    last = numbered[-1]
    # the content the signatures keep with: the last section's lines, and when that section prints
    # little of its own (the signers' names stand under their lines), the end of the one before
    before_last = numbered[-2] if len(numbered) > 1 and doctype.signatures else None
    for section in numbered:
        heading(document, doctype, section.name)
        if section.statement:
            para(document, "BodyText", section.statement)
        keep = "all" if section is last and doctype.signatures else "last" if section is before_last else ""
        section_body(document, doctype, section, keep=keep)
        if section is last and doctype.signatures:
            optional = {item.name for _, item in doctype.items() if isinstance(item, Field) and not item.required}
            signature_blocks(document, doctype.signatures, optional)
    para(document, "EndMark")
    return document
