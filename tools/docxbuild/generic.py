"""A template laid out from a document type's definition alone.

Every numbered section becomes a heading; a field becomes a "Label: value" line
(a long text: its label, then the text); a repeating group a table (when the
definition gives its columns) or a list of blocks; the signature blocks close
the last section. Nothing a user can type is left out: a group's fields that
are not table columns are printed under the row's first cell. Unnumbered
sections (the court's addressee and case signature) go to the header, through
a type's own header layout in HEADERS.
"""
from __future__ import annotations

from typing import Callable

from docx.document import Document as DocumentObject
from docx.table import _Cell

from docgen.casefile import MEMBERS
from docgen.definition import BOOL, TEXTAREA, DocType, Field, Item, Repeat, Section, Signature

from .blocks import _tr_pr, field_line, header_row, heading, letterhead, loop_rows, para, table, tag, title
from .styles import DOTS, new_document

NOT_GIVEN = "Nie wskazano."
# a "members" group with these fields is the family's, printed as the work plan prints it
_MEMBER_COLUMNS = {"first_name", "last_name", "birth_date", "pesel", "relation", "in_household", "foster_care"}


def _shown_elsewhere(doctype: DocType) -> set[str]:
    """Fields printed outside their section: the place and date line, the signers' names."""
    return {doctype.place_field, doctype.date_field} | {s.name for s in doctype.signatures if s.name}


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
        printed.paragraph_format.keep_with_next = True
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

    loop_rows(tbl, 1, f"{{%tr for m in {group.name} %}}", row, keep_row=True)


def _cell_value(spec: Field, var: str) -> str:
    name = f"{var}.{spec.name}"
    if spec.kind == "date":
        return f'{{{{ {name}|data_krotka if {name} else "–" }}}}'
    if spec.kind == BOOL:
        return f"{{{{ {name} }}}}"
    return f'{{{{ {name} if {name} else "–" }}}}'


def group_table(document: DocumentObject, group: Repeat) -> None:
    columns = [group.field(name) for name, _ in group.table]
    rest = [spec for spec in group.fields if spec.name not in dict(group.table)]
    tbl = table(document, [width for _, width in group.table], "PlanTable", rows=4)
    header_row(tbl, [spec.label for spec in columns])

    def row(cells: list[_Cell]) -> None:
        for cell, spec in zip(cells, columns):
            para(cell, "TableText", _cell_value(spec, "r"), first=True)
        for spec in rest:  # printed, never dropped
            tag(cells[0], f"{{%p if r.{spec.name} is not none %}}")
            para(cells[0], "TableNote", f"{spec.label}: {{{{ r.{spec.name} }}}}")
            tag(cells[0], "{%p endif %}")

    short = all(spec.kind != TEXTAREA for spec in group.fields)
    loop_rows(tbl, 1, f"{{%tr for r in {group.name} %}}", row, keep_row=short)


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


def group_list(document: DocumentObject, group: Repeat) -> None:
    text, used = _item_title(group)
    tag(document, f"{{%p for r in {group.name} %}}")
    para(document, "ItemLabel", f"{{{{ loop.index }}}}) {text}")
    for spec in group.fields:
        if spec.name in used:
            continue
        tag(document, f"{{%p if r.{spec.name} is not none %}}")
        para(document, "ItemText", (f"{spec.label}: ", "Strong"), f"{{{{ r.{spec.name} }}}}")
        tag(document, "{%p endif %}")
    tag(document, "{%p endfor %}")


def group(document: DocumentObject, item: Repeat, *, alone: bool) -> None:
    if item.name == MEMBERS.name and _MEMBER_COLUMNS <= {f.name for f in item.fields}:
        members_table(document, item)
        return
    optional = item.min_items == 0
    if optional:
        tag(document, f"{{%p if {item.name} %}}")
    if not alone:
        para(document, "LeadIn", (f"{item.label}:", "Strong"))
    if item.table:
        group_table(document, item)
    else:
        group_list(document, item)
    if optional:
        tag(document, "{%p else %}")
        para(document, "BodyText", f"{item.label}: nie wskazano." if not alone else NOT_GIVEN)
        tag(document, "{%p endif %}")


def _signature_cell(cell: _Cell, role: str, caption: str, *, first: bool) -> None:
    para(cell, "SignatureLabel", f"{role}:", first=first)
    para(cell, "SignatureLine", DOTS)
    para(cell, "SignatureCaption", caption)


def _caption(signature: Signature, name: str) -> str:
    return f"({signature.caption} – {name})" if name else f"({signature.caption})"


def signature_blocks(document: DocumentObject, signatures: tuple[Signature, ...], optional: set[str]) -> None:
    """Two blocks side by side; a list of signers (`each`) fills rows of its own; the block of
    a signer whose name field is optional and empty is left out."""
    fixed = [s for s in signatures if not s.each]
    for signature in (s for s in signatures if s.each):
        tbl = table(document, (8.0, 8.0), "LayoutTable", rows=3)

        def row(cells: list[_Cell], signature: Signature = signature) -> None:
            left, right = cells
            _signature_cell(left, signature.role, _caption(signature, "{{ pair[0].name }}"), first=True)
            tag(right, "{%p if pair|length > 1 %}", first=True)
            _signature_cell(right, signature.role, _caption(signature, "{{ pair[1].name }}"), first=False)
            tag(right, "{%p else %}")
            para(right, "TableText")
            tag(right, "{%p endif %}")

        loop_rows(tbl, 0, f"{{%tr for pair in {signature.each}|batch(2) %}}", row, keep_row=True)
    pairs = [fixed[i:i + 2] for i in range(0, len(fixed), 2)]
    if not pairs:
        return
    tbl = table(document, (8.0, 8.0), "LayoutTable", rows=len(pairs))
    for row, pair in zip(tbl.rows, pairs):
        _tr_pr(row, "<w:cantSplit/>")
        for cell, signature in zip(row.cells, pair):
            name = f"{{{{ {signature.name} }}}}" if signature.name else ""
            if signature.name and signature.name in optional:  # e.g. the head countersigns only if named
                tag(cell, f"{{%p if {signature.name} %}}", first=True)
                _signature_cell(cell, signature.role, _caption(signature, name), first=False)
                tag(cell, "{%p else %}")
                para(cell, "TableText")
                tag(cell, "{%p endif %}")
            else:
                _signature_cell(cell, signature.role, _caption(signature, name), first=True)
        if len(pair) == 1:
            para(row.cells[1], "TableText", first=True)


def section_body(document: DocumentObject, doctype: DocType, section: Section, *, keep: bool = False) -> None:
    skip = _shown_elsewhere(doctype)
    items: list[Item] = [item for item in section.items if item.name not in skip]
    alone = len(items) == 1
    all_optional = items and all(isinstance(i, Field) and not i.required and i.kind != BOOL for i in items)
    if all_optional:  # the document says so rather than leaving the section empty
        tag(document, f"{{%p if {' or '.join(item.name for item in items)} %}}")
    for item in items:
        if isinstance(item, Repeat):
            group(document, item, alone=alone)
        else:
            scalar(document, item, item.name, alone=alone, keep=keep)
    if all_optional:
        tag(document, "{%p else %}")
        para(document, "BodyText", NOT_GIVEN)
        tag(document, "{%p endif %}")


Header = Callable[[DocumentObject, DocType], None]


def _court_addressee(document: DocumentObject, doctype: DocType) -> None:
    para(document, "Addressee", "{{ court_name }}")
    para(document, "Addressee", "{{ court_division }}")
    para(document, "CaseReference", ("Sygn. akt: ", "Strong"), "{{ court_case_number }}")


def _court_request(document: DocumentObject, doctype: DocType) -> None:
    para(document, "BodyText", "W odpowiedzi na pismo z dnia {{ request_date }} w sprawie o sygn. akt "
                               "{{ court_case_number }}, na podstawie {{ opinion_basis_text }}, przedstawiam "
                               "opinię o rodzinie {{ family_name }}.")
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
    title(document, doctype.legal_basis)
    if after:
        after(document, doctype)
    numbered = doctype.numbered_sections()
    for section in numbered:
        heading(document, doctype, section.name)
        if section.statement:
            para(document, "BodyText", section.statement)
        # the last section's lines stay on the page of the signatures below them
        section_body(document, doctype, section, keep=section is numbered[-1] and bool(doctype.signatures))
        if section is numbered[-1] and doctype.signatures:
            optional = {item.name for _, item in doctype.items() if isinstance(item, Field) and not item.required}
            signature_blocks(document, doctype.signatures, optional)
    para(document, "EndMark")
    return document
