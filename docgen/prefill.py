"""Initial data of a new document from the case facts (family, office, user)."""
from __future__ import annotations

from typing import Any

from .definition import DocType, Repeat


def prefill(doctype: DocType, facts: dict[str, Any]) -> dict[str, Any]:
    """Every field that declares a `prefill` key takes that fact; the rest stay empty."""
    data: dict[str, Any] = {}
    for _, item in doctype.items():
        if isinstance(item, Repeat):
            source = facts.get(item.prefill, []) if item.prefill else []
            data[item.name] = [
                {spec.name: row.get(spec.prefill) if spec.prefill else None for spec in item.fields}
                for row in source
            ]
        else:
            data[item.name] = facts.get(item.prefill) if item.prefill else None
    # and what follows from those facts, where the type says so (DocType.fill_in)
    data.update(doctype.blanks_filled(data))
    return data
