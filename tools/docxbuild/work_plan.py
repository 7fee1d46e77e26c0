"""The work plan's template: laid out by hand, the model the generic layout follows."""
from __future__ import annotations

from docx.document import Document as DocumentObject
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.table import _Cell

from docgen.definition import DocType, Field, Repeat
from docgen.doctypes.work_plan import WORK_PLAN

from .blocks import (field_line, header_row, heading, jinja_string, keep_with_next, label, letterhead, loop_rows,
                     loop_rows_count, para, sub_label, table, tag, title)
from .styles import DOTS, new_document

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
    title(document, doctype)

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

    loop_rows(tbl, 1, "{%tr for m in members %}", member_row)

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

    loop_rows(tbl, 1, "{%tr for a in actions %}", action_row)  # a row never splits: its cells' texts are short

    # 9. Współpraca z instytucjami (optional: the document says so when empty); its end keeps with
    # the signatures, so they never stand on a page alone
    heading(document, doctype, "cooperation")
    institutions = doctype.item("institutions")
    assert isinstance(institutions, Repeat)
    tag(document, "{%p if institutions %}")
    tbl = table(document, (6.0, 10.0), "PlanTable", rows=1 + loop_rows_count(keep_last=True))
    header_row(tbl, [sub_label(institutions, name) for name in ("institution", "scope")])

    def institution_row(cells: list[_Cell]) -> None:
        para(cells[0], "TableText", "{{ i.institution }}", first=True)
        para(cells[1], "TableText", "{{ i.scope }}", first=True)

    loop_rows(tbl, 1, "{%tr for i in institutions %}", institution_row, keep_last=True)
    tag(document, "{%p else %}")
    keep_with_next(para(document, "BodyText", "Nie wskazano."))
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

    loop_rows(tbl, 0, "{%tr for s in signatories %}", signature_row)
    statement, worker = tbl.rows[3].cells
    statement.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM
    para(statement, "Consultation",
         "Plan skonsultowano z pracownikiem socjalnym: {{ social_worker_name }}, dnia {{ consultation_date }}",
         first=True)
    para(worker, "SignatureLine", DOTS, first=True)
    para(worker, "SignatureCaption", "(podpis pracownika socjalnego)")
    keep_with_next(*(cell for row in tbl.rows for cell in row.cells))  # the block stays whole
    para(document, "EndMark")
    return document


