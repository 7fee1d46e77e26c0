"""Pickers: a select above a wizard step that fills some of its fields from an office's list
(a letter's addressee from the directory of institutions).

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

from docgen.definition import Section
from docgen.store.institutions import institution_choices


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
    load: Callable[[Session, Any], list[Option]]  # (session, user) -> options of the user's office
    help: str = ""
    empty: str = ""  # said instead of the select when there is nothing to choose


def _institutions(session: Session, user: Any) -> list[Option]:
    return [Option(str(choice.id), choice.name, choice.kind_label,
                   {"addressee_name": choice.name, "addressee_address": choice.address})
            for choice in institution_choices(session, user.office_id)]


def _court_fills(name: str, address: str) -> dict[str, str]:
    """A directory entry "Sąd Rejonowy w …, III Wydział Rodzinny i Nieletnich" is the court and its division."""
    court, _, division = name.partition(", ")
    if "wydział" not in division.casefold():
        court, division = name, ""
    return {"court_name": court, "court_division": division, "court_address": address}


def _courts(session: Session, user: Any) -> list[Option]:
    """The courts of the directory, for the court opinion's addressee block."""
    return [Option(str(choice.id), choice.name, choice.kind_label, _court_fills(choice.name, choice.address))
            for choice in institution_choices(session, user.office_id) if choice.kind == "sad"]


PICKERS: tuple[Picker, ...] = (
    Picker("placowka", "Wybierz z wykazu placówek", ("addressee_name", "addressee_address"), _institutions,
           help="Wstawia nazwę i adres placówki do pól poniżej; można je potem zmienić.",
           empty="Wykaz placówek ośrodka jest pusty – placówki dodaje się na stronie „Placówki”."),
    Picker("sad", "Wybierz sąd z wykazu placówek", ("court_name", "court_division", "court_address"), _courts,
           help="Wstawia nazwę, wydział i adres sądu do pól poniżej; sprawdź je z pismem sądu.",
           empty="W wykazie placówek ośrodka nie ma sądu – sądy dodaje się na stronie „Placówki”."),
)


def pickers_for(section: Section) -> list[Picker]:
    names = {item.name for item in section.items}
    return [picker for picker in PICKERS if set(picker.fields) <= names]


def offered(section: Section, session: Session, user: Any) -> list[tuple[Picker, list[Option]]]:
    """The step's pickers with their options, for the template."""
    return [(picker, picker.load(session, user)) for picker in pickers_for(section)]


def apply_pick(section: Section, action: str, form: Mapping[str, str], session: Session, user: Any,
               data: dict[str, Any]) -> Option | None:
    """For action "pick:<name>": the chosen option's values written into `data`; the option, or
    None when nothing (or nothing of the user's office) was chosen."""
    name = action.split(":", 1)[1] if ":" in action else ""
    picker = next((p for p in pickers_for(section) if p.name == name), None)
    if picker is None:
        return None
    chosen = form.get(f"picker-{picker.name}", "")
    option = next((o for o in picker.load(session, user) if o.value == chosen), None) if chosen else None
    if option is not None:
        data.update(option.fills)
    return option
