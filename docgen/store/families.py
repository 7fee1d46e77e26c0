"""The family's case file between its definition's data shape and the tables."""
from __future__ import annotations

import datetime as dt
from typing import Any

from ..casefile import BASIS_FIELDS, COORDINATOR_FIELDS, FAMILY_RECORD, MONITORING_FIELDS, RECORD_MEMBERS
from ..definition import DATE
from ..validate import normalise
from .models import Family, Person

_SCALARS = (("family_name", "address", "social_worker_name") + tuple(f.name for f in BASIS_FIELDS)
            + tuple(f.name for f in COORDINATOR_FIELDS) + tuple(f.name for f in MONITORING_FIELDS))
_DATES = {f.name for f in BASIS_FIELDS + RECORD_MEMBERS.fields + MONITORING_FIELDS if f.kind == DATE}


def _out(name: str, value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return None if value == "" else value


def _in(name: str, value: Any) -> Any:
    if name in _DATES:
        return dt.date.fromisoformat(value) if value else None
    return value


def family_to_data(family: Family) -> dict[str, Any]:
    data = {name: _out(name, getattr(family, name)) for name in _SCALARS}
    data["members"] = [{f.name: _out(f.name, getattr(person, f.name)) for f in RECORD_MEMBERS.fields}
                       for person in family.members]
    return data


def apply_family_data(family: Family, data: dict[str, Any]) -> None:
    """Write validated record data (see FAMILY_RECORD) into the family and its members."""
    data = normalise(FAMILY_RECORD, data)
    for name in _SCALARS:
        value = _in(name, data.get(name))
        setattr(family, name, value if value is not None or name in _DATES else "")
    people = []
    for position, row in enumerate(data.get("members") or []):
        person = family.members[position] if position < len(family.members) else Person()
        person.position = position
        for spec in RECORD_MEMBERS.fields:
            value = _in(spec.name, row.get(spec.name))
            if spec.kind == "bool":
                value = bool(value)
            setattr(person, spec.name, value)
        people.append(person)
    family.members = people
