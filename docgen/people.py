"""What the family card says about its people, worded as the documents put it.

The card holds a person's work, disability certificate and contact, and a child's placement in
foster care (docgen.casefile.PERSON_DETAILS, PLACEMENT_FIELDS). Documents do not repeat those
fields: they start their own text from these sentences, which the assistant then completes.
Every sentence is built from recorded values only; a value not recorded leaves its part out.
"""
from __future__ import annotations

from typing import Any

from .casefile import CARE_FORMS, DISABILITY, EMPLOYMENT
from .formatting import date_long
from .rules import birth_date_of, full_name


def _label(choices: tuple[tuple[str, str], ...], code: Any) -> str:
    return dict(choices).get(code, "") if isinstance(code, str) else ""


def person_facts(person: dict[str, Any]) -> str | None:
    """'Sytuacja zawodowa: praca na umowę o pracę. Orzeczenie o niepełnosprawności: brak orzeczenia.'"""
    parts = []
    work = _label(EMPLOYMENT, person.get("employment"))
    if work:
        parts.append(f"Sytuacja zawodowa: {work}.")
    disability = _label(DISABILITY, person.get("disability"))
    if disability:
        parts.append(f"Orzeczenie o niepełnosprawności: {disability}.")
    return " ".join(parts) or None


def placement_sentence(child: dict[str, Any]) -> str | None:
    """Where a child in foster care lives and on which order, e.g. 'Kacper Zawadzki, ur. 7 listopada
    2018 r., od 18 stycznia 2027 r. przebywa w pieczy zastępczej: rodzina zastępcza niezawodowa – …
    Podstawa umieszczenia: postanowienie z dnia … r., sygn. akt … (Sąd Rejonowy w …).'
    Names and the court stay in the nominative, set apart, so no declension can go wrong."""
    if not child.get("foster_care"):
        return None
    name = full_name(child)
    born = birth_date_of(child)
    head = name + (f", ur. {date_long(born)}," if born else "")
    since = f" od {date_long(child['placement_date'])}" if child.get("placement_date") else ""
    where = " – ".join(part for part in (_label(CARE_FORMS, child.get("care_form")), child.get("care_name") or "")
                       if part)
    sentence = f"{head}{since} przebywa w pieczy zastępczej" + (f": {where}." if where else ".")
    order = []
    if child.get("placement_order_date"):
        order.append(f"z dnia {date_long(child['placement_order_date'])}")
    if child.get("placement_case_number"):
        order.append(f"sygn. akt {child['placement_case_number']}")
    court = child.get("placement_court")
    if order or court:
        basis = "Podstawa umieszczenia: postanowienie" + (f" {', '.join(order)}" if order else " sądu")
        sentence += f" {basis}" + (f" ({court})." if court else ".")
    return sentence


def placements_text(members: list[dict[str, Any]]) -> str | None:
    """One paragraph per child in foster care, or None when no child is placed."""
    sentences = [sentence for sentence in map(placement_sentence, members) if sentence]
    return "\n".join(sentences) or None


def members_text(members: list[dict[str, Any]], describe) -> str | None:
    """'Name: facts' lines for the members `describe` has something to say about."""
    lines = [f"{full_name(person)}: {text}" for person in members if (text := describe(person))]
    return "\n".join(lines) or None


def work_line(person: dict[str, Any]) -> str | None:
    work = _label(EMPLOYMENT, person.get("employment"))
    return f"{work}." if work else None


def disability_line(person: dict[str, Any]) -> str | None:
    code = person.get("disability")
    label = _label(DISABILITY, code)
    return f"orzeczenie o niepełnosprawności – {label}." if label and code != "brak" else None
