""""Opinia o rodzinie i jej członkach" — art. 15 ust. 1 pkt 17 of the Act of 9 June 2011, made only at the court's request."""
from __future__ import annotations

import dataclasses
from typing import Any, Iterator

from ..casefile import ADDRESS, BASES, FAMILY_NAMES, MEMBERS, MEMBERS_IDENTIFIED, RELATIONS, naming_the_family
from ..definition import CHOICE, COURT_CASE, DATE, TEXTAREA, DocType, Field, Issue, Repeat, Rule, Section, Signature
from ..formatting import date_long
from ..rules import date_of, full_name, rows

ACT = "ustawy z dnia 9 czerwca 2011 r. o wspieraniu rodziny i systemie pieczy zastępczej"

# The basis printed in the header. A choice: one click, and the wording is right; "inna" takes a text.
OPINION_BASES = (
    ("art15", f"art. 15 ust. 1 pkt 17 {ACT}"),
    ("inna", "inna podstawa (wpisz ją w polu „Inna podstawa prawna”)"),
)

# the family's members as in the case file, without the plan's "took part" checkbox
OPINION_MEMBERS = dataclasses.replace(MEMBERS, fields=tuple(f for f in MEMBERS.fields if f.name != "took_part"))

SECTIONS = (
    Section("court", "Sąd i sprawa", numbered=False,
            help="Opinię sporządza się wyłącznie na wniosek sądu: przepisz dane z pisma sądu.", items=(
                Field("court_name", "Sąd", prefill="court_name",
                      help="Sama nazwa sądu, np. Sąd Rejonowy w Lipowcu Mazurskim; wydział podaj niżej."),
                Field("court_division", "Wydział", help="Np. III Wydział Rodzinny i Nieletnich."),
                Field("court_address", "Adres sądu", TEXTAREA, max_length=300,
                      help="Ulica i numer; w drugim wierszu kod pocztowy i miejscowość. Drukuje się w bloku "
                           "adresata pod nazwą sądu i wydziału."),
                Field("court_case_number", "Sygn. akt", COURT_CASE, prefill="court_case_number",
                      help="Jak na piśmie sądu, np. III Nsm 253/26."),
                Field("request_date", "Data pisma sądu", DATE,
                      help="Opinia odpowiada na to pismo: „w odpowiedzi na pismo z dnia …”."),
                Field("court_questions", "Pytania sądu", TEXTAREA, required=False,
                      help="Przepisz pytania z pisma sądu; wnioski opinii mają na nie odpowiadać."),
                Field("opinion_basis", "Podstawa prawna opinii", CHOICE, choices=OPINION_BASES),
                Field("opinion_basis_other", "Inna podstawa prawna", required=False,
                      required_when=("opinion_basis", "inna"),
                      help="Przepis, na który powołuje się sąd w piśmie."),
            )),
    Section("period", "Okres i formy pracy z rodziną", (
        Field("work_basis", "Podstawa pracy z rodziną", CHOICE, choices=BASES, prefill="basis"),
        Field("work_from", "Praca z rodziną od", DATE, prefill="work_start"),
        Field("work_to", "Praca z rodziną do", DATE, required=False, prefill="work_end",
              help="Pozostaw puste, jeśli praca z rodziną trwa."),
        Field("work_forms", "Formy pracy", TEXTAREA,
              help="Np. wizyty w domu rodziny (jak często), rozmowy, trening budżetowy, "
                   "towarzyszenie w urzędach i szkole."),
    )),
    Section("sources", "Źródła informacji",
            help="Na czym opiera się opinia: co asystent sam widział i słyszał, jakie dokumenty przeczytał, "
                 "co przekazały inne instytucje. Wypełnij co najmniej jedno pole.", items=(
                Field("source_visits", "Wizyty w miejscu zamieszkania rodziny", TEXTAREA, required=False,
                      help="Ile i kiedy, np. 22 wizyty od 12 października 2026 r. do 18 marca 2027 r."),
                Field("source_talks", "Rozmowy", TEXTAREA, required=False,
                      help="Z kim, np. z rodzicami, z Julią, z wychowawczynią, z koordynatorem pieczy zastępczej."),
                Field("source_documents", "Dokumenty", TEXTAREA, required=False,
                      help="Np. plan pracy z rodziną, okresowa ocena sytuacji rodziny, zaświadczenia, opinie."),
                Field("source_institutions", "Informacje z innych instytucji", TEXTAREA, required=False,
                      help="Np. szkoła, poradnia, PCPR, kurator sądowy, policja – co i kiedy przekazały."),
            )),
    Section("family", "Skład rodziny", (*FAMILY_NAMES, ADDRESS, OPINION_MEMBERS)),
    Section("profiles", "Charakterystyka członków rodziny", (
        Repeat("member_profiles", "Charakterystyka członków rodziny", item_label="osoba", min_items=1,
               max_items=20, prefill="members",
               help="Każda osoba ze składu rodziny, osobno. Opisuj fakty, które asystent sam zaobserwował.",
               fields=(
                   Field("first_name", "Imię", prefill="first_name"),
                   Field("last_name", "Nazwisko", prefill="last_name"),
                   Field("relation", "Rola w rodzinie", CHOICE, choices=RELATIONS, prefill="relation"),
                   Field("characteristic", "Charakterystyka", TEXTAREA, prefill="profile_start",
                         help="Zdrowie, nauka lub praca, zachowanie, pełnienie ról w rodzinie."),
               )),
    )),
    Section("children", "Sytuacja opiekuńczo-wychowawcza dzieci", (
        Field("children_care", "Sytuacja opiekuńczo-wychowawcza dzieci", TEXTAREA, prefill="children_in_care_text",
              help="Opieka i wychowanie, nauka, zdrowie, zaspokajanie potrzeb dzieci."),
    )),
    Section("living", "Warunki mieszkaniowe i materialne", (
        Field("housing", "Warunki mieszkaniowe", TEXTAREA, prefill="assessment.housing"),
        Field("material_situation", "Sytuacja materialna", TEXTAREA, prefill="assessment.finances",
              help="Źródła i wysokość dochodu, zadłużenie, korzystanie ze świadczeń."),
    )),
    Section("relations", "Relacje w rodzinie", (
        Field("family_relations", "Relacje w rodzinie", TEXTAREA),
    )),
    Section("cooperation", "Współpraca z asystentem i realizacja planu", (
        Field("cooperation", "Współpraca rodziny z asystentem", TEXTAREA,
              prefill="assessment.cooperation_description"),
        Field("plan_implementation", "Realizacja planu pracy z rodziną", TEXTAREA),
    )),
    Section("conclusions", "Wnioski", (
        Field("conclusions", "Wnioski", TEXTAREA,
              help="Wyłącznie fakty i wnioski z nich wynikające; odpowiedz na pytania sądu."),
    )),
    Section("signatures", "Podpis", (
        Field("place", "Miejscowość sporządzenia opinii", prefill="office_city"),
        Field("document_date", "Data sporządzenia opinii", DATE, prefill="today"),
        Field("assistant_name", "Asystent rodziny", prefill="assistant_name", help="Imię i nazwisko."),
        Field("head_name", "Kierownik ośrodka", required=False, prefill="head_name",
              help="Imię i nazwisko. Wypełnij, jeśli opinię podpisuje także kierownik ośrodka."),
    )),
)


def _request_before_opinion(data: dict[str, Any]) -> Iterator[Issue]:
    request, made = date_of(data, "request_date"), date_of(data, "document_date")
    if request and made and request > made:
        yield Issue("request_date", "Data pisma sądu: opinię sporządza się w odpowiedzi na pismo sądu, więc pismo "
                                    f"nie może być późniejsze niż data sporządzenia opinii ({date_long(made)}).")


def _period_ordered(data: dict[str, Any]) -> Iterator[Issue]:
    start, end, made = date_of(data, "work_from"), date_of(data, "work_to"), date_of(data, "document_date")
    if start and end and end < start:
        yield Issue("work_to", "Praca z rodziną do: data końca nie może być wcześniejsza niż data początku.")
    if start and made and start > made:
        yield Issue("work_from", "Praca z rodziną od: praca nie może zaczynać się po dacie sporządzenia opinii "
                                 f"({date_long(made)}).")
    elif end and made and end > made:
        yield Issue("work_to", "Praca z rodziną do: data końca nie może być późniejsza niż data sporządzenia "
                               f"opinii ({date_long(made)}).")


def _key(person: dict[str, Any]) -> str:
    return " ".join(full_name(person).split()).casefold()


def _every_member_profiled(data: dict[str, Any]) -> Iterator[Issue]:
    """One profile per member of the family composition, matched by first and last name."""
    members = {_key(person): full_name(person) for person in rows(data, "members") if _key(person)}
    seen: set[str] = set()
    for index, profile in enumerate(rows(data, "member_profiles")):
        key = _key(profile)
        if not key:
            continue
        where = f"Charakterystyka członków rodziny, osoba {index + 1} – "
        if key not in members:
            yield Issue(f"member_profiles[{index}].last_name",
                        where + f"{full_name(profile)} nie występuje w składzie rodziny; popraw imię i nazwisko "
                                "albo dodaj tę osobę w części „Skład rodziny”.")
        elif key in seen:
            yield Issue(f"member_profiles[{index}].last_name",
                        where + f"{full_name(profile)} ma już charakterystykę; połącz obie w jedną.")
        seen.add(key)
    for key, name in members.items():
        if key not in seen:
            yield Issue("member_profiles", f"Charakterystyka członków rodziny: brak charakterystyki osoby {name} "
                                           "ze składu rodziny.")


SOURCES = ("source_visits", "source_talks", "source_documents", "source_institutions")


def _sources_named(data: dict[str, Any]) -> Iterator[Issue]:
    if not any(isinstance(data.get(name), str) and data[name].strip() for name in SOURCES):
        yield Issue("source_visits", "Źródła informacji: opinia dla sądu podaje, na czym się opiera – wpisz "
                                     "co najmniej wizyty, rozmowy, dokumenty albo informacje innych instytucji.")


RULES = (
    Rule("sources_named", "Opinia podaje źródła informacji.", _sources_named, section="sources"),
    Rule("request_before_opinion", "Pismo sądu poprzedza opinię.", _request_before_opinion, section="court"),
    Rule("period_ordered", "Okres pracy z rodziną jest poprawny i nie wykracza poza datę opinii.",
         _period_ordered, section="period"),
    MEMBERS_IDENTIFIED,
    Rule("every_member_profiled", "Każda osoba ze składu rodziny ma swoją charakterystykę.",
         _every_member_profiled, section="profiles"),
)


def _basis(data: dict[str, Any]) -> dict[str, Any]:
    """The basis as printed (once: in the opening sentence), and whether the head countersigns."""
    code = data.get("opinion_basis") or ""
    basis = data.get("opinion_basis_other") if code == "inna" else dict(OPINION_BASES).get(code)
    return {"opinion_basis_text": basis or "", "head_countersigns": bool(data.get("head_name"))}


derive = naming_the_family(_basis)


def example() -> dict[str, Any]:
    """The Zawadzcy in March 2027: Kacper has been in a foster family since 18 January, the court asks
    in the same case how the parents cope and whether they work with the assistant."""
    return {
        "court_name": "Sąd Rejonowy w Lipowcu Mazurskim",
        "court_division": "III Wydział Rodzinny i Nieletnich",
        "court_address": "ul. Sądowa 2\n11-440 Lipowiec Mazurski",
        "court_case_number": "III Nsm 41/27",
        "request_date": "2027-03-08",
        "court_questions": "1. Jak rodzice wywiązują się z obowiązków wobec dzieci?\n"
                           "2. Czy rodzina współpracuje z asystentem rodziny i z jakim skutkiem?",
        "opinion_basis": "art15",
        "opinion_basis_other": None,
        "work_basis": "zgoda",
        "work_from": "2026-10-05",
        "work_to": None,
        "work_forms": "Wizyty w domu rodziny raz w tygodniu, rozmowy z rodzicami, trening budżetowy, "
                      "towarzyszenie matce w Powiatowym Urzędzie Pracy, spotkania z wychowawczynią Julii.",
        "source_visits": "22 wizyty w domu rodziny od 12 października 2026 r. do 18 marca 2027 r.",
        "source_talks": "Z rodzicami, z Julią, z wychowawczynią Julii, z koordynatorem rodzinnej pieczy "
                        "zastępczej.",
        "source_documents": "Plan pracy z rodziną z 2 listopada 2026 r., plan skoordynowany z planem pomocy "
                            "dziecku z 15 lutego 2027 r., ugoda ze spółdzielnią mieszkaniową i potwierdzenia wpłat.",
        "source_institutions": "Szkoła Podstawowa nr 2 w Lipowcu Mazurskim (frekwencja Julii), Powiatowe Centrum "
                               "Pomocy Rodzinie (przebieg kontaktów z Kacprem), Poradnia Psychologiczno-"
                               "Pedagogiczna (udział rodziców w warsztatach).",
        "family_name": "Zawadzcy",
        "family_name_gen": None,
        "address": "ul. Leśna 12 m. 4, 11-440 Lipowiec Mazurski",
        "members": [
            {"first_name": "Anna", "last_name": "Zawadzka", "birth_date": "1991-03-14", "pesel": "91031441223",
             "sex": None, "relation": "matka", "in_household": True, "foster_care": False},
            {"first_name": "Tomasz", "last_name": "Zawadzki", "birth_date": "1988-09-02", "pesel": "88090213717",
             "sex": None, "relation": "ojciec", "in_household": True, "foster_care": False},
            {"first_name": "Julia", "last_name": "Zawadzka", "birth_date": "2014-05-21", "pesel": "14252125523",
             "sex": None, "relation": "dziecko", "in_household": True, "foster_care": False},
            {"first_name": "Kacper", "last_name": "Zawadzki", "birth_date": "2018-11-07", "pesel": None,
             "sex": "M", "relation": "dziecko", "in_household": False, "foster_care": True},
        ],
        "member_profiles": [
            {"first_name": "Anna", "last_name": "Zawadzka", "relation": "matka",
             "characteristic": "Po kursie kucharza z Powiatowego Urzędu Pracy (od grudnia 2026 r. do lutego "
                               "2027 r.) od 1 marca 2027 r. pracuje jako kucharka na pół etatu. Prowadzi dom; "
                               "dotrzymuje ustaleń z asystentem."},
            {"first_name": "Tomasz", "last_name": "Zawadzki", "relation": "ojciec",
             "characteristic": "Pracuje dorywczo na budowie. Angażuje się w spłatę zadłużenia czynszowego."},
            {"first_name": "Julia", "last_name": "Zawadzka", "relation": "dziecko",
             "characteristic": "Uczennica klasy VI. Frekwencja wzrosła z 78% do 93%; oceny dostateczne i dobre."},
            {"first_name": "Kacper", "last_name": "Zawadzki", "relation": "dziecko",
             "characteristic": "Od 18 stycznia 2027 r. przebywa w rodzinie zastępczej niezawodowej w Starych "
                               "Olszynach; uczeń klasy II. Spotyka się z rodzicami co tydzień."},
        ],
        "children_care": "Julia jest zadbana, ma zapewnione posiłki i odzież; rodzice ustalili jej plan dnia, "
                         "matka kontaktuje się z wychowawczynią. Rodzice są obecni na wszystkich spotkaniach "
                         "z Kacprem w Powiatowym Centrum Pomocy Rodzinie.",
        "housing": "Mieszkanie dwupokojowe w bloku, z kuchnią i łazienką; czyste i ogrzewane. "
                   "Julia ma własne biurko.",
        "material_situation": "Dochód z pracy matki, pracy dorywczej ojca, świadczenia wychowawczego i zasiłku "
                              "rodzinnego. Zadłużenie czynszowe (4 320 zł) spłacane według ugody po 360 zł "
                              "miesięcznie: spłacono 1 440 zł, pozostało 2 880 zł.",
        "family_relations": "Rodzice wspierają się wzajemnie; nie stwierdzono przemocy. Dzieci są związane z "
                            "rodzicami i babcią.",
        "cooperation": "Rodzina współpracuje z asystentem, dotrzymuje terminów spotkań.",
        "plan_implementation": "Plan skoordynowany z planem pomocy dziecku z 15 lutego 2027 r. jest realizowany: "
                               "matka podjęła pracę, raty płacone są w terminie, rodzice uczestniczą "
                               "w warsztatach umiejętności wychowawczych (do maja 2027 r.).",
        "conclusions": "Ad 1. Rodzice zapewniają Julii opiekę i zaspokajają jej potrzeby; regularnie spotykają "
                       "się z Kacprem.\n"
                       "Ad 2. Rodzina współpracuje z asystentem; cele planu są realizowane.",
        "place": "Lipowiec Mazurski",
        "document_date": "2027-03-22",
        "assistant_name": "Ewa Kalinowska",
        "head_name": None,
    }


COURT_OPINION = DocType(
    id="court_opinion",
    title="Opinia o rodzinie i jej członkach",
    sections=SECTIONS,
    rules=RULES,
    template="court_opinion.docx",
    example=example,
    derive=derive,
    file_stem="opinia_o_rodzinie",
    # no subtitle: the basis, which the court's request may name otherwise, is printed once, in the
    # opening sentence ("… na podstawie art. 15 ust. 1 pkt 17 ustawy …, przedstawiam opinię …")
    legal_basis="",
    signatures=(
        Signature("Asystent rodziny", name="assistant_name"),
        Signature("Kierownik ośrodka", name="head_name"),
    ),
)
