"""The types shipped as data: every office has them, published, from the start, and may change them.

Each is a definition in shipped/<id>.json and a Word template templates_docx/<id>.docx (built by
tools/build_templates.py like the built-in ones). They go through exactly the path an office's own
type takes (the definition format, docgen/custom/definition.py), so an office edits one like any type
of its own: its new version replaces the shipped one for that office, which can always go back to it.
Unlike an upload, a shipped template is part of the program, trusted like the built-in templates.
"""
from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

from ..definition import DocType
from .definition import doctype_from_definition

FOLDER = Path(__file__).resolve().parent / "shipped"
# in the order "Nowy dokument" offers them, after the built-in types
ORDER = ("notatka_sluzbowa", "pismo_do_instytucji", "informacja_rodo", "wycofanie_zgody")


@functools.cache
def _definitions() -> dict[str, dict[str, Any]]:
    return {type_id: json.loads((FOLDER / f"{type_id}.json").read_text(encoding="utf-8")) for type_id in ORDER}


def shipped_definition(type_id: str) -> dict[str, Any]:
    """A copy of the shipped definition (KeyError for another id)."""
    return copy.deepcopy(_definitions()[type_id])


@functools.cache
def shipped_types() -> dict[str, DocType]:
    """The shipped types by id, each rendered with its template in templates_docx/."""
    return {type_id: doctype_from_definition(definition, template=f"{type_id}.docx")
            for type_id, definition in _definitions().items()}
