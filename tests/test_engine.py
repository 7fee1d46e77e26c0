"""The fast renderer (docgen/templates/engine.py) against docxtpl with the same environment: the same
XML in every part docxtpl renders, the template's other members copied as they are stored, and a
template overwritten with its old modification time never served from the cache."""
from __future__ import annotations

import copy
import io
import os
import re
import shutil
import struct
import subprocess
import zipfile
import zlib

import pytest
from docx import Document
from docx.oxml.parser import parse_xml
from docx.shared import Cm
from docxtpl import DocxTemplate
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from pypdf import PdfReader

from docgen.context import Letterhead, build_context
from docgen.doctypes import DOCTYPES
from docgen.doctypes.work_plan import WORK_PLAN
from docgen.templates import parts, repack
from docgen.templates.engine import make_environment, render_context, template_path
from docgen.validate import require_valid
from test_render import TRICKY, VALUES

ENVIRONMENT = make_environment()
LETTERHEAD = Letterhead(name="MOPS „Lipowiec” & <Filia> {{ nr }}", address="ul. Mickiewicza 5\tlok. 2",
                        city="Lipowiec Mazurski", phone="89 755 12 34", email="a&b@mops.example.pl")
HOSTILE = "".join(TRICKY)
RENDERED = ("word/document.xml", "word/header", "word/footer", "word/footnotes.xml", "docProps/core.xml")
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def context_of(doctype, data, letterhead=LETTERHEAD):
    return build_context(doctype, require_valid(doctype, data), letterhead=letterhead, case_number="MOPS.AR.4101.7.2026")


def hostile_plan() -> dict:
    data = copy.deepcopy(WORK_PLAN.example())
    data["family_name"] = "Zawadzcy & <syn> „{{ 7*7 }}” {%p if x %} 😀"
    data["strengths"] = HOSTILE
    data["main_goal"] = "a\tb\nc\n\nd {#x#} \"cytat\" 'apostrof'"
    data["actions"][0]["responsible"] = HOSTILE
    data["actions"][1]["action"] = "Linia 1\nLinia 2\tpo tabulatorze </w:t></w:r></w:p> ]]> &amp;"
    return data


def docxtpl_render(template: bytes, context: dict) -> bytes:
    document = DocxTemplate(io.BytesIO(template))
    document.render(context, ENVIRONMENT, autoescape=True)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def assert_same_xml_as_docxtpl(template: bytes, context: dict) -> zipfile.ZipFile:
    ours = zipfile.ZipFile(io.BytesIO(render_context(template, context)))
    theirs = zipfile.ZipFile(io.BytesIO(docxtpl_render(template, context)))
    assert ours.testzip() is None
    names = [name for name in theirs.namelist() if name.startswith(RENDERED)]
    assert "word/document.xml" in names and any(name.startswith("word/footer") for name in names)
    for name in names:
        if name == "docProps/core.xml" and not _properties_have_code(template):
            continue  # docxtpl adds empty elements for properties the template leaves out; nothing to render
        assert ours.read(name) == theirs.read(name), name
    return ours


def _properties_have_code(template: bytes) -> bool:
    return b"{{" in zipfile.ZipFile(io.BytesIO(template)).read("docProps/core.xml")


# --- the same XML as docxtpl --------------------------------------------------------------------

@pytest.mark.parametrize("doctype", DOCTYPES.values(), ids=list(DOCTYPES))
def test_every_type_renders_the_xml_docxtpl_renders(doctype):
    template = template_path(doctype).read_bytes()
    output = assert_same_xml_as_docxtpl(template, context_of(doctype, doctype.example()))
    # what the render did not touch is the template's member as stored, not unpacked and packed again
    stored = {member.name: member.data for member in repack.members(template)}
    copied = {member.name: member.data for member in repack.members(output.fp.getvalue())}
    assert copied.keys() == stored.keys()
    assert copied["word/styles.xml"] == stored["word/styles.xml"]
    assert copied["word/document.xml"] != stored["word/document.xml"]


def test_hostile_text_renders_the_xml_docxtpl_renders():
    output = assert_same_xml_as_docxtpl(template_path(WORK_PLAN).read_bytes(), context_of(WORK_PLAN, hostile_plan()))
    text = "\n".join(paragraph.text for paragraph in Document(io.BytesIO(output.fp.getvalue())).paragraphs)
    assert "Zawadzcy & <syn> „{{ 7*7 }}” {%p if x %} 😀" in text
    assert "a\tb\nc\n\nd {#x#} \"cytat\" 'apostrof'" in text


@settings(max_examples=25, deadline=None)
@given(name=VALUES, textarea=VALUES, cell=VALUES, office=VALUES)
def test_any_text_renders_the_xml_docxtpl_renders(name, textarea, cell, office):
    data = copy.deepcopy(WORK_PLAN.example())
    data["family_name"], data["strengths"], data["actions"][0]["action"] = name, textarea, cell
    letterhead = Letterhead(name=office, address=office, city="Lipowiec")
    assert_same_xml_as_docxtpl(template_path(WORK_PLAN).read_bytes(), context_of(WORK_PLAN, data, letterhead))


def _png() -> bytes:
    """A 2×2 red PNG, made here so the test needs no image file."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
FOOTNOTES = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<w:footnotes xmlns:w="{W}">'
             '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
             '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p>'
             '</w:footnote><w:footnote w:id="1"><w:p><w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
             '<w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> Przypis ośrodka: {{ office.city }}, '
             '{{ family_name }}</w:t></w:r></w:p></w:footnote></w:footnotes>')


def office_template() -> bytes:
    """An office's own work plan with code wherever docxtpl renders: a header with a tab, the footer,
    the title and subject, a footnote, a picture (drawing ids), a table whose columns a loop makes
    (docxtpl's fix_tables) and a second section (docxtpl renders the footnotes once per section)."""
    document = Document(io.BytesIO(template_path(WORK_PLAN).read_bytes()))
    section = document.sections[0]
    section.header.is_linked_to_previous = False
    section.header.paragraphs[0].text = "{{ office.name }}\tZnak: {{ case_number }}"
    section.footer.add_paragraph("{{ document_title }} – rodzina {{ family_name }}")
    document.core_properties.title = "{{ document_title }} {{ case_number }}"
    document.core_properties.subject = "Rodzina {{ family_name }}"
    document.add_picture(io.BytesIO(_png()), width=Cm(1))
    paragraph = document.add_paragraph("Osoby: ")
    paragraph.add_run("przypis")._r.append(etree.fromstring(
        f'<w:footnoteReference xmlns:w="{W}" w:id="1"/>'))
    table = document.add_table(rows=1, cols=3)
    for cell, text in zip(table.rows[0].cells, ("{%tc for m in members %}", "{{ m.first_name }}", "{%tc endfor %}")):
        cell.text = text
    document.add_section()
    document.add_paragraph("Druga sekcja: {{ family_name }}")
    out = io.BytesIO()
    document.save(out)
    with zipfile.ZipFile(out) as source:
        members = {name: source.read(name) for name in source.namelist()}
    members["word/footnotes.xml"] = FOOTNOTES.encode()
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-'
                     b'officedocument.wordprocessingml.footnotes+xml"/></Types>')
    members["word/_rels/document.xml.rels"] = members["word/_rels/document.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rIdNotes" Type="http://schemas.openxmlformats.org/officeDocument/'
                             b'2006/relationships/footnotes" Target="footnotes.xml"/></Relationships>')
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as target:
        for name, blob in members.items():
            target.writestr(name, blob)
    return packed.getvalue()


@pytest.fixture(scope="module")
def office():
    return office_template()


def test_office_template_with_code_in_every_part_renders_the_xml_docxtpl_renders(office):
    output = assert_same_xml_as_docxtpl(office, context_of(WORK_PLAN, hostile_plan()))
    rendered = Document(io.BytesIO(output.fp.getvalue()))
    assert rendered.core_properties.title == "Plan pracy z rodziną MOPS.AR.4101.7.2026"
    assert rendered.sections[0].header.paragraphs[0].text.startswith("MOPS „Lipowiec” & <Filia> {{ nr }}\tZnak: ")
    assert [cell.text for cell in rendered.tables[-1].rows[0].cells] == [m["first_name"] for m in
                                                                        WORK_PLAN.example()["members"]]
    assert "Przypis ośrodka: Lipowiec Mazurski" in output.read("word/footnotes.xml").decode()


def _unseekable_zip(members: dict[str, bytes], stored: set[str]) -> bytes:
    """What a streaming zip writer makes: sizes in data descriptors after each member, some stored."""
    class Stream(io.RawIOBase):
        def __init__(self):
            self.data = bytearray()

        def writable(self):
            return True

        def write(self, chunk):
            self.data += chunk
            return len(chunk)

    stream = Stream()
    with zipfile.ZipFile(stream, "w") as target:
        for name, blob in members.items():
            target.writestr(name, blob, zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED)
    return bytes(stream.data)


def test_a_template_zipped_by_another_tool_renders_the_same(office):
    with zipfile.ZipFile(io.BytesIO(office)) as source:
        members = {name: source.read(name) for name in source.namelist()}
    streamed = _unseekable_zip(members, stored={"word/document.xml", "word/styles.xml"})
    assert any(info.flag_bits & 0x08 for info in zipfile.ZipFile(io.BytesIO(streamed)).infolist())
    output = assert_same_xml_as_docxtpl(streamed, context_of(WORK_PLAN, WORK_PLAN.example()))
    assert Document(io.BytesIO(output.fp.getvalue())).paragraphs[-1].text == "Druga sekcja: Zawadzcy"


# --- docxtpl's steps, done faster, agree with docxtpl's own -------------------------------------

LISTING_TOKENS = ["<w:p>", "<w:p w:rsidR=\"1\">", "</w:p>", "<w:pPr><w:jc w:val=\"left\"/></w:pPr>", "<w:r>",
                  "</w:r>", "<w:rPr><w:b/></w:rPr>", "<w:t>", "<w:t xml:space=\"preserve\">", "</w:t>", "tekst",
                  "\n", "\t", "\a", "\f", "<w:p", " ", ">", "<", "{_{", "}_}", "{_%", "%_}", "_", "{", "%", "}"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(LISTING_TOKENS), max_size=30).map("".join))
def test_after_jinja_as_docxtpl(rendered):
    """docxtpl's render_xml_part after Jinja: paragraph lines joined, escapes, line breaks and tabs."""
    xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", rendered)
    xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
    assert parts.finish(rendered) == DocxTemplate.resolve_listing(None, xml)


def _table(grid: list[int], rows: list[list[int]]) -> str:
    def cell(span: int) -> str:
        properties = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
        return f"<w:tc><w:tcPr>{properties}</w:tcPr><w:p/></w:tc>"

    cells = "".join("<w:tr>" + "".join(map(cell, row)) + "</w:tr>" for row in rows)
    columns = "".join(f'<w:gridCol w:w="{width}"/>' for width in grid)
    return f"<w:tbl><w:tblGrid>{columns}</w:tblGrid>{cells}</w:tbl>"


TABLES = st.tuples(st.lists(st.integers(100, 3000), min_size=1, max_size=5),
                   st.lists(st.lists(st.integers(1, 3), max_size=6), max_size=4)).map(lambda t: _table(*t))


@settings(max_examples=200, deadline=None)
@given(st.lists(TABLES, min_size=1, max_size=3))
def test_table_grids_as_docxtpl_fixes_them(tables):
    body = (f'<w:body xmlns:w="{W}" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing">'
            + "".join(tables) + "<w:sectPr/></w:body>")
    theirs = DocxTemplate.fix_tables(None, body)
    assert etree.tostring(parts.body_tree(body)) == etree.tostring(theirs)


def _document_element() -> etree._Element:
    return parse_xml(f'<w:document xmlns:w="{W}" xmlns:r="urn:r"><w:body><w:p/></w:body></w:document>'.encode())


@pytest.mark.parametrize("declarations, inner", [
    ("", ""),                                         # Word and python-docx: the document's own namespaces
    ("", ' xmlns:pic="urn:picture"'),                 # a drawing declaring a namespace of its own
    (' xmlns:x="urn:extra"', ""),                     # one the document element does not declare: it stays
    (' xmlns:rel="urn:r"', ""),                       # the document's URI under another prefix: renamed
    ("", ' xmlns:rel="urn:r"'),                       # the same, inside the body
    (' xmlns:x="urn:extra"', ' xmlns:y="urn:extra"'),  # inside, a URI the body declared
    (' xmlns="urn:default"', ""),                     # a default namespace
])
def test_the_body_goes_into_the_document_as_docxtpl_puts_it(declarations, inner):
    xml = (f'<w:body xmlns:w="{W}" xmlns:r="urn:r"{declarations}><w:p><w:r><w:t>ą &amp; &lt; "</w:t></w:r></w:p>'
           f'<w:p{inner}/><w:sectPr/></w:body>')
    shell = parts.BodyShell(_document_element())
    theirs = _document_element()  # docxtpl's map_tree, then python-docx's save
    theirs.replace(theirs[0], DocxTemplate.fix_tables(None, xml))
    expected = etree.tostring(theirs, encoding="UTF-8", standalone=True)
    assert shell.serialize(parts.body_tree(xml)) == expected


def test_one_shell_serializes_bodies_with_the_same_start_tag_each_as_docxtpl_does():
    """The shell works out a body's start tag once; what is inside the body is read every time."""
    shell = parts.BodyShell(_document_element())
    for inner in ("", ' xmlns:rel="urn:r"', ' xmlns:pic="urn:picture"', ' xmlns:rel="urn:r"', ""):
        xml = f'<w:body xmlns:w="{W}" xmlns:r="urn:r"><w:p{inner}/><w:sectPr/></w:body>'
        theirs = _document_element()
        theirs.replace(theirs[0], DocxTemplate.fix_tables(None, xml))
        assert shell.serialize(parts.body_tree(xml)) == etree.tostring(theirs, encoding="UTF-8", standalone=True)


# --- the cache ---------------------------------------------------------------------------------

def _stored_with_heading(text: str) -> bytes:
    """The work plan with `text` as its first paragraph, every member stored: same length, same size."""
    with zipfile.ZipFile(io.BytesIO(template_path(WORK_PLAN).read_bytes())) as source:
        members = {name: source.read(name) for name in source.namelist()}
    xml = members["word/document.xml"].decode()
    members["word/document.xml"] = xml.replace("{{ office.name }}", text, 1).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as target:
        for name, blob in members.items():
            target.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), blob)
    return out.getvalue()


def test_a_template_overwritten_with_its_old_times_is_not_served_stale(tmp_path):
    """`cp -p`, `rsync -t` and unzip keep the old modification time; size and inode stay too."""
    path = tmp_path / "plan.docx"
    first, second = _stored_with_heading("Ośrodek, wersja A"), _stored_with_heading("Ośrodek, wersja B")
    assert len(first) == len(second) and first != second
    path.write_bytes(first)
    context = context_of(WORK_PLAN, WORK_PLAN.example())
    assert Document(io.BytesIO(render_context(path, context))).paragraphs[0].text == "Ośrodek, wersja A"
    before = path.stat()
    with open(path, "r+b") as handle:  # in place, as cp does: the same inode
        handle.write(second)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_ino, after.st_size, after.st_mtime_ns) == (before.st_ino, before.st_size, before.st_mtime_ns)
    assert Document(io.BytesIO(render_context(path, context))).paragraphs[0].text == "Ośrodek, wersja B"


# --- LibreOffice opens it ------------------------------------------------------------------------

@pytest.mark.skipif(SOFFICE is None and not os.environ.get("CI"), reason="LibreOffice is not installed")
def test_libreoffice_prints_the_office_template_with_hostile_text(office, tmp_path):
    source = tmp_path / "plan.docx"
    source.write_bytes(render_context(office, context_of(WORK_PLAN, hostile_plan())))
    subprocess.run([SOFFICE, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path / 'profile'}",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=180)
    text = "\n".join(page.extract_text() for page in PdfReader(tmp_path / "plan.pdf").pages)
    assert "MOPS „Lipowiec” & <Filia> {{ nr }}" in text                    # the header
    assert "Zawadzcy & <syn> „{{ 7*7 }}” {%p if x %}" in text               # the body
    assert "Przypis ośrodka: Lipowiec Mazurski" in text                     # the footnote
    assert "Druga sekcja: Zawadzcy & <syn>" in text                         # the second section
    assert "Anna" in text and "Kacper" in text                              # the columns the loop made
