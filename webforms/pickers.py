"""Pickers: a select above a wizard step that fills some of its fields from an office's list
(a letter's addressee from the directory of institutions) or from the family card (the sender of
a letter, the person of a CV, from the family's members).

A picker shows on every step, of any document type, that has all the fields it fills, so a
new type gets it by naming its fields alike. With JavaScript (static/picker.js) choosing an
option fills the fields at once from the option's data-fill; without it the "Wstaw" button
sends the step with action "pick:<name>" and the step view fills them server-side
(`apply_pick`), keeping everything else that was typed.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from sqlalchemy.orm import Session

from docgen.casefile import RELATIONS
from docgen.definition import Section
from docgen.polish import sex_of
from docgen.store.documents import address_lines
from docgen.store.institutions import institution_choices
from docgen.store.models import Family, Person


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    group: str  # shown as the select's optgroup
    fills: dict[str, str]  # field name -> value


@dataclass(frozen=True)
class Picker:
    name: str
    label: str
    fields: tuple[str, ...]
    # (session, user, the document's family) -> options of the user's office or of that family
    load: Callable[[Session, Any, Family], list[Option]]
    help: str = ""
    empty: str = ""  # said instead of the select when there is nothing to choose


def _institutions(session: Session, user: Any, family: Family) -> list[Option]:
    return [Option(str(choice.id), choice.name, choice.kind_label,
                   {"addressee_name": choice.name, "addressee_address": choice.address})
            for choice in institution_choices(session, user.office_id)]


def _court_fills(name: str, address: str) -> dict[str, str]:
    """A directory entry "Sąd Rejonowy w …, III Wydział Rodzinny i Nieletnich" is the court and its division."""
    court, _, division = name.partition(", ")
    if "wydział" not in division.casefold():
        court, division = name, ""
    return {"court_name": court, "court_division": division, "court_address": address}


def _courts(session: Session, user: Any, family: Family) -> list[Option]:
    """The courts of the directory, for the court opinion's addressee block."""
    return [Option(str(choice.id), choice.name, choice.kind_label, _court_fills(choice.name, choice.address))
            for choice in institution_choices(session, user.office_id) if choice.kind == "sad"]


def _members(fills: Callable[[Person, Family], dict[str, str]]) -> Callable[[Session, Any, Family], list[Option]]:
    """The family's members, each filling the step's person fields from the family card. Every field
    is filled, a blank one too: what was typed for another person must not stay beside this one's name."""
    relations = dict(RELATIONS)

    def load(session: Session, user: Any, family: Family) -> list[Option]:
        return [Option(str(person.id), f"{person.first_name} {person.last_name} ({relations.get(person.relation, '')})",
                       "Członkowie rodziny", fills(person, family)) for person in family.members]

    return load


def _home(person: Person, family: Family) -> str:
    """The family's address is the person's only when they live in the household."""
    return (family.address or "") if person.in_household else ""


def _sender(person: Person, family: Family) -> dict[str, str]:
    return {"sender_name": f"{person.first_name} {person.last_name}",
            "sender_sex": sex_of({"pesel": person.pesel, "sex": person.sex}) or "",
            "sender_address": address_lines(_home(person, family)) or "", "sender_phone": person.phone or ""}


def _cv_person(person: Person, family: Family) -> dict[str, str]:
    return {"full_name": f"{person.first_name} {person.last_name}", "address": _home(person, family),
            "phone": person.phone or "", "email": person.email or ""}


PICKERS: tuple[Picker, ...] = (
    Picker("placowka", "Wybierz z wykazu placówek", ("addressee_name", "addressee_address"), _institutions,
           help="Wstawia nazwę i adres placówki do pól poniżej; można je potem zmienić.",
           empty="Wykaz placówek ośrodka jest pusty – placówki dodaje się na stronie „Placówki”."),
    Picker("sad", "Wybierz sąd z wykazu placówek", ("court_name", "court_division", "court_address"), _courts,
           help="Wstawia nazwę, wydział i adres sądu do pól poniżej; sprawdź je z pismem sądu.",
           empty="W wykazie placówek ośrodka nie ma sądu – sądy dodaje się na stronie „Placówki”."),
    Picker("nadawca", "Nadawca – wybierz członka rodziny",
           ("sender_name", "sender_sex", "sender_address", "sender_phone"),
           _members(_sender),
           help="Wstawia imię i nazwisko, płeć, adres i telefon z karty rodziny; można je potem zmienić.",
           empty="W karcie rodziny nie ma jeszcze członków rodziny."),
    Picker("osoba", "Czyje CV – wybierz członka rodziny", ("full_name", "address", "phone", "email"),
           _members(_cv_person),
           help="Wstawia imię i nazwisko, adres, telefon i e-mail z karty rodziny; można je potem zmienić.",
           empty="W karcie rodziny nie ma jeszcze członków rodziny."),
)


def pickers_for(section: Section) -> list[Picker]:
    names = {item.name for item in section.items}
    return [picker for picker in PICKERS if set(picker.fields) <= names]


def offered(section: Section, session: Session, user: Any, family: Family) -> list[tuple[Picker, list[Option]]]:
    """The step's pickers with their options, for the template."""
    return [(picker, picker.load(session, user, family)) for picker in pickers_for(section)]


def apply_pick(section: Section, action: str, form: Mapping[str, str], session: Session, user: Any,
               data: dict[str, Any], family: Family) -> Option | None:
    """For action "pick:<name>": the chosen option's values written into `data`; the option, or
    None when nothing (or nothing of the user's office) was chosen."""
    name = action.split(":", 1)[1] if ":" in action else ""
    picker = next((p for p in pickers_for(section) if p.name == name), None)
    if picker is None:
        return None
    chosen = form.get(f"picker-{picker.name}", "")
    option = next((o for o in picker.load(session, user, family) if o.value == chosen), None) if chosen else None
    if option is not None:
        data.update(option.fills)
    return option
