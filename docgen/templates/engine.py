"""The sandboxed rendering of a .docx template's XML parts with a ready context.

What a user typed must come out exactly as typed. Three things stand in the
way and are handled here, once for every document type:
- XML special characters: the environment autoescapes every value;
- docxtpl rewrites "{_{", "}_}", "{_%" and "%_}" in the rendered XML: braces
  in values are written as character references, which docxtpl cannot see
  and Word reads back as the same braces;
- newlines and tabs become Word line breaks and tabs (docxtpl's listing pass).

Templates may be uploaded by an office, so rendering assumes a hostile one: the environment is
sandbox.py's (no globals, a short list of filters and attributes, bounded values, loops and output),
the archive's limits hold even when the check was skipped, and whatever goes wrong is
TemplateRejected, in Polish.
"""
from __future__ import annotations

import datetime as dt
import functools
import io
import os
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate
from jinja2 import StrictUndefined
from lxml import etree
from markupsafe import Markup, escape

from ..definition import DocType
from ..formatting import date_long
from .archive import part_place, require_safe_package
from .problems import TemplateProblem, TemplateRejected
from .sandbox import HardenedEnvironment, explain_failure, render_budget

TEMPLATES_DIR = Path(os.environ.get("DOCGEN_TEMPLATES_DIR", Path(__file__).resolve().parents[2] / "templates_docx"))

_BRACES = str.maketrans({"{": "&#123;", "}": "&#125;"})


def _finalize(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "tak" if value else "nie"
    if isinstance(value, dt.date):
        value = date_long(value)
    return Markup(str(escape(value)).translate(_BRACES))


class _CompilingOnceSandbox(HardenedEnvironment):
    """docxtpl hands every part of the template to `from_string` on each render; compiling
    the same XML again is most of the work, so compiled templates are kept by their source."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._compiled: dict[str, Any] = {}

    def from_string(self, source, globals=None, template_class=None):  # noqa: A002 (Jinja's name)
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        template = self._compiled.get(source)
        if template is None:
            if len(self._compiled) >= 256:
                self._compiled.clear()
            template = self._compiled[source] = super().from_string(source)
        return template


def make_environment() -> HardenedEnvironment:
    """The filters `data` and `data_krotka` come with HardenedEnvironment (the check knows them there)."""
    return _CompilingOnceSandbox(autoescape=True, undefined=StrictUndefined, finalize=_finalize)


_ENVIRONMENT = make_environment()


class _Template(DocxTemplate):
    """docxtpl re-cleans the same template XML on every render; the result depends only on it."""

    def patch_xml(self, src_xml: str) -> str:
        return _patched_xml(src_xml)


@functools.lru_cache(maxsize=64)
def _patched_xml(src_xml: str) -> str:
    return DocxTemplate.patch_xml(None, src_xml)


class _BrokenXml(Exception):
    def __init__(self, part: str, error: Exception):
        super().__init__(f"{part}: {error}")
        self.part = part


class _StrictXmlTemplate(_Template):
    """For the template check's trial render: every rendered part must be well-formed XML (docxtpl
    parses the body with recover=True, which would hide a block tag spanning paragraphs)."""

    def render_xml_part(self, src_xml, part, context, jinja_env=None):
        xml = super().render_xml_part(src_xml, part, context, jinja_env)
        try:
            etree.fromstring(xml.encode("utf-8"))
        except etree.XMLSyntaxError as error:
            raise _BrokenXml(part_place(str(part.partname).lstrip("/")), error) from None
        return xml


BROKEN_RESULT = ("po wypełnieniu {part} nie jest poprawnym dokumentem Word. Zwykle blok {{% if %}} albo "
                 "{{% for %}} zaczyna się w jednym akapicie (albo wierszu tabeli), a kończy w innym: taki blok "
                 "zapisuje się jako {{%p if … %}} … {{%p endif %}} w osobnych akapitach, a w tabeli "
                 "{{%tr for … %}} … {{%tr endfor %}} w osobnych wierszach.")


@functools.lru_cache(maxsize=32)
def _template_bytes(path: Path, mtime: float) -> bytes:
    return path.read_bytes()


def template_path(doctype: DocType) -> Path:
    return TEMPLATES_DIR / doctype.template


def template_bytes(path: Path) -> bytes:
    return _template_bytes(path, path.stat().st_mtime)


def render_context(template: Path | bytes, context: dict[str, Any], *, strict_xml: bool = False) -> bytes:
    """Render a ready context into a template; returns the .docx bytes.

    Does not run the template check (render_valid does, for other than built-in templates), yet
    stays safe for any template: raises TemplateRejected rather than run or read anything.
    """
    if isinstance(template, Path):
        template = template_bytes(template)
    require_safe_package(template)  # zip bombs, macros, external links: before python-docx unpacks it
    document = (_StrictXmlTemplate if strict_xml else _Template)(io.BytesIO(template))
    out = io.BytesIO()
    try:
        with render_budget():
            document.render(context, _ENVIRONMENT, autoescape=True)
            document.save(out)
    except TemplateRejected:
        raise
    except _BrokenXml as error:
        raise TemplateRejected([TemplateProblem(BROKEN_RESULT.format(part=error.part))]) from error
    except Exception as error:  # noqa: BLE001 - a hostile template may raise anything; say so in Polish
        raise TemplateRejected([explain_failure(error)]) from error
    return out.getvalue()
