"""Making a document: validate the data, build what the template sees, check an office's own
template, render.

The pieces live below this module and never import it: docgen.context (the template's variables),
docgen.templates.check (an uploaded template's check) and docgen.templates.engine (the sandboxed
rendering). A template other than the type's built-in one must pass the check.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from .context import Letterhead, build_context
from .definition import DocType
from .templates.check import require_valid_template
from .templates.engine import render_context, template_bytes, template_path
from .validate import require_valid


def _built_in(template: Path | bytes, doctype: DocType) -> bool:
    """The type's own template as shipped: trusted, rendered without the check (the fast path)."""
    return isinstance(template, Path) and template == template_path(doctype)


def render(doctype: DocType, data: dict[str, Any], *, letterhead: Letterhead, case_number: str,
           template: Path | bytes | None = None) -> bytes:
    """Validate, build the context and render. Raises DataInvalid on bad data, TemplateRejected
    when `template` (other than the type's built-in one) fails the template check."""
    return render_valid(doctype, require_valid(doctype, data), letterhead=letterhead, case_number=case_number,
                        template=template)


def render_valid(doctype: DocType, clean: dict[str, Any], *, letterhead: Letterhead, case_number: str,
                 template: Path | bytes | None = None) -> bytes:
    """Render data that `require_valid` has already returned; any template but the type's built-in
    one must pass the template check (TemplateRejected lists its problems)."""
    source = template or template_path(doctype)
    if not _built_in(source, doctype):
        source = source if isinstance(source, bytes) else template_bytes(source)
        require_valid_template(source, doctype)
    context = build_context(doctype, clean, letterhead=letterhead, case_number=case_number)
    return render_context(source, context)
