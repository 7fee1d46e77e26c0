"""From a Word template to a proposed definition: read its placeholders, guess what each one is.

- a name of the family card's vocabulary (docgen/custom/card.py) becomes the field the built-in types
  use, prefilled from the card: no question to draft;
- a name a loop runs over ({%tr for r in uczestnicy %}) becomes a list whose row fields are the
  attributes the loop prints ({{ r.imie }});
- any other name a field, its kind guessed from its name and its use: compared with texts in an
  {% if %} -> a choice of those texts; only tested, never printed -> yes/no; with the |data filter or a
  name like data_…, termin… -> a date; alone in its paragraph, or a name like opis, uwagi… -> a long
  text; printed only inside {% if name %} -> optional;
- the steps follow the document's headings ("Nagłówek 1"): a field belongs to the heading it stands
  under; what stands before the first heading (the letterhead, the title) to a first step.

The proposal is a definition (docgen/custom/definition.py) the admin corrects before publishing. The
template is read only with the project's own template parsing (source.py, structure.py, jinja.py'
parser) and the proposal is then put through the whole template check, so whatever the check refuses
(macros, forbidden filters, a block across paragraphs…) is refused here too, with its place.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

from docx import Document
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from jinja2 import nodes

from ..definition import BOOL, CHOICE, COURT_CASE, DATE, PESEL, TABLE_CELL_LIMIT, TEXT, TEXTAREA, Repeat
from ..docxcheck import _heading_level
from ..templates import check_template
from ..templates.archive import read_package
from ..templates.jinja import parse
from ..templates.problems import TemplateProblem, TemplateRejected
from ..validate import DataInvalid
from ..templates.source import Source, document_sources
from ..templates.structure import split_tags
from .card import CARD, CONTEXT_NAMES, GENITIVE, MEMBER_ROW_FIELDS
from .definition import FORMAT, NAME, RESERVED, ROWS, DefinitionRejected, _field_json, doctype_from_definition
from .words import ascii_name, heading_title, label_of, singular, words_of

W_P = qn("w:p")
FIRST_STEP = "Dane podstawowe"
DATE_FILTERS = {"data", "data_krotka"}
DATE_WORDS = {"data", "date", "termin", "terminy", "deadline", "dnia", "dzien", "day", "urodzenia"}
LONG_WORDS = {"opis", "uzasadnienie", "notatka", "tresc", "ustalenia", "uwagi", "przebieg", "wnioski",
              "zalecenia", "informacje", "sytuacja", "obserwacje", "description", "notes", "comment", "comments",
              "text", "tekst", "body", "ustalenie", "wyniki", "efekty", "problemy", "zakres", "cel", "powod",
              "przyczyna", "wyjasnienie"}
BOOL_PREFIXES = ("czy", "is", "has", "ma", "jest")


class TemplateNotUnderstood(Exception):
    """The template cannot be turned into a type; `problems` in Polish, with places."""

    def __init__(self, problems: list[TemplateProblem]):
        self.problems = list(dict.fromkeys(problems))
        super().__init__("\n".join(str(problem) for problem in self.problems))


@dataclass
class Use:
    """What a template does with one name (or one field of a list's rows)."""

    name: str
    order: tuple[int, int, int]          # (part, line, column-ish) of the first use: fields keep it
    section: int = 0                     # index of the heading it stands under (0: before any)
    printed: bool = False
    printed_unguarded: bool = False
    tested: bool = False
    compared: list[str] = field(default_factory=list)
    date_filter: bool = False
    alone: bool = False                  # printed as the only thing in its paragraph
    in_table: bool = False
    iterated: bool = False
    loop_guarded: bool = False           # the loop has an {% else %} or stands inside {% if list %}
    rows: dict[str, "Use"] = field(default_factory=dict)


@dataclass
class _Heading:
    text: str
    paragraph: int                       # index among the body's paragraphs (element.iter(w:p) order)


class _Reader:
    """Walks the Jinja of every part, noting each name's use and the problems inference cannot pass."""

    def __init__(self) -> None:
        self.uses: dict[str, Use] = {}
        self.problems: list[TemplateProblem] = []
        self.part = 0
        self.source: Source | None = None
        self.section_of_paragraph: list[int] = []

    # --- places ------------------------------------------------------------------------------

    def _paragraph(self, lineno: int | None) -> int | None:
        source = self.source
        if source is None or not lineno or lineno > len(source.owners) or not len(source.owners[lineno - 1]):
            return None
        return source.owners[lineno - 1][0]

    def report(self, node: nodes.Node, message: str, token: str = "") -> None:
        assert self.source is not None
        place, text = self.source.place_of(getattr(node, "lineno", None), token)
        self.problems.append(TemplateProblem(message, place, text))

    def use(self, node: nodes.Node, name: str, row_of: str = "") -> Use:
        lineno = getattr(node, "lineno", 0) or 0
        paragraph = self._paragraph(lineno) if self.part == 0 else None
        section = self.section_of_paragraph[paragraph] if paragraph is not None and paragraph < len(
            self.section_of_paragraph) else 0
        table = self.uses
        if row_of:
            table = self.uses[row_of].rows
        found = table.get(name)
        if found is None:
            found = table[name] = Use(name, (self.part, lineno, len(table)), section)
            if self.source is not None and paragraph is not None:
                text = self.source.paragraphs[paragraph].text
                found.in_table = "tabela" in self.source.paragraphs[paragraph].place
                reference = (r"\w+\." if row_of else "") + re.escape(name)
                found.alone = bool(re.fullmatch(r"\s*\{\{-?\s*" + reference + r"\s*(\|[^{}]*)?-?\}\}\s*", text))
        return found

    # --- statements ----------------------------------------------------------------------------

    def body(self, body: list[nodes.Node], scope: dict[str, str], guards: frozenset[str]) -> None:
        for node in body:
            self.statement(node, scope, guards)

    def statement(self, node: nodes.Node, scope: dict[str, str], guards: frozenset[str]) -> None:
        if isinstance(node, nodes.Output):
            for child in node.nodes:
                if not isinstance(child, nodes.TemplateData):
                    self.expr(child, scope, guards, printing=True)
        elif isinstance(node, nodes.If):
            tested = self.test(node.test, scope, guards)
            self.body(node.body, scope, guards | tested)
            for branch in node.elif_:
                self.statement(branch, scope, guards)
            self.body(node.else_, scope, guards)
        elif isinstance(node, nodes.For):
            self.loop(node, scope, guards)
        elif isinstance(node, nodes.Assign):
            self.expr(node.node, scope, guards)
            if isinstance(node.target, nodes.Name):
                scope[node.target.name] = ""
        # anything else the template check names and refuses with its place

    def loop(self, node: nodes.For, scope: dict[str, str], guards: frozenset[str]) -> None:
        origin = self.list_name(node.iter, scope)
        inner = dict(scope)
        if isinstance(node.target, nodes.Name):
            inner[node.target.name] = origin or ""
        else:
            self.report(node, "Pętla z kilkoma zmiennymi („for a, b in …”) nie jest możliwa w typie dokumentu; "
                              "pisz „for r in lista” i pola pozycji jako r.pole.", "for")
        if origin:
            use = self.uses[origin]
            use.iterated = True
            if node.else_ or origin in guards:
                use.loop_guarded = True
        if node.test is not None:
            self.test(node.test, inner, guards)
        self.body(node.body, inner, guards)
        self.body(node.else_, scope, guards)

    def list_name(self, expr: nodes.Node, scope: dict[str, str]) -> str:
        """The top-level list a loop runs over ("" when it is none of the document's lists)."""
        while isinstance(expr, nodes.Filter) and expr.node is not None:
            expr = expr.node
        if isinstance(expr, nodes.Name):
            if expr.name in scope:
                if scope[expr.name]:
                    self.report(expr, f"Pętla po zmiennej pętli „{expr.name}” – lista w liście nie jest możliwa "
                                      "w typie dokumentu.", expr.name)
                return ""
            if expr.name in CONTEXT_NAMES or expr.name == "loop":
                return ""
            if self.checked_name(expr, expr.name):
                self.use(expr, expr.name)
                return expr.name
            return ""
        if isinstance(expr, nodes.Getattr) and isinstance(expr.node, nodes.Name) and expr.node.name in scope:
            self.report(expr, f"Pętla po „{expr.node.name}.{expr.attr}”: lista w liście nie jest możliwa w typie "
                              "dokumentu; pozycja listy ma tylko zwykłe pola.", expr.attr)
            return ""
        return ""

    def checked_name(self, node: nodes.Node, name: str) -> bool:
        if not NAME.match(name):
            hint = ascii_name(name)
            self.report(node, f"Nazwa „{name}” nie nadaje się na pole: w znacznikach pisz małymi literami, bez "
                              f"polskich znaków i spacji, np. {{{{ {hint} }}}}.", name)
            return False
        if name in RESERVED:
            self.report(node, f"Nazwa „{name}” jest zarezerwowana przez program; nazwij pole dokładniej, np. "
                              f"{{{{ {name}_dokumentu }}}} albo {{{{ {name}_rozmowy }}}}.", name)
            return False
        return True

    # --- expressions -------------------------------------------------------------------------

    def key(self, expr: nodes.Node, scope: dict[str, str]) -> tuple[str, str] | None:
        """(name, row_of) of a plain reference: a name, or a loop row's field."""
        while isinstance(expr, nodes.Filter) and expr.node is not None:
            expr = expr.node
        if isinstance(expr, nodes.Name) and expr.name not in scope and expr.name not in CONTEXT_NAMES \
                and expr.name != "loop" and NAME.match(expr.name) and expr.name not in RESERVED:
            return expr.name, ""
        if isinstance(expr, nodes.Getattr) and isinstance(expr.node, nodes.Name) and scope.get(expr.node.name):
            return expr.attr, scope[expr.node.name]
        return None

    def test(self, expr: nodes.Node, scope: dict[str, str], guards: frozenset[str]) -> frozenset[str]:
        """Read an {% if %} test; the names whose value it checks guard the block."""
        tested: set[str] = set()
        if isinstance(expr, nodes.Not):
            self.test(expr.node, scope, guards)
            return frozenset()
        if isinstance(expr, (nodes.And, nodes.Or)):
            left = self.test(expr.left, scope, guards)
            right = self.test(expr.right, scope, guards)
            return left | right if isinstance(expr, nodes.And) else left & right
        if isinstance(expr, nodes.Compare) and len(expr.ops) == 1:
            found = self.key(expr.expr, scope)
            operand = expr.ops[0]
            literals = _literals(operand.expr)
            if found and literals is not None and operand.op in ("eq", "ne", "in", "notin"):
                use = self.use(expr.expr, found[0], found[1])
                use.compared.extend(text for text in literals if text not in use.compared)
                self.expr(operand.expr, scope, guards)
                return frozenset()
        found = self.key(expr, scope)
        if found:
            use = self.use(expr, found[0], found[1])
            use.tested = True
            tested.add(found[1] + "." + found[0] if found[1] else found[0])
            self.expr(expr, scope, guards, mark=False)
            return frozenset(tested)
        self.expr(expr, scope, guards)
        return frozenset()

    def expr(self, expr: nodes.Node, scope: dict[str, str], guards: frozenset[str], printing: bool = False,
             mark: bool = True) -> None:
        if isinstance(expr, nodes.Filter):
            inner = self.key(expr, scope)
            if inner and expr.name in DATE_FILTERS:
                self.use(expr, inner[0], inner[1]).date_filter = True
            if expr.node is not None:
                self.expr(expr.node, scope, guards, printing, mark)
            for argument in (*expr.args, *(keyword.value for keyword in expr.kwargs)):
                self.expr(argument, scope, guards)
            return
        if isinstance(expr, nodes.CondExpr):
            tested = self.test(expr.test, scope, guards)
            self.expr(expr.expr1, scope, guards | tested, printing)
            if expr.expr2 is not None:
                self.expr(expr.expr2, scope, guards, printing)
            return
        if isinstance(expr, nodes.Name):
            self.name(expr, scope, guards, printing, mark)
            return
        if isinstance(expr, nodes.Getattr):
            self.attribute(expr, scope, guards, printing, mark)
            return
        for child in expr.iter_child_nodes():
            self.expr(child, scope, guards)

    def name(self, expr: nodes.Name, scope: dict[str, str], guards: frozenset[str], printing: bool,
             mark: bool) -> None:
        name = expr.name
        if name in CONTEXT_NAMES or name == "loop":
            if name == "place_and_date":
                self.use(expr, name)
            return
        if name in scope:
            if printing and scope[name]:
                self.report(expr, f"„{{{{ {name} }}}}” wypisuje całą pozycję listy „{scope[name]}”; wpisz jej pole, "
                                  f"np. {{{{ {name}.opis }}}}.", name)
            return
        if not self.checked_name(expr, name):
            return
        use = self.use(expr, name)
        if mark and printing:
            use.printed = True
            if name not in guards:
                use.printed_unguarded = True

    def attribute(self, expr: nodes.Getattr, scope: dict[str, str], guards: frozenset[str], printing: bool,
                  mark: bool) -> None:
        base = expr.node
        if expr.attr.startswith("_") or expr.attr in ("format", "format_map"):
            self.expr(base, scope, guards)  # the template check names and refuses it, with its own message
            return
        if isinstance(base, nodes.Name):
            if base.name in scope and scope[base.name]:
                origin = scope[base.name]
                if not self.checked_row_field(expr, expr.attr):
                    return
                use = self.use(expr, expr.attr, origin)
                if mark and printing:
                    use.printed = True
                    if f"{origin}.{expr.attr}" not in guards:
                        use.printed_unguarded = True
                return
            if base.name in CONTEXT_NAMES or base.name == "loop" or base.name in scope:
                return
            if self.checked_name(base, base.name):
                self.report(expr, f"„{base.name}.{expr.attr}”: pole z kropką działa tylko w pętli po liście "
                                  f"(np. {{%tr for r in {base.name} %}} … {{{{ r.{expr.attr} }}}}); pojedyncze pole "
                                  f"nazwij bez kropki, np. {{{{ {base.name}_{expr.attr} }}}}.", expr.attr)
            return
        self.expr(base, scope, guards)

    def checked_row_field(self, node: nodes.Node, name: str) -> bool:
        if not NAME.match(name) or name in RESERVED:
            self.report(node, f"Pole pozycji „{name}” ma nazwę, której nie można użyć: małe litery bez polskich "
                              "znaków, nie nazwy zarezerwowane (np. data – pisz data_spotkania).", name)
            return False
        return True


def _literals(expr: nodes.Node) -> list[str] | None:
    if isinstance(expr, nodes.Const) and isinstance(expr.value, str):
        return [expr.value]
    if isinstance(expr, (nodes.List, nodes.Tuple)) and all(
            isinstance(item, nodes.Const) and isinstance(item.value, str) for item in expr.items):
        return [item.value for item in expr.items]
    return None


# --- the document's headings ------------------------------------------------------------------

def _headings(document) -> tuple[list[_Heading], list[int]]:
    """The body's section headings, and for every paragraph of the body the number of the heading it
    stands under (0: before the first; n: under headings[n-1])."""
    body = document.element.body
    headings: list[_Heading] = []
    under: list[int] = []
    by_style: dict[str | None, int] = {}  # a style's heading level, looked up once
    for index, element in enumerate(body.iter(W_P)):
        if element.getparent() is body:
            paragraph = Paragraph(element, document._body)
            text = " ".join(paragraph.text.split())
            if text and "{" not in text and _heading_level(paragraph, by_style) < 10:
                headings.append(_Heading(text, index))
        under.append(len(headings))
    return headings, under


# --- guessing ---------------------------------------------------------------------------------

def _kind(use: Use) -> tuple[str, tuple[tuple[str, str], ...]]:
    words = set(words_of(use.name))
    if use.compared:
        return CHOICE, tuple((ascii_name(text, 50) or f"poz_{n}", text) for n, text in enumerate(use.compared, 1))
    if use.date_filter or words & DATE_WORDS:
        return DATE, ()
    if "pesel" in words:
        return PESEL, ()
    if words & {"sygnatura", "sygn"}:
        return COURT_CASE, ()
    first = words_of(use.name)[:1]
    if not use.printed and (use.tested or (first and first[0] in BOOL_PREFIXES)):
        return BOOL, ()
    if (use.alone and not use.in_table) or words & LONG_WORDS:
        return TEXTAREA, ()
    return TEXT, ()


def _guessed_field(use: Use, in_rows: bool = False) -> dict[str, Any]:
    kind, choices = _kind(use)
    out: dict[str, Any] = {"name": use.name, "label": label_of(use.name), "kind": kind}
    if kind == BOOL:
        out["required"] = False
    elif not use.printed_unguarded and (use.printed or use.tested):
        out["required"] = False
    if choices:
        out["choices"] = [list(pair) for pair in choices]
    if kind == TEXTAREA and (in_rows or use.in_table):
        out["max_length"] = TABLE_CELL_LIMIT
    return out


def _card_rows(use: Use, canonical: Repeat) -> dict[str, Any]:
    fields = []
    for row in sorted(use.rows.values(), key=lambda u: u.order):
        spec = MEMBER_ROW_FIELDS.get(row.name)
        fields.append(_field_json(spec) if spec is not None else _guessed_field(row, in_rows=True))
    if not fields:
        fields = [_field_json(spec) for spec in canonical.fields if spec.required]
    return {"name": canonical.name, "label": canonical.label, "kind": ROWS, "item_label": canonical.item_label,
            "min_items": canonical.min_items, "max_items": canonical.max_items, "help": canonical.help,
            "prefill": canonical.prefill, "fields": fields}


def _rows(use: Use) -> dict[str, Any]:
    fields = [_guessed_field(row, in_rows=True) for row in sorted(use.rows.values(), key=lambda u: u.order)]
    if not fields:  # a loop that prints only loop.index: one text per row
        fields = [{"name": "tekst", "label": "Treść", "kind": TEXT}]
    return {"name": use.name, "label": label_of(use.name), "kind": ROWS, "item_label": singular(use.name),
            "min_items": 0 if use.loop_guarded else 1, "max_items": 30, "fields": fields}


def _item(use: Use) -> list[dict[str, Any]]:
    canonical = CARD.get(use.name)
    if isinstance(canonical, Repeat):
        return [_card_rows(use, canonical)]
    if canonical is not None:
        return [_field_json(canonical)]
    if use.iterated:
        return [_rows(use)]
    return [_guessed_field(use)]


def _unique(name: str, taken: set[str]) -> str:
    if name in RESERVED:
        name = f"{name}_krok"
    candidate, number = name, 2
    while candidate in taken:
        candidate = f"{name[:36]}_{number}"
        number += 1
    taken.add(candidate)
    return candidate


def propose(data: bytes, *, type_id: str, title: str) -> dict[str, Any]:
    """A definition drafted from the template `data`. Raises TemplateNotUnderstood (Polish, with places)
    when the template cannot be read, cannot become a type, or fails the template check."""
    package, problems = read_package(bytes(data))
    if package is None or problems:
        raise TemplateNotUnderstood(problems)
    try:
        document = Document(io.BytesIO(data))
        sources = document_sources(document)
    except Exception:  # noqa: BLE001 - python-docx refuses a broken package in many ways
        raise TemplateNotUnderstood([TemplateProblem("Plik nie jest poprawnym dokumentem Word (.docx): nie da "
                                                     "się go otworzyć.")]) from None
    headings, under = _headings(document)
    reader = _Reader()
    reader.section_of_paragraph = under
    syntax: list[TemplateProblem] = []
    for part, source in enumerate(sources):
        cut = split_tags(source)
        tree, error = parse(source)
        if tree is None or cut:
            syntax += cut or [error]
            continue
        reader.part, reader.source = part, source
        reader.body(tree.body, {}, frozenset())
    if syntax or reader.problems:
        raise TemplateNotUnderstood(syntax + reader.problems)
    if not any(name for name in reader.uses if name != "place_and_date"):
        raise TemplateNotUnderstood([TemplateProblem(
            "Szablon nie ma żadnego pola do wypełnienia ({{ … }}): typ dokumentu nie miałby o co pytać. Wpisz w "
            "miejscach do uzupełnienia znaczniki, np. {{ data_rozmowy }}, {{ ustalenia }}.")])
    definition = _definition(reader.uses, headings, type_id=type_id, title=title)
    try:
        doctype = doctype_from_definition(definition)
    except DefinitionRejected as rejected:
        raise TemplateNotUnderstood(rejected.problems) from None
    problems = check_template(data, doctype) or largest_data_problems(data, doctype)
    if problems:
        raise TemplateNotUnderstood(problems)
    return definition


LARGEST = ("Z najdłuższymi danymi, jakie dopuszcza ten typ (teksty do limitu znaków, listy do najwyższej liczby "
           "pozycji), szablonu nie da się wypełnić: {problem}")


def largest_data_problems(data: bytes, doctype) -> list[TemplateProblem]:
    """A trial render with the largest valid data (docgen.custom.example.largest_example): what a loop or a
    filter would multiply is refused now, not when an assistant generates a document."""
    from ..context import Letterhead
    from ..render import render
    from .example import largest_example

    try:
        render(doctype, largest_example(doctype), letterhead=Letterhead(name="", address="", city=""),
               case_number="", template=bytes(data))
    except TemplateRejected as rejected:
        return [TemplateProblem(LARGEST.format(problem=problem.message), problem.place, problem.snippet)
                for problem in rejected.problems]
    except DataInvalid:  # the largest data breaks a rule of the definition: the rules speak for themselves
        return []
    return []


def _definition(uses: dict[str, Use], headings: list[_Heading], *, type_id: str, title: str) -> dict[str, Any]:
    steps: list[dict[str, Any]] = [{"name": "dane", "title": FIRST_STEP, "heading": "", "items": []}]
    taken = {"dane"}
    for heading in headings:
        steps.append({"name": _unique(ascii_name(heading_title(heading.text)), taken),
                      "title": heading_title(heading.text)[:200], "heading": heading.text[:300], "items": []})
    placed: set[str] = set()
    for use in sorted(uses.values(), key=lambda u: (u.section, u.order)):
        if use.name == "place_and_date":
            continue
        for item in _item(use):
            if item["name"] not in placed:
                placed.add(item["name"])
                steps[use.section]["items"].append(item)
    if "place_and_date" in uses:  # "Lipowiec Mazurski, dnia …": its place and date are asked where it stands
        step = steps[uses["place_and_date"].section]
        for name in ("place", "document_date"):
            if name not in placed:
                placed.add(name)
                step["items"].append(_field_json(CARD[name]))  # type: ignore[arg-type]
    if "family_name_gen" in placed and "family_name" not in placed:
        # printed alone, the genitive is asked for itself (the card keeps it); beside the name it is
        # optional, declined from the name when left blank (docgen.casefile.naming_the_family)
        for step in steps:
            step["items"] = [_field_json(GENITIVE) if item["name"] == "family_name_gen" else item
                             for item in step["items"]]
    used = [step for step in steps if step["items"]]
    if len(used) == 1 and not used[0]["heading"]:
        used[0]["title"] = "Treść dokumentu"
    return {"format": FORMAT, "id": type_id, "title": title, "file_stem": type_id, "sections": used, "rules": []}
