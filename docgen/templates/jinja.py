"""The Jinja inside a template, parsed and walked: only the type's names, fields and the safe filters.

Loop variables and `set` targets are local; a loop variable over a repeating group ("for a in
actions") knows that group's fields, so `a.deadline` is checked against the definition. Everything
the sandbox refuses at compile time (macros, include, `self`…) is reported here with its place.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from jinja2 import TemplateSyntaxError, nodes

from .problems import TemplateProblem
from .sandbox import LOOP_ATTRIBUTES, LOOP_GUARD, PERCENT_FORMAT, SAFE_FILTERS, HardenedEnvironment, refusal
from .source import Source
from .vocabulary import ANYTHING, LIST, LOOP, LOOP_SHAPE, RECORD, VALUE, Shape

FILTERS = frozenset(name for name in SAFE_FILTERS if name != LOOP_GUARD)
_PARSER_ENV = HardenedEnvironment()

_FILTER_REFUSALS = {
    "attr": "Filtr „attr” jest niedozwolony: daje dostęp do wnętrza obiektów.",
    "format": "Filtr „format” jest niedozwolony w szablonie.",
    "safe": "Filtr „safe” jest niedozwolony: wyłączałby zabezpieczanie znaków w dokumencie.",
    "map": "Filtr „map” jest niedozwolony w szablonie.",
    "select": "Filtr „select” jest niedozwolony w szablonie.",
    "reject": "Filtr „reject” jest niedozwolony w szablonie.",
    "selectattr": "Filtr „selectattr” jest niedozwolony w szablonie.",
    "rejectattr": "Filtr „rejectattr” jest niedozwolony w szablonie.",
    "groupby": "Filtr „groupby” jest niedozwolony w szablonie.",
}
# the word a user would look for in the paragraph, per refused statement
_KEYWORDS = {nodes.Macro: "macro", nodes.CallBlock: "call", nodes.Include: "include", nodes.Import: "import",
             nodes.FromImport: "import", nodes.Extends: "extends", nodes.Block: "block",
             nodes.EvalContextModifier: "autoescape", nodes.FilterBlock: "filter", nodes.AssignBlock: "set",
             nodes.With: "with", nodes.For: "for"}
_SAME_SHAPE_FILTERS = {"sort", "reverse", "unique", "list", "default", "d"}


@dataclass
class Usage:
    """What the template reads: context names, and per repeating group the fields of its rows."""

    names: set[str] = field(default_factory=set)
    loops: dict[str, set[str]] = field(default_factory=dict)


def parse(source: Source) -> tuple[nodes.Template | None, TemplateProblem | None]:
    try:
        return _PARSER_ENV.parse(source.text), None
    except TemplateSyntaxError as error:
        token = _quoted(error.message or "")
        place, text = source.place_of(error.lineno, token or "{")
        return None, TemplateProblem(f"Błąd składni w znacznikach: {_syntax_message(error.message or '')}",
                                     place, text)


def _quoted(message: str) -> str:
    found = re.search(r"'([^']+)'", message)
    return found.group(1) if found else ""


def _syntax_message(message: str) -> str:
    """Jinja's English message, the common ones said in Polish."""
    if "unexpected end of template" in message:
        return ("szablon kończy się w środku bloku – brakuje zamknięcia, np. {% endif %} albo {% endfor %}"
                f" ({message})")
    unknown = re.match(r"Encountered unknown tag '([^']+)'", message)
    if unknown:
        return (f"nieznany znacznik „{unknown.group(1)}” – sprawdź pisownię albo czy zamknięcie "
                f"(endif, endfor) ma swój początek ({message})")
    if message.startswith("unexpected char"):
        return f"niedozwolony znak w znaczniku – zwykle cudzysłów „drukarski” albo znak z Worda ({message})"
    return f"{message} – sprawdź nawiasy {{{{ }}}} i {{% %}} oraz pisownię"


def check_ast(tree: nodes.Template, source: Source, names: dict[str, Shape], type_title: str,
              usage: Usage) -> list[TemplateProblem]:
    walker = _Walker(source, names, type_title, usage)
    walker.block(tree.body, {})
    return walker.problems


class _Walker:
    def __init__(self, source: Source, names: dict[str, Shape], type_title: str, usage: Usage):
        self.source, self.names, self.type_title, self.usage = source, names, type_title, usage
        self.problems: list[TemplateProblem] = []

    def report(self, node: nodes.Node, message: str, token: str = "", *, stops_printing: bool = True) -> None:
        place, text = self.source.place_of(getattr(node, "lineno", None), token)
        problem = TemplateProblem(message, place, text, stops_printing)
        if problem not in self.problems:
            self.problems.append(problem)

    def refused(self, node: nodes.Node) -> bool:
        message = refusal(node)
        if message:
            token = node.name if isinstance(node, nodes.Name) else next(
                (word for kind, word in _KEYWORDS.items() if isinstance(node, kind)), "")
            if isinstance(node, nodes.Scope) and node.body:  # made by the parser without a line
                node, token = node.body[0], "autoescape"
            self.report(node, message, token)
        return message is not None

    # --- statements ---------------------------------------------------------------------

    def block(self, body: list[nodes.Node], scope: dict[str, Shape]) -> None:
        for node in body:
            self.statement(node, scope)

    def statement(self, node: nodes.Node, scope: dict[str, Shape]) -> None:
        if self.refused(node):
            return
        if isinstance(node, nodes.Output):
            for item in node.nodes:
                if not isinstance(item, nodes.TemplateData):
                    self.expr(item, scope)
        elif isinstance(node, nodes.If):
            self.expr(node.test, scope)
            self.block(node.body, scope)
            for branch in node.elif_:
                self.statement(branch, scope)
            self.block(node.else_, scope)
        elif isinstance(node, nodes.For):
            self.loop(node, scope)
        elif isinstance(node, nodes.Assign):
            self.bind(node.target, self.expr(node.node, scope), scope)
        else:  # refusal() lets through only the statements above
            self.report(node, f"Instrukcja „{type(node).__name__}” nie jest dozwolona w szablonie.")

    def loop(self, node: nodes.For, scope: dict[str, Shape]) -> None:
        over = self.expr(node.iter, scope)
        if over.kind == VALUE:
            what = f" ({over.label})" if over.label else ""
            self.report(node, f"Pętla „for” może przechodzić tylko po liście, a „{_text(node.iter)}” "
                              f"to pojedyncza wartość{what}.", "for")
        item = over.item if over.kind == LIST and over.item else ANYTHING
        if over.kind == LIST and over.origin:
            self.usage.loops.setdefault(over.origin, set())
        inner = dict(scope)
        inner["loop"] = LOOP_SHAPE
        self.bind(node.target, item, inner)
        if node.test is not None:
            self.expr(node.test, inner)
        self.block(node.body, inner)
        self.block(node.else_, scope)

    def bind(self, target: nodes.Node, shape: Shape, scope: dict[str, Shape]) -> None:
        if isinstance(target, nodes.Name):
            if target.name in self.names or target.name == "loop":
                self.report(target, f"Nazwa „{target.name}” jest już polem dokumentu albo zmienną pętli; "
                                    "nazwij zmienną inaczej.", target.name)
            scope[target.name] = shape
        elif isinstance(target, nodes.Tuple):
            for item in target.items:
                self.bind(item, ANYTHING, scope)
        elif not self.refused(target):
            self.report(target, "Niedozwolony cel przypisania.")

    # --- expressions --------------------------------------------------------------------

    def expr(self, node: nodes.Node, scope: dict[str, Shape]) -> Shape:
        if self.refused(node):
            return ANYTHING
        if isinstance(node, nodes.Name):
            return self.name(node, scope)
        if isinstance(node, nodes.Getattr):
            return self.attribute(node, self.expr(node.node, scope), node.attr)
        if isinstance(node, nodes.Getitem):
            return self.item(node, scope)
        if isinstance(node, nodes.Filter):
            return self.filter(node, scope)
        if isinstance(node, nodes.Test):
            self.expr(node.node, scope)
            if node.name not in _PARSER_ENV.tests:
                self.report(node, f"Nieznany test „{node.name}”.", node.name)
            self.arguments(node, scope)
            return Shape(VALUE)
        if isinstance(node, nodes.Call):
            return self.call(node, scope)
        if isinstance(node, nodes.CondExpr):
            self.expr(node.test, scope)
            shape = self.expr(node.expr1, scope)
            if node.expr2 is not None:
                self.expr(node.expr2, scope)
            return shape
        if isinstance(node, nodes.Pow):
            self.report(node, "Potęgowanie (**) nie jest dozwolone w szablonie.", "**")
        if isinstance(node, nodes.Mul) and any(_is_sequence_literal(side) for side in (node.left, node.right)):
            self.report(node, "Mnożenie napisów i list (np. 'a' * 1000) nie jest dozwolone w szablonie.", "*")
        if isinstance(node, nodes.Mod) and isinstance(node.left, nodes.Const) and isinstance(node.left.value, str):
            self.report(node, PERCENT_FORMAT, "%")
        for child in node.iter_child_nodes():
            self.expr(child, scope)
        if isinstance(node, (nodes.List, nodes.Tuple)):
            return Shape(LIST, item=ANYTHING)
        return Shape(VALUE) if not isinstance(node, nodes.Dict) else ANYTHING

    def name(self, node: nodes.Name, scope: dict[str, Shape]) -> Shape:
        if node.name in scope:
            return scope[node.name]
        if node.name in self.names:
            self.usage.names.add(node.name)
            return self.names[node.name]
        if node.name == "loop":
            self.report(node, "„loop” działa tylko wewnątrz pętli {% for %}.", "loop")
            return LOOP_SHAPE
        if node.name == "case_number":  # known to every type kept in the case file, and only to them
            # refused from 2026-12: a template accepted before keeps printing (the line empty) until replaced
            self.report(node, f"Dokument „{self.type_title}” nie trafia do akt sprawy i nie ma znaku sprawy: "
                              "„case_number” wydrukowałby się pusty. Usuń go z szablonu.", node.name,
                        stops_printing=False)
            return Shape(VALUE)
        close = difflib.get_close_matches(node.name, list(self.names) + list(scope), n=1)
        hint = f" Może chodzi o „{close[0]}”?" if close else ""
        self.report(node, f"Nieznana nazwa „{node.name}”: dokument „{self.type_title}” nie ma takiego pola.{hint}",
                    node.name)
        return ANYTHING

    def attribute(self, node: nodes.Node, base: Shape, attr: str) -> Shape:
        if attr.startswith("_"):
            self.report(node, f"Dostęp do ukrytych atrybutów („{attr}”) jest niedozwolony.", attr)
            return ANYTHING
        if attr in ("format", "format_map"):
            self.report(node, f"Metoda „{attr}” jest niedozwolona w szablonie.", attr)
            return ANYTHING
        if base.kind == RECORD:
            if attr in base.fields:
                if base.origin and base.origin in self.usage.loops:
                    self.usage.loops[base.origin].add(attr)
                return base.fields[attr]
            known = ", ".join(sorted(base.fields)) or "brak"
            self.report(node, f"„{_text(node)}”: {base.label or 'ta wartość'} nie ma pola „{attr}” "
                              f"(dostępne: {known}).", attr)
        elif base.kind == LOOP:
            if attr in LOOP_ATTRIBUTES:
                return Shape(VALUE, "loop." + attr)
            self.report(node, f"„loop.{attr}”: pętla nie ma takiej właściwości (dostępne: index, first, last, "
                              "length…).", attr)
        elif base.kind == LIST:
            self.report(node, f"„{_text(node)}”: {base.label or 'to'} jest listą – jej pola czyta się w pętli "
                              "{% for %}.", attr)
        elif base.kind == VALUE:
            self.report(node, f"„{_text(node)}”: {base.label or 'ta wartość'} to pojedyncza wartość, nie ma "
                              f"pola „{attr}” (do zmiany wielkości liter służą filtry, np. |upper).", attr)
        return ANYTHING

    def item(self, node: nodes.Getitem, scope: dict[str, Shape]) -> Shape:
        base = self.expr(node.node, scope)
        key = node.arg
        if isinstance(key, nodes.Const) and isinstance(key.value, str):
            return self.attribute(node, base, key.value)
        self.expr(key, scope)
        if base.kind == LIST:
            return base.item or ANYTHING
        if base.kind == RECORD:
            self.report(node, f"„{_text(node)}”: pole wskazuje się nazwą, np. {_text(node.node)}.nazwa_pola.", "[")
            return ANYTHING
        return base if base.kind == VALUE else ANYTHING

    def arguments(self, node: nodes.Node, scope: dict[str, Shape]) -> None:
        for argument in (*node.args, *(keyword.value for keyword in node.kwargs)):
            self.expr(argument, scope)
        for extra in (node.dyn_args, node.dyn_kwargs):
            if extra is not None:
                self.report(node, "Argumenty *args / **kwargs nie są dozwolone w szablonie.", "*")
                self.expr(extra, scope)

    def filter(self, node: nodes.Filter, scope: dict[str, Shape]) -> Shape:
        base = self.expr(node.node, scope) if node.node is not None else ANYTHING
        self.arguments(node, scope)
        if node.name not in FILTERS:
            message = _FILTER_REFUSALS.get(node.name) or (
                f"Nieznany filtr „{node.name}” (dostępne: {', '.join(sorted(FILTERS))}).")
            self.report(node, message, node.name)
            return ANYTHING
        if node.name in ("first", "last"):
            return base.item or ANYTHING if base.kind == LIST else (base if base.kind == VALUE else ANYTHING)
        if node.name == "batch":
            return Shape(LIST, base.label, item=Shape(LIST, base.label, item=base.item or ANYTHING),
                         origin=base.origin) if base.kind == LIST else ANYTHING
        if node.name in _SAME_SHAPE_FILTERS:
            return base
        return Shape(VALUE)

    def call(self, node: nodes.Call, scope: dict[str, Shape]) -> Shape:
        callee = node.node
        self.arguments(node, scope)
        if isinstance(callee, nodes.Getattr):
            base = self.expr(callee.node, scope)
            if callee.attr in ("format", "format_map") or callee.attr.startswith("_"):
                return self.attribute(callee, base, callee.attr)
            if base.kind == LOOP and callee.attr in ("cycle", "changed"):
                return Shape(VALUE)
            self.report(node, f"Wywoływanie metod („{_text(callee)}()”) nie jest dozwolone w szablonie; "
                              "do zmiany tekstu służą filtry, np. |upper.", callee.attr)
            return ANYTHING
        self.expr(callee, scope)
        self.report(node, f"Wywoływanie funkcji („{_text(callee)}()”) nie jest dozwolone w szablonie.",
                    _text(callee))
        return ANYTHING


def _is_sequence_literal(node: nodes.Node) -> bool:
    return isinstance(node, (nodes.List, nodes.Tuple)) or (isinstance(node, nodes.Const)
                                                            and isinstance(node.value, str))


def _text(node: nodes.Node) -> str:
    """A short rendering of an expression for messages: members, a.deadline, pair[0]."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_text(node.node)}.{node.attr}"
    if isinstance(node, nodes.Getitem):
        key = node.arg.value if isinstance(node.arg, nodes.Const) else "…"
        return f"{_text(node.node)}[{key!r}]"
    if isinstance(node, nodes.Filter):
        return f"{_text(node.node) if node.node is not None else ''}|{node.name}"
    if isinstance(node, nodes.Call):
        return f"{_text(node.node)}()"
    if isinstance(node, nodes.Const):
        return repr(node.value)
    return "…"

