""""Zgoda rodziny na współpracę z asystentem rodziny" — art. 8 ust. 3 of the Act of 9 June 2011.

The statement itself is fixed text in the template; the data say who consents, when, and
that the family received the information clause on personal data (art. 13 RODO).
"""
from __future__ import annotations

from typing import Any, Iterator

from ..casefile import ADDRESS, FAMILY_NAME, MEMBERS
from ..definition import BOOL, DATE, DocType, Field, Issue, Repeat, Rule, Section, Signature
from ..rules import birth_date_of, date_of, full_name, is_adult, rows
from ..formatting import date_long

# Printed by the template (offices may reword it there); shown in the wizard as the step's help.
STATEMENT = ("Niżej podpisane osoby, dorośli członkowie rodziny, wyrażają zgodę na współpracę rodziny z asystentem "
             "rodziny i na prowadzenie z nią pracy, w tym na wizyty asystenta w miejscu zamieszkania rodziny. "
             "Przyjmują do wiadomości, że praca z rodziną jest prowadzona za jej zgodą i z jej aktywnym udziałem "
             "oraz że zgodę można wycofać, informując o tym ośrodek.")

SECTIONS = (
    Section("family", "Dane rodziny", (FAMILY_NAME, ADDRESS)),
    Section("consenting", "Osoby wyrażające zgodę", (
        Repeat("consenting", "Osoby wyrażające zgodę", item_label="osoba", min_items=1, max_items=10,
               prefill="members",
               help="Dorośli członkowie rodziny; dzieci nie wyrażają zgody – usuń je z listy.",
               table=(("first_name", 3.5), ("last_name", 4.0), ("birth_date", 2.8), ("pesel", 3.2),
                      ("relation", 2.5)),
               fields=tuple(MEMBERS.field(name) for name in ("first_name", "last_name", "birth_date", "pesel",
                                                             "relation"))),
    )),
    Section("statement", "Oświadczenie", statement=STATEMENT, items=(
        Field("consent_date", "Data wyrażenia zgody", DATE, prefill="consent_date"),
    )),
    Section("rodo", "Informacja o przetwarzaniu danych osobowych", (
        Field("info_clause_given", "Przekazano klauzulę informacyjną", BOOL,
              help="Rodzina otrzymała informację o przetwarzaniu danych osobowych przez ośrodek "
                   "(art. 13 RODO)."),
    )),
    Section("signatures", "Podpisy", (
        Field("place", "Miejscowość", prefill="office_city"),
        Field("assistant_name", "Asystent rodziny przyjmujący zgodę (imię i nazwisko)", prefill="assistant_name"),
    )),
)


def _consenting_adults(data: dict[str, Any]) -> Iterator[Issue]:
    on = date_of(data, "consent_date")
    people = rows(data, "consenting")
    adults = 0
    for index, person in enumerate(people):
        path, where = f"consenting[{index}]", f"Osoby wyrażające zgodę, osoba {index + 1} – "
        born, pesel_born = date_of(person, "birth_date"), birth_date_of({"pesel": person.get("pesel")})
        if born is None and pesel_born is None:
            yield Issue(f"{path}.birth_date", where + "podaj datę urodzenia albo PESEL; zgodę wyraża osoba "
                                                      "pełnoletnia.")
        elif born and pesel_born and born != pesel_born:
            yield Issue(f"{path}.pesel", where + f"PESEL wskazuje inną datę urodzenia ({date_long(pesel_born)}) "
                                                 "niż podana.")
        elif on and is_adult(person, on):
            adults += 1
        elif on:
            yield Issue(f"{path}.birth_date", where + f"{full_name(person)} nie ma ukończonych 18 lat w dniu "
                                                      "wyrażenia zgody; zgodę wyrażają dorośli członkowie "
                                                      "rodziny. Usuń tę osobę z listy.")
    if people and on and not adults:
        yield Issue("consenting", "Osoby wyrażające zgodę: zgodę wyraża co najmniej jeden dorosły członek rodziny.")


def _info_clause_given(data: dict[str, Any]) -> Iterator[Issue]:
    if data.get("info_clause_given") is False:
        yield Issue("info_clause_given", "Przekazano klauzulę informacyjną: przed przyjęciem zgody przekaż rodzinie "
                                         "klauzulę informacyjną o przetwarzaniu danych osobowych (art. 13 RODO).")


RULES = (
    Rule("consenting_adults", "Zgodę wyrażają dorośli członkowie rodziny, co najmniej jeden.",
         _consenting_adults, section="consenting"),
    Rule("info_clause_given", "Rodzina otrzymała klauzulę informacyjną RODO.", _info_clause_given, section="rodo"),
)


def derive(data: dict[str, Any]) -> dict[str, Any]:
    """Each consenting adult gets a signature line."""
    on = date_of(data, "consent_date")
    return {"signatories": [{"name": full_name(person)} for person in rows(data, "consenting")
                            if on and is_adult(person, on)]}


def example() -> dict[str, Any]:
    return {
        "family_name": "Zawadzcy",
        "address": "ul. Leśna 12 m. 4, 11-440 Lipowiec Mazurski",
        "consenting": [
            {"first_name": "Anna", "last_name": "Zawadzka", "birth_date": "1991-03-14", "pesel": "91031441223",
             "relation": "matka"},
            {"first_name": "Tomasz", "last_name": "Zawadzki", "birth_date": "1988-09-02", "pesel": "88090213717",
             "relation": "ojciec"},
        ],
        "info_clause_given": True,
        "place": "Lipowiec Mazurski",
        "consent_date": "2026-10-12",
        "assistant_name": "Ewa Kalinowska",
    }


FAMILY_CONSENT = DocType(
    id="family_consent",
    title="Zgoda rodziny na współpracę z asystentem rodziny",
    sections=SECTIONS,
    rules=RULES,
    template="family_consent.docx",
    example=example,
    derive=derive,
    date_field="consent_date",
    file_stem="zgoda_rodziny",
    legal_basis="(art. 8 ust. 3 ustawy z dnia 9 czerwca 2011 r. o wspieraniu rodziny i systemie pieczy "
                "zastępczej)",
    signatures=(
        Signature("Członek rodziny wyrażający zgodę", each="signatories"),
        Signature("Asystent rodziny przyjmujący zgodę", name="assistant_name"),
    ),
)
