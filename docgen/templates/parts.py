"""What docxtpl does to each XML part it renders, as functions of strings and trees.

The engine renders a template the way docxtpl 0.20 does, part for part, so that its output is the same
XML; it only leaves out python-docx's load and save of the whole package on every render. The steps
here are docxtpl's own (its pure string functions are called, not copied) or follow its code line for
line where docxtpl ties them to a loaded python-docx document:
- before Jinja: `patch_xml` (tags Word split into runs joined, `{%p %}`/`{%tr %}`/`{%tc %}`/`{%r %}`
  turned into plain tags) and every paragraph on a line of its own (`jinja_source`);
- after Jinja (`finish`): the lines joined again, "{_{"-style escapes resolved, newlines, tabs and
  form feeds turned into Word breaks (docxtpl's listing pass);
- the body: parsed with recovery, tables with more cells than columns fixed, drawing ids renumbered,
  put back into the document element (`BodyShell`);
- headers and footers: parsed again as python-docx parses a part, and serialized as it saves one.
"""
from __future__ import annotations

import re

from docx.oxml.ns import nsmap, qn
from docx.oxml.parser import parse_xml
from docxtpl import DocxTemplate
from lxml import etree

W_BODY = qn("w:body")
_FIRST_DRAWING_ID = 1000  # docxtpl's render_init: docx_ids_index
_PARAGRAPH_START = re.compile(r"<w:p([ >])")
_JINJA = re.compile(r"\{[{%#]")
# docxtpl's r"<w:p(?: [^>]*)?>.*?</w:p>" (DOTALL), unrolled: the same matches, found without trying
# "</w:p>" at every character
_PARAGRAPH = re.compile(r"<w:p(?: [^>]*)?>[^<]*(?:<(?!/w:p>)[^<]*)*</w:p>")
_OPENING = re.compile(r"<w:p(?: [^>]*)?>")
_SECTIONS = etree.XPath("./w:p/w:pPr/w:sectPr | ./w:sectPr", namespaces=nsmap)
_DRAWINGS = etree.XPath("//wp:docPr", namespaces=nsmap)
_DECLARATION = re.compile(rb' xmlns(?::[^\s=>]+)?="([^"]*)"')
_W = nsmap["w"]
W_TBL, W_TBLGRID, W_GRIDCOL, W_TR, W_TC, W_TCPR, W_GRIDSPAN, W_VAL = (
    qn(tag) for tag in ("w:tbl", "w:tblGrid", "w:gridCol", "w:tr", "w:tc", "w:tcPr", "w:gridSpan", "w:val"))


def patch(xml: str) -> str:
    return DocxTemplate.patch_xml(None, xml)  # type: ignore[arg-type]  # uses no state


def jinja_source(patched: str) -> str:
    """What docxtpl's render_xml_part hands to Jinja."""
    return _PARAGRAPH_START.sub(r"\n<w:p\1", patched)


def has_code(source: str) -> bool:
    """Whether Jinja would see a tag, an output or a comment in `source` (else it renders it as is)."""
    return _JINJA.search(source) is not None


def _listing(xml: str) -> str:
    """docxtpl's resolve_listing, run only on the paragraphs it would change: it replaces nothing but
    tabs, BEL, newlines and form feeds inside paragraphs (its matches of _PARAGRAPH).

    Those matches are found from the left, each ending at the first "</w:p>" after its opening tag.
    So no match contains a "</w:p>" inside it, and after any "</w:p>" the next match starts at the
    first opening tag: the paragraph holding a character, if any, opens at the first opening tag
    after the last "</w:p>" before that character, and nothing else needs to be read."""
    following = _Following(xml)
    out: list[str] = []
    done = 0
    at = following.after(0)
    while at >= 0:
        last_end = xml.rfind("</w:p>", done, at)
        opening = _OPENING.search(xml, last_end + 6 if last_end >= 0 else done)
        if opening is None:
            break
        if opening.start() > at:
            at = following.after(at + 1)
            continue
        paragraph = _PARAGRAPH.match(xml, opening.start())
        if paragraph is None:  # no "</w:p>" anywhere after: no paragraph left
            break
        out += (xml[done:paragraph.start()], DocxTemplate.resolve_listing(None, paragraph.group(0)))  # type: ignore[arg-type]
        done = paragraph.end()
        at = following.after(done)
    if not out:
        return xml
    out.append(xml[done:])
    return "".join(out)


class _Following:
    """Where the next tab, BEL, newline or form feed is; the text is searched once for each."""

    def __init__(self, xml: str) -> None:
        self.xml = xml
        self.next = {char: xml.find(char) for char in "\t\a\n\f"}

    def after(self, start: int) -> int:
        for char, at in self.next.items():
            if 0 <= at < start:
                self.next[char] = self.xml.find(char, start)
        found = [at for at in self.next.values() if at >= 0]
        return min(found) if found else -1


def finish(rendered: str) -> str:
    """docxtpl's steps after Jinja (render_xml_part); its first, `re.sub(r"\\n<w:p([ >])", r"<w:p\\1")`,
    as two plain replacements (neither can make a match of the other)."""
    xml = rendered.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")
    if "{_" in xml:
        xml = xml.replace("{_{", "{{").replace("{_%", "{%")
    if "_}" in xml:
        xml = xml.replace("}_}", "}}").replace("%_}", "%}")
    return _listing(xml)


def require_well_formed(xml: str) -> None:
    """Raises etree.XMLSyntaxError unless `xml` is well-formed (docxtpl itself would recover silently)."""
    etree.fromstring(xml.encode("utf-8"))


# --- the body ------------------------------------------------------------------------------------

def body_tree(xml: str) -> etree._Element:
    """docxtpl's fix_tables (a parse with recovery, then the grid of tables whose rows a loop changed)
    and fix_docpr_ids. fix_tables itself runs only when it would change a table (or fail on one)."""
    tree = etree.fromstring(xml, etree.XMLParser(recover=True))  # fix_tables' own parse
    if tree is None or tree.nsmap.get("w") != _W or any(map(_grid_changes, tree.iter(W_TBL))):
        tree = DocxTemplate.fix_tables(None, xml)  # type: ignore[arg-type]  # uses no state
    for number, drawing in enumerate(_DRAWINGS(tree), start=_FIRST_DRAWING_ID + 1):
        drawing.attrib["id"] = str(number)
    return tree


def _grid_changes(table: etree._Element) -> bool:
    """Whether fix_tables would touch this table or fail on it. It reads the table as fix_tables does
    (the first grid, every row below the table with its own cells, a cell's first properties' first
    span; without any span in the table, a cell is one column): a row with more cells than the grid
    has columns, no row as wide as the grid, no grid, or a span that is not a plain number means yes."""
    grid = table.find(W_TBLGRID)
    if grid is None:
        return True
    spanned = False
    for span in table.iter(W_GRIDSPAN):
        value = span.get(W_VAL)
        if not value or not value.isascii() or not value.isdigit():
            return True
        spanned = True
    columns = len(grid.findall(W_GRIDCOL))
    width = _row_width if spanned else len
    as_wide = False
    for row in table.iter(W_TR):
        cells = row.findall(W_TC)
        if len(cells) > columns:
            return True
        as_wide = as_wide or width(cells) >= columns
    return not as_wide


def _row_width(cells: list[etree._Element]) -> int:
    """The grid columns a row's cells take (a cell's first properties' first span, as fix_tables reads it)."""
    width = 0
    for cell in cells:
        properties = cell.find(W_TCPR)
        span = None if properties is None else properties.find(W_GRIDSPAN)
        width += 1 if span is None else int(span.get(W_VAL))
    return width


def section_count(body: etree._Element) -> int:
    """python-docx's len(document.sections) for a document with this body."""
    return len(_SECTIONS(body))


class BodyShell:
    """The document element without its body, as python-docx loaded it; the rendered body goes in as
    docxtpl's map_tree puts it (`root.replace(body, tree)`) and python-docx saves the whole.

    That move (lxml's moveNodeToDocument) walks every node of the body and drops each namespace
    declaration whose URI is already declared above it, renaming its prefix to the one found. In Word's
    and python-docx's files the body declares the document element's own namespaces under the same
    prefixes, and elements inside (drawings) declare only namespaces declared nowhere above: then the
    move drops just the body's repeated declarations and renames nothing, so the body is serialized on
    its own, without them, between the serialized halves of the shell. Anything else is moved."""

    _MARK = "docgen-body-d41d8cd98f00b204"

    def __init__(self, document_element: etree._Element) -> None:
        root = etree.fromstring(etree.tostring(document_element))
        body = root.find(W_BODY)
        if body is None:
            raise ValueError("word/document.xml has no w:body")
        body.getparent().replace(body, etree.Comment(self._MARK))
        self._shell = etree.tostring(root)
        whole = etree.tostring(root, encoding="UTF-8", standalone=True)
        self._before, _, self._after = whole.partition(f"<!--{self._MARK}-->".encode())
        self._prefix_of: dict[str, str | None] = {}  # each URI's first prefix on the document element
        for prefix, uri in root.nsmap.items():  # a root element's nsmap: its own declarations, in order
            self._prefix_of.setdefault(uri, prefix)
        # what the body's start tag decides (a root's declarations are all in its tag): every render of
        # one template has the same tag, so it is worked out once
        self._by_tag: dict[bytes, tuple[bytes | None, set[bytes]]] = {}

    def serialize(self, body: etree._Element) -> bytes:
        text = etree.tostring(body, encoding="UTF-8")
        start = text.index(b">")  # the end of the body's start tag: attribute values escape ">"
        found = self._by_tag.get(text[:start])
        if found is None:
            above = {uri.encode() for uri in self._prefix_of} | {uri.encode() for uri in body.nsmap.values()}
            found = (self._without_repeated_declarations(body, text[:start]), above)
            if len(self._by_tag) >= 16:
                self._by_tag.clear()
            self._by_tag[text[:start]] = found
        tag, above = found
        if tag is not None and self._inner_declarations_are_new(text, start, above):
            return b"".join((self._before, tag, text[start:], self._after))
        return self._moved(body)

    def _without_repeated_declarations(self, body: etree._Element, tag: bytes) -> bytes | None:
        for prefix, uri in body.nsmap.items():  # the body is a root too: its own declarations
            if uri not in self._prefix_of:
                continue
            known = self._prefix_of[uri]
            declaration = f' xmlns{":" + prefix if prefix else ""}="{uri}"'.encode()
            if known != prefix or tag.count(declaration) != 1:
                return None
            tag = tag.replace(declaration, b"")
        return tag

    @staticmethod
    def _inner_declarations_are_new(text: bytes, start: int, above: set[bytes]) -> bool:
        """No element inside the body declares a URI declared above it (by the document, the body or
        another element inside; a repeated URI anywhere inside counts, which is stricter)."""
        if text.find(b" xmlns", start) < 0:
            return True
        above = set(above)
        for found in _DECLARATION.finditer(text, start):
            uri = found.group(1)
            if uri in above or b"&" in uri:
                return False
            above.add(uri)
        return True

    def _moved(self, body: etree._Element) -> bytes:
        root = etree.fromstring(self._shell)
        mark = next(node for node in root.iterchildren(etree.Comment) if node.text == self._MARK)
        root.replace(mark, body)
        return etree.tostring(root, encoding="UTF-8", standalone=True)


# --- other parts ---------------------------------------------------------------------------------

def part_source(blob: bytes) -> str:
    """docxtpl's get_part_xml: a header or footer as python-docx holds it, without the declaration."""
    return etree.tostring(parse_xml(blob), encoding="unicode")


def saved_part(xml: str) -> bytes:
    """A rendered header or footer as python-docx loads (XmlPart.load) and saves it."""
    return etree.tostring(parse_xml(xml.encode("utf-8")), encoding="UTF-8", standalone=True)
