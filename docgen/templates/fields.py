"""Word fields in a template and in what it renders: only a short allow-list may be there.

Word updates fields when a document is opened, printed or on F9, and some of them reach outside the
document: INCLUDEPICTURE, INCLUDETEXT, LINK and IMPORT fetch a file or a web address (with whatever
the template put in it, family data included), DDE and DDEAUTO start a program, DATABASE queries one,
ASK and FILLIN prompt, MACROBUTTON runs a macro. So every field is refused unless its code is one of:

- PAGE, NUMPAGES, SECTIONPAGES, SECTION: page and section numbers, computed from the document's layout;
- DATE, TIME, CREATEDATE, SAVEDATE, PRINTDATE: dates the document or the computer knows;
- SEQ, REF, PAGEREF, NOTEREF, TOC: numbering and cross-references to the document's own bookmarks and
  headings, which name nothing outside it;
- HYPERLINK only to a bookmark of the document (`HYPERLINK \\l "zakładka"`), never to an address.

None of these reads a file, an address, a database or a program, or asks anything. A field's code is
what Word reads: the text of its w:instrText elements between w:fldChar begin and separate (or end),
joined over runs (Word splits them as it likes), compared ignoring case; or a w:fldSimple's w:instr.
Nested fields are each judged on their own. The scan runs on the template's parts (archive.py) and on
every part a render produced (engine.py), where Jinja may have written the code
(`{{ "INCLUDE" ~ "PICTURE" }}`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from lxml import etree

ALLOWED = ("PAGE", "NUMPAGES", "SECTIONPAGES", "SECTION", "DATE", "TIME", "CREATEDATE", "SAVEDATE", "PRINTDATE",
           "SEQ", "REF", "PAGEREF", "NOTEREF", "TOC", "HYPERLINK")
# fields that reach outside the document, named so in the message
REACHING_OUT = frozenset({"INCLUDEPICTURE", "INCLUDETEXT", "INCLUDE", "LINK", "IMPORT", "DDE", "DDEAUTO",
                          "DATABASE", "MACROBUTTON", "AUTOTEXT", "AUTOTEXTLIST", "ASK", "FILLIN", "PRINT",
                          "MERGEFIELD", "NEXT", "NEXTIF", "SKIPIF", "MERGEREC", "MERGESEQ", "ADDRESSBLOCK",
                          "GREETINGLINE", "DOCVARIABLE", "USERADDRESS", "USERNAME", "USERINITIALS",
                          "FILENAME"})
# a HYPERLINK's switches that take a value and stay inside the document: \l bookmark, \o tooltip, \t frame
_HYPERLINK_VALUE_SWITCHES = frozenset({"\\L", "\\O", "\\T"})

_TOKEN = re.compile(r'"[^"]*"?|\S+')
_TEMPLATE_CODE = ("{{", "{%", "}}", "%}")
NESTED = "{…}"  # where a field's instruction holds another field: Word would build the code from its result
_SAFE_ENCODINGS = re.compile(rb"^(utf-?8|us-ascii|ascii|iso-8859-\d+|windows-125\d)$", re.IGNORECASE)
_DECLARED_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']*)["']""")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=True)

ALLOWED_TEXT = ", ".join(ALLOWED[:-1]) + " oraz HYPERLINK do zakładki w dokumencie"


@dataclass(frozen=True)
class ForbiddenField:
    """A field that may not be in a document: its code (upper case), the text of its instruction, and
    where it begins ("akapit 12", "tabela 2"; empty when the part has no body)."""

    code: str
    instruction: str
    block: str

    def message(self, rendered: bool) -> str:
        """Why the field is refused, in Polish; `rendered`: it appeared in what a render produced."""
        if NESTED in self.instruction:
            what = ("ma kod złożony z wyniku innych pól, więc może stać się dowolnym polem; pola wpisuje się "
                    "w Wordzie wprost")
        elif any(mark in self.instruction for mark in _TEMPLATE_CODE):
            what = ("ma w kodzie znaczniki szablonu ({{ }} albo {% %}); kodu pola nie może tworzyć szablon – "
                    "wstaw w Wordzie samo pole, np. PAGE")
        elif self.code == "HYPERLINK":
            what = "prowadzi poza dokument (wolno tylko odsyłać do zakładki w dokumencie)"
        elif self.code in REACHING_OUT:
            what = "pobiera dane z zewnątrz, uruchamia program albo o coś pyta"
        else:
            what = "nie jest dozwolone w szablonie"
        field = f"pole Worda {self.code or '(bez nazwy)'}"
        allowed_fields = f"dozwolone są tylko pola {ALLOWED_TEXT}"
        if rendered:
            return f"Po wypełnieniu szablonu powstaje {field}, które {what}; {allowed_fields}."
        return f"{field[0].upper()}{field[1:]} {what}; {allowed_fields}. Usuń je z szablonu."


def _local(name: object) -> str:
    return name.rsplit("}", 1)[-1] if isinstance(name, str) else ""


def _attribute(element: etree._Element, local: str) -> str | None:
    for name, value in element.attrib.items():
        if _local(name) == local:
            return value
    return None


def field_code(instruction: str) -> str:
    """The field's name: the first word of its instruction, in upper case ("" for an empty one)."""
    tokens = _TOKEN.findall(instruction)
    return tokens[0].strip('"').upper()[:40] if tokens else ""


def allowed(instruction: str) -> bool:
    if NESTED in instruction or any(mark in instruction for mark in _TEMPLATE_CODE):
        return False
    tokens = _TOKEN.findall(instruction)
    if not tokens:
        return True  # an empty field shows nothing and does nothing
    code = tokens[0].strip('"').upper()
    if code not in ALLOWED:
        return False
    if code == "HYPERLINK":
        rest = iter(tokens[1:])
        for token in rest:
            if not token.startswith("\\"):
                return False  # a target: an address or a file
            if token.upper() in _HYPERLINK_VALUE_SWITCHES:
                next(rest, None)
    return True


def might_hold_fields(xml: bytes | str) -> bool:
    """False only when the part certainly holds no field: ASCII-compatible text without the names of the
    field elements. A part in UTF-16 or an unusual encoding is parsed to be sure."""
    if isinstance(xml, str):
        return "instrText" in xml or "fldSimple" in xml
    if not xml.startswith((b"<", b"\xef\xbb\xbf<")):
        return True
    declared = _DECLARED_ENCODING.match(xml.removeprefix(b"\xef\xbb\xbf")[:200])
    if declared and not _SAFE_ENCODINGS.match(declared.group(1)):
        return True
    return b"instrText" in xml or b"fldSimple" in xml


def _block_of(element: etree._Element) -> str:
    """Where in the body the element is: "akapit N" or "tabela N" of the body's top-level blocks."""
    chain = element
    while chain.getparent() is not None and _local(chain.getparent().tag) != "body":
        chain = chain.getparent()
    parent = chain.getparent()
    if parent is None:
        return ""
    kind = _local(chain.tag)
    if kind not in ("p", "tbl"):
        return ""
    number = 1 + sum(1 for sibling in chain.itersiblings(preceding=True) if _local(sibling.tag) == kind)
    return f"{'akapit' if kind == 'p' else 'tabela'} {number}"


def forbidden_fields(xml: bytes | str) -> list[ForbiddenField]:
    """Every field of the part that is not allowed, in document order."""
    if not might_hold_fields(xml):
        return []
    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError:
        root = None
    if root is None:
        return []  # nothing Word could read either; the package check names a broken part
    return [field for field in _fields(root) if not allowed(field.instruction)]


def _fields(root: etree._Element) -> Iterator[ForbiddenField]:
    open_fields: list[tuple[list[str], etree._Element, list[bool]]] = []  # (instruction, start, [collecting])

    def finished(parts: list[str], start: etree._Element) -> ForbiddenField:
        instruction = " ".join("".join(parts).split())
        return ForbiddenField(field_code(instruction), instruction, _block_of(start))

    for element in root.iter():
        kind = _local(element.tag)
        if kind == "fldChar":
            state = (_attribute(element, "fldCharType") or "").lower()
            if state == "begin":
                if open_fields and open_fields[-1][2][0]:
                    open_fields[-1][0].append(f" {NESTED} ")
                open_fields.append(([], element, [True]))
            elif state == "separate" and open_fields and open_fields[-1][2][0]:
                parts, start, collecting = open_fields[-1]
                collecting[0] = False
                yield finished(parts, start)
            elif state == "end" and open_fields:
                parts, start, collecting = open_fields.pop()
                if collecting[0]:
                    yield finished(parts, start)
        elif kind in ("instrText", "delInstrText"):
            if open_fields and open_fields[-1][2][0]:
                open_fields[-1][0].append(element.text or "")
            else:  # outside any field: judged on its own
                yield finished([element.text or ""], element)
        elif kind == "fldSimple":
            yield finished([_attribute(element, "instr") or ""], element)
    for parts, start, collecting in open_fields:  # never closed
        if collecting[0]:
            yield finished(parts, start)
