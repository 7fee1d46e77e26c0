"""An office's own document type as data: a JSON definition, checked, turned into the same `DocType` the
built-in types are, and back (so a built-in type can be exported as a starting point).

    {"format": "docgen.typ/1", "id": "notatka_sluzbowa", "title": "Notatka służbowa",
     "sections": [{"name": "okolicznosci", "title": "Okoliczności", "heading": "1. Okoliczności",
                   "items": [{"name": "event_date", "label": "Data", "kind": "date", "prefill": "today"},
                             {"name": "dalsze", "label": "Dalsze kroki", "kind": "rows", "min_items": 1,
                              "fields": [...]}]}],
     "rules": [{"kind": "date_after", "field": "dalsze.termin", "after": "event_date", "same_day": true}]}

A step ("section") with a `heading` is a numbered section of the document: that heading must stand in
the template and in every document (docgen.docxcheck); a step without one only groups questions.
Nothing in a definition runs: it names fields, kinds, labels and the three rules data can state
("required when", "date after", "at least N rows"). Whatever is wrong is refused, every problem in
Polish with its place ("krok 2 („Ustalenia”), pole „termin”").

Where a document goes (docgen.store.cases): by default it is filed in the family's case and prints its
znak sprawy. `"leaves_office": true` - the family member sends it out (like a CV): its file is named by
neither the family nor the znak, and it is kept out of the case unless `"in_case_file": true` says so;
`"in_case_file": false` alone - no znak, the file named by the family.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from typing import Any, Callable

from ..casefile import naming_the_family
from ..definition import (BLOCKER, BOOL, CHOICE, DATE, KINDS, TEXT, TEXTAREA, WARNING, DocType,
                          Field, Item, Repeat, Rule, Section)
from ..templates.problems import TemplateProblem
from .card import CONTEXT_NAMES, FACT_KEYS, MEMBER_FACT_KEYS, ROW_FACT_KEYS
from .rules import DATE_AFTER, DateAfter, date_after

FORMAT = "docgen.typ/1"
ROWS = "rows"  # the kind of a repeating group in a definition

MAX_DEFINITION_BYTES = 256 * 1024
MAX_SECTIONS = 30
MAX_FIELDS = 200          # all fields, those of rows included
MAX_ROW_FIELDS = 25
MAX_CHOICES = 60
MAX_RULES = 60
MAX_ROWS = 100            # a group's rows: the sandbox's loop budget holds any template over them
MAX_TEXT = 20000
MAX_LABEL, MAX_HELP, MAX_TITLE = 200, 1000, 200

NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# Attributes of WTForms' forms: a field of this name would hide one the wizard needs (webforms/wizard.py
# builds a form class whose attributes are the fields). tests/test_custom_definition.py compares the list
# with WTForms itself.
FORM_ATTRIBUTES = frozenset({
    "data", "errors", "form_errors", "meta", "process", "validate", "populate_obj", "csrf_token", "hidden_tag",
    "is_submitted", "validate_on_submit", "post_process", "extra_validators", "wrap_formdata",
})
# names docxtpl, Jinja or the sandbox give a meaning of their own
RESERVED = frozenset(CONTEXT_NAMES | FORM_ATTRIBUTES | {
    "loop", "self", "range", "lipsum", "cycler", "joiner", "namespace", "dict", "true", "false", "none", "and",
    "or", "not", "in", "is", "if", "else", "elif", "endif", "for", "endfor", "tak", "nie", "r", "p", "tr", "tc",
})

_SECTION_KEYS = {"name", "title", "heading", "help", "optional", "statement", "items"}
_FIELD_KEYS = {"name", "label", "kind", "required", "help", "choices", "max_length", "required_when", "prefill"}
_ROWS_KEYS = {"name", "label", "kind", "item_label", "min_items", "max_items", "help", "prefill", "table", "fields"}
_TOP_KEYS = {"format", "id", "title", "description", "file_stem", "legal_basis", "place_field", "date_field",
             "in_case_file", "leaves_office", "sections", "rules", "example"}
_RULE_KEYS = {"kind", "field", "after", "same_day", "severity"}


class DefinitionRejected(Exception):
    """A definition that cannot be a document type; `problems` says why, in Polish, with places."""

    def __init__(self, problems: list[TemplateProblem]):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


def _q(text: str) -> str:
    return f"„{text}”"


class _Checker:
    """Reads a definition, noting every problem with its place; collects what the DocType needs."""

    def __init__(self) -> None:
        self.problems: list[TemplateProblem] = []
        self.items: dict[str, Item] = {}          # top-level items by name
        self.section_of: dict[str, str] = {}      # item name -> section name
        self.count = 0

    def problem(self, place: str, message: str) -> None:
        self.problems.append(TemplateProblem(message, place))

    def text(self, value: Any, place: str, key: str, limit: int, required: bool = True) -> str:
        if value is None and not required:
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            self.problem(place, f"„{key}”: podaj tekst." if required else f"„{key}”: oczekiwano tekstu.")
            return ""
        if len(value) > limit:
            self.problem(place, f"„{key}”: tekst jest za długi ({len(value)} znaków, najwyżej {limit}).")
        return value.strip()

    def flag(self, definition: dict, key: str, default: bool) -> bool:
        value = definition.get(key, default)
        if not isinstance(value, bool):
            self.problem("definicja", f"„{key}”: oczekiwano true albo false.")
            return default
        return value

    def unknown_keys(self, value: dict, allowed: set[str], place: str) -> None:
        for key in value:
            if key not in allowed:
                self.problem(place, f"nieznany klucz {_q(str(key))} (dozwolone: {', '.join(sorted(allowed))}).")

    def name(self, value: Any, place: str) -> str:
        if not isinstance(value, str) or not NAME.match(value):
            self.problem(place, f"nazwa {_q(str(value))} jest niepoprawna: małe litery bez polskich znaków, cyfry "
                                "i podkreślenia, na początku litera, najwyżej 40 znaków (np. data_rozmowy).")
            return ""
        if value in RESERVED:
            self.problem(place, f"nazwa {_q(value)} jest zarezerwowana przez program; nazwij pole dokładniej, "
                                f"np. {value}_dokumentu albo {value}_rozmowy.")
        return value

    # --- items -----------------------------------------------------------------------------

    def field(self, raw: Any, place: str, row_of: str = "") -> Field | None:
        if not isinstance(raw, dict):
            self.problem(place, "oczekiwano opisu pola (obiektu JSON).")
            return None
        self.unknown_keys(raw, _FIELD_KEYS, place)
        name = self.name(raw.get("name"), place)
        place = f"{place} {_q(name)}" if name else place
        label = self.text(raw.get("label"), place, "label", MAX_LABEL)
        kind = raw.get("kind", TEXT)
        if kind not in KINDS:
            self.problem(place, f"nieznany rodzaj pola {_q(str(kind))} (dozwolone: {', '.join(KINDS)}, {ROWS}).")
            kind = TEXT
        required = raw.get("required", kind != BOOL)
        if not isinstance(required, bool):
            self.problem(place, "„required”: oczekiwano true albo false.")
            required = True
        help_text = self.text(raw.get("help", ""), place, "help", MAX_HELP, required=False)
        choices = self.choices(raw.get("choices"), place, kind)
        max_length = raw.get("max_length")
        if max_length is not None:
            if kind not in (TEXT, TEXTAREA):
                self.problem(place, "„max_length” mają tylko pola tekstowe.")
                max_length = None
            elif not isinstance(max_length, int) or isinstance(max_length, bool) or not 1 <= max_length <= MAX_TEXT:
                self.problem(place, f"„max_length”: liczba od 1 do {MAX_TEXT}.")
                max_length = None
        prefill = raw.get("prefill")
        if prefill is not None:
            allowed = MEMBER_FACT_KEYS if row_of else FACT_KEYS
            if not isinstance(prefill, str) or prefill not in allowed:
                where = "osoby z karty rodziny" if row_of else "karty rodziny"
                self.problem(place, f"„prefill”: {_q(str(prefill))} – nie ma takiej danej {where} "
                                    f"(dostępne: {', '.join(sorted(allowed))}).")
                prefill = None
        required_when = raw.get("required_when")
        if required_when is not None:
            if required:
                self.problem(place, "pole jest albo wymagane zawsze („required”: true), albo tylko w pewnych "
                                    "przypadkach („required_when”) – wybierz jedno.")
            if (not isinstance(required_when, dict) or set(required_when) != {"field", "equals"}
                    or not isinstance(required_when.get("field"), str)
                    or not isinstance(required_when.get("equals"), (str, bool))):
                self.problem(place, "„required_when”: oczekiwano {\"field\": nazwa pola, \"equals\": wartość}.")
                required_when = None
            else:
                required_when = (required_when["field"], required_when["equals"])
        self.count += 1
        if not name or not label:
            return None
        try:
            return Field(name, label, kind, required=required and required_when is None, help=help_text,
                         choices=choices, max_length=max_length, required_when=required_when, prefill=prefill)
        except ValueError as error:  # pragma: no cover - every case is reported above
            self.problem(place, str(error))
            return None

    def choices(self, raw: Any, place: str, kind: str) -> tuple[tuple[str, str], ...]:
        if kind != CHOICE:
            if raw:
                self.problem(place, "„choices” ma tylko pole wyboru (kind: choice).")
            return ()
        if not isinstance(raw, list) or not raw:
            self.problem(place, "pole wyboru potrzebuje listy pozycji „choices”: [[kod, etykieta], …].")
            return (("brak", "brak"),)
        if len(raw) > MAX_CHOICES:
            self.problem(place, f"za dużo pozycji wyboru ({len(raw)}, najwyżej {MAX_CHOICES}).")
        result: list[tuple[str, str]] = []
        for index, pair in enumerate(raw[:MAX_CHOICES], start=1):
            if (not isinstance(pair, (list, tuple)) or len(pair) != 2 or not all(isinstance(p, str) for p in pair)
                    or not pair[0].strip() or not pair[1].strip() or len(pair[0]) > 50 or len(pair[1]) > MAX_LABEL):
                self.problem(place, f"pozycja wyboru {index}: oczekiwano [kod, etykieta] (kod do 50 znaków).")
                continue
            if pair[0] in dict(result):
                self.problem(place, f"pozycja wyboru {index}: kod {_q(pair[0])} się powtarza.")
                continue
            result.append((pair[0].strip(), pair[1].strip()))
        return tuple(result) or (("brak", "brak"),)

    def rows(self, raw: dict, place: str) -> Repeat | None:
        self.unknown_keys(raw, _ROWS_KEYS, place)
        name = self.name(raw.get("name"), place)
        place = f"{place} {_q(name)}" if name else place
        label = self.text(raw.get("label"), place, "label", MAX_LABEL)
        item_label = self.text(raw.get("item_label", "pozycja"), place, "item_label", 60)
        help_text = self.text(raw.get("help", ""), place, "help", MAX_HELP, required=False)
        min_items, max_items = raw.get("min_items", 0), raw.get("max_items", MAX_ROWS)
        for key, value in (("min_items", min_items), ("max_items", max_items)):
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_ROWS:
                self.problem(place, f"„{key}”: liczba od 0 do {MAX_ROWS}.")
        if isinstance(min_items, int) and isinstance(max_items, int) and min_items > max_items:
            self.problem(place, f"co najmniej {min_items} pozycji, a najwyżej {max_items} – popraw jedną z liczb.")
        if not isinstance(max_items, int) or isinstance(max_items, bool) or max_items < 1:
            max_items = 1
        prefill = raw.get("prefill")
        if prefill is not None and prefill not in ROW_FACT_KEYS:
            self.problem(place, f"„prefill”: {_q(str(prefill))} – karta rodziny nie ma takiej listy "
                                f"(dostępne: {', '.join(sorted(ROW_FACT_KEYS))}).")
            prefill = None
        raw_fields = raw.get("fields")
        fields: list[Field] = []
        if not isinstance(raw_fields, list) or not raw_fields:
            self.problem(place, "lista pozycji potrzebuje pól („fields”).")
            raw_fields = []
        if len(raw_fields) > MAX_ROW_FIELDS:
            self.problem(place, f"za dużo pól pozycji ({len(raw_fields)}, najwyżej {MAX_ROW_FIELDS}).")
        for index, item in enumerate(raw_fields[:MAX_ROW_FIELDS], start=1):
            if isinstance(item, dict) and item.get("kind") == ROWS:
                self.problem(f"{place}, pole {index}", "lista w liście nie jest możliwa: pozycja listy ma tylko "
                                                       "zwykłe pola.")
                continue
            spec = self.field(item, f"{place}, pole", row_of=name)
            if spec is None:
                continue
            if spec.name in {f.name for f in fields}:
                self.problem(f"{place}, pole {_q(spec.name)}", "nazwa pola powtarza się w tej liście.")
                continue
            if prefill is None and spec.prefill:
                self.problem(f"{place}, pole {_q(spec.name)}", "„prefill” pola pozycji działa tylko w liście "
                                                               "wypełnianej z karty rodziny (np. „prefill”: "
                                                               "\"members\").")
                spec = dataclasses.replace(spec, prefill=None)
            fields.append(spec)
        for spec in fields:
            self.sibling_condition(spec, fields, f"{place}, pole {_q(spec.name)}")
        table = self.table(raw.get("table", []), fields, place)
        if not name or not label or not fields:
            return None
        return Repeat(name, label, tuple(fields), item_label=item_label or "pozycja",
                      min_items=min_items if isinstance(min_items, int) else 0, max_items=max_items,
                      help=help_text, prefill=prefill, table=table)

    def table(self, raw: Any, fields: list[Field], place: str) -> tuple[tuple[str, float], ...]:
        if not raw:
            return ()
        names = {spec.name for spec in fields}
        if (not isinstance(raw, list) or not all(isinstance(c, list) and len(c) == 2 and c[0] in names
                                                 and isinstance(c[1], (int, float)) and 0 < c[1] <= 16 for c in raw)):
            self.problem(place, "„table”: oczekiwano listy [nazwa pola pozycji, szerokość kolumny w cm].")
            return ()
        return tuple((name, float(width)) for name, width in raw)

    def sibling_condition(self, spec: Field, siblings: list[Field] | dict[str, Item], place: str) -> None:
        """A "required when" names a field beside it (the same row, or the top level), whose value it can be."""
        if not spec.required_when:
            return
        other_name, expected = spec.required_when
        known = {f.name: f for f in siblings} if isinstance(siblings, list) else siblings
        other = known.get(other_name)
        if other_name == spec.name:
            self.problem(place, "„required_when” wskazuje to samo pole – warunek zapętla się.")
        elif not isinstance(other, Field):
            self.problem(place, f"„required_when” wskazuje pole {_q(other_name)}, którego nie ma obok tego pola "
                                "(w tej samej liście albo poza listami).")
        elif other.kind == CHOICE and expected not in dict(other.choices):
            self.problem(place, f"„required_when”: pole {_q(other_name)} nie ma pozycji {_q(str(expected))} "
                                f"(są: {', '.join(code for code, _ in other.choices)}).")
        elif other.kind == BOOL and expected is not True:
            self.problem(place, f"„required_when”: pole {_q(other_name)} to tak/nie – warunek to "
                                "\"equals\": true.")
        elif other.kind not in (CHOICE, BOOL):
            self.problem(place, f"„required_when”: warunek może zależeć tylko od pola wyboru albo tak/nie, "
                                f"a {_q(other_name)} jest polem rodzaju {other.kind}.")

    # --- sections ------------------------------------------------------------------------------

    def section(self, raw: Any, number: int) -> Section | None:
        place = f"krok {number}"
        if not isinstance(raw, dict):
            self.problem(place, "oczekiwano opisu kroku (obiektu JSON).")
            return None
        self.unknown_keys(raw, _SECTION_KEYS, place)
        name = self.name(raw.get("name"), place)
        title = self.text(raw.get("title"), place, "title", MAX_TITLE)
        place = f"krok {number} ({_q(title)})" if title else place
        heading = self.text(raw.get("heading", ""), place, "heading", 300, required=False)
        if "{" in heading or "}" in heading:
            self.problem(place, "nagłówek kroku to zwykły tekst nagłówka z szablonu, bez znaczników {{ }}.")
        help_text = self.text(raw.get("help", ""), place, "help", MAX_HELP, required=False)
        statement = self.text(raw.get("statement", ""), place, "statement", MAX_TEXT, required=False)
        optional = raw.get("optional", False)
        if not isinstance(optional, bool):
            self.problem(place, "„optional”: oczekiwano true albo false.")
            optional = False
        raw_items = raw.get("items")
        if not isinstance(raw_items, list):
            self.problem(place, "krok potrzebuje listy pól („items”), choćby pustej.")
            raw_items = []
        items: list[Item] = []
        for item in raw_items:
            spec = (self.rows(item, f"{place}, lista") if isinstance(item, dict) and item.get("kind") == ROWS
                    else self.field(item, f"{place}, pole"))
            if spec is None:
                continue
            if spec.name in self.items:
                self.problem(f"{place}, pole {_q(spec.name)}", f"pole o tej nazwie jest już w kroku "
                                                                f"{_q(self.section_of[spec.name])}.")
                continue
            self.items[spec.name] = spec
            self.section_of[spec.name] = title or name
            items.append(spec)
        if not name or not title:
            return None
        return Section(name, title, tuple(items), help=help_text, optional=optional, numbered=bool(heading),
                       statement=statement, heading=heading)

    # --- rules ---------------------------------------------------------------------------------

    def date_field(self, path: Any, place: str, key: str) -> bool:
        if not isinstance(path, str):
            self.problem(place, f"„{key}”: podaj nazwę pola daty.")
            return False
        group, _, name = path.partition(".")
        item = self.items.get(group)
        if name:
            spec = next((f for f in item.fields if f.name == name), None) if isinstance(item, Repeat) else None
        else:
            spec = item if isinstance(item, Field) else None
        if spec is None:
            self.problem(place, f"„{key}”: nie ma pola {_q(path)} (pole listy zapisuje się jako lista.pole).")
            return False
        if spec.kind != DATE:
            self.problem(place, f"„{key}”: pole {_q(path)} nie jest datą.")
            return False
        return True

    def rule(self, raw: Any, number: int) -> tuple[str, str, bool, str] | None:
        place = f"reguła {number}"
        if not isinstance(raw, dict):
            self.problem(place, "oczekiwano opisu reguły (obiektu JSON).")
            return None
        self.unknown_keys(raw, _RULE_KEYS, place)
        if raw.get("kind") != DATE_AFTER:
            self.problem(place, f"nieznany rodzaj reguły {_q(str(raw.get('kind')))}; w definicji można zapisać "
                                f"„{DATE_AFTER}” (data nie wcześniej niż inna), a „wymagane, gdy” i „co najmniej "
                                "N pozycji” przy samych polach (required_when, min_items).")
            return None
        field, after = raw.get("field"), raw.get("after")
        good = self.date_field(field, place, "field") & self.date_field(after, place, "after")
        if good and "." in after and not after.startswith(field.split(".", 1)[0] + "."):
            self.problem(place, f"„after”: pole listy {_q(after)} można porównać tylko z polem tej samej pozycji.")
            good = False
        if good and field == after:
            self.problem(place, "reguła porównuje pole z nim samym.")
            good = False
        same_day = raw.get("same_day", True)
        severity = raw.get("severity", BLOCKER)
        if not isinstance(same_day, bool):
            self.problem(place, "„same_day”: oczekiwano true albo false.")
        if severity not in (BLOCKER, WARNING):
            self.problem(place, f"„severity”: {BLOCKER} (wstrzymuje dokument) albo {WARNING} (do potwierdzenia).")
            severity = BLOCKER
        return (field, after, bool(same_day), severity) if good else None


def _cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """A cycle in `edges` (node -> nodes it depends on), as the list of its nodes, or None."""
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        state[node] = 2
        path.pop()
        return None

    for start in sorted(edges):
        if start not in state:
            found = visit(start)
            if found:
                return found
    return None


def parse_definition(text: str | bytes) -> dict[str, Any]:
    """A definition file's JSON; DefinitionRejected (Polish, with the line) when it is not JSON."""
    if len(text) > MAX_DEFINITION_BYTES:
        raise DefinitionRejected([TemplateProblem(f"Plik definicji jest za duży (najwyżej "
                                                  f"{MAX_DEFINITION_BYTES // 1024} KB).")])
    try:
        value = json.loads(text)
    except UnicodeDecodeError:
        raise DefinitionRejected([TemplateProblem("Plik definicji nie jest tekstem w kodowaniu UTF-8.")]) from None
    except json.JSONDecodeError as error:
        raise DefinitionRejected([TemplateProblem(f"nieprawidłowy JSON: {error.msg}",
                                                  f"wiersz {error.lineno}, kolumna {error.colno}")]) from None
    if not isinstance(value, dict):
        raise DefinitionRejected([TemplateProblem("Definicja musi być obiektem JSON.")])
    return value


def _read(definition: Any) -> tuple[_Checker, dict[str, Any]]:
    checker = _Checker()
    if not isinstance(definition, dict):
        checker.problem("definicja", "Definicja musi być obiektem JSON.")
        return checker, {}
    if len(json.dumps(definition, ensure_ascii=False).encode()) > MAX_DEFINITION_BYTES:
        checker.problem("definicja", f"definicja jest za duża (najwyżej {MAX_DEFINITION_BYTES // 1024} KB).")
        return checker, {}
    checker.unknown_keys(definition, _TOP_KEYS, "definicja")
    if definition.get("format", FORMAT) != FORMAT:
        checker.problem("definicja", f"nieznany format {_q(str(definition.get('format')))}; ten program czyta "
                                     f"{_q(FORMAT)}.")
    out: dict[str, Any] = {}
    out["id"] = checker.name(definition.get("id"), "definicja, identyfikator typu („id”)")
    out["title"] = checker.text(definition.get("title"), "definicja", "title", MAX_TITLE)
    checker.text(definition.get("description", ""), "definicja", "description", 4000, required=False)
    out["legal_basis"] = checker.text(definition.get("legal_basis", ""), "definicja", "legal_basis", 500,
                                      required=False)
    stem = definition.get("file_stem") or out["id"] or "dokument"
    if not isinstance(stem, str) or not re.fullmatch(r"[a-z0-9_]{1,60}", stem):
        checker.problem("definicja", "„file_stem”: małe litery bez polskich znaków, cyfry i podkreślenia.")
        stem = "dokument"
    out["file_stem"] = stem
    out["leaves_office"] = checker.flag(definition, "leaves_office", False)
    # a document the family member sends out is kept out of the case unless the definition files it there
    out["in_case_file"] = checker.flag(definition, "in_case_file", not out["leaves_office"])
    sections = definition.get("sections")
    if not isinstance(sections, list) or not sections:
        checker.problem("definicja", "definicja potrzebuje co najmniej jednego kroku („sections”).")
        sections = []
    if len(sections) > MAX_SECTIONS:
        checker.problem("definicja", f"za dużo kroków ({len(sections)}, najwyżej {MAX_SECTIONS}).")
    built = [checker.section(raw, number) for number, raw in enumerate(sections[:MAX_SECTIONS], start=1)]
    out["sections"] = [section for section in built if section is not None]
    if checker.count > MAX_FIELDS:
        checker.problem("definicja", f"za dużo pól ({checker.count}, najwyżej {MAX_FIELDS}).")
    names = [s.name for s in out["sections"]]
    for name in {n for n in names if names.count(n) > 1}:
        checker.problem("definicja", f"nazwa kroku {_q(name)} się powtarza.")
    headings = [s.heading for s in out["sections"] if s.heading]
    for heading in {h for h in headings if headings.count(h) > 1}:
        checker.problem("definicja", f"nagłówek {_q(heading)} mają dwa kroki; każdy nagłówek szablonu należy do "
                                     "jednego kroku.")
    if out["sections"] and not any(s.items for s in out["sections"]):
        checker.problem("definicja", "żaden krok nie ma pól – asystent nie miałby czego wpisać.")
    for number, section in enumerate(out["sections"], start=1):
        for item in section.items:
            if isinstance(item, Field):
                checker.sibling_condition(item, {k: v for k, v in checker.items.items() if isinstance(v, Field)},
                                          f"krok {number} ({_q(section.title)}), pole {_q(item.name)}")
    conditions = {name: {spec.required_when[0]} for name, spec in checker.items.items()
                  if isinstance(spec, Field) and spec.required_when}
    loop = _cycle(conditions)
    if loop:
        checker.problem("definicja", "warunki „wymagane, gdy” zależą od siebie w kółko: "
                                     + " → ".join(_q(n) for n in loop) + "; usuń jeden z nich.")
    for key, kind in (("place_field", TEXT), ("date_field", DATE)):
        value = definition.get(key, "place" if key == "place_field" else "document_date")
        item = checker.items.get(value) if isinstance(value, str) else None
        if definition.get(key) is not None and (not isinstance(item, Field) or item.kind != kind):
            what = "pola tekstowego (miejscowości)" if kind == TEXT else "pola daty"
            checker.problem("definicja", f"„{key}”: {_q(str(value))} nie jest nazwą {what} tej definicji.")
        out[key] = value if isinstance(value, str) else ("place" if key == "place_field" else "document_date")
    rules = definition.get("rules", [])
    if not isinstance(rules, list):
        checker.problem("definicja", "„rules”: oczekiwano listy reguł.")
        rules = []
    if len(rules) > MAX_RULES:
        checker.problem("definicja", f"za dużo reguł ({len(rules)}, najwyżej {MAX_RULES}).")
    read_rules = [checker.rule(raw, number) for number, raw in enumerate(rules[:MAX_RULES], start=1)]
    out["rules"] = [rule for rule in read_rules if rule is not None]
    dates: dict[str, set[str]] = {}
    for field, after, _, _ in out["rules"]:
        dates.setdefault(field, set()).add(after)
        if "." in field and "." not in after:   # a row's date after a top-level one: one node per group field
            continue
    loop = _cycle(dates)
    if loop:
        checker.problem("definicja", "reguły dat zależą od siebie w kółko: " + " → ".join(_q(n) for n in loop)
                                     + " – takich dat nie da się wpisać; usuń jedną z reguł.")
    out["example"] = definition.get("example")
    if out["example"] is not None and not isinstance(out["example"], dict):
        checker.problem("definicja", "„example”: oczekiwano obiektu z przykładowymi danymi.")
    return checker, out


def definition_problems(definition: Any) -> list[TemplateProblem]:
    """Every problem of a definition, in Polish with places; empty: it makes a document type."""
    checker, read = _read(definition)
    if checker.problems:
        return list(dict.fromkeys(checker.problems))
    try:
        doctype = _doctype(read, checker, template="")
    except DefinitionRejected as rejected:
        return rejected.problems
    if read["example"] is not None:
        from ..validate import validate

        return [TemplateProblem(f"przykładowe dane: {issue.message}", f"przykład, {issue.path}")
                for issue in validate(doctype, read["example"])]
    return []


def _doctype(read: dict[str, Any], checker: _Checker, template: str) -> DocType:
    from .example import generated_example

    items = checker.items
    rules = tuple(
        Rule(f"{DATE_AFTER}_{number}", f"„{rule.labels[0]}” nie wcześniej niż „{rule.labels[2]}”.", rule,
             section=checker_section(read["sections"], field), severity=severity)
        for number, (field, after, same_day, severity) in enumerate(read["rules"], start=1)
        for rule in [date_after(field, after, same_day, items)]
    )
    given = read["example"]
    holder: list[DocType] = []

    def example() -> dict[str, Any]:
        return json.loads(json.dumps(given)) if given is not None else generated_example(holder[0])

    derive: Callable[[dict[str, Any]], dict[str, Any]] = naming_the_family() if "family_name" in items \
        else (lambda data: {})
    try:
        doctype = DocType(id=read["id"], title=read["title"], sections=tuple(read["sections"]), template=template,
                          rules=rules, example=example, derive=derive, file_stem=read["file_stem"],
                          place_field=read["place_field"], date_field=read["date_field"],
                          legal_basis=read["legal_basis"], in_case_file=read["in_case_file"],
                          leaves_office=read["leaves_office"], file_name=filed_name(read["in_case_file"],
                                                                                     read["leaves_office"]))
    except ValueError as error:
        raise DefinitionRejected([TemplateProblem(str(error), "definicja")]) from None
    holder.append(doctype)
    return doctype


def filed_name(in_case_file: bool, leaves_office: bool) -> str:
    """The generated file's name by where the document goes: one the family member sends out names neither
    the family nor the case; one outside the case has no znak to name it by."""
    if leaves_office:
        return "{file_stem}_{date}"
    return "{file_stem}_{family_name}_{case_number}_{date}" if in_case_file else "{file_stem}_{family_name}_{date}"


def checker_section(sections: list[Section], path: str) -> str:
    name = path.split(".", 1)[0]
    return next(s.name for s in sections if any(item.name == name for item in s.items))


def doctype_from_definition(definition: Any, *, template: str = "") -> DocType:
    """The document type a definition describes; DefinitionRejected with every problem otherwise.
    `template`: the file name under templates_docx/ of a shipped type ("" for an office's upload)."""
    problems = definition_problems(definition)
    if problems:
        raise DefinitionRejected(problems)
    checker, read = _read(definition)
    doctype = _doctype(read, checker, template)
    # its example and rules are closures: another process (the template worker) builds it again
    object.__setattr__(doctype, "rebuild", (_rebuilt, (definition, template)))
    return doctype


def _rebuilt(definition: Any, template: str) -> DocType:
    return doctype_from_definition(definition, template=template)


# --- back to data: a type's definition as JSON ----------------------------------------------

def _field_json(spec: Field) -> dict[str, Any]:
    out: dict[str, Any] = {"name": spec.name, "label": spec.label, "kind": spec.kind}
    if not spec.required:
        out["required"] = False
    if spec.required and spec.kind == BOOL:
        out["required"] = True
    if spec.help:
        out["help"] = spec.help
    if spec.choices:
        out["choices"] = [list(pair) for pair in spec.choices]
    if spec.max_length:
        out["max_length"] = spec.max_length
    if spec.required_when:
        out["required_when"] = {"field": spec.required_when[0], "equals": spec.required_when[1]}
    if spec.prefill:
        out["prefill"] = spec.prefill
    return out


def _item_json(item: Item) -> dict[str, Any]:
    if isinstance(item, Field):
        return _field_json(item)
    out: dict[str, Any] = {"name": item.name, "label": item.label, "kind": ROWS, "item_label": item.item_label,
                           "min_items": item.min_items, "max_items": item.max_items}
    if item.help:
        out["help"] = item.help
    if item.prefill:
        out["prefill"] = item.prefill
    if item.table:
        out["table"] = [[name, width] for name, width in item.table]
    out["fields"] = [_field_json(spec) for spec in item.fields]
    return out


def definition_of(doctype: DocType, *, with_example: bool = True) -> dict[str, Any]:
    """Any type (built-in or an office's) in the definition format. A built-in type's rules written in
    code cannot travel as data: they are named in "description", and a type started from this
    definition does without them."""
    data_rules = [rule for rule in doctype.rules if isinstance(rule.check, DateAfter)]
    code_rules = [rule for rule in doctype.rules if not isinstance(rule.check, DateAfter)]
    sections = []
    for section in doctype.sections:
        out: dict[str, Any] = {"name": section.name, "title": section.title,
                               "heading": doctype.numbered_title(section) if section.numbered else ""}
        for key in ("help", "statement"):
            if getattr(section, key):
                out[key] = getattr(section, key)
        if section.optional:
            out["optional"] = True
        out["items"] = [_item_json(item) for item in section.items]
        sections.append(out)
    definition: dict[str, Any] = {"format": FORMAT, "id": doctype.id, "title": doctype.title}
    if code_rules:
        definition["description"] = ("Reguły programu zapisane w kodzie nie przechodzą do definicji: "
                                     + "; ".join(rule.description.rstrip(".") for rule in code_rules) + ".")
    names = {item.name for _, item in doctype.items()}
    definition.update(file_stem=doctype.file_stem, legal_basis=doctype.legal_basis)
    if doctype.leaves_office:
        definition["leaves_office"] = True
    if doctype.in_case_file == doctype.leaves_office:  # not what the other key implies
        definition["in_case_file"] = doctype.in_case_file
    definition.update({key: getattr(doctype, key) for key in ("place_field", "date_field")
                       if getattr(doctype, key) in names})
    definition.update(sections=sections,
                      rules=[{"kind": DATE_AFTER, "field": rule.check.field, "after": rule.check.after,
                              "same_day": rule.check.same_day, "severity": rule.severity} for rule in data_rules])
    if with_example:
        definition["example"] = _jsonable(doctype.example())
    return definition


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value
