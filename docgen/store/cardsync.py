"""What a generated document fixes about the family, offered back to its card.

A plan fixes the assignment and the court's order, a coordinated plan the coordinator and where
each child in foster care lives, a closing report the end of work and the monitoring period. When
such a value differs from the family card, the card is not changed silently: `offered_changes`
lists each difference (the card's value and the document's), and only the ones the user accepts
are written (`accept_changes`). The next document is then prefilled from the card as usual.

A blank in the document never clears the card. The end of work is written as closing the family
(docgen.store.lifecycle.close_family), so its retention period runs from it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Iterable

from sqlalchemy.orm import Session

from ..casefile import BASIS_FIELDS, COORDINATOR_FIELDS, FAMILY_RECORD, MONITORING_FIELDS, RECORD_MEMBERS
from ..definition import CHOICE, DATE, Field
from ..formatting import as_date, date_long
from ..rules import full_name, rows
from .lifecycle import close_family
from .models import Document, Family, Person

CLOSED_ON = "closed_on"
_CLOSED_ON_FIELD = Field(CLOSED_ON, "Zakończenie pracy z rodziną", DATE)

_BASIS = tuple((spec.name, spec.name) for spec in BASIS_FIELDS)
_COORDINATOR = tuple((spec.name, spec.name) for spec in COORDINATOR_FIELDS)
_MONITORING = tuple((spec.name, spec.name) for spec in MONITORING_FIELDS)

# document type -> (document field, card field) pairs written when they differ
FAMILY_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "family_consent": (("consent_date", "consent_date"),),
    "work_plan": _BASIS,
    "coordinated_plan": _BASIS + _COORDINATOR,
    "closing_report": (("work_end", CLOSED_ON),) + _MONITORING,
    "monitoring_note": (("work_end", CLOSED_ON),) + _MONITORING,
    "court_opinion": (("work_to", CLOSED_ON),),
}
# the court asking for an opinion may hear another case than the order the work rests on: its
# data fill the card's blanks only, so the next opinion starts from them, and never replace an order
BLANKS_ONLY: dict[str, tuple[tuple[str, str], ...]] = {
    "court_opinion": (("court_name", "court_name"), ("court_case_number", "court_case_number")),
}
# what a document of the type fixes by being generated at all: a signed consent is the basis of the work
# (art. 8 ust. 3), every plan then takes it
FIXED: dict[str, tuple[tuple[str, Any], ...]] = {
    "family_consent": (("basis", "zgoda"),),
}
# coordinated plan: a child's placement (its row's field -> the person's field on the card)
PLACEMENT = (("care_form", "care_form"), ("care_name", "care_name"), ("placement_date", "placement_date"),
             ("court_name", "placement_court"), ("court_case_number", "placement_case_number"),
             ("court_order_date", "placement_order_date"))


@dataclass(frozen=True)
class CardChange:
    key: str  # "family:assignment_date", "person:12:placement_date"
    label: str  # what the user reads: the card's field, and whose it is
    current: str  # the card's value as shown ("—" when empty)
    proposed: str  # the document's
    value: Any  # what is written (a date, a code, a text)
    person_id: int | None
    field: str


def _card_field(name: str) -> Field:
    if name == CLOSED_ON:
        return _CLOSED_ON_FIELD
    try:
        return FAMILY_RECORD.item(name)
    except KeyError:
        return RECORD_MEMBERS.field(name)


def _value(spec: Field, raw: Any) -> Any:
    """The document's value as the card stores it; None when blank or unreadable."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if spec.kind == DATE:
        try:
            return as_date(raw)
        except (TypeError, ValueError):
            return None
    if spec.kind == CHOICE:
        return raw if raw in dict(spec.choices) else None
    return raw.strip() if isinstance(raw, str) else None


def _shown(spec: Field, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if spec.kind == DATE:
        return date_long(value)
    if spec.kind == CHOICE:
        return spec.choice_label(value)
    return str(value)


def _same(stored: Any, value: Any) -> bool:
    if isinstance(stored, str) and isinstance(value, str):
        return " ".join(stored.split()) == " ".join(value.split())
    return stored == value


def _closing_allowed(family: Family, day: dt.date, today: dt.date) -> bool:
    """As the family page's own form: not in the future, not before the assignment, not once anonymised."""
    return (family.anonymised_at is None and day <= today
            and (family.assignment_date is None or day >= family.assignment_date))


def _person_key(person: Any) -> str:
    return " ".join(full_name(person).split()).casefold()


def offered_changes(document: Document, today: dt.date | None = None) -> list[CardChange]:
    """Every value the document fixes that the family card lacks or holds otherwise."""
    family, data, today = document.family, document.data or {}, today or dt.date.today()
    changes: list[CardChange] = []

    def offer(target: Any, person: Person | None, name: str, raw: Any, blanks_only: bool = False) -> None:
        spec = _card_field(name)
        value = _value(spec, raw)
        stored = getattr(target, name)
        if value is None or _same(stored, value) or (blanks_only and stored not in (None, "")):
            return
        if name == CLOSED_ON and not _closing_allowed(family, value, today):
            return
        whose = f"{person.first_name} {person.last_name} – " if person is not None else ""
        key = f"person:{person.id}:{name}" if person is not None else f"family:{name}"
        changes.append(CardChange(key, whose + spec.label, _shown(spec, stored if stored != "" else None),
                                  _shown(spec, value), value, person.id if person is not None else None, name))

    for target, value in FIXED.get(document.doc_type, ()):
        offer(family, None, target, value)
    for source, target in FAMILY_FIELDS.get(document.doc_type, ()):
        offer(family, None, target, data.get(source))
    for source, target in BLANKS_ONLY.get(document.doc_type, ()):
        offer(family, None, target, data.get(source), blanks_only=True)
    if document.doc_type == "coordinated_plan":
        people = {_person_key({"first_name": p.first_name, "last_name": p.last_name}): p for p in family.members}
        for child in rows(data, "children_in_care"):
            person = people.get(_person_key(child))
            if person is None:
                continue  # the plan's own rule says the child must be a member; nothing to write to
            for source, target in PLACEMENT:
                offer(person, person, target, child.get(source))
    return changes


def accept_changes(session: Session, document: Document, keys: Iterable[str],
                   today: dt.date | None = None) -> list[CardChange]:
    """Write the offered changes named by `keys` into the family card; returns those written.
    A key no longer offered (the card changed meanwhile) is ignored. The caller commits and audits."""
    wanted = set(keys)
    family = document.family
    people = {person.id: person for person in family.members}
    written = []
    for change in offered_changes(document, today):
        if change.key not in wanted:
            continue
        if change.field == CLOSED_ON:
            close_family(session, family, change.value)
        elif change.person_id is not None:
            setattr(people[change.person_id], change.field, change.value)
        else:
            setattr(family, change.field, change.value)
        written.append(change)
    session.flush()
    return written
