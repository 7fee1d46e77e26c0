"""The family's case file: what the office records once and every document prefills from.

Its fields are the very Field objects the document types use, so a member, a
PESEL or a court order is declared, labelled and validated in one place. The
record asks for less than a document: most fields may wait until a plan needs them.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Callable, Iterator

from .definition import BOOL, CHOICE, COURT_CASE, DATE, PESEL, DocType, Field, Issue, Item, Repeat, Rule, Section
from .formatting import date_long
from .polish import SEXES, family_name_forms, sex_from_pesel
from .rules import birth_date_of, date_of, rows

RELATIONS = (
    ("matka", "matka"),
    ("ojciec", "ojciec"),
    ("opiekun", "opiekun prawny"),
    ("dziecko", "dziecko"),
    # a parent's partner living with the family, and grandparents, each in the form a document prints
    ("partner", "partner (konkubent)"),
    ("partnerka", "partnerka (konkubina)"),
    ("babcia", "babcia"),
    ("dziadek", "dziadek"),
    ("inny", "inny członek rodziny"),
)

BASES = (
    ("zgoda", "zgoda rodziny"),
    ("postanowienie", "postanowienie sądu"),
)

FAMILY_NAME = Field("family_name", "Nazwisko rodziny", prefill="family_name",
                    help="W mianowniku, jak w zdaniu „to są …”, np. Zawadzcy, Nowakowie.")
# The name in running text. Documents name a family after the word "rodzina" in any case ("opinia
# o rodzinie Zawadzkich", "plan pracy z rodziną Zawadzkich", "zgoda rodziny Zawadzkich"), and after it
# the name always stands in the genitive plural: that one form is all the documents need. Suggested by
# docgen.polish (Morfeusz 2 and rules), shown prefilled on the family card, corrected there.
FAMILY_NAME_GEN = Field("family_name_gen", "Nazwisko w dopełniaczu (rodzina kogo?)", required=False,
                        prefill="family_name_gen",
                        help="Np. rodzina Zawadzkich, rodzina Nowaków – tak nazwisko stoi w zdaniach dokumentów. "
                             "Program odmienia je sam; popraw, jeśli odmiana jest błędna. Po zmianie nazwiska "
                             "rodziny wyczyść to pole, a wypełni się na nowo.")
# where a document names the family, both stand together
FAMILY_NAMES = (FAMILY_NAME, FAMILY_NAME_GEN)
ADDRESS = Field("address", "Adres zamieszkania", prefill="address",
                help="Ulica, numer domu i mieszkania, kod pocztowy, miejscowość.")
SOCIAL_WORKER = Field("social_worker_name", "Pracownik socjalny rodziny",
                      prefill="social_worker_name",
                      help="Imię i nazwisko. Asystent rodziny nie może być jednocześnie pracownikiem socjalnym "
                           "tej rodziny.")

SEX = Field("sex", "Płeć", CHOICE, choices=SEXES, required=False, prefill="sex",
            help="Potrzebna, gdy osoba nie ma PESEL-u (PESEL ją wskazuje): od niej zależą formy "
                 "„podpisany” albo „podpisana” w dokumentach.")

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
        SEX,
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
    Field("coordinator_name", "Koordynator rodzinnej pieczy zastępczej",
          prefill="coordinator_name", help="Imię i nazwisko."),
    Field("coordinator_unit", "Jednostka koordynatora", prefill="coordinator_unit",
          help="Np. Powiatowe Centrum Pomocy Rodzinie w Lipowcu Mazurskim."),
    Field("coordinator_contact", "Kontakt z koordynatorem", required=False, prefill="coordinator_contact",
          help="Telefon, e-mail."),
)


# --- the family card's own fields of a person (documents take them from the card) -----------
# What documents ask about a person (their work, a disability certificate, how to reach them for a
# letter or a CV) and where a child in foster care lives. Only the family card holds them: a
# document's member list stays as short as before, and takes from here what it prints.

EMPLOYMENT = (  # worded without a gendered form, as documents print them about anyone
    ("umowa_o_prace", "praca na umowę o pracę"),
    ("praca_dorywcza", "praca dorywcza lub umowa zlecenia, o dzieło"),
    ("dzialalnosc", "własna działalność gospodarcza"),
    ("bezrobocie_pup", "bez pracy, z rejestracją w PUP"),
    ("bez_pracy", "bez pracy, bez rejestracji w PUP"),
    ("nauka", "nauka (szkoła, studia)"),
    ("emerytura_renta", "emerytura lub renta"),
    ("opieka", "opieka nad dzieckiem lub osobą zależną (urlop wychowawczy, świadczenie)"),
    ("inna", "inna sytuacja"),
)

# "orzeczenie o niepełnosprawności" (ustawa o rehabilitacji zawodowej i społecznej, art. 4 and 4a):
# a degree for adults, none for a child under 16
DISABILITY = (  # read after the field's label: "Orzeczenie o niepełnosprawności: stopień lekki"
    ("brak", "brak"),
    ("lekki", "stopień lekki"),
    ("umiarkowany", "stopień umiarkowany"),
    ("znaczny", "stopień znaczny"),
    ("dziecko", "bez stopnia (dziecko do 16 lat)"),
    ("w_toku", "wniosek złożony, sprawa w toku"),
)

CARE_FORMS = (
    ("spokrewniona", "rodzina zastępcza spokrewniona"),
    ("niezawodowa", "rodzina zastępcza niezawodowa"),
    ("zawodowa", "rodzina zastępcza zawodowa"),
    ("rodzinny_dom", "rodzinny dom dziecka"),
    ("placowka", "placówka opiekuńczo-wychowawcza"),
    ("regionalna_placowka", "regionalna placówka opiekuńczo-terapeutyczna"),
    ("osrodek_preadopcyjny", "interwencyjny ośrodek preadopcyjny"),
)

PERSON_DETAILS: tuple[Field, ...] = (
    Field("employment", "Sytuacja zawodowa", CHOICE, required=False, choices=EMPLOYMENT, prefill="employment"),
    Field("disability", "Orzeczenie o niepełnosprawności", CHOICE, required=False, choices=DISABILITY,
          prefill="disability", help="Stopień z orzeczenia powiatowego zespołu do spraw orzekania."),
    Field("phone", "Telefon", required=False, max_length=40, prefill="phone",
          help="Wstawiany do pism i CV tej osoby."),
    Field("email", "E-mail", required=False, max_length=120, prefill="email"),
)

# a child in foster care (art. 15 ust. 1 pkt 2): the coordinated plan and the court opinion take them
PLACEMENT_FIELDS: tuple[Field, ...] = (
    Field("care_form", "Forma pieczy zastępczej", CHOICE, required=False, choices=CARE_FORMS, prefill="care_form",
          help="Tylko dla dziecka w pieczy zastępczej: dane z postanowienia sądu o umieszczeniu."),
    Field("care_name", "Nazwa i miejsce pieczy", required=False, prefill="care_name",
          help="Kto sprawuje pieczę i gdzie, np. Anna i Marek Sowa, Stare Olszyny 14; przy placówce jej nazwa "
               "i adres."),
    Field("placement_date", "Data umieszczenia w pieczy", DATE, required=False, prefill="placement_date"),
    Field("placement_court", "Sąd, który orzekł o umieszczeniu", required=False, prefill="placement_court",
          help="Np. Sąd Rejonowy w Lipowcu Mazurskim, III Wydział Rodzinny i Nieletnich."),
    Field("placement_case_number", "Sygnatura akt (umieszczenie)", COURT_CASE, required=False,
          prefill="placement_case_number", help="Np. III Nsm 253/19."),
    Field("placement_order_date", "Data postanowienia o umieszczeniu", DATE, required=False,
          prefill="placement_order_date"),
)

# the monitoring after work ended (art. 15 ust. 1 pkt 16), as the closing report fixed it
MONITORING_FIELDS: tuple[Field, ...] = (
    Field("monitoring_from", "Monitorowanie od", DATE, required=False, prefill="monitoring_from"),
    Field("monitoring_to", "Monitorowanie do", DATE, required=False, prefill="monitoring_to"),
)

# the card's member: the documents' member and the card's own fields
RECORD_MEMBERS = dataclasses.replace(MEMBERS, min_items=0, fields=MEMBERS.fields + PERSON_DETAILS + PLACEMENT_FIELDS)
# --- end of the card's own fields of a person --------------------------------------------------


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
        yield from sex_matches_pesel(person, path, f"Członkowie rodziny, osoba {index + 1} – ")


def sex_matches_pesel(person: dict[str, Any], path: str, where: str) -> Iterator[Issue]:
    """The typed sex, where both are given, is the one the PESEL says."""
    typed, from_pesel = person.get("sex"), sex_from_pesel(person.get("pesel"))
    if typed and from_pesel and typed != from_pesel:
        yield Issue(f"{path}.sex", where + f"PESEL wskazuje inną płeć ({SEX.choice_label(from_pesel)}) niż podana.")


MEMBERS_IDENTIFIED = Rule("members_identified", "Każda osoba ma datę urodzenia lub PESEL, zgodne ze sobą; "
                                                "płeć zgodna z PESEL-em.", _members_identified, section="family")


def family_name_genitive(data: dict[str, Any]) -> str:
    """The family's name in the genitive plural: as the data give it (prefilled from the family card,
    perhaps corrected), else as docgen.polish declines the name."""
    given = data.get(FAMILY_NAME_GEN.name)
    if isinstance(given, str) and given.strip():
        return given.strip()
    name = data.get(FAMILY_NAME.name)
    return family_name_forms(name if isinstance(name, str) else "").genitive


def naming_the_family(derive: Callable[[dict[str, Any]], dict[str, Any]] | None = None
                      ) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A type's `derive` plus the family's name in the genitive (for every type that names the family)."""

    def derived(data: dict[str, Any]) -> dict[str, Any]:
        return {FAMILY_NAME_GEN.name: family_name_genitive(data), **(derive(data) if derive else {})}

    return derived


def _optional(item: Item) -> Item:
    return dataclasses.replace(item, required=False) if isinstance(item, Field) and item.required else item


# The record itself: only the name and the address are needed to start a case file.
FAMILY_RECORD = DocType(
    id="family",
    title="Karta rodziny",
    template="",
    sections=(
        Section("family", "Rodzina", (*FAMILY_NAMES, ADDRESS, _optional(SOCIAL_WORKER), RECORD_MEMBERS)),
        Section("basis", "Podstawa objęcia wsparciem", tuple(_optional(f) for f in BASIS_FIELDS)),
        Section("coordinator", "Koordynator pieczy zastępczej (gdy dziecko przebywa w pieczy)",
                tuple(_optional(f) for f in COORDINATOR_FIELDS)),
        Section("monitoring", "Monitorowanie po zakończeniu pracy", MONITORING_FIELDS),
    ),
    rules=(MEMBERS_IDENTIFIED,),
)
