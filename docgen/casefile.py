"""The family's case file: what the office records once and every document prefills from.

Its fields are the very Field objects the document types use, so a member, a
PESEL or a court order is declared, labelled and validated in one place. The
record asks for less than a document: most fields may wait until a plan needs them.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Iterator

from .definition import BOOL, CHOICE, COURT_CASE, DATE, PESEL, DocType, Field, Issue, Item, Repeat, Rule, Section
from .rules import birth_date_of, date_of, rows
from .formatting import date_long

RELATIONS = (
    ("matka", "matka"),
    ("ojciec", "ojciec"),
    ("opiekun", "opiekun prawny"),
    ("dziecko", "dziecko"),
    ("inny", "inny członek rodziny"),
)

BASES = (
    ("zgoda", "zgoda rodziny"),
    ("postanowienie", "postanowienie sądu"),
)

FAMILY_NAME = Field("family_name", "Nazwisko rodziny", prefill="family_name", help="Np. Zawadzcy.")
ADDRESS = Field("address", "Adres zamieszkania", prefill="address",
                help="Ulica, numer domu i mieszkania, kod pocztowy, miejscowość.")
SOCIAL_WORKER = Field("social_worker_name", "Pracownik socjalny rodziny (imię i nazwisko)",
                      prefill="social_worker_name",
                      help="Asystent rodziny nie może być jednocześnie pracownikiem socjalnym tej rodziny.")

MEMBERS = Repeat(
    "members",
    "Członkowie rodziny",
    item_label="osoba",
    min_items=1,
    max_items=20,
    prefill="members",
    help="Wszyscy członkowie rodziny, także dzieci. Podaj datę urodzenia albo PESEL.",
    fields=(
        Field("first_name", "Imię", prefill="first_name"),
        Field("last_name", "Nazwisko", prefill="last_name"),
        Field("birth_date", "Data urodzenia", DATE, required=False, prefill="birth_date"),
        Field("pesel", "PESEL", PESEL, required=False, prefill="pesel"),
        Field("relation", "Rola w rodzinie", CHOICE, choices=RELATIONS, prefill="relation"),
        Field("in_household", "Mieszka we wspólnym gospodarstwie domowym", BOOL, required=False,
              prefill="in_household"),
        Field("took_part", "Współtworzy plan i podpisuje go", BOOL, required=False, prefill="took_part",
              help="Zaznacz dorosłych, którzy opracowują plan razem z asystentem."),
        Field("foster_care", "Przebywa w pieczy zastępczej", BOOL, required=False, prefill="foster_care",
              help="Dziecko umieszczone w rodzinie zastępczej, rodzinnym domu dziecka lub placówce: "
                   "pracę z rodziną prowadzi się według planu skoordynowanego (art. 15 ust. 1 pkt 2)."),
    ),
)

BASIS_FIELDS: tuple[Field, ...] = (
    Field("assignment_date", "Data skierowania asystenta do rodziny", DATE, prefill="assignment_date"),
    Field("referral_ref", "Znak pisma lub decyzji o skierowaniu", prefill="referral_ref"),
    Field("basis", "Podstawa pracy z rodziną", CHOICE, choices=BASES, prefill="basis"),
    Field("consent_date", "Data wyrażenia zgody przez rodzinę", DATE, required=False,
          required_when=("basis", "zgoda"), prefill="consent_date"),
    Field("court_name", "Sąd, który wydał postanowienie", required=False,
          required_when=("basis", "postanowienie"), prefill="court_name",
          help="Np. Sąd Rejonowy w Lipowcu Mazurskim (sam sąd; wydział podaje się w opinii dla sądu)."),
    Field("court_case_number", "Sygnatura akt", COURT_CASE, required=False,
          required_when=("basis", "postanowienie"), prefill="court_case_number", help="Np. III Nsm 253/19."),
    Field("court_order_date", "Data postanowienia", DATE, required=False,
          required_when=("basis", "postanowienie"), prefill="court_order_date"),
)

# art. 15 ust. 1 pkt 2: with a child in foster care the assistant works with the county's coordinator
COORDINATOR_FIELDS: tuple[Field, ...] = (
    Field("coordinator_name", "Koordynator rodzinnej pieczy zastępczej (imię i nazwisko)",
          prefill="coordinator_name"),
    Field("coordinator_unit", "Jednostka koordynatora", prefill="coordinator_unit",
          help="Np. Powiatowe Centrum Pomocy Rodzinie w Lipowcu Mazurskim."),
    Field("coordinator_contact", "Kontakt z koordynatorem", required=False, prefill="coordinator_contact",
          help="Telefon, e-mail."),
)


def _members_identified(data: dict[str, Any]) -> Iterator[Issue]:
    for index, person in enumerate(rows(data, "members")):
        path = f"members[{index}]"
        born = date_of(person, "birth_date")
        pesel_born = birth_date_of({"pesel": person.get("pesel")})
        if born is None and not person.get("pesel"):
            yield Issue(f"{path}.birth_date",
                        f"Członkowie rodziny, osoba {index + 1} – podaj datę urodzenia albo PESEL.")
        elif born and pesel_born and born != pesel_born:
            yield Issue(f"{path}.pesel", f"Członkowie rodziny, osoba {index + 1} – PESEL wskazuje inną datę "
                                         f"urodzenia ({date_long(pesel_born)}) niż podana.")


MEMBERS_IDENTIFIED = Rule("members_identified", "Każda osoba ma datę urodzenia lub PESEL, zgodne ze sobą.",
                          _members_identified, section="family")


def _assistant_not_social_worker(data: dict[str, Any]) -> Iterator[Issue]:
    assistant = " ".join((data.get("assistant_name") or "").split()).casefold()
    worker = " ".join((data.get("social_worker_name") or "").split()).casefold()
    if assistant and assistant == worker:
        yield Issue("social_worker_name", "Asystent rodziny nie może być pracownikiem socjalnym tej samej "
                                          "rodziny (art. 17 ustawy).")


def assistant_not_social_worker(section: str) -> Rule:
    """art. 17: for a type holding both `assistant_name` and `social_worker_name`; messages in `section`."""
    return Rule("assistant_not_social_worker", "Asystent nie jest pracownikiem socjalnym rodziny.",
                _assistant_not_social_worker, section=section)


def _optional(item: Item) -> Item:
    return dataclasses.replace(item, required=False) if isinstance(item, Field) and item.required else item


# The record itself: only the name and the address are needed to start a case file.
FAMILY_RECORD = DocType(
    id="family",
    title="Karta rodziny",
    template="",
    sections=(
        Section("family", "Rodzina", (FAMILY_NAME, ADDRESS, _optional(SOCIAL_WORKER),
                                      dataclasses.replace(MEMBERS, min_items=0))),
        Section("basis", "Podstawa objęcia wsparciem", tuple(_optional(f) for f in BASIS_FIELDS)),
        Section("coordinator", "Koordynator pieczy zastępczej (gdy dziecko przebywa w pieczy)",
                tuple(_optional(f) for f in COORDINATOR_FIELDS)),
    ),
    rules=(MEMBERS_IDENTIFIED,),
)
