"""The Jinja environment documents are rendered in: sandbox.py's, with the finalizer that prints values.

What a user typed must come out exactly as typed:
- XML special characters: every value is escaped (the finalizer does it, so Jinja need not again);
- docxtpl rewrites "{_{", "}_}", "{_%" and "%_}" in the rendered XML: braces in values are written as
  character references, which docxtpl cannot see and Word reads back as the same braces;
- None prints nothing, booleans "tak"/"nie", dates in words.
"""
from __future__ import annotations

import datetime as dt
import functools
import threading
from typing import Any

from jinja2 import StrictUndefined, Template
from markupsafe import Markup, escape

from ..formatting import date_long
from .sandbox import GuardedCodeGenerator, HardenedEnvironment

_BRACES = str.maketrans({"{": "&#123;", "}": "&#125;"})


def _finalize(value: Any) -> Any:
    """Every printed value: escaped for XML, braces as references; nothing for None, "tak"/"nie", dates in words."""
    if isinstance(value, str):
        text = escape(value)
        return Markup(str(text).translate(_BRACES)) if "{" in text or "}" in text else text
    if value is None:
        return ""
    if isinstance(value, bool):
        return "tak" if value else "nie"
    if isinstance(value, dt.date):
        value = _date_long(value)
    return Markup(str(escape(value)).translate(_BRACES))


_date_long = functools.lru_cache(maxsize=4096)(date_long)  # Babel's formatting is most of a date's cost


class _EscapedByFinalize(GuardedCodeGenerator):
    """Outputs as `environment.finalize(value)` instead of Jinja's `escape(environment.finalize(value))`:
    _finalize escapes every value itself (its only unescaped results are "", "tak" and "nie"), so Jinja's
    second escape only copied the text again, for every value of every row. Anywhere autoescape could be
    switched (refused by the sandbox) or without a finalizer, Jinja's own code stays."""

    def _output_child_pre(self, node: Any, frame: Any, finalize: Any) -> None:
        if frame.eval_ctx.volatile or not frame.eval_ctx.autoescape or finalize.src is None:
            super()._output_child_pre(node, frame, finalize)
        else:
            self.write(finalize.src)

    def _output_child_post(self, node: Any, frame: Any, finalize: Any) -> None:
        if frame.eval_ctx.volatile or not frame.eval_ctx.autoescape or finalize.src is None:
            super()._output_child_post(node, frame, finalize)
        else:
            self.write(")")


class _CompilingOnceSandbox(HardenedEnvironment):
    """Compiled templates kept by their source, for what is compiled while rendering (properties,
    a second pass over footnotes) and for docxtpl itself, which hands every part to `from_string`."""

    code_generator_class = _EscapedByFinalize

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._compiled: dict[str, Any] = {}
        self._lock = threading.Lock()

    def from_string(self, source, globals=None, template_class=None):  # noqa: A002 (Jinja's name)
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        template = self._compiled.get(source)
        if template is None:
            template = super().from_string(source)
            with self._lock:
                if len(self._compiled) >= 256:
                    self._compiled.clear()
                self._compiled[source] = template
        return template

    def compile_part(self, source: str) -> Template:
        """A template part compiled for a prepared template, which keeps it (not this cache)."""
        return super().from_string(source)


def make_environment() -> _CompilingOnceSandbox:
    """The filters `data` and `data_krotka` come with HardenedEnvironment (the check knows them there)."""
    return _CompilingOnceSandbox(autoescape=True, undefined=StrictUndefined, finalize=_finalize)
