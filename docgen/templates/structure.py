"""What must stay in a template, and tags Word cut apart.

- Every numbered section's title, as a heading (the rule of docgen.docxcheck, which checks the
  rendered documents: a template without it makes documents that fail that check). The order is
  free: an office may arrange the sections its own way.
- Every required field of the type that its built-in template prints, as a placeholder, and a loop
  over every required repeating group printing the required fields of its rows (see `required`).
- Tags whole: docxtpl joins a tag that Word split into runs of one paragraph (the formatting of its
  first run then holds for all of it), but not one cut by a paragraph break, a field or a tracked
  change; those are reported.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from docx import Document
from docx.document import Document as DocumentObject

from ..definition import DocType, Field, Repeat
from ..docxcheck import _blocks, _key  # the same heading rule as the check of rendered documents
from .engine import template_path
from .jinja import Usage, check_ast, parse
from .problems import TemplateProblem
from .source import Source, document_sources, snippet
from .vocabulary import vocabulary

_DELIMITERS = re.compile(r"\{\{|\{%|\{#|\}\}|%\}|#\}")
_CLOSING = {"{{": "}}", "{%": "%}", "{#": "#}"}
_TAG = re.compile(r"\{\{(?:(?!\}\}).)*\}\}|\{%(?:(?!%\}).)*%\}|\{#(?:(?!#\}).)*#\}", re.DOTALL)
_MARKUP = re.compile(r"</?[A-Za-z][\w.-]*:[\w.-]+")

OPENED = ("Znacznik zaczyna się w tym akapicie, ale się w nim nie kończy: brakuje zamknięcia („}}” albo „%}”) "
          "albo znacznik rozdziela Enter. Cały znacznik ({{ … }} albo {% … %}) musi stać w jednym akapicie.")
CLOSED = ("Akapit zawiera koniec znacznika („}}” albo „%}”) bez jego początku: znacznik rozdzielono między "
          "akapity albo ma literówkę w nawiasach.")
CUT = ("Znacznik jest przedzielony czymś, czego nie da się połączyć automatycznie (polem, śledzoną zmianą, "
       "obiektem albo końcem akapitu). Usuń go i wpisz jeszcze raz w całości, bez śledzenia zmian.")


def _unbalanced(text: str) -> str | None:
    opened = None
    for match in _DELIMITERS.finditer(text):
        delimiter = match.group()
        if opened is None:
            if delimiter not in _CLOSING:
                return CLOSED
            opened = delimiter
        elif delimiter == _CLOSING[opened]:
            opened = None
    return OPENED if opened else None


def split_tags(source: Source) -> list[TemplateProblem]:
    problems = []
    for paragraph in source.paragraphs:
        message = _unbalanced(paragraph.text)
        if message:
            token = "{" if message is OPENED else "}"
            problems.append(TemplateProblem(message, paragraph.place, snippet(paragraph.text, token)))
    reported = {problem.place for problem in problems}
    for match in _TAG.finditer(source.text):
        if _MARKUP.search(match.group()):
            words = re.findall(r"[A-Za-z_]\w*", re.sub(r"<[^>]*>", " ", match.group()))
            token = words[0] if words else "{"
            place, text = source.place_of(source.text.count("\n", 0, match.start()) + 1, token)
            if place not in reported:
                reported.add(place)
                problems.append(TemplateProblem(CUT, place, text))
    return problems


_XML_TAG = re.compile(r"<(/?)([A-Za-z][\w:.-]*)[^<>]*?(/?)>")
_BLOCK_TAG = re.compile(r"\{%-?\s*(if|for|elif|else|endif|endfor)\b")
_OPENERS = {"if": "endif", "for": "endfor"}
ACROSS = ("Blok {{% {name} %}} zaczyna się w innym miejscu dokumentu niż się kończy ({where}). Zwykłe "
          "{{% {name} %}} … {{% {end} %}} muszą stać w jednym akapicie; blok obejmujący całe akapity zapisuje się "
          "jako {{%p {name} … %}} … {{%p {end} %}}, a wiersze tabeli jako {{%tr {name} … %}} … {{%tr {end} %}}, "
          "każdy znacznik w osobnym akapicie albo wierszu.")


def blocks_across(source: Source) -> list[TemplateProblem]:
    """`{% if %}`/`{% for %}` blocks whose start and end are in different XML elements (paragraphs,
    cells): rendered, they cut the document's XML apart or drop whole paragraphs silently."""
    masked = _TAG.sub(lambda match: "\0" * len(match.group()), source.text)
    events = [(m.start(), "xml", m) for m in _XML_TAG.finditer(masked)]
    events += [(m.start(), "jinja", m) for m in _BLOCK_TAG.finditer(source.text)]
    path: list[int] = []
    opened: list[tuple[str, tuple[int, ...], int]] = []
    problems: list[TemplateProblem] = []
    for position, kind, match in sorted(events, key=lambda event: event[0]):
        if kind == "xml":
            closing, self_closing = match.group(1), match.group(3)
            if closing and path:
                path.pop()
            elif not closing and not self_closing:
                path.append(position)
            continue
        name = match.group(1)
        if name in _OPENERS:
            opened.append((name, tuple(path), position))
            continue
        if not opened:
            continue  # an unmatched end is a syntax error, reported as such
        start_name, start_path, start = opened[-1] if name in ("elif", "else") else opened.pop()
        if start_path != tuple(path):
            line = source.text.count("\n", 0, start) + 1
            end_place, _ = source.place_of(source.text.count("\n", 0, position) + 1, name)
            place, text = source.place_of(line, start_name)
            where = f"koniec: {end_place}" if end_place != place else "w innym elemencie tego akapitu"
            problems.append(TemplateProblem(ACROSS.format(name=start_name, end=_OPENERS[start_name], where=where),
                                            place, text))
            if name in ("elif", "else"):
                opened.pop()
    return list(dict.fromkeys(problems))


def headings(doctype: DocType, document: DocumentObject) -> list[TemplateProblem]:
    blocks = list(_blocks(document))
    paragraph_number, numbers = 0, []
    for block in blocks:
        paragraph_number += not block.is_table
        numbers.append(paragraph_number)
    problems: list[TemplateProblem] = []
    for section in doctype.numbered_sections():
        title = doctype.numbered_title(section)
        key = _key(title)
        found = [i for i, block in enumerate(blocks) if block.is_heading and _key(block.text) == key]
        if len(found) > 1:
            problems.append(TemplateProblem(f"Nagłówek sekcji „{title}” występuje w szablonie {len(found)} razy; "
                                            "zostaw jeden.", f"akapit {numbers[found[1]]}", title))
        if found:
            continue
        plain = next((i for i, block in enumerate(blocks) if not block.is_heading and not block.is_table
                      and _key(block.text) == key), None)
        if plain is not None:
            problems.append(TemplateProblem(f"Tytuł sekcji „{title}” jest zwykłym tekstem: nadaj mu styl "
                                            "„Nagłówek 1”.", f"akapit {numbers[plain]}", title))
        elif not section.optional:
            problems.append(TemplateProblem(f"Brak nagłówka sekcji „{title}”. Numerowane tytuły sekcji muszą "
                                            "zostać w szablonie, w tym brzmieniu, ze stylem „Nagłówek 1”."))
    return problems


@dataclass(frozen=True)
class Required:
    """What every template of a type must print: fields, and per repeating group the fields of its rows."""

    fields: tuple[Field, ...]
    groups: tuple[tuple[Repeat, tuple[Field, ...]], ...]


@functools.lru_cache(maxsize=64)
def required(doctype: DocType) -> Required:
    """The type's required fields and groups that its built-in template prints.

    A required field the built-in template does not print is an input for something else (the kind of
    a letter chooses its wording; the court's basis is printed as a derived sentence; the place and
    date as `place_and_date`), so no template needs it. Without a readable built-in template: every
    required field but the place and date.
    """
    usage = builtin_usage(doctype)
    fields, groups = [], []
    for _, item in doctype.items():
        if isinstance(item, Field):
            printed = item.name in usage.names if usage else item.name not in (doctype.place_field,
                                                                               doctype.date_field)
            if item.required and printed:
                fields.append(item)
        elif item.min_items and (usage is None or item.name in usage.loops):
            rows = tuple(spec for spec in item.fields
                         if spec.required and (usage is None or spec.name in usage.loops[item.name]))
            groups.append((item, rows))
    return Required(tuple(fields), tuple(groups))


def builtin_usage(doctype: DocType) -> Usage | None:
    """The names and row fields the type's built-in template uses; None if it cannot be read."""
    try:
        document = Document(str(template_path(doctype)))
        usage = Usage()
        for source in document_sources(document):
            tree, error = parse(source)
            if tree is None:
                return None
            check_ast(tree, source, vocabulary(doctype), doctype.title, usage)
        return usage
    except Exception:  # noqa: BLE001 - a type whose template is not built yet
        return None


def required_placeholders(doctype: DocType, usage: Usage) -> list[TemplateProblem]:
    needed = required(doctype)
    problems = [TemplateProblem(f"Brak pola {{{{ {spec.name} }}}} ({spec.label}); to pole jest wymagane w "
                                f"dokumencie „{doctype.title}”.")
                for spec in needed.fields if spec.name not in usage.names]
    for group, rows in needed.groups:
        if group.name not in usage.loops:
            problems.append(TemplateProblem(f"Brak pętli po liście „{group.name}” ({group.label}), np. "
                                            f"{{%tr for r in {group.name} %}} w wierszu tabeli albo "
                                            f"{{%p for r in {group.name} %}} w osobnym akapicie."))
            continue
        problems += [TemplateProblem(f"W pętli po liście „{group.name}” ({group.label}) brakuje pola "
                                     f"„{spec.name}” ({spec.label}), np. {{{{ r.{spec.name} }}}}.")
                     for spec in rows if spec.name not in usage.loops[group.name]]
    return problems
