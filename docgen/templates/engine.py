"""The sandboxed rendering of a .docx template with a ready context.

What a user typed must come out exactly as typed: the environment (environment.py) escapes every
value and writes braces as character references; newlines and tabs become Word line breaks and tabs
(docxtpl's listing pass, parts.py).

Templates may be uploaded by an office, so rendering assumes a hostile one: the environment is
sandbox.py's (no globals, a short list of filters and attributes, bounded values, loops and output),
the archive's limits hold even when the check was skipped, and whatever goes wrong is
TemplateRejected, in Polish.

The output is the XML docxtpl makes with the same environment (parts.py does docxtpl's steps), made
without python-docx's load and save of the package on every render: what depends only on the
template (its parts' Jinja sources, compiled; which parts hold code; what the others become) is
prepared once per template CONTENT, keyed by its SHA-256, so an overwritten file is never served
from the cache whatever its modification time says; a render then runs only the parts with code and
copies every other member of the archive as it is stored.
"""
from __future__ import annotations

import hashlib
import io
import os
import threading
import zipfile
import zlib
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.coreprops import CoreProperties
from docx.oxml.parser import parse_xml
from jinja2 import Template
from lxml import etree

from ..definition import DocType
from . import parts, repack
from .archive import part_place, require_safe_package
from .environment import make_environment
from .problems import TemplateProblem, TemplateRejected
from .sandbox import TOO_MUCH_OUTPUT, Budget, explain_failure, render_budget

TEMPLATES_DIR = Path(os.environ.get("DOCGEN_TEMPLATES_DIR", Path(__file__).resolve().parents[2] / "templates_docx"))

FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
# the core properties docxtpl renders, in its order
PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")
_PREPARED_TEMPLATES = 32


_ENVIRONMENT = make_environment()


def template_path(doctype: DocType) -> Path:
    return TEMPLATES_DIR / doctype.template


def template_bytes(path: Path) -> bytes:
    """Read on every use: the prepared template is found by content, never by name or time."""
    return path.read_bytes()


BROKEN_RESULT = ("po wypełnieniu {part} nie jest poprawnym dokumentem Word. Zwykle blok {{% if %}} albo "
                 "{{% for %}} zaczyna się w jednym akapicie (albo wierszu tabeli), a kończy w innym: taki blok "
                 "zapisuje się jako {{%p if … %}} … {{%p endif %}} w osobnych akapitach, a w tabeli "
                 "{{%tr for … %}} … {{%tr endfor %}} w osobnych wierszach.")


class _BrokenXml(Exception):
    def __init__(self, part: str):
        super().__init__(part)
        self.part = part


# --- prepared once per template content ---------------------------------------------------------

BODY, HEADER_FOOTER, NOTES = "body", "header or footer", "footnotes"


@dataclass
class _Part:
    """One part docxtpl renders. With code: its compiled template (or why it does not compile).
    Without: its Jinja output's length (for the output budget), whether that is well-formed, and
    the member it always becomes."""

    kind: str
    original: repack.Member
    template: Template | None = None
    refused: tuple[TemplateProblem, ...] = ()
    output_chars: int = 0
    well_formed: bool = True
    result: repack.Member | None = None   # without code: the member it becomes (after one pass)
    rendered: str = ""                    # footnotes without code: their XML after one pass

    @property
    def has_code(self) -> bool:
        return self.result is None

    @property
    def place(self) -> str:
        return part_place(self.original.name)


@dataclass
class _Prepared:
    members: list[repack.Member]
    parts: list[_Part]                     # body, headers, footers: docxtpl's order
    notes: list[_Part]
    shell: parts.BodyShell
    sections: int = 1                      # of the body when it has no code
    properties: repack.Member | None = None  # the core properties' member, when they hold code
    property_templates: dict[str, Template | tuple[TemplateProblem, ...]] = field(default_factory=dict)


def _content(member: repack.Member) -> bytes:
    return member.data if member.method == zipfile.ZIP_STORED else zlib.decompress(member.data, -15)


def _compiled(source: str) -> tuple[Template | None, tuple[TemplateProblem, ...]]:
    """Compiled now; a template that does not compile fails when a render reaches it, as in docxtpl."""
    try:
        return _ENVIRONMENT.compile_part(source), ()
    except TemplateRejected as rejected:
        return None, tuple(rejected.problems)
    except Exception as error:  # noqa: BLE001 - a hostile template may raise anything; say so in Polish
        return None, (explain_failure(error),)


def _well_formed(xml: str) -> bool:
    try:
        parts.require_well_formed(xml)
    except etree.XMLSyntaxError:
        return False
    return True


def _same_or_new(member: repack.Member, content: bytes) -> repack.Member:
    """The template's member when the content did not change (copied as stored), else a new one."""
    return member if content == _content(member) else repack.deflated(content, like=member)


def _prepare(data: bytes) -> _Prepared:
    members = repack.members(data)
    by_name = {member.name: member for member in members}
    document = Document(io.BytesIO(data))
    main = document.part
    shell = parts.BodyShell(document.element)
    prepared = _Prepared(members, [], [], shell)

    def part(kind: str, name: str, source: str) -> _Part:
        entry = _Part(kind, by_name[name])
        if parts.has_code(source):
            entry.template, entry.refused = _compiled(source)
            return entry
        rendered = _ENVIRONMENT.compile_part(source).render({})
        xml = parts.finish(rendered)
        entry.output_chars, entry.well_formed = len(rendered), _well_formed(xml)
        if kind == BODY:
            body = parts.body_tree(xml)
            prepared.sections = parts.section_count(body)
            entry.result = _same_or_new(entry.original, shell.serialize(body))
        elif kind == HEADER_FOOTER:
            entry.result = _same_or_new(entry.original, parts.saved_part(xml))
        else:
            entry.rendered = xml
            entry.result = _same_or_new(entry.original, xml.encode("utf-8"))
        return entry

    body_xml = etree.tostring(document.element.body, encoding="unicode")
    prepared.parts.append(part(BODY, main.partname.membername, parts.jinja_source(parts.patch(body_xml))))
    for reltype in (RT.HEADER, RT.FOOTER):
        for rel in main.rels.values():
            if rel.reltype == reltype and rel.target_part.blob:
                target = rel.target_part
                source = parts.jinja_source(parts.patch(parts.part_source(target.blob)))
                prepared.parts.append(part(HEADER_FOOTER, target.partname.membername, source))
    properties = document.core_properties
    values = {name: getattr(properties, name) or "" for name in PROPERTIES}
    if any(parts.has_code(value) for value in values.values()):
        core = main.package._core_properties_part  # noqa: SLF001 - the part python-docx found
        prepared.properties = by_name[core.partname.membername]
        for name, value in values.items():
            template, refused = _compiled(value)
            prepared.property_templates[name] = template or refused
    for package_part in main.package.iter_parts():
        if package_part.content_type == FOOTNOTES:
            text = _content(by_name[package_part.partname.membername]).decode("utf-8")
            prepared.notes.append(part(NOTES, package_part.partname.membername,
                                       parts.jinja_source(parts.patch(text))))
    return prepared


_PREPARED: OrderedDict[str, _Prepared] = OrderedDict()
_PREPARED_LOCK = threading.Lock()


def _prepared(data: bytes) -> _Prepared:
    """The template prepared for rendering, found by the SHA-256 of its bytes. Only a package that
    passed the archive's limits is prepared, so a prepared one needs no second look."""
    digest = hashlib.sha256(data).hexdigest()
    with _PREPARED_LOCK:
        found = _PREPARED.get(digest)
        if found is not None:
            _PREPARED.move_to_end(digest)
            return found
    require_safe_package(data)  # zip bombs, macros, external links: before anything unpacks it
    found = _prepare(data)
    with _PREPARED_LOCK:  # the web app renders in several threads; two may prepare the same once each
        _PREPARED[digest] = found
        while len(_PREPARED) > _PREPARED_TEMPLATES:
            _PREPARED.popitem(last=False)
    return found


# --- one render ---------------------------------------------------------------------------------

def _spend(budget: Budget, chars: int) -> None:
    """A part without code counts against the output budget as if it had been rendered."""
    budget.output -= chars
    if budget.output < 0:
        raise TemplateRejected([TemplateProblem(TOO_MUCH_OUTPUT)])


def _finished(entry: _Part, rendered: str, strict: bool) -> str:
    xml = parts.finish(rendered)
    if strict:
        try:
            parts.require_well_formed(xml)
        except etree.XMLSyntaxError:
            raise _BrokenXml(entry.place) from None
    return xml


def _first_pass(entry: _Part, budget: Budget, context: dict[str, Any], strict: bool) -> str | None:
    """The part's XML rendered; None for a part without code (its result is known)."""
    if entry.refused:
        raise TemplateRejected(entry.refused)
    if entry.has_code:
        return _finished(entry, entry.template.render(context), strict)
    _spend(budget, entry.output_chars)
    if strict and not entry.well_formed:
        raise _BrokenXml(entry.place)
    return None


def _properties(prepared: _Prepared, context: dict[str, Any]) -> repack.Member:
    """docxtpl's render_properties: the six text properties rendered and set as python-docx sets them."""
    element = parse_xml(_content(prepared.properties))
    properties = CoreProperties(element)
    for name in PROPERTIES:
        template = prepared.property_templates[name]
        if isinstance(template, tuple):
            raise TemplateRejected(template)
        setattr(properties, name, template.render(context))
    return repack.deflated(etree.tostring(element, encoding="UTF-8", standalone=True), like=prepared.properties)


def _notes(entry: _Part, passes: int, budget: Budget, context: dict[str, Any], strict: bool) -> repack.Member:
    """docxtpl renders the footnotes once per section of the document, each pass over the last."""
    xml = _first_pass(entry, budget, context, strict)
    if xml is None:
        if passes == 1:
            return entry.result
        xml = entry.rendered
    for _ in range(passes - 1):
        source = parts.jinja_source(parts.patch(xml))
        xml = _finished(entry, _ENVIRONMENT.from_string(source).render(context), strict)
    return _same_or_new(entry.original, xml.encode("utf-8"))


def _render(prepared: _Prepared, context: dict[str, Any], strict: bool) -> bytes:
    made: dict[str, repack.Member] = {}
    sections = prepared.sections
    with render_budget() as budget:
        for entry in prepared.parts:
            xml = _first_pass(entry, budget, context, strict)
            if xml is None:
                made[entry.original.name] = entry.result
                continue
            if entry.kind == BODY:
                body = parts.body_tree(xml)
                sections = parts.section_count(body)
                content = prepared.shell.serialize(body)
            else:
                content = parts.saved_part(xml)
            made[entry.original.name] = repack.deflated(content, like=entry.original)
        if prepared.properties is not None:
            made[prepared.properties.name] = _properties(prepared, context)
        if sections:  # docxtpl finds the footnotes through the sections
            for entry in prepared.notes:
                made[entry.original.name] = _notes(entry, sections, budget, context, strict)
    return repack.write([made.get(member.name, member) for member in prepared.members])


def render_context(template: Path | bytes, context: dict[str, Any], *, strict_xml: bool = False) -> bytes:
    """Render a ready context into a template; returns the .docx bytes.

    Does not run the template check (render_valid does, for other than built-in templates), yet
    stays safe for any template: raises TemplateRejected rather than run or read anything.
    `strict_xml` (the check's trial render): every rendered part must be well-formed XML, where
    docxtpl would parse the body with recovery and hide a block tag spanning paragraphs.
    """
    if isinstance(template, Path):
        template = template_bytes(template)
    try:
        return _render(_prepared(template), context, strict_xml)
    except TemplateRejected:
        raise
    except _BrokenXml as error:
        raise TemplateRejected([TemplateProblem(BROKEN_RESULT.format(part=error.part))]) from error
    except Exception as error:  # noqa: BLE001 - a hostile template may raise anything; say so in Polish
        raise TemplateRejected([explain_failure(error)]) from error
