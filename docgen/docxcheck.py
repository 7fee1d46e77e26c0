"""Check a .docx against its document type: every section there, as a heading, in order, not empty,
and what the type's print checks look for in its text (a letter's signature, a CV's consent clause).

Used on rendered documents and on templates or documents that an office edited
in Word and uploads again. A section is found by its numbered title
("4. Diagnoza sytuacji rodziny", `DocType.numbered_title`) in a heading
paragraph: a paragraph whose style (or a style it is based on) is a built-in
heading ("heading 1" – "Nagłówek 1" in a Polish Word), or which carries an
outline level. Its content is everything up to the next heading of the same or
a higher level; it must hold some text, in a paragraph or in a table.

Returns Polish messages for people; an empty list means the document is fine.
"""
from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass
from typing import BinaryIO, Iterator, Union

from docx import Document
from docx.document import Document as DocumentObject
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from .definition import DocType, Section

Source = Union[str, "os.PathLike[str]", bytes, bytearray, BinaryIO]

NOT_DOCX = "Plik nie jest dokumentem Word (.docx)."

_HEADING_STYLE = re.compile(r"^(?:heading|nagłówek)\s*([1-9])$", re.IGNORECASE)
_BODY_LEVEL = 99  # not a heading


@dataclass(frozen=True)
class _Block:
    level: int      # 1–9 for a heading, _BODY_LEVEL otherwise
    text: str       # normalised text of a paragraph (or of a table's cells)
    is_table: bool = False

    @property
    def is_heading(self) -> bool:
        return self.level != _BODY_LEVEL


def check_docx(doctype: DocType, source: Source) -> list[str]:
    """Problems of the .docx at `source` (path, bytes or binary file) as Polish messages."""
    document = _open(source)
    if document is None:
        return [NOT_DOCX]
    blocks = list(_blocks(document))
    titles = {section.name: _key(doctype.numbered_title(section)) for section in doctype.numbered_sections()}
    all_titles = set(titles.values())

    messages: list[str] = []
    found: list[tuple[int, Section]] = []
    for section in doctype.numbered_sections():
        title = doctype.numbered_title(section)
        positions = [i for i, block in enumerate(blocks) if block.is_heading and _key(block.text) == titles[section.name]]
        if not positions:
            as_text = any(not block.is_heading and not block.is_table and _key(block.text) == titles[section.name]
                          for block in blocks)
            if as_text:
                messages.append(f"Tytuł sekcji „{title}” nie jest nagłówkiem: nadaj mu styl „Nagłówek 1”.")
            elif not section.optional:
                messages.append(f"Brak sekcji „{title}”.")
            continue
        if len(positions) > 1:
            messages.append(f"Sekcja „{title}” występuje w dokumencie {len(positions)} razy.")
        start = positions[0]
        found.append((start, section))
        if not _has_content(blocks, start, all_titles):
            messages.append(f"Sekcja „{title}” jest pusta.")

    for (before, previous), (after, section) in zip(found, found[1:]):
        if after < before:
            messages.append(f"Sekcja „{doctype.numbered_title(section)}” stoi przed sekcją "
                            f"„{doctype.numbered_title(previous)}”; zachowaj kolejność sekcji ze wzoru.")
    return messages + _printed_problems(doctype, document)


def print_problems(doctype: DocType, source: Source) -> list[str]:
    """Only what the type's print checks find missing (a letter's signature, a CV's consent clause)."""
    document = _open(source)
    return [NOT_DOCX] if document is None else _printed_problems(doctype, document)


def _printed_problems(doctype: DocType, document: DocumentObject) -> list[str]:
    if not doctype.print_checks:
        return []
    lines = list(_lines(document))
    return [message for check in doctype.print_checks for message in check.check(lines)]


def _open(source: Source) -> DocumentObject | None:
    if isinstance(source, (bytes, bytearray)):
        stream: BinaryIO = io.BytesIO(bytes(source))
    elif isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as handle:
            stream = io.BytesIO(handle.read())
    else:
        stream = io.BytesIO(source.read())
    try:
        return Document(stream)
    except Exception:  # noqa: BLE001 - not a zip, not OOXML, not a Word document, broken XML
        return None


def _key(text: str) -> str:
    """Compare titles regardless of surrounding or doubled whitespace and of case."""
    return " ".join(text.split()).casefold()


def _outline_level(element) -> int | None:
    ppr = element.find(qn("w:pPr"))
    level = ppr.find(qn("w:outlineLvl")) if ppr is not None else None
    if level is None:
        return None
    value = int(level.get(qn("w:val"), "9"))
    return value + 1 if 0 <= value <= 8 else _BODY_LEVEL


def _heading_level(paragraph: Paragraph) -> int:
    direct = _outline_level(paragraph._p)
    if direct is not None:
        return direct
    style = paragraph.style
    seen = 0
    while style is not None and seen < 20:  # base-style chains are short; stop on a cycle
        match = _HEADING_STYLE.match(style.name or "")
        if match:
            return int(match.group(1))
        level = _outline_level(style.element)
        if level is not None:
            return level
        style = style.base_style
        seen += 1
    return _BODY_LEVEL


def _table_text(table: Table) -> str:
    parts: list[str] = []
    for row in table.rows:
        for cell in row.cells:
            parts.extend(paragraph.text for paragraph in cell.paragraphs)
            parts.extend(_table_text(inner) for inner in cell.tables)
    return " ".join(" ".join(parts).split())


def _cell_lines(table: Table) -> Iterator[str]:
    seen: set[int] = set()
    for row in table.rows:
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell is listed once per column it spans
                continue
            seen.add(id(cell._tc))
            for item in cell.iter_inner_content():
                if isinstance(item, Paragraph):
                    yield item.text
                else:
                    yield from _cell_lines(item)


def _lines(document: DocumentObject) -> Iterator[str]:
    """The document's text in reading order, a paragraph a line (a table's cells row by row)."""
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            yield item.text
        else:
            yield from _cell_lines(item)


def _blocks(document: DocumentObject) -> Iterator[_Block]:
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            yield _Block(_heading_level(item), item.text)
        else:
            yield _Block(_BODY_LEVEL, _table_text(item), is_table=True)


def _has_content(blocks: list[_Block], start: int, section_titles: set[str]) -> bool:
    level = blocks[start].level
    for block in blocks[start + 1:]:
        if block.is_heading and (block.level <= level or _key(block.text) in section_titles):
            return False
        if block.text.strip():
            return True
    return False
