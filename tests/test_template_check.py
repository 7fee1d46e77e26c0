"""The template check on friendly templates (an office's edits of the built-in one: they pass and
render) and on mistaken ones (each problem in Polish, with the place); the CLI commands on templates."""
from __future__ import annotations

import copy
import io
import json
import zipfile

import pytest
from docx import Document
from docx.enum.text import WD_COLOR_INDEX
from docx.shared import Pt
from docx.text.paragraph import Paragraph

from docgen.cli import main
from docgen.context import Letterhead
from docgen.doctypes import DOCTYPES, get_doctype
from docgen.doctypes.work_plan import WORK_PLAN
from docgen.render import render
from docgen.templates import TemplateProblem, TemplateRejected, check_template, checked_problems
from docgen.templates.engine import render_context, template_path
from docgen.templates.vocabulary import example_context, vocabulary

BASE = template_path(WORK_PLAN).read_bytes()
LETTERHEAD = Letterhead(name="MOPS w Lipowcu Mazurskim", address="ul. Mickiewicza 5", city="Lipowiec Mazurski")


def edited(change) -> bytes:
    document = Document(io.BytesIO(BASE))
    change(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def paragraph(document, text: str):
    return next(p for p in document.paragraphs if p.text == text)


def rendered_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    parts += [p.text for section in document.sections for p in section.header.paragraphs]
    return "\n".join(parts)


def render_with(data: bytes) -> str:
    return rendered_text(render(WORK_PLAN, WORK_PLAN.example(), letterhead=LETTERHEAD, case_number="AR.1.2026",
                                template=data))


def problems_of(data: bytes) -> list[TemplateProblem]:
    return check_template(data, WORK_PLAN)


# --- the built-in templates ------------------------------------------------------------------

@pytest.mark.parametrize("type_id", DOCTYPES)
def test_every_built_in_template_passes_its_check(type_id):
    doctype = get_doctype(type_id)
    assert check_template(template_path(doctype).read_bytes(), doctype) == []


def test_a_template_of_another_type_fails_with_its_unknown_names():
    visit = get_doctype("visit_record")
    problems = [str(p) for p in check_template(BASE, visit)]
    assert any("Nieznana nazwa „members”" in p and p.startswith("tabela 1, wiersz 2") for p in problems)
    assert any("Brak nagłówka sekcji „1. Wizyta”" in p for p in problems)


# --- friendly edits pass and render ----------------------------------------------------------

def test_changed_letterhead_and_a_page_header():
    def change(document):
        paragraph(document, "{{ office.name }}").runs[0].text = "Gmina Lipowiec Mazurski – {{ office.name }}"
        header = document.sections[0].header
        header.is_linked_to_previous = False
        header.paragraphs[0].text = "Ośrodek Pomocy Społecznej · sprawa {{ case_number }}"

    data = edited(change)
    assert problems_of(data) == []
    text = render_with(data)
    assert f"Gmina Lipowiec Mazurski – {LETTERHEAD.name}" in text
    assert "Ośrodek Pomocy Społecznej · sprawa AR.1.2026" in text


def test_fonts_changed_and_a_tag_split_into_runs_of_different_formatting():
    def change(document):
        for p in document.paragraphs:
            for run in p.runs:
                run.font.name = "Times New Roman"
                run.font.size = Pt(12)
        line = paragraph(document, "Nazwisko rodziny: {{ family_name }}")
        tag = line.runs[1]
        tag.text = "{{ fam"
        tag.bold = True
        rest = line.add_run("ily_")
        rest.italic = True
        rest.font.highlight_color = WD_COLOR_INDEX.YELLOW
        line.add_run("name }}").font.name = "Arial"

    data = edited(change)
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert "{{ fam</w:t>" in xml  # really three runs
    assert problems_of(data) == []
    assert "Nazwisko rodziny: Zawadzcy" in render_with(data)


def _section_elements(document, title: str) -> list:
    body = list(document.element.body.iterchildren())
    start = next(i for i, el in enumerate(body) if el.xpath("string(.)") == title)
    end = next(i for i in range(start + 1, len(body))
               if body[i].xpath("string(.)")[:3].rstrip(".").strip().isdigit()
               and ". " in body[i].xpath("string(.)")[:4])
    return body[start:end]


def test_two_sections_swapped():
    def change(document):
        strengths = _section_elements(document, "5. Zasoby i mocne strony rodziny")
        main_goal = _section_elements(document, "6. Cel główny")
        for element in main_goal:
            strengths[0].addprevious(element)

    data = edited(change)
    titles = [p.text for p in Document(io.BytesIO(data)).paragraphs if p.style.name == "Heading 1"]
    assert titles.index("6. Cel główny") < titles.index("5. Zasoby i mocne strony rodziny")
    assert problems_of(data) == []
    text = render_with(data)
    example = WORK_PLAN.example()
    assert text.index(example["main_goal"]) < text.index(example["strengths"])


def test_extra_paragraphs_of_office_wording():
    def change(document):
        subtitle = next(p for p in document.paragraphs if p.style.name == "Subtitle")
        extra = copy.deepcopy(paragraph(document, "{{ strengths }}")._p)
        subtitle._p.addnext(extra)  # a copy of a body paragraph: the office's paragraph style
        wording = Paragraph(extra, subtitle._parent)
        for run in wording.runs[1:]:
            run._r.getparent().remove(run._r)
        wording.runs[0].text = ("Rodzina {{ family_name }} jest objęta wsparciem asystenta rodziny od "
                                "{{ assignment_date }}; plan przygotowano wspólnie z rodziną.")
        document.add_paragraph("Pouczenie: plan można zmienić na wniosek rodziny.")

    data = edited(change)
    assert problems_of(data) == []
    text = render_with(data)
    assert ("Rodzina Zawadzcy jest objęta wsparciem asystenta rodziny od 5 października 2026 r.; plan "
            "przygotowano wspólnie z rodziną.") in text
    assert "Pouczenie: plan można zmienić na wniosek rodziny." in text


def test_a_path_to_a_checked_template_renders_too(tmp_path):
    path = tmp_path / "szablon.docx"
    path.write_bytes(edited(lambda d: d.add_paragraph("Dodatkowy akapit.")))
    content = render(WORK_PLAN, WORK_PLAN.example(), letterhead=LETTERHEAD, case_number="X", template=path)
    assert "Dodatkowy akapit." in rendered_text(content)


# --- mistakes, each with its place ----------------------------------------------------------

def _one(problems: list[TemplateProblem], text: str) -> TemplateProblem:
    found = [p for p in problems if text in p.message]
    assert found, (text, [str(p) for p in problems])
    return found[0]


def test_unknown_field_of_a_row_is_named_with_table_row_and_cell():
    def change(document):
        cell = document.tables[1].rows[2].cells[2]
        cell.paragraphs[0].runs[0].text = "{{ a.dedline|data_krotka }}"

    problems = problems_of(edited(change))
    problem = _one(problems, "nie ma pola „dedline”")
    assert problem.place == "tabela 2, wiersz 3, komórka 3"
    assert problem.snippet == "{{ a.dedline|data_krotka }}"
    assert "deadline" in problem.message  # the fields it does have
    _one(problems, "brakuje pola „deadline” (Termin realizacji)")


def test_unknown_name_gets_a_hint_and_the_paragraph():
    problems = problems_of(edited(lambda d: setattr(
        paragraph(d, "Nazwisko rodziny: {{ family_name }}").runs[1], "text", "{{ family_nme }}")))
    problem = _one(problems, "Nieznana nazwa „family_nme”")
    assert "Może chodzi o „family_name”?" in problem.message
    assert problem.place == "akapit 11"
    assert str(problem) == f"akapit 11 („Nazwisko rodziny: {{{{ family_nme }}}}”): {problem.message}"
    _one(problems, "Brak pola {{ family_name }} (Nazwisko rodziny)")


def test_a_letter_or_cv_template_may_not_print_a_case_number_it_never_has():
    """A member's letter or CV is kept out of the case file: its {{ case_number }} would print empty."""
    letter = get_doctype("letter")
    document = Document(io.BytesIO(template_path(letter).read_bytes()))
    document.paragraphs[0].insert_paragraph_before("Znak: {{ case_number }}")
    out = io.BytesIO()
    document.save(out)
    problems = check_template(out.getvalue(), letter)
    problem = _one(problems, "nie trafia do akt sprawy i nie ma znaku sprawy")
    assert "„case_number” wydrukowałby się pusty" in problem.message and problem.place == "akapit 1"
    assert "Znak sprawy" not in [shape.label for shape in vocabulary(letter).values()]
    assert vocabulary(WORK_PLAN)["case_number"].label == "Znak sprawy"  # a plan prints it


def test_syntax_error_is_placed():
    problems = problems_of(edited(lambda d: d.add_paragraph("Do wiadomości: {{ family_name | }}")))
    problem = _one(problems, "Błąd składni")
    assert problem.place.startswith("akapit ") and "family_name |" in problem.snippet


def test_unknown_filter_method_call_and_attr():
    problems = problems_of(edited(lambda d: d.add_paragraph(
        "{{ family_name|shout }} {{ family_name.upper() }} {{ address|attr('x') }}")))
    _one(problems, "Nieznany filtr „shout”")
    _one(problems, "Wywoływanie metod („family_name.upper()”)")
    _one(problems, "Filtr „attr” jest niedozwolony")


def test_tag_split_between_paragraphs():
    def change(document):
        line = paragraph(document, "Nazwisko rodziny: {{ family_name }}")
        line.runs[1].text = "{{ family_"
        after = copy.deepcopy(line._p)
        line._p.addnext(after)
        second = Paragraph(after, line._parent)
        second.runs[0].text = ""
        second.runs[1].text = "name }}"

    problems = problems_of(edited(change))
    opened = _one(problems, "zaczyna się w tym akapicie")
    closed = _one(problems, "bez jego początku")
    assert (opened.place, closed.place) == ("akapit 11", "akapit 12")
    assert "{{ family_" in opened.snippet


def test_block_tags_across_paragraphs():
    """Rendered, such a block drops whole paragraphs (a heading here) or cuts the document's XML."""
    def change(document):
        paragraph(document, "{{ strengths }}").insert_paragraph_before("{% if not family_name %}")
        paragraph(document, "{{ main_goal }}").insert_paragraph_before("{% endif %}")

    problem = _one(problems_of(edited(change)), "Blok {% if %} zaczyna się w innym miejscu")
    assert problem.place == "akapit 33" and "koniec: akapit 36" in problem.message
    assert "{%p if … %} … {%p endif %}" in problem.message


def test_a_result_that_is_not_well_formed_fails_the_trial_render():
    """The last line: the trial render of the example must give well-formed XML in every part."""
    xml = zipfile.ZipFile(io.BytesIO(BASE)).read("word/document.xml").decode()
    # well-formed itself; the output, without the dropped part, is not
    broken = xml.replace("{{ strengths }}</w:t></w:r></w:p>", "{{ strengths }}{% if not family_name %}</w:t></w:r>"
                                                              "</w:p><w:p>{% endif %}<w:r><w:t>x</w:t></w:r></w:p>", 1)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(BASE)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, broken if info.filename == "word/document.xml" else zin.read(info))
    _one(problems_of(out.getvalue()), "Blok {% if %} zaczyna się w innym miejscu")
    with pytest.raises(TemplateRejected) as caught:  # what the trial render (strict XML) says of it
        render_context(out.getvalue(), example_context(WORK_PLAN), strict_xml=True)
    assert "po wypełnieniu treść dokumentu nie jest poprawnym dokumentem Word" in str(caught.value)


def test_heading_missing_or_not_a_heading():
    def change(document):
        strengths = paragraph(document, "5. Zasoby i mocne strony rodziny")
        strengths._p.getparent().remove(strengths._p)
        paragraph(document, "6. Cel główny").style = document.styles["Normal"]

    problems = problems_of(edited(change))
    _one(problems, "Brak nagłówka sekcji „5. Zasoby i mocne strony rodziny”")
    plain = _one(problems, "Tytuł sekcji „6. Cel główny” jest zwykłym tekstem")
    assert plain.place.startswith("akapit ")


def test_optional_section_may_go():
    def change(document):
        for element in _section_elements(document, "9. Współpraca z instytucjami"):
            element.getparent().remove(element)

    assert problems_of(edited(change)) == []


def test_required_placeholder_and_loop_missing():
    def change(document):
        paragraph(document, "{{ strengths }}").runs[0].text = "Rodzina ma zasoby."
        actions = document.tables[1]._tbl
        actions.getparent().remove(actions)

    problems = problems_of(edited(change))
    _one(problems, "Brak pola {{ strengths }} (Zasoby i mocne strony)")
    _one(problems, "Brak pętli po liście „actions” (Działania)")


def test_problems_are_remembered_by_digest_and_render_refuses():
    data = edited(lambda d: d.add_paragraph("{{ nieznane }}"))
    assert checked_problems(data, WORK_PLAN) is checked_problems(data, WORK_PLAN)
    with pytest.raises(TemplateRejected) as caught:
        render_with(data)
    assert "Nieznana nazwa „nieznane”" in str(caught.value)


# --- CLI ------------------------------------------------------------------------------------

def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_check_template(capsys, tmp_path):
    good = tmp_path / "dobry.docx"
    good.write_bytes(BASE)
    assert run(capsys, "check-template", str(good), "--type", "work_plan") == (0, "Szablon poprawny.\n", "")

    bad = tmp_path / "zły.docx"
    bad.write_bytes(edited(lambda d: d.add_paragraph("{{ cycler.__init__ }}")))
    code, out, err = run(capsys, "check-template", str(bad), "--type", "work_plan")
    assert code == 1 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith("Szablon ma 2 problemy (Plan pracy z rodziną)")
    assert all(line.startswith("- akapit 48 („{{ cycler.__init__ }}”): ") for line in lines[1:])

    code, _, err = run(capsys, "check-template", str(tmp_path / "brak.docx"), "--type", "work_plan")
    assert code == 2 and "Nie ma szablonu" in err
    code, _, err = run(capsys, "check-template", str(good), "--type", "nie_ma")
    assert code == 2 and "Nieznany typ dokumentu" in err


@pytest.fixture
def demo_db(tmp_path, monkeypatch, instance_dir, output_dir, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    assert main(["demo", "--password", "hasło-testowe-cli"]) == 0
    capsys.readouterr()


def test_cli_render_refuses_a_template_that_fails_the_check(capsys, demo_db, tmp_path):
    data_file = tmp_path / "dane.json"
    data_file.write_text(json.dumps(WORK_PLAN.example(), ensure_ascii=False), encoding="utf-8")
    sentinel = tmp_path / "SENTINEL"
    bad = tmp_path / "zły.docx"
    bad.write_bytes(edited(lambda d: d.add_paragraph(
        f"{{{{ cycler.__init__.__globals__.os.popen('touch {sentinel}').read() }}}}")))
    target = tmp_path / "plan.docx"
    code, out, err = run(capsys, "render", "work_plan", str(data_file), "-o", str(target), "--template", str(bad))
    assert code == 1 and out == ""
    assert f"Szablon {bad} nie przeszedł sprawdzenia (Plan pracy z rodziną):" in err
    assert "- akapit 48" in err and "„cycler”" in err
    assert not target.exists() and not sentinel.exists()

    good = tmp_path / "dobry.docx"
    good.write_bytes(edited(lambda d: d.add_paragraph("Pouczenie dla rodziny.")))
    code, out, err = run(capsys, "render", "work_plan", str(data_file), "-o", str(target), "--template", str(good))
    assert code == 0, err
    assert "MOPS.AR.4101.1." in out  # the refused template spent no number
    assert "Pouczenie dla rodziny." in rendered_text(target.read_bytes())
