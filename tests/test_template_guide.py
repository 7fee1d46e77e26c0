"""The Polish template guide: generated from the definitions, in sync with docs/szablony.md."""
from __future__ import annotations

from pathlib import Path

import pytest

from docgen.cli import main
from docgen.definition import Field
from docgen.doctypes import DOCTYPES, get_doctype
from docgen.templates import template_guide, templates_guide
from docgen.templates.structure import required

DOCS = Path(__file__).resolve().parents[1] / "docs" / "szablony.md"


def test_docs_file_is_in_sync_with_the_definitions():
    assert DOCS.read_text(encoding="utf-8") == templates_guide(), \
        "run: docgen template-guide --all -o docs/szablony.md"


@pytest.mark.parametrize("type_id", DOCTYPES)
def test_the_guide_of_a_type_names_every_field_and_what_must_stay(type_id):
    doctype = get_doctype(type_id)
    guide = template_guide(doctype)
    assert guide.startswith("# Szablony dokumentów Word")
    assert f"## {doctype.title} (`{doctype.id}`)" in guide
    for _, item in doctype.items():
        assert item.label.split("\n")[0][:30] in guide
        if isinstance(item, Field):
            assert f"`{{{{ {item.name} }}}}`" in guide
        else:
            assert f"(`{item.name}`)" in guide
    must = guide.split("### Co musi zostać w szablonie")[1].split("### Pola")[0]
    for section in doctype.numbered_sections():
        assert f"„{doctype.numbered_title(section)}”" in must
    needed = required(doctype)
    for spec in needed.fields:
        assert f"`{{{{ {spec.name} }}}}`" in must
    for group, _ in needed.groups:
        assert f"Pętla po liście `{group.name}`" in must


def test_the_work_plan_guide_shows_the_loops_as_the_built_in_template_writes_them():
    guide = template_guide(get_doctype("work_plan"))
    assert "`{%tr for a in actions %}` … `{%tr endfor %}`" in guide
    assert "`{{ a.deadline }}` | Termin realizacji | data" in guide
    assert "`{%p for p in problems %}` … `{%p endfor %}`" in guide
    assert "`{{ valid_from\\|data }}`" in guide  # filters, with the escaped pipe of a Markdown table
    assert "„zgoda rodziny”; „postanowienie sądu”" in guide
    assert "(sekcja nieobowiązkowa: może zostać usunięta)" in guide  # 9. Współpraca z instytucjami


def test_derived_values_are_listed():
    guide = template_guide(get_doctype("court_opinion"))
    assert "`{{ opinion_basis_text }}` | wartość wyliczana z danych dokumentu" in guide
    assert "`{{ office.name }}` | Nazwa ośrodka" in guide


def test_cli_prints_writes_and_checks_the_guide(capsys, tmp_path):
    assert main(["template-guide", "--type", "work_plan"]) == 0
    out, _ = capsys.readouterr()
    assert out == template_guide(get_doctype("work_plan")).rstrip("\n") + "\n"

    target = tmp_path / "szablony.md"
    assert main(["template-guide", "--all", "-o", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == templates_guide()
    capsys.readouterr()
    assert main(["template-guide", "--all", "--check", str(target)]) == 0
    target.write_text("stary przewodnik", encoding="utf-8")
    assert main(["template-guide", "--all", "--check", str(target)]) == 1
    _, err = capsys.readouterr()
    assert "nieaktualny" in err

    assert main(["template-guide"]) == 2
    assert "--type" in capsys.readouterr()[1]


def test_every_kind_has_a_polish_name():
    from docgen.definition import KINDS
    from docgen.templates.guide import KIND_LABELS

    assert set(KINDS) <= set(KIND_LABELS)
