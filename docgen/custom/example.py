"""Example data for a type defined as data: what its preview, its schema's users and the template check's
trial render fill it with.

Everything is invented. Prefilled fields take the facts of the Zawadzcy, the one family of every built-in
example; other fields a value of their kind, dates in an order that keeps the definition's date rules.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from ..definition import BOOL, CHOICE, COURT_CASE, DATE, PESEL, TEXT, TEXTAREA, DocType, Field, Repeat

FIRST_DAY = dt.date(2026, 11, 16)

SAMPLE_FACTS: dict[str, Any] = {
    "family_name": "Zawadzcy", "family_name_gen": "Zawadzkich", "family_name_genitive": "Zawadzkich",
    "address": "ul. Leśna 12 m. 4, 11-440 Lipowiec Mazurski",
    "address_lines": "ul. Leśna 12 m. 4\n11-440 Lipowiec Mazurski",
    "social_worker_name": "Marek Sobczak", "assistant_name": "Ewa Kalinowska", "head_name": "Barbara Wilczek",
    "office_name": "Miejski Ośrodek Pomocy Społecznej w Lipowcu Mazurskim", "office_city": "Lipowiec Mazurski",
    "today": FIRST_DAY.isoformat(), "assignment_date": "2026-10-05", "referral_ref": "MOPS.AR.4101.12.2026",
    "basis": "zgoda", "consent_date": "2026-10-12", "court_name": "Sąd Rejonowy w Lipowcu Mazurskim",
    "court_case_number": "III Nsm 253/26", "court_order_date": "2026-09-14",
    "coordinator_name": "Joanna Pietrzak", "coordinator_unit": "Powiatowe Centrum Pomocy Rodzinie w Lipowcu Mazurskim",
    "coordinator_contact": "tel. 89 712 40 10", "work_start": "2026-10-05", "work_end": None,
    "monitoring_from": None, "monitoring_to": None,
    "family_head_name": "Anna Zawadzka", "family_head_phone": "600 100 200", "family_head_email": None,
    "members_work": "Anna Zawadzka: bez pracy, z rejestracją w PUP\nTomasz Zawadzki: praca dorywcza",
    "members_disability": None, "children_in_care_text": None,
}
_MEMBERS = [
    {"first_name": "Anna", "last_name": "Zawadzka", "birth_date": "1991-03-14", "pesel": "91031441223", "sex": "K",
     "relation": "matka", "relation_label": "matka", "in_household": True, "took_part": True, "foster_care": False},
    {"first_name": "Tomasz", "last_name": "Zawadzki", "birth_date": "1988-09-02", "pesel": "88090213717", "sex": "M",
     "relation": "ojciec", "relation_label": "ojciec", "in_household": True, "took_part": True, "foster_care": False},
    {"first_name": "Julia", "last_name": "Zawadzka", "birth_date": "2014-05-21", "pesel": "14252125523", "sex": "K",
     "relation": "dziecko", "relation_label": "dziecko", "in_household": True, "took_part": False,
     "foster_care": False},
]
for _person in _MEMBERS:
    _person["name"] = f"{_person['first_name']} {_person['last_name']}"
SAMPLE_ROWS = {"members": _MEMBERS, "adults": [p for p in _MEMBERS if p["relation"] != "dziecko"],
               "children": [p for p in _MEMBERS if p["relation"] == "dziecko"],
               "children_in_care": []}


def _value(spec: Field, day: dt.date, number: int = 0) -> Any:
    """A value of the field's kind; `number` tells rows apart."""
    suffix = f" ({number})" if number else ""
    if spec.kind == DATE:
        return day.isoformat()
    if spec.kind == CHOICE:
        return spec.choices[0][0]
    if spec.kind == BOOL:
        return True
    if spec.kind == PESEL:
        return "91031441223"
    if spec.kind == COURT_CASE:
        return "III Nsm 253/26"
    limit = spec.limit or 300
    if spec.kind == TEXTAREA:
        text = f"Przykładowa treść: {spec.label.lower()}{suffix}.\nDrugi akapit tej samej odpowiedzi."
    else:
        text = f"Przykład – {spec.label.lower()}{suffix}"
    return text[:limit]


def _dates(doctype: DocType) -> dict[str, dt.date]:
    """A day for every date field (rows' fields as "group.field") keeping each "date after" rule: a field
    one day after the latest of the dates it must follow. The rules were checked for cycles."""
    after: dict[str, set[str]] = {}
    for rule in doctype.rules:
        check = rule.check
        if hasattr(check, "after") and hasattr(check, "field"):
            after.setdefault(check.field, set()).add(check.after)
    days: dict[str, dt.date] = {}

    def day_of(path: str, depth: int = 0) -> dt.date:
        if path not in days:
            earlier = [day_of(other, depth + 1) for other in sorted(after.get(path, ())) if depth < 64]
            days[path] = max(earlier) + dt.timedelta(days=1) if earlier else FIRST_DAY
        return days[path]

    for section in doctype.sections:
        for item in section.items:
            if isinstance(item, Repeat):
                for spec in item.fields:
                    if spec.kind == DATE:
                        day_of(f"{item.name}.{spec.name}")
            elif item.kind == DATE:
                day_of(item.name)
    return days


def generated_example(doctype: DocType) -> dict[str, Any]:
    """Valid data for every field of `doctype` (optional ones filled too, so a preview shows them)."""
    days = _dates(doctype)
    data: dict[str, Any] = {}
    for _, item in doctype.items():
        if isinstance(item, Repeat):
            sample = SAMPLE_ROWS.get(item.prefill or "", [])
            count = min(max(item.min_items, 2), item.max_items)
            rows = []
            for index in range(count):
                person = sample[index] if index < len(sample) else None
                row = {}
                for spec in item.fields:
                    if person is not None and spec.prefill and spec.prefill in person:
                        row[spec.name] = person[spec.prefill]
                    else:
                        row[spec.name] = _value(spec, days.get(f"{item.name}.{spec.name}", FIRST_DAY), index + 1)
                rows.append(row)
            data[item.name] = rows
        elif item.kind != DATE and item.prefill and SAMPLE_FACTS.get(item.prefill) is not None:
            data[item.name] = SAMPLE_FACTS[item.prefill]
        else:
            data[item.name] = _value(item, days.get(item.name, FIRST_DAY))
    if "family_name_gen" in data and data.get("family_name") == SAMPLE_FACTS["family_name"]:
        data["family_name_gen"] = SAMPLE_FACTS["family_name_gen"]
    return data


_FILLER = "Długi tekst zażółć gęślą jaźń 123 & <znaki> {{ nawiasy }} 🙂 "


def _long(limit: int) -> str:
    return (_FILLER * (limit // len(_FILLER) + 1))[:limit]


def largest_example(doctype: DocType) -> dict[str, Any]:
    """The example at the definition's limits: every text as long as allowed, every list as long as allowed.
    A template that stays within the renderer's limits with it does so with any valid data (a loop or a
    filter that multiplies what was typed shows here, not when an assistant generates a document)."""
    data = generated_example(doctype)
    for _, item in doctype.items():
        if isinstance(item, Repeat):
            rows = data.get(item.name) or []
            if rows:
                row = {spec.name: _long(spec.limit) if spec.kind in (TEXT, TEXTAREA) and spec.limit else rows[0].get(
                    spec.name) for spec in item.fields}
                data[item.name] = [dict(row) for _ in range(item.max_items)]
        elif item.kind in (TEXT, TEXTAREA) and item.limit:
            data[item.name] = _long(item.limit)
    return data
