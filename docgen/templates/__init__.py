"""Word templates of the document types: checking an uploaded one, rendering any one safely, the guide.

The API the web app (and the CLI) builds on:
- check_template(data, doctype) -> list[TemplateProblem]: everything wrong, in Polish, with places;
- require_valid_template(data, doctype): the same as TemplateRejected, remembered by digest;
- TemplateProblem (place, message, snippet; str() for people), TemplateRejected (.problems);
- template_guide(doctype) / templates_guide(): the Polish guide as Markdown (docs/szablony.md);
- the limits: MAX_TEMPLATE_BYTES, MAX_ENTRIES, MAX_UNCOMPRESSED_BYTES, MAX_COMPRESSION_RATIO,
  MAX_VALUE_CHARS, MAX_OUTPUT_CHARS, MAX_LOOP_ITERATIONS.
`docgen.render.render(..., template=bytes)` refuses a template that fails the check; engine.py renders
any template safely (`render_context`), the check's trial render included.
"""
from __future__ import annotations

from .archive import MAX_COMPRESSION_RATIO, MAX_ENTRIES, MAX_TEMPLATE_BYTES, MAX_UNCOMPRESSED_BYTES
from .check import check_template, checked_problems, require_valid_template
from .guide import template_guide, templates_guide
from .problems import TemplateProblem, TemplateRejected
from .sandbox import MAX_LOOP_ITERATIONS, MAX_OUTPUT_CHARS, MAX_VALUE_CHARS

__all__ = [
    "MAX_COMPRESSION_RATIO", "MAX_ENTRIES", "MAX_LOOP_ITERATIONS", "MAX_OUTPUT_CHARS", "MAX_TEMPLATE_BYTES",
    "MAX_UNCOMPRESSED_BYTES", "MAX_VALUE_CHARS", "TemplateProblem", "TemplateRejected", "check_template",
    "checked_problems", "require_valid_template", "template_guide", "templates_guide",
]
