"""The Jinja source of every part docxtpl renders, exactly as docxtpl hands it to Jinja, with the way
back from a line of that source to a place a user can find in Word ("akapit 12", "tabela 2, wiersz 3").

docxtpl renders the body, the headers and footers of the main document, the footnotes and six core
properties; it cleans each part's XML first (`patch_xml`: merges tags Word split into runs, turns
`{%p %}`/`{%tr %}` into plain tags, dropping their paragraph or row) and puts every paragraph on a
line of its own. The places come from a second source made while every paragraph carries a numbered
attribute: attributes change nothing that `patch_xml` looks at, which is verified (without the marks
it must be the real source), so its lines are the real lines.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from docx.document import Document as DocumentObject
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docxtpl import DocxTemplate
from lxml import etree

_MARK = "docgenmark"
_MARKS = re.compile(f' {_MARK}="(\\d+)"')
W_P, W_TBL, W_TR, W_TC, W_T = (qn(tag) for tag in ("w:p", "w:tbl", "w:tr", "w:tc", "w:t"))
FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
# the core properties docxtpl renders, with their names in Word's "Właściwości"
PROPERTIES = {"title": "tytuł", "subject": "temat", "author": "autor", "comments": "komentarze",
              "identifier": "identyfikator", "language": "język"}


@dataclass(frozen=True)
class Paragraph:
    place: str
    text: str


@dataclass
class Source:
    """One part as Jinja sees it. `owners[i]`: indexes of the paragraphs line i+1 may come from."""

    part: str
    text: str
    paragraphs: list[Paragraph]
    owners: list[range] = field(default_factory=list)

    def place_of(self, lineno: int | None, token: str = "") -> tuple[str, str]:
        """(place, snippet) of a line of the source; `token` picks the paragraph when several may hold it."""
        if lineno and 0 < lineno <= len(self.owners) and len(self.owners[lineno - 1]):
            candidates = [self.paragraphs[i] for i in self.owners[lineno - 1]]
        else:
            candidates = self.paragraphs
        if not candidates:
            return self.part, ""
        chosen = next((p for p in candidates if token and token in p.text), None) \
            or next((p for p in candidates if "{" in p.text), candidates[0])
        return chosen.place, snippet(chosen.text, token)


def snippet(text: str, token: str = "", width: int = 60) -> str:
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    at = text.find(token) if token else -1
    start = max(0, min(at - width // 3, len(text) - width)) if at >= 0 else 0
    cut = text[start:start + width]
    return ("…" if start else "") + cut + ("…" if start + width < len(text) else "")


def _patch(xml: str) -> str:
    return DocxTemplate.patch_xml(None, xml)  # type: ignore[arg-type]  # uses no state


def _lines(xml: str) -> str:
    """What docxtpl's render_xml_part does before Jinja sees the part."""
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", xml)


def _to_string(element) -> str:
    return etree.tostring(element, encoding="unicode", pretty_print=False)


def _places(root, prefix: str) -> list[str]:
    """A place for every paragraph under `root`, in document order."""
    top: dict[object, tuple[str, int]] = {}
    paragraphs = tables = 0
    for child in root:
        if child.tag == W_P:
            paragraphs += 1
            top[child] = ("akapit", paragraphs)
        elif child.tag == W_TBL:
            tables += 1
            top[child] = ("tabela", tables)
        else:  # a content control, a tracked move…: named by the paragraph before it
            top[child] = ("po akapicie", paragraphs)
    places = []
    for paragraph in root.iter(W_P):
        chain = [paragraph]
        while chain[-1].getparent() is not None and chain[-1].getparent() is not root:
            chain.append(chain[-1].getparent())
        kind, number = top.get(chain[-1], ("po akapicie", paragraphs))
        if kind == "tabela":
            table = chain[-1]
            rows = [el for el in chain if el.tag == W_TR and el.getparent() is table]
            where = f"tabela {number}"
            if rows:
                row = rows[0]
                where += f", wiersz {list(table.iterchildren(W_TR)).index(row) + 1}"
                cells = [el for el in chain if el.tag == W_TC and el.getparent() is row]
                if cells:
                    where += f", komórka {list(row.iterchildren(W_TC)).index(cells[0]) + 1}"
        elif kind == "akapit":
            where = f"akapit {number}"
        else:
            where = f"blok po akapicie {number}" if number else "blok na początku"
        places.append(f"{prefix}, {where}" if prefix else where)
    if prefix and paragraphs + tables == 1 and len(places) == 1:
        places = [prefix]
    return places


def _xml_source(part: str, element, prefix: str) -> Source:
    """The exact source of an XML part (body, header, footer) and the place of each of its lines."""
    exact = _lines(_patch(_to_string(element)))
    elements = list(element.iter(W_P))
    texts = ["".join(t.text or "" for t in paragraph.iter(W_T)) for paragraph in elements]
    paragraphs = [Paragraph(place, text) for place, text in zip(_places(element, prefix), texts)]
    # marked in place, not in a copy: a copy of a subtree drops namespace declarations, changing the text
    for number, paragraph in enumerate(elements):
        paragraph.set(_MARK, str(number))
    try:
        marked_source = _lines(_patch(_to_string(element)))
    finally:
        for paragraph in elements:
            del paragraph.attrib[_MARK]
    if _MARKS.sub("", marked_source) != exact:  # never seen; then only the part is named
        return Source(part, exact, paragraphs)
    starts: list[int | None] = []
    for line in marked_source.split("\n"):
        found = _MARKS.search(line) if line.startswith("<w:p") else None
        starts.append(int(found.group(1)) if found else None)
    owners: list[range] = []
    current = 0
    for index, start in enumerate(starts):
        if start is not None:
            current = start
        following = next((s for s in starts[index + 1:] if s is not None), len(paragraphs))
        owners.append(range(current, following if following > current else current + 1))
    return Source(part, exact, paragraphs, owners)


def document_sources(document: DocumentObject) -> list[Source]:
    """Every part docxtpl renders, in its order: body, headers, footers, core properties, footnotes."""
    sources = [_xml_source("treść dokumentu", document.element.body, "")]
    for reltype, name in ((RT.HEADER, "nagłówek"), (RT.FOOTER, "stopka")):
        parts = [rel.target_part for rel in document.part.rels.values()
                 if rel.reltype == reltype and not rel.is_external and rel.target_part.blob]
        for index, part in enumerate(parts, start=1):
            prefix = name if len(parts) == 1 else f"{name} {index}"
            sources.append(_xml_source(prefix, parse_xml(part.blob), prefix))
    properties = document.core_properties
    for attribute, label in PROPERTIES.items():
        value = getattr(properties, attribute) or ""
        place = f"właściwości dokumentu ({label})"
        sources.append(Source(place, value, [Paragraph(place, value)]))
    for part in document.part.package.iter_parts():
        if part.content_type == FOOTNOTES:
            blob = part.blob.decode("utf-8") if isinstance(part.blob, bytes) else part.blob
            root = parse_xml(part.blob)
            texts = ["".join(t.text or "" for t in p.iter(W_T)) for p in root.iter(W_P)]
            sources.append(Source("przypisy", _lines(_patch(blob)), [Paragraph("przypisy", t) for t in texts]))
    return sources
