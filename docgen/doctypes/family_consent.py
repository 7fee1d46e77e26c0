""""Zgoda rodziny na współpracę z asystentem rodziny" — art. 8 ust. 3 of the Act of 9 June 2011.

The statements are fixed text in the template, worded for who signs: one person in the singular
and in their own grammatical gender ("Ja, niżej podpisana, wyrażam zgodę …", "Oświadczam, że
otrzymałam informację …"), several in the plural. The data say who consents, when, and that the
family received the information clause on personal data (art. 13 RODO). A person of full age
consents; so does a minor who has married (art. 10 § 2 of the Civil Code: marriage confers
majority).
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Iterator

from ..casefile import ADDRESS, FAMILY_NAMES, MEMBERS, naming_the_family, sex_matches_pesel
from ..definition import BOOL, DATE, DocType, Field, Issue, Repeat, Rule, Section, Signature
from ..formatting import age_on, date_long
from ..polish import phrases, sex_of
from ..rules import ADULT_AGE, birth_date_of, date_of, full_name, rows

# art. 10 § 1 of the Family and Guardianship Code: the court may allow a marriage from 16
MARRIAGE_AGE = 16

# shown in the wizard; the template prints the same, worded for who signs (see `derive`)
STATEMENT = ("Dorośli członkowie rodziny wyrażają zgodę na współpracę rodziny z asystentem rodziny i na prowadzenie "
             "z nią pracy, w tym na wizyty asystenta w miejscu zamieszkania rodziny, i przyjmują do wiadomości, że "
             "praca z rodziną jest prowadzona za jej zgodą i z jej aktywnym udziałem oraz że zgodę można wycofać. "
             "Dokument mówi „Ja, niżej podpisana…”, gdy podpisuje jedna osoba, i „My, niżej podpisani…”, gdy kilka.")

SECTIONS = (
    Section("family", "Dane rodziny", (*FAMILY_NAMES, ADDRESS)),
    Section("consenting", "Osoby wyrażające zgodę", (
        Repeat("consenting", "Osoby wyrażające zgodę", item_label="osoba", min_items=1, max_items=10,
               prefill="members",
               help="Pełnoletni członkowie rodziny; dzieci nie wyrażają zgody – usuń je z listy. Dokument podaje "
                    "PESEL, a gdy go nie ma – datę urodzenia.",
               fields=(
                   *(MEMBERS.field(name) for name in ("first_name", "last_name", "birth_date", "pesel", "sex",
                                                      "relation")),
                   Field("married_minor", "Małoletnia osoba, która zawarła małżeństwo (art. 10 § 2 k.c.)", BOOL,
                         required=False,
                         help="Przez zawarcie małżeństwa małoletni uzyskuje pełnoletność i może sam wyrazić zgodę."),
               )),
    )),
    Section("statement", "Oświadczenie", statement=STATEMENT, items=(
        Field("consent_date", "Data wyrażenia zgody", DATE, prefill="consent_date"),
    )),
    Section("rodo", "Informacja o przetwarzaniu danych osobowych", (
        Field("info_clause_given", "Osoby wyrażające zgodę otrzymały informację o przetwarzaniu danych osobowych",
              BOOL,
              help="Przekaż klauzulę informacyjną ośrodka (art. 13 RODO) przed przyjęciem zgody. Dokument drukuje "
                   "oświadczenie „Oświadczam, że otrzymałam/otrzymałem informację…”, które podpisuje ta osoba."),
    )),
    Section("signatures", "Podpisy", (
        Field("place", "Miejscowość", prefill="office_city"),
        Field("assistant_name", "Asystent rodziny przyjmujący zgodę", prefill="assistant_name",
              help="Imię i nazwisko."),
    )),
)


def of_age(person: dict[str, Any], on: dt.date) -> bool:
    """18 or more on the day, or married (art. 10 § 2 k.c.) and old enough to have married."""
    born = birth_date_of(person)
    if born is None:
        return False
    age = age_on(born, on)
    return age >= ADULT_AGE or (person.get("married_minor") is True and age >= MARRIAGE_AGE)


def _consenting_of_age(data: dict[str, Any]) -> Iterator[Issue]:
    on = date_of(data, "consent_date")
    people = rows(data, "consenting")
    of_full_age = 0
    for index, person in enumerate(people):
        path, where = f"consenting[{index}]", f"Osoby wyrażające zgodę, osoba {index + 1} – "
        born, pesel_born = date_of(person, "birth_date"), birth_date_of({"pesel": person.get("pesel")})
        if born is None and pesel_born is None:
            yield Issue(f"{path}.birth_date", where + "podaj datę urodzenia albo PESEL; zgodę wyraża osoba "
                                                      "pełnoletnia.")
        elif born and pesel_born and born != pesel_born:
            yield Issue(f"{path}.pesel", where + f"PESEL wskazuje inną datę urodzenia ({date_long(pesel_born)}) "
                                                 "niż podana.")
        elif on and of_age(person, on):
            of_full_age += 1
        elif on and person.get("married_minor") is True:
            yield Issue(f"{path}.married_minor", where + f"{full_name(person)} nie ma ukończonych {MARRIAGE_AGE} "
                                                         "lat w dniu wyrażenia zgody, a małżeństwo może zawrzeć "
                                                         "osoba, która je ukończyła (art. 10 § 1 k.r.o.).")
        elif on:
            yield Issue(f"{path}.birth_date", where + f"{full_name(person)} nie ma ukończonych 18 lat w dniu "
                                                      "wyrażenia zgody; zgodę wyrażają pełnoletni członkowie "
                                                      "rodziny (także małoletni, który zawarł małżeństwo – "
                                                      "zaznacz to wtedy). Usuń tę osobę z listy.")
        if sex_of(person) is None:
            yield Issue(f"{path}.sex", where + "podaj płeć (albo PESEL, który ją wskazuje): od niej zależy "
                                               "forma „niżej podpisany” albo „niżej podpisana” w dokumencie.")
        yield from sex_matches_pesel(person, path, where)
    if people and on and not of_full_age:
        yield Issue("consenting", "Osoby wyrażające zgodę: zgodę wyraża co najmniej jeden pełnoletni członek "
                                  "rodziny.")


def _info_clause_given(data: dict[str, Any]) -> Iterator[Issue]:
    if data.get("info_clause_given") is False:
        yield Issue("info_clause_given", "Informacja o przetwarzaniu danych osobowych: przed przyjęciem zgody "
                                         "przekaż rodzinie klauzulę informacyjną o przetwarzaniu danych osobowych "
                                         "(art. 13 RODO); dokument drukuje oświadczenie, że ją otrzymała.")


RULES = (
    Rule("consenting_of_age", "Zgodę wyrażają pełnoletni członkowie rodziny (także małoletni w związku "
                              "małżeńskim), co najmniej jeden; płeć każdego jest znana.",
         _consenting_of_age, section="consenting"),
    Rule("info_clause_given", "Rodzina otrzymała klauzulę informacyjną RODO.", _info_clause_given, section="rodo"),
)


def _signers(data: dict[str, Any]) -> dict[str, Any]:
    """Who signs (each consenting person of age gets a signature line) and the words that follow
    them: one person in the singular and their own gender, several in the plural."""
    on = date_of(data, "consent_date")
    signing = [person for person in rows(data, "consenting") if on and of_age(person, on)]
    return {
        "signatories": [{"name": full_name(person)} for person in signing],
        "wording": phrases(sex_of(person) for person in signing),
    }


derive = naming_the_family(_signers)


def example() -> dict[str, Any]:
    """The Zawadzcy of every example: both parents consent on 12 October 2026, a week after the
    assistant was assigned (5 October)."""
    return {
        "family_name": "Zawadzcy",
        "family_name_gen": None,
        "address": "ul. Leśna 12 m. 4, 11-440 Lipowiec Mazurski",
        "consenting": [
            {"first_name": "Anna", "last_name": "Zawadzka", "birth_date": "1991-03-14", "pesel": "91031441223",
             "sex": None, "relation": "matka", "married_minor": False},
            {"first_name": "Tomasz", "last_name": "Zawadzki", "birth_date": "1988-09-02", "pesel": "88090213717",
             "sex": None, "relation": "ojciec", "married_minor": False},
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
        Signature("Podpisy osób wyrażających zgodę", each="signatories", role_one="Podpis osoby wyrażającej zgodę"),
        Signature("Asystent rodziny przyjmujący zgodę", name="assistant_name"),
    ),
)
