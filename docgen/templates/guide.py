"""The Polish guide to a type's Word template, as Markdown, generated from its definition.

Which placeholders exist (the definition's fields with labels and kinds, the values every document
has, what `derive` adds), how loops are written (the very tags of the built-in template), what must
stay (structure.required: numbered headings, required placeholders) and what is refused. The same
text is docs/szablony.md for every type (`docgen template-guide --all`) and one type's page in the app.
"""
from __future__ import annotations

import re

from docx import Document

from ..definition import BOOL, CHOICE, COURT_CASE, DATE, PESEL, TEXT, TEXTAREA, DocType, Field, Repeat
from ..doctypes import DOCTYPES
from .archive import MAX_COMPRESSION_RATIO, MAX_ENTRIES, MAX_PART_BYTES, MAX_TEMPLATE_BYTES, MAX_UNCOMPRESSED_BYTES
from .fields import ALLOWED_TEXT
from .engine import template_path
from .jinja import FILTERS
from .limits import CPU_SECONDS, MEMORY_MB, WALL_SECONDS
from .sandbox import MAX_BUILT_CHARS, MAX_LOOP_ITERATIONS, MAX_VALUE_CHARS, spaced_number
from .source import document_sources
from .structure import required
from .vocabulary import FIXED_LABELS, LIST, RECORD, vocabulary

KIND_LABELS = {
    TEXT: "tekst",
    TEXTAREA: "tekst wielowierszowy (nowe wiersze zostają)",
    DATE: "data, drukowana słownie („2 listopada 2026 r.”)",
    CHOICE: "wybór z listy, drukowana nazwa",
    BOOL: "tak / nie",
    PESEL: "PESEL",
    COURT_CASE: "sygnatura akt",
}

FILTER_HELP = (
    ("data", "data słownie: „2 listopada 2026 r.” (tak drukuje się data bez filtra)", "{{ valid_from|data }}"),
    ("data_krotka", "data cyframi: „02.11.2026”", "{{ a.deadline|data_krotka }}"),
    ("bez_sierotek", "twarda spacja po jednoliterowym słowie („w”, „z”, „i”), żeby nie zostało na końcu wiersza "
                     "(adresat pisma)", "{{ court_name|bez_sierotek }}"),
    ("upper", "WIELKIE LITERY (też lower, capitalize, title)", "{{ document_title|upper }}"),
    ("default", "tekst zamiast pustego pola (skrót: d)", '{{ r.pesel|default("–") }}'),
    ("length", "liczba pozycji listy (też count)", "{{ members|length }}"),
    ("join", "pozycje listy połączone tekstem", '{{ lista|join(", ") }}'),
    ("batch", "pozycje listy po n (np. dwa podpisy obok siebie)", "{%tr for pair in signatories|batch(2) %}"),
)

_LOOP_TAG = re.compile(r"\{%-?\s*(tr|p|tc|r)?\s*for\s+(\w+)\s+in\s+([^%]+?)\s*-?%\}")


def _mb(size: int) -> str:
    return f"{size // 2 ** 20} MB"


def _code(text: str) -> str:
    return f"`{text}`"


def _builtin_loops(doctype: DocType) -> dict[str, tuple[str, str, str]]:
    """Per list name, the loop of the built-in template: (opening tag, closing tag, loop variable)."""
    loops: dict[str, tuple[str, str, str]] = {}
    try:
        document = Document(str(template_path(doctype)))
    except Exception:  # noqa: BLE001 - a type whose template is not built yet
        return loops
    for source in document_sources(document):
        for paragraph in source.paragraphs:
            for match in _LOOP_TAG.finditer(paragraph.text):
                kind, variable, iterable = match.group(1) or "", match.group(2), match.group(3)
                name = re.match(r"\w+", iterable)
                if name and name.group() not in loops:
                    close = f"{{%{kind} endfor %}}" if kind else "{% endfor %}"
                    loops[name.group()] = (match.group(), close, variable)
    return loops


def _kind(spec: Field) -> str:
    text = KIND_LABELS.get(spec.kind, spec.kind)
    if spec.kind == CHOICE:
        text += ": " + "; ".join(f"„{label}”" for _, label in spec.choices)
    return text


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def common_rules() -> str:
    filters = ", ".join(_code(name) for name in sorted(FILTERS))
    rows = "\n".join(f"| {_code(name)} | {_cell(what)} | {_code(example).replace('|', chr(92) + '|')} |"
                     for name, what, example in FILTER_HELP)
    return _common_text(rows, filters)


def _common_text(rows: str, filters: str) -> str:
    loops = spaced_number(MAX_LOOP_ITERATIONS)
    return f"""## Jak pisać znaczniki

- `{{{{ nazwa }}}}` wstawia wartość pola. Daty drukują się słownie, pola „tak / nie” jako „tak” albo „nie”,
  pola wyboru nazwą pozycji; tekst wpisany przez użytkownika wychodzi dokładnie tak, jak go wpisano.
- `{{%p if warunek %}}` … `{{%p else %}}` … `{{%p endif %}}`: każdy znacznik w osobnym akapicie; akapit
  ze znacznikiem znika z dokumentu, a akapity między znacznikami zostają albo nie.
- `{{%tr for r in lista %}}` … `{{%tr endfor %}}`: każdy znacznik w osobnym wierszu tabeli; wiersz między
  nimi powtarza się dla każdej pozycji listy, a wiersze ze znacznikami znikają.
- `{{%p for r in lista %}}` … `{{%p endfor %}}`: to samo dla akapitów.
- Wewnątrz pętli `{{{{ r.pole }}}}` to pole bieżącej pozycji, `{{{{ loop.index }}}}` jej numer (1, 2, 3…),
  `loop.first` i `loop.last` mówią, czy to pierwsza albo ostatnia pozycja. Nazwę zmiennej pętli (`r`)
  wybiera się dowolnie.
- Zwykłe `{{% if %}}` … `{{% endif %}}` (bez `p` i `tr`) tylko w obrębie jednego akapitu.
- Znacznik musi stać w całości w jednym akapicie. Word dzieli tekst na fragmenty o różnym formatowaniu –
  to nie szkodzi (cały znacznik dostaje formatowanie swojego początku) – ale Enter, pole, obiekt ani
  śledzona zmiana w środku znacznika nie mogą się znaleźć. Cudzysłowy „drukarskie” w znacznikach są
  zamieniane na proste.

### Filtry

| Filtr | Działanie | Przykład |
|---|---|---|
{rows}

Wszystkie dostępne filtry: {filters}.

### Czego szablon nie może zawierać

- Nazw spoza listy pól swojego typu (nieznana nazwa jest błędem, a nie pustym miejscem), pól, których
  pozycja listy nie ma, ani nazw `range`, `lipsum`, `cycler`, `joiner`, `namespace`, `dict`, `self`.
- Wywołań funkcji i metod (`nazwa()`, `pole.upper()`; zamiast nich są filtry), atrybutów zaczynających się
  od `_`, filtrów `attr`, `format`, `map`, `select`, `safe` i podobnych, metody `format`, formatowania
  operatorem `%`, potęgowania ani mnożenia napisów.
- Makr i dołączania plików: `{{% macro %}}`, `{{% call %}}`, `{{% include %}}`, `{{% import %}}`,
  `{{% extends %}}`, `{{% block %}}`, `{{% autoescape %}}`, `{{% filter %}}`, `{{% with %}}`, pętli `recursive`.
- Makr VBA (pliki .docm), kontrolek ActiveX, obiektów OLE, obrazów połączonych z plikiem, hiperłączy do
  zewnętrznych adresów (adres wpisz zwykłym tekstem), dołączonych szablonów ani korespondencji seryjnej
  połączonej ze źródłem danych.
- Pól Worda innych niż {ALLOWED_TEXT} (np. INCLUDEPICTURE, INCLUDETEXT, LINK, DDE, DATABASE, FILLIN,
  MERGEFIELD) – także takich, które powstają dopiero po wypełnieniu szablonu danymi – ani znaczników
  szablonu w kodzie pola.
- Plik: zwykły dokument .docx do {_mb(MAX_TEMPLATE_BYTES)}, najwyżej {MAX_ENTRIES} części i
  {_mb(MAX_UNCOMPRESSED_BYTES)} po rozpakowaniu, żadna część spakowana ponad {MAX_COMPRESSION_RATIO} razy ani
  większa niż {_mb(MAX_PART_BYTES)} po rozpakowaniu.
  Pętle jednego dokumentu mogą się wykonać łącznie najwyżej {loops} razy; jeden tekst tworzony przez szablon
  może mieć najwyżej {spaced_number(MAX_VALUE_CHARS)} znaków, wszystkie razem
  {MAX_BUILT_CHARS // 2 ** 20} mln znaków.
- Sprawdzanie i wypełnianie szablonu ośrodka ma limity czasu i pamięci (domyślnie {CPU_SECONDS} s pracy
  procesora, {WALL_SECONDS} s oczekiwania, {MEMORY_MB} MB); szablon, który je przekracza, jest odrzucany
  z nazwą limitu.
"""


INTRO = """# Szablony dokumentów Word

Każdy typ dokumentu ma wbudowany szablon Word (katalog `templates_docx/`, w aplikacji do pobrania przy
typie dokumentu). Ośrodek może go pobrać, zmienić w Wordzie – nagłówek pisma, czcionki, kolejność sekcji,
własne sformułowania – i wgrać jako własny szablon tego typu. Wgrany szablon jest najpierw sprawdzany;
każdy problem jest opisany z miejscem w dokumencie („akapit 12”, „tabela 2, wiersz 3, komórka 1”,
„nagłówek”) i fragmentem tekstu wokół niego.

Sprawdzenie z wiersza poleceń: `docgen check-template SZABLON.docx --type TYP`; ten przewodnik:
`docgen template-guide --type TYP`.
"""

GENERATED = ("<!-- Plik generowany z definicji typów: docgen template-guide --all -o docs/szablony.md "
             "(nie edytuj ręcznie). -->")


def _loop(loops: dict[str, tuple[str, str, str]], name: str) -> tuple[str, str, str]:
    return loops.get(name, (f"{{%p for r in {name} %}}", "{%p endfor %}", "r"))


def _row_prefix(open_tag: str, variable: str) -> str:
    """`a.` for `{%tr for a in actions %}`; for a loop over pairs (`…|batch(2)`) the first of the pair."""
    return f"{variable}[0]." if "|" in open_tag else f"{variable}."


def type_page(doctype: DocType) -> str:
    names = vocabulary(doctype)
    loops = _builtin_loops(doctype)
    must = required(doctype)
    out = [f"## {doctype.title} (`{doctype.id}`)", "", f"Wbudowany szablon: `templates_docx/{doctype.template}`.",
           "", "### Co musi zostać w szablonie", ""]
    sections = doctype.numbered_sections()
    if sections:
        out += ["Tytuły sekcji jako nagłówki (styl „Nagłówek 1”), w tym brzmieniu; kolejność sekcji może się "
                "zmienić:", ""]
        out += [f"- „{doctype.numbered_title(section)}”"
                + (" (sekcja nieobowiązkowa: może zostać usunięta)" if section.optional else "")
                for section in sections]
        out.append("")
    if must.fields:
        out += ["Pola: " + ", ".join(_code(f"{{{{ {spec.name} }}}}") for spec in must.fields) + ".", ""]
    for group, rows in must.groups:
        open_tag, close_tag, variable = _loop(loops, group.name)
        inside = ", ".join(_code(f"{{{{ {_row_prefix(open_tag, variable)}{spec.name} }}}}") for spec in rows)
        out += [f"Pętla po liście `{group.name}` ({group.label}): {_code(open_tag)} … {_code(close_tag)}"
                + (f", a w niej {inside}" if inside else "") + ".", ""]

    out += ["### Pola", "", "| Znacznik | Opis | Rodzaj | Sekcja |", "|---|---|---|---|"]
    for section, item in doctype.items():
        where = _cell(doctype.numbered_title(section))
        if isinstance(item, Repeat):
            out.append(f"| `{item.name}` | {_cell(item.label)} | lista: pętla, niżej | {where} |")
        else:
            optional = "" if item.required else " (może być puste)"
            out.append(f"| `{{{{ {item.name} }}}}` | {_cell(item.label)}{optional} | {_cell(_kind(item))} | {where} |")

    lists = [(name, shape) for name, shape in names.items() if shape.kind == LIST]
    if lists:
        out += ["", "### Listy (pętle)", ""]
    for name, shape in lists:
        open_tag, close_tag, variable = _loop(loops, name)
        prefix = _row_prefix(open_tag, variable)
        out += [f"**{_cell(shape.label)}** (`{name}`): {_code(open_tag)} … {_code(close_tag)}", "",
                "| Znacznik | Opis | Rodzaj |", "|---|---|---|"]
        row = shape.item
        for field_name, field_shape in (row.fields.items() if row and row.kind == RECORD else ()):
            spec = field_shape.spec
            if isinstance(spec, Field):
                optional = "" if spec.required else " (może być puste)"
                out.append(f"| `{{{{ {prefix}{field_name} }}}}` | {_cell(spec.label)}{optional} | "
                           f"{_cell(_kind(spec))} |")
            else:
                out.append(f"| `{{{{ {prefix}{field_name} }}}}` | {_cell(field_shape.label)} | tekst |")
        out += ["| `{{ loop.index }}` | numer pozycji: 1, 2, 3… | liczba |", ""]

    out += ["", "### Wartości wspólne i wyliczane", "", "| Znacznik | Opis |", "|---|---|"]
    for name, shape in names.items():
        if name in FIXED_LABELS and shape.kind == RECORD:
            out += [f"| `{{{{ {name}.{key} }}}}` | {_cell(field.label)} |" for key, field in shape.fields.items()]
        elif shape.kind not in (LIST, RECORD) and not isinstance(shape.spec, (Field, Repeat)):
            out.append(f"| `{{{{ {name} }}}}` | {_cell(shape.label)} |")
    return "\n".join(out).replace("\n\n\n", "\n\n").rstrip() + "\n"


def template_guide(doctype: DocType) -> str:
    """One type's guide: the common rules, then the type's page."""
    return f"{INTRO}\n{common_rules()}\n{type_page(doctype)}"


def templates_guide() -> str:
    """The guide for every type: docs/szablony.md."""
    contents = "\n".join(f"- [{doctype.title}](#{_anchor(doctype)})" for doctype in DOCTYPES.values())
    pages = "\n".join(type_page(doctype) for doctype in DOCTYPES.values())
    return f"{GENERATED}\n\n{INTRO}\nTypy dokumentów:\n\n{contents}\n\n{common_rules()}\n{pages}"


def _anchor(doctype: DocType) -> str:
    """GitHub's anchor of the heading "## Title (`id`)"."""
    text = f"{doctype.title} ({doctype.id})".lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")
