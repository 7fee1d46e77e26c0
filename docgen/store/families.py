"""The family's case file between its definition's data shape and the tables."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from ..casefile import BASIS_FIELDS, COORDINATOR_FIELDS, FAMILY_RECORD, MONITORING_FIELDS, RECORD_MEMBERS
from ..definition import DATE
from ..polish import family_name_forms
from ..validate import normalise
from .models import ROLE_ASSISTANT, ROLE_HEAD, Family, Person, User

_SCALARS = (("family_name", "family_name_gen", "address", "social_worker_name") + tuple(f.name for f in BASIS_FIELDS)
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


def genitive_to_keep(old_name: str | None, old_genitive: str | None, new_name: str, typed: str | None) -> str:
    """The genitive the card keeps: what the assistant typed, unless it is empty or is still the
    program's suggestion for the previous name (then the new name's suggestion follows the name)."""
    typed = " ".join((typed or "").split())
    suggested_before = family_name_forms(old_name).genitive if old_name else ""
    if not typed or (typed == suggested_before and typed == (old_genitive or "") and old_name != new_name):
        return family_name_forms(new_name or "").genitive
    return typed


def store_family_record(session: Session, family: Family, data: dict[str, Any], *, assistant: User,
                        worker: User | None, worker_id: int | None, office_id: int) -> bool:
    """Write a checked family record (the card's page and the API): the data, its assistant and social
    worker (an account's name is what documents print), a new family added to the office. True when new."""
    is_new = family.id is None
    if worker is not None:
        data["social_worker_name"] = worker.full_name
    apply_family_data(family, data)
    family.assistant_id = assistant.id
    family.social_worker_id = worker_id
    if is_new:
        family.office_id = office_id
        session.add(family)
        session.flush()
    return is_new


def apply_family_data(family: Family, data: dict[str, Any]) -> None:
    """Write validated record data (see FAMILY_RECORD) into the family and its members."""
    data = normalise(FAMILY_RECORD, data)
    data["family_name_gen"] = genitive_to_keep(family.family_name, family.family_name_gen,
                                               data.get("family_name") or "", data.get("family_name_gen"))
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


# --- art. 17: the assistant is not the family's social worker ---------------------------------

def _same_name(a: str | None, b: str | None) -> bool:
    return bool(a and b) and " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def staff_accounts(session: Session, office_id: int) -> list[User]:
    """The office's people who may be a family's social worker: its assistants and heads (an admin
    manages the program, not families)."""
    return list(session.scalars(select(User).where(User.office_id == office_id,
                                                   User.role.in_((ROLE_ASSISTANT, ROLE_HEAD)))
                                .order_by(User.full_name, User.id)))


# the names of staff_accounts without loading whole accounts: every generation compares two names (art. 17)
_STAFF_NAMES = (select(User.id, User.full_name)
                .where(User.office_id == bindparam("office_id"), User.role.in_((ROLE_ASSISTANT, ROLE_HEAD))))


def accounts_named(session: Session, office_id: int, *names: str | None) -> list[int | None]:
    """For each name, the id of the one account of the office whose holder has it, else None (no
    account, or two people of that name: then a name alone does not say who it is). One query."""
    staff = session.execute(_STAFF_NAMES, {"office_id": office_id}).all() if any(names) else []
    found = [[user_id for user_id, full_name in staff if _same_name(full_name, name)] for name in names]
    return [ids[0] if len(ids) == 1 else None for ids in found]


def account_named(session: Session, office_id: int, name: str | None) -> int | None:
    return accounts_named(session, office_id, name)[0]


def same_person(assistant_id: int | None, worker_id: int | None) -> bool:
    """Two people are compared as accounts: the same account is the same person. A social worker
    without an account is not the assistant, who always has one (a typed name of an account holder
    is linked to the account first, by `account_named`)."""
    return assistant_id is not None and worker_id is not None and assistant_id == worker_id


ART_17 = "Asystent rodziny nie może być pracownikiem socjalnym tej samej rodziny (art. 17 ustawy)"


def social_worker_conflict(session: Session, office_id: int, assistant_id: int | None, worker_id: int | None,
                           worker_name: str | None) -> str | None:
    """The Polish refusal when the family's social worker is its assistant; None when not."""
    worker = worker_id if worker_id is not None else account_named(session, office_id, worker_name)
    if same_person(assistant_id, worker):
        return f"{ART_17}: wskazano to samo konto w programie."
    return None
