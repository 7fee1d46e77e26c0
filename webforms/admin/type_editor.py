"""The editor of an office's own type: its definition (docgen/custom/definition.py) as one form, and back.

Every input is named after the definition's place it edits: `type.title`, `step.<name>.title`,
`step.<name>.order`, `item.<name>.label|kind|required|when_field|when_value|help|choices|step|order|after|
warn|min|max|item_label`, `row.<group>.<name>.label|kind|required|help|choices|after`. A form read back
becomes a whole new definition; the store checks it (docgen.store.office_types.save_draft) and, when
refused, the page shows the attempt itself, so nothing typed is lost.
"""
from __future__ import annotations

import copy
from typing import Any, Mapping

from docgen.custom.definition import ROWS
from docgen.custom.rules import DATE_AFTER
from docgen.custom.words import ascii_name
from docgen.definition import BOOL, CHOICE, DATE, TEXT, TEXTAREA

# what the admin may turn a field into (a card field's kind stays: it is the card's)
KIND_LABELS = {TEXT: "tekst (jeden wiersz)", TEXTAREA: "dłuższy tekst", DATE: "data", CHOICE: "wybór z listy",
               BOOL: "tak / nie", "pesel": "PESEL", "court_case": "sygnatura akt"}
EDITABLE_KINDS = (TEXT, TEXTAREA, DATE, CHOICE, BOOL)
REQUIRED_LABELS = {"tak": "wymagane", "nie": "nieobowiązkowe", "gdy": "wymagane, gdy…"}
# where a document of the type goes: `type.filing` sets the definition's in_case_file and leaves_office
FILINGS = {
    "akta": ("w aktach sprawy rodziny, ze znakiem sprawy", True, False),
    "wychodzi": ("wysyła go członek rodziny (jak CV): bez znaku sprawy, nazwa pliku bez nazwiska rodziny",
                 False, True),
    "wychodzi_w_aktach": ("wychodzi z ośrodka, ale trafia do akt sprawy: znak sprawy, nazwa pliku bez nazwiska "
                          "rodziny i znaku", True, True),
    "bez_akt": ("poza aktami sprawy: bez znaku sprawy, nazwa pliku z nazwiskiem rodziny", False, False),
}


def filing_of(definition: dict[str, Any]) -> str:
    """The FILINGS key a definition's two flags (and their defaults, docgen/custom/definition.py) make."""
    leaves = definition.get("leaves_office", False) is True
    filed = definition.get("in_case_file", not leaves) is True
    return next(key for key, (_, in_case, out) in FILINGS.items() if (in_case, out) == (filed, leaves))


def _required_mode(item: dict[str, Any]) -> str:
    if item.get("required_when"):
        return "gdy"
    return "tak" if item.get("required", item.get("kind") != BOOL) else "nie"


def _choices_text(item: dict[str, Any]) -> str:
    return "\n".join(label if ascii_name(label, 50) == code else f"{code} = {label}"
                     for code, label in item.get("choices") or [])


def _parse_choices(text: str) -> list[list[str]]:
    """One choice a line: "etykieta" (its code made from it) or "kod = etykieta"."""
    out: list[list[str]] = []
    for line in text.replace("\r", "").split("\n"):
        line = line.strip()
        if not line:
            continue
        code, sep, label = line.partition("=")
        if sep and code.strip() and label.strip() and " " not in code.strip():
            out.append([code.strip(), label.strip()])
        else:
            out.append([ascii_name(line, 50) or "pozycja", line])
    return out


def _rules_by_field(definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {rule["field"]: rule for rule in definition.get("rules", []) if isinstance(rule, dict)
            and rule.get("kind") == DATE_AFTER and isinstance(rule.get("field"), str)}


def view(definition: dict[str, Any]) -> dict[str, Any]:
    """What the editor's page shows: the steps with their items, each with its inputs' values."""
    rules = _rules_by_field(definition)
    steps = [s for s in definition.get("sections", []) if isinstance(s, dict)]
    dates, conditions = [], []
    for step in steps:
        for item in step.get("items", []):
            if item.get("kind") == DATE:
                dates.append((item["name"], item.get("label", item["name"])))
            if item.get("kind") in (CHOICE, BOOL):
                conditions.append((item["name"], item.get("label", item["name"])))

    def field_view(item: dict[str, Any], path: str) -> dict[str, Any]:
        rule = rules.get(path, {})
        when = item.get("required_when") or {}
        return {"item": item, "path": path, "required": _required_mode(item), "choices": _choices_text(item),
                "when_field": when.get("field", ""), "when_value": "tak" if when.get("equals") is True
                else str(when.get("equals", "")), "after": rule.get("after", ""),
                "warn": rule.get("severity") == "warning", "card": bool(item.get("prefill"))}

    out_steps = []
    for step in steps:
        items = []
        for item in step.get("items", []):
            entry = field_view(item, item["name"])
            if item.get("kind") == ROWS:
                entry["rows"] = [field_view(row, f"{item['name']}.{row['name']}") for row in item.get("fields", [])]
                entry["row_dates"] = [(f"{item['name']}.{row['name']}", row.get("label", row["name"]))
                                      for row in item.get("fields", []) if row.get("kind") == DATE]
            items.append(entry)
        out_steps.append({"step": step, "items": items})
    return {"definition": definition, "steps": out_steps, "dates": dates, "conditions": conditions}


def _number(text: str | None, default: float) -> float:
    try:
        return float((text or "").replace(",", "."))
    except ValueError:
        return default


def _field(item: dict[str, Any], form: Mapping[str, str], prefix: str, rules: list[dict[str, Any]],
           path: str, old_rules: dict[str, dict[str, Any]]) -> dict[str, Any]:
    out = copy.deepcopy(item)
    out["label"] = form.get(f"{prefix}.label", item.get("label", "")).strip()
    help_text = form.get(f"{prefix}.help", item.get("help", "")).strip()
    if help_text:
        out["help"] = help_text
    else:
        out.pop("help", None)
    if not item.get("prefill"):
        kind = form.get(f"{prefix}.kind", item.get("kind", TEXT))
        out["kind"] = kind if kind in EDITABLE_KINDS else item.get("kind", TEXT)
        if out["kind"] == CHOICE:
            out["choices"] = _parse_choices(form.get(f"{prefix}.choices", _choices_text(item)))
        else:
            out.pop("choices", None)
        if out["kind"] not in (TEXT, TEXTAREA):
            out.pop("max_length", None)
    mode = form.get(f"{prefix}.required", _required_mode(item))
    out.pop("required_when", None)
    if mode == "gdy":
        value = form.get(f"{prefix}.when_value", "").strip()
        out["required"] = False
        out["required_when"] = {"field": form.get(f"{prefix}.when_field", ""),
                                "equals": True if value.lower() in ("tak", "true") else value}
    else:
        out["required"] = mode == "tak"
    after = form.get(f"{prefix}.after", "")
    if out.get("kind") == DATE and after:
        old = old_rules.get(path, {})
        rules.append({"kind": DATE_AFTER, "field": path, "after": after, "same_day": old.get("same_day", True),
                      "severity": "warning" if form.get(f"{prefix}.warn") else "blocker"})
    return out


def read(definition: dict[str, Any], form: Mapping[str, str]) -> tuple[dict[str, Any], list[str]]:
    """The definition the submitted editor describes, and notes for the admin (steps left out)."""
    old_rules = _rules_by_field(definition)
    result = copy.deepcopy(definition)
    result["title"] = form.get("type.title", definition.get("title", "")).strip()
    basis = form.get("type.legal_basis", definition.get("legal_basis", "")).strip()
    result["legal_basis"] = basis
    filing = form.get("type.filing")
    if filing in FILINGS:
        _, result["in_case_file"], result["leaves_office"] = FILINGS[filing]
    rules: list[dict[str, Any]] = []
    steps = [s for s in definition.get("sections", []) if isinstance(s, dict)]
    new_steps: list[dict[str, Any]] = []
    placed: dict[str, list[tuple[float, int, dict[str, Any]]]] = {}
    counter = 0  # the order items were met in: ties of the typed order keep it
    for position, step in enumerate(steps):
        key = f"step.{step['name']}"
        new_step = {k: v for k, v in step.items() if k != "items"}
        new_step["title"] = form.get(f"{key}.title", step.get("title", "")).strip()
        help_text = form.get(f"{key}.help", step.get("help", "")).strip()
        if help_text:
            new_step["help"] = help_text
        else:
            new_step.pop("help", None)
        new_step["items"] = []
        new_steps.append((_number(form.get(f"{key}.order"), position + 1), position, new_step))  # type: ignore[arg-type]
        for index, item in enumerate(step.get("items", [])):
            prefix = f"item.{item['name']}"
            if item.get("kind") == ROWS:
                edited = copy.deepcopy(item)
                edited["label"] = form.get(f"{prefix}.label", item.get("label", "")).strip()
                edited["item_label"] = form.get(f"{prefix}.item_label", item.get("item_label", "pozycja")).strip()
                help_text = form.get(f"{prefix}.help", item.get("help", "")).strip()
                if help_text:
                    edited["help"] = help_text
                else:
                    edited.pop("help", None)
                edited["min_items"] = int(_number(form.get(f"{prefix}.min"), item.get("min_items", 0)))
                edited["max_items"] = int(_number(form.get(f"{prefix}.max"), item.get("max_items", 30)))
                edited["fields"] = [_field(row, form, f"row.{item['name']}.{row['name']}", rules,
                                           f"{item['name']}.{row['name']}", old_rules) for row in item.get("fields", [])]
            else:
                edited = _field(item, form, prefix, rules, item["name"], old_rules)
            target = form.get(f"{prefix}.step", step["name"])
            order = _number(form.get(f"{prefix}.order"), index + 1)
            placed.setdefault(target, []).append((order, counter, edited))
            counter += 1
    ordered = [step for _, _, step in sorted(new_steps, key=lambda t: (t[0], t[1]))]  # type: ignore[index]
    names = {step["name"] for step in ordered}
    for target, entries in placed.items():
        step = next(s for s in ordered if s["name"] == (target if target in names else ordered[0]["name"]))
        step["items"].extend(item for _, _, item in sorted(entries, key=lambda entry: (entry[0], entry[1])))
    notes = [f"Pominięto krok „{step['title']}”: nie ma w nim żadnego pola." for step in ordered if not step["items"]]
    result["sections"] = [step for step in ordered if step["items"]]
    result["rules"] = rules
    date_field = form.get("type.date_field")
    if date_field:
        result["date_field"] = date_field
    return result, notes
