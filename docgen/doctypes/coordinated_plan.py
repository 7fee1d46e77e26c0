""""Plan pracy z rodziną skoordynowany z planem pomocy dziecku" — art. 15 ust. 1 pkt 2 of the Act.

Everything of the work plan (its very fields and rules), plus the children in foster care,
the coordinator, the coordination with the child's help plan, contacts and conditions of return.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Iterator

from ..casefile import CARE_FORMS, COORDINATOR_FIELDS
from ..definition import (CHOICE, COURT_CASE, DATE, TABLE_CELL_LIMIT, TEXTAREA, WARNING, DocType, Field, Issue, Item,
                          Repeat, Rule, Section, Signature)
from ..formatting import date_long
from ..rules import date_of, full_name, rows, rows_dated_before
from . import work_plan
from .work_plan import PLAN_RULES, WORK_PLAN, deadlines_passed

# family foster care (rodzinna piecza zastępcza, art. 39 of the Act): a coordinator of family foster
# care works with it (art. 76), and with the assistant on this plan (art. 15 ust. 1 pkt 2); a child in
# institutional care (art. 93) has no such coordinator: the institution's contact is named instead
FAMILY_CARE = frozenset({"spokrewniona", "niezawodowa", "zawodowa", "rodzinny_dom"})


def _prefilled(item: Item) -> Item:
    """A copy of a work-plan item that starts from the plan in force ("plan.<name>"): the work plan
    at first, the previous coordinated plan when one is revised."""
    if isinstance(item, Repeat):
        return replace(item, prefill=f"plan.{item.name}",
                       fields=tuple(replace(spec, prefill=spec.name) for spec in item.fields))
    return replace(item, prefill=f"plan.{item.name}")


def _from_work_plan(name: str) -> Section:
    section = WORK_PLAN.section(name)
    return replace(section, items=tuple(_prefilled(item) for item in section.items))


CHILDREN_IN_CARE = Repeat(
    "children_in_care", "Dzieci w pieczy zastępczej", item_label="dziecko", min_items=1, max_items=15,
    prefill="children_in_care",
    help="Każde dziecko z rodziny umieszczone w pieczy zastępczej, z postanowieniem sądu i planem pomocy dziecku.",
    fields=(
        Field("first_name", "Imię", prefill="first_name"),
        Field("last_name", "Nazwisko", prefill="last_name"),
        Field("birth_date", "Data urodzenia", DATE, prefill="birth_date"),
        Field("care_form", "Forma pieczy zastępczej", CHOICE, choices=CARE_FORMS, prefill="care_form"),
        Field("care_name", "Nazwa i miejsce pieczy", prefill="care_name",
              help="Np. rodzina zastępcza niezawodowa w Starych Olszynach albo nazwa i adres placówki."),
        Field("placement_date", "Data umieszczenia w pieczy", DATE, prefill="placement_date"),
        Field("court_name", "Sąd, który orzekł o umieszczeniu", prefill="placement_court",
              help="Np. Sąd Rejonowy w Lipowcu Mazurskim, III Wydział Rodzinny i Nieletnich."),
        Field("court_case_number", "Sygnatura akt", COURT_CASE, prefill="placement_case_number",
              help="Np. III Nsm 253/19."),
        Field("court_order_date", "Data postanowienia o umieszczeniu", DATE, prefill="placement_order_date"),
        Field("help_plan_date", "Data planu pomocy dziecku", DATE,
              help="Plan pomocy dziecku, z którym skoordynowano ten plan; sporządza go koordynator "
                   "rodzinnej pieczy zastępczej albo placówka."),
        Field("help_plan_version", "Wersja planu pomocy dziecku", required=False,
              help="Np. plan pierwszy albo aktualizacja z datą."),
    ),
)

def _optional(field: Field, help_text: str) -> Field:
    return replace(field, required=False, help=help_text)


# required by the rule `coordinator_or_facility`, according to the children's form of care
COORDINATOR = tuple(_optional(f, f.help + (" " if f.help else "") + "Wymagane, gdy dziecko przebywa w rodzinnej "
                                  "pieczy zastępczej (rodzina zastępcza, rodzinny dom dziecka).")
                    if f.name != "coordinator_contact" else f for f in COORDINATOR_FIELDS)
FACILITY_CONTACT = (
    Field("facility_contact_name", "Osoba do kontaktu w placówce", required=False,
          help="Imię i nazwisko oraz funkcja, np. Jan Kowalski, wychowawca. Wymagane, gdy dziecko przebywa "
               "w placówce (opiekuńczo-wychowawczej, opiekuńczo-terapeutycznej, ośrodku preadopcyjnym): "
               "placówka nie ma koordynatora rodzinnej pieczy zastępczej."),
    Field("facility_contact", "Kontakt z placówką", required=False, help="Telefon, e-mail."),
)

# art. 15 ust. 1 pkt 2 names the family and the coordinator: the social worker's consultation may be
# recorded here, but is not required (in the work plan, pkt 1, it is)
SIGNATURES = replace(WORK_PLAN.section("signatures"), items=tuple(
    _optional(item, "Imię i nazwisko. Nieobowiązkowe: plan skoordynowany opracowuje się z rodziną i koordynatorem "
                    "(art. 15 ust. 1 pkt 2 ustawy); wpisz, jeśli plan konsultowano z pracownikiem socjalnym.")
    if item.name == "social_worker_name" else
    _optional(item, "Wypełnij, jeśli plan konsultowano z pracownikiem socjalnym.")
    if item.name == "consultation_date" else item
    for item in WORK_PLAN.section("signatures").items))

SECTIONS = (
    WORK_PLAN.section("family"),
    WORK_PLAN.section("basis"),
    Section("children_in_care", "Dzieci w pieczy zastępczej", (CHILDREN_IN_CARE,)),
    Section("coordinator", "Koordynator rodzinnej pieczy zastępczej lub kontakt w placówce",
            COORDINATOR + FACILITY_CONTACT,
            help="Dziecko w rodzinie zastępczej lub rodzinnym domu dziecka: koordynator rodzinnej pieczy "
                 "zastępczej. Dziecko w placówce: osoba do kontaktu w placówce."),
    Section("child_plan", "Koordynacja z planem pomocy dziecku", (
        Field("help_plan_coordination", "Ustalenia wspólne z planem pomocy dziecku", TEXTAREA,
              help="Które cele i działania tego planu wspierają plan pomocy dziecku; co robi asystent, "
                   "co koordynator, a co rodzina zastępcza lub placówka."),
    )),
    WORK_PLAN.section("period"),
    *(_from_work_plan(name) for name in ("diagnosis", "strengths", "main_goal", "goals", "actions")),
    Section("contacts", "Kontakty rodziców z dzieckiem", (
        Field("contact_frequency", "Częstotliwość kontaktów", help="Np. co tydzień w sobotę po 3 godziny."),
        Field("contact_form", "Forma kontaktów", TEXTAREA,
              help="Np. spotkania w PCPR w obecności koordynatora, odwiedziny w rodzinie zastępczej, "
                   "rozmowy telefoniczne, pobyt dziecka w domu rodzinnym."),
        Field("contact_notes", "Uwagi o kontaktach", TEXTAREA, required=False,
              help="Np. kontakty uregulowane lub ograniczone przez sąd, osoba towarzysząca."),
    )),
    Section("return", "Warunki powrotu dziecka do rodziny", (
        Repeat("return_conditions", "Warunki powrotu dziecka do rodziny", item_label="warunek", min_items=1,
               max_items=30, help="Co musi się zmienić w rodzinie, aby dziecko mogło wrócić, i do kiedy.",
               table=(("condition", 10.0), ("responsible", 3.5), ("deadline", 2.5)),
               fields=(
                   Field("condition", "Co musi się zmienić", TEXTAREA, max_length=TABLE_CELL_LIMIT),
                   Field("responsible", "Kto odpowiada"),
                   Field("deadline", "Termin", DATE),
               )),
    )),
    _from_work_plan("cooperation"),
    SIGNATURES,
)


def _child(index: int) -> str:
    return f"Dzieci w pieczy zastępczej, dziecko {index + 1}"


def _placement_before_plan(data: dict[str, Any]) -> Iterator[Issue]:
    plan_date = date_of(data, "plan_date")
    for index, child in enumerate(rows(data, "children_in_care")):
        placed, born = date_of(child, "placement_date"), date_of(child, "birth_date")
        if placed and plan_date and placed > plan_date:
            yield Issue(f"children_in_care[{index}].placement_date",
                        f"{_child(index)} – data umieszczenia w pieczy jest późniejsza niż data sporządzenia "
                        f"planu ({date_long(plan_date)}).")
        elif placed and born and placed < born:
            yield Issue(f"children_in_care[{index}].placement_date",
                        f"{_child(index)} – data umieszczenia w pieczy jest wcześniejsza niż data urodzenia.")


def _help_plan_before_plan(data: dict[str, Any]) -> Iterator[Issue]:
    plan_date = date_of(data, "plan_date")
    for index, child in enumerate(rows(data, "children_in_care")):
        help_plan = date_of(child, "help_plan_date")
        if help_plan and plan_date and help_plan > plan_date:
            yield Issue(f"children_in_care[{index}].help_plan_date",
                        f"{_child(index)} – plan pomocy dziecku ma datę późniejszą niż data sporządzenia planu "
                        f"({date_long(plan_date)}); podaj plan, z którym ten plan skoordynowano.")


def _key(person: dict[str, Any]) -> str:
    return " ".join(full_name(person).split()).casefold()


def _in_care_are_members(data: dict[str, Any]) -> Iterator[Issue]:
    """The children listed here are the members marked as in foster care, and all of them."""
    marked = {_key(person): full_name(person) for person in rows(data, "members") if person.get("foster_care")}
    listed = set()
    for index, child in enumerate(rows(data, "children_in_care")):
        key = _key(child)
        listed.add(key)
        if key and key not in marked:
            yield Issue(f"children_in_care[{index}].first_name",
                        f"{_child(index)} – {full_name(child)}: w składzie rodziny nie ma tej osoby z zaznaczonym "
                        f"pobytem w pieczy zastępczej.")
    if rows(data, "members"):
        for key, name in marked.items():
            if key not in listed:
                yield Issue("children_in_care", f"Dzieci w pieczy zastępczej: brak dziecka {name}, zaznaczonego "
                                                f"w składzie rodziny jako przebywające w pieczy zastępczej.")


def _return_deadlines(data: dict[str, Any]) -> Iterator[Issue]:
    start = date_of(data, "valid_from")
    for index, _ in rows_dated_before(data, "return_conditions", "deadline", start):
        yield Issue(f"return_conditions[{index}].deadline",
                    f"Warunki powrotu dziecka do rodziny, warunek {index + 1} – termin jest przed początkiem "
                    f"planu ({date_long(start)}).")


def _coordinator_or_facility(data: dict[str, Any]) -> Iterator[Issue]:
    forms = {child.get("care_form") for child in rows(data, "children_in_care")}
    if forms & FAMILY_CARE:
        for name, what in (("coordinator_name", "imię i nazwisko koordynatora"),
                           ("coordinator_unit", "jednostkę, w której pracuje")):
            if not (data.get(name) or "").strip():
                yield Issue(name, f"Koordynator rodzinnej pieczy zastępczej: dziecko przebywa w rodzinnej pieczy "
                                  f"zastępczej, a plan opracowuje się z koordynatorem (art. 15 ust. 1 pkt 2 "
                                  f"ustawy) – podaj {what}.")
    if forms - FAMILY_CARE - {None} and not (data.get("facility_contact_name") or "").strip():
        yield Issue("facility_contact_name", "Osoba do kontaktu w placówce: dziecko przebywa w placówce, która nie "
                                             "ma koordynatora rodzinnej pieczy zastępczej – podaj osobę, z którą "
                                             "asystent uzgadnia plan.")


def _consultation_complete(data: dict[str, Any]) -> Iterator[Issue]:
    worker, day = (data.get("social_worker_name") or "").strip(), data.get("consultation_date")
    if worker and not day:
        yield Issue("consultation_date", "Data konsultacji planu z pracownikiem socjalnym: podaj ją, skoro plan "
                                         "konsultowano z pracownikiem socjalnym (albo usuń jego nazwisko).")
    elif day and not worker:
        yield Issue("social_worker_name", "Pracownik socjalny rodziny: podaj, z kim konsultowano plan (albo usuń "
                                          "datę konsultacji).")


RULES = PLAN_RULES + (
    Rule("coordinator_or_facility", "Dziecko w rodzinnej pieczy zastępczej: koordynator; w placówce: osoba do "
                                    "kontaktu w placówce.", _coordinator_or_facility, section="coordinator"),
    Rule("consultation_complete", "Konsultacja z pracownikiem socjalnym: nazwisko i data razem albo wcale.",
         _consultation_complete, section="signatures"),
    Rule("placement_before_plan", "Dziecko umieszczono w pieczy przed sporządzeniem planu.",
         _placement_before_plan, section="children_in_care"),
    Rule("help_plan_before_plan", "Plan pomocy dziecku poprzedza plan skoordynowany.",
         _help_plan_before_plan, section="children_in_care"),
    Rule("in_care_are_members", "Dzieci w pieczy to członkowie rodziny z zaznaczonym pobytem w pieczy.",
         _in_care_are_members, section="children_in_care"),
    Rule("return_deadlines", "Terminy warunków powrotu nie wypadają przed początkiem planu.",
         _return_deadlines, section="return"),
    Rule("return_deadlines_passed", "Terminy warunków powrotu nie minęły przed sporządzeniem planu.",
         deadlines_passed("return_conditions", "Warunki powrotu dziecka do rodziny", "warunek"),
         section="return", severity=WARNING),
)


def example() -> dict[str, Any]:
    """The Zawadzcy of the work plan's example after Kacper was placed in a foster family."""
    data = work_plan.example()
    kacper = data["members"][3]
    kacper.update(in_household=False, foster_care=True)
    data.update({
        "children_in_care": [
            {"first_name": "Kacper", "last_name": "Zawadzki", "birth_date": "2018-11-07",
             "care_form": "niezawodowa", "care_name": "Rodzina zastępcza niezawodowa w Starych Olszynach, "
                                                      "gmina Lipowiec Mazurski",
             "placement_date": "2027-01-18",
             "court_name": "Sąd Rejonowy w Lipowcu Mazurskim, III Wydział Rodzinny i Nieletnich",
             "court_case_number": "III Nsm 41/27", "court_order_date": "2027-01-15",
             "help_plan_date": "2027-02-05", "help_plan_version": "plan pierwszy"},
        ],
        "coordinator_name": "Monika Urbańska",
        "coordinator_unit": "Powiatowe Centrum Pomocy Rodzinie w Lipowcu Mazurskim",
        "coordinator_contact": "tel. 89 741 20 15",
        "facility_contact_name": None,
        "facility_contact": None,
        "help_plan_coordination": "Plan pomocy dziecku zakłada utrzymanie więzi Kacpra z rodzicami i siostrą "
                                  "oraz przygotowanie jego powrotu do domu. Służą temu cele 1 i 2 tego planu.\n"
                                  "Koordynator organizuje kontakty i ocenia ich przebieg, asystent pracuje "
                                  "z rodzicami w domu, rodzina zastępcza przywozi Kacpra na spotkania.",
        "valid_from": "2027-02-15",
        "valid_to": "2027-07-31",
        "problems": [
            {"problem": "bezradnosc",
             "description": "Kacper kilkakrotnie zostawał w domu bez opieki; 15 stycznia 2027 r. sąd postanowił "
                            "o umieszczeniu go w rodzinie zastępczej."},
            {"problem": "bezrobocie",
             "description": "Ojciec bez stałej pracy; matka od grudnia 2026 r. na kursie kucharza z PUP."},
        ],
        "goals": [
            {"goal": "Rodzice regularnie spotykają się z Kacprem według harmonogramu uzgodnionego z koordynatorem."},
            {"goal": "Rodzice zapewniają dzieciom stałą opiekę: plan dnia, podział obowiązków, pomoc babci."},
            {"goal": "Co najmniej jeden z rodziców podejmuje stałą pracę."},
            {"goal": "Spłata zadłużenia czynszowego według ugody ze spółdzielnią."},
        ],
        "actions": [
            {"action": "Udział rodziców w warsztatach umiejętności wychowawczych w poradni psychologiczno-"
                       "pedagogicznej.", "area": "zajecia_grupowe", "responsible": "Anna i Tomasz Zawadzcy",
             "deadline": "2027-05-31", "expected_effect": "Rodzice ukończyli cykl 10 spotkań.",
             "verification": "Zaświadczenie poradni."},
            {"action": "Cotygodniowe spotkania rodziców z Kacprem w PCPR w obecności koordynatora.",
             "area": "wychowawcze", "responsible": "Anna i Tomasz Zawadzcy, koordynator",
             "deadline": "2027-07-31", "expected_effect": "Rodzice są na co najmniej 90% spotkań.",
             "verification": "Karta kontaktów prowadzona przez koordynatora."},
            {"action": "Pomoc ojcu w szukaniu pracy: rejestracja w PUP, CV, przegląd ofert co tydzień.",
             "area": "praca", "responsible": "Tomasz Zawadzki, asystent rodziny", "deadline": "2027-04-30",
             "expected_effect": "Ojciec ma umowę o pracę.", "verification": "Kopia umowy."},
        ],
        "contact_frequency": "Co tydzień w sobotę po 3 godziny; rozmowa wideo w środy.",
        "contact_form": "Spotkania w siedzibie PCPR w obecności koordynatora. Po pozytywnej ocenie kontaktów, "
                        "od kwietnia 2027 r., Kacper spędza weekendy w domu rodzinnym.",
        "contact_notes": None,
        "return_conditions": [
            {"condition": "Rodzice ukończyli warsztaty umiejętności wychowawczych i stosują plan dnia dzieci.",
             "responsible": "Anna i Tomasz Zawadzcy", "deadline": "2027-05-31"},
            {"condition": "Ustalona stała opieka nad Kacprem po szkole (rodzice, babcia, świetlica).",
             "responsible": "Anna Zawadzka", "deadline": "2027-06-30"},
            {"condition": "Pozytywna ocena kontaktów przez koordynatora i asystenta; wniosek do sądu o powrót "
                          "Kacpra do domu.", "responsible": "asystent rodziny, koordynator",
             "deadline": "2027-07-31"},
        ],
        "institutions": [
            {"institution": "Powiatowe Centrum Pomocy Rodzinie w Lipowcu Mazurskim",
             "scope": "Koordynacja pieczy zastępczej, organizacja kontaktów z Kacprem."},
            {"institution": "Poradnia Psychologiczno-Pedagogiczna w Lipowcu Mazurskim",
             "scope": "Warsztaty umiejętności wychowawczych dla rodziców."},
            {"institution": "Szkoła Podstawowa nr 2 w Lipowcu Mazurskim",
             "scope": "Informacja o frekwencji i postępach Julii."},
        ],
        "plan_date": "2027-02-15",
        "consultation_date": "2027-02-12",
    })
    return data


COORDINATED_PLAN = DocType(
    id="coordinated_plan",
    title="Plan pracy z rodziną skoordynowany z planem pomocy dziecku",
    legal_basis="(art. 15 ust. 1 pkt 2 ustawy z dnia 9 czerwca 2011 r. o wspieraniu rodziny "
                "i systemie pieczy zastępczej)",
    sections=SECTIONS,
    rules=RULES,
    template="coordinated_plan.docx",
    example=example,
    derive=work_plan.derive,
    date_field="plan_date",
    file_stem="plan_pracy_skoordynowany",
    signatures=(
        Signature("Członkowie rodziny współtworzący plan", each="signatories",
                  role_one="Członek rodziny współtworzący plan"),
        Signature("Asystent rodziny", name="assistant_name"),
        Signature("Koordynator rodzinnej pieczy zastępczej", name="coordinator_name"),
        Signature("W imieniu placówki", name="facility_contact_name"),
        Signature("Plan skonsultowano z pracownikiem socjalnym", name="social_worker_name"),
    ),
)
