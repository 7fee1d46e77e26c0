""""Plan pracy z rodziną" — art. 15 ust. 1 pkt 1 and ust. 3 of the Act of 9 June 2011."""
from __future__ import annotations

from typing import Any, Iterator

from ..casefile import (ADDRESS, BASIS_FIELDS, FAMILY_NAMES, MEMBERS, MEMBERS_IDENTIFIED, SOCIAL_WORKER,
                        naming_the_family)
from ..definition import CHOICE, DATE, TABLE_CELL_LIMIT, TEXTAREA, WARNING, DocType, Field, Issue, Repeat, Rule, Section
from ..formatting import date_long
from ..rules import date_of, full_name, is_adult, rows

PROBLEMS = (
    ("ubostwo", "ubóstwo"),
    ("bezrobocie", "bezrobocie"),
    ("przemoc", "przemoc w rodzinie"),
    ("uzaleznienia", "uzależnienia"),
    ("choroba", "długotrwała choroba"),
    ("niepelnosprawnosc", "niepełnosprawność"),
    ("bezradnosc", "bezradność w sprawach opiekuńczo-wychowawczych i prowadzenia gospodarstwa domowego"),
    ("inny", "inny problem"),
)

# art. 15 ust. 1 of the Act: the areas a family assistant works in
AREAS = (
    ("gospodarstwo", "prowadzenie gospodarstwa domowego i budżet"),
    ("socjalne", "problemy socjalne"),
    ("psychologiczne", "problemy psychologiczne"),
    ("wychowawcze", "problemy wychowawcze z dziećmi"),
    ("aktywnosc", "aktywność społeczna"),
    ("kwalifikacje", "podnoszenie kwalifikacji zawodowych"),
    ("praca", "poszukiwanie, podejmowanie i utrzymywanie pracy"),
    ("zajecia_grupowe", "zajęcia grupowe dla rodziców"),
    ("wsparcie_dzieci", "wsparcie dzieci, zajęcia psychoedukacyjne"),
    ("konsultacje", "indywidualne konsultacje wychowawcze"),
)

SECTIONS = (
    Section("family", "Dane rodziny", (*FAMILY_NAMES, ADDRESS, MEMBERS)),
    Section("basis", "Podstawa objęcia wsparciem", BASIS_FIELDS),
    Section("period", "Okres obowiązywania planu", (
        Field("valid_from", "Plan obowiązuje od", DATE),
        Field("valid_to", "Plan obowiązuje do", DATE,
              help="Plan aktualizuje się po każdej okresowej ocenie, nie rzadziej niż co 6 miesięcy."),
    )),
    Section("diagnosis", "Diagnoza sytuacji rodziny", (
        Repeat("problems", "Problemy rodziny", item_label="problem", min_items=1, max_items=20, fields=(
            Field("problem", "Problem", CHOICE, choices=PROBLEMS),
            Field("description", "Opis", TEXTAREA, help="Krótko: na czym polega problem i od kiedy trwa."),
        )),
    )),
    Section("strengths", "Zasoby i mocne strony rodziny", (
        Field("strengths", "Zasoby i mocne strony", TEXTAREA,
              help="Na czym można oprzeć pracę: umiejętności, więzi, wsparcie bliskich."),
    )),
    Section("main_goal", "Cel główny", (
        Field("main_goal", "Cel główny (długoterminowy)", TEXTAREA),
    )),
    Section("goals", "Cele szczegółowe", (
        Repeat("goals", "Cele szczegółowe (krótkoterminowe)", item_label="cel", min_items=1, max_items=30,
               fields=(Field("goal", "Cel", TEXTAREA),)),
    )),
    Section("actions", "Działania", (
        Repeat("actions", "Działania", item_label="działanie", min_items=1, max_items=60,
               table=(("action", 4.6), ("responsible", 3.0), ("deadline", 2.2), ("expected_effect", 3.3),
                      ("verification", 2.9)),
               help="Każde działanie musi mieć termin realizacji i przewidywany efekt (art. 15 ust. 3 ustawy).",
               fields=(
                   Field("action", "Działanie", TEXTAREA, max_length=TABLE_CELL_LIMIT),
                   Field("area", "Obszar wsparcia (art. 15 ust. 1)", CHOICE, required=False, choices=AREAS),
                   Field("responsible", "Osoba odpowiedzialna", max_length=200),
                   Field("deadline", "Termin realizacji", DATE),
                   Field("expected_effect", "Przewidywany efekt", TEXTAREA, max_length=TABLE_CELL_LIMIT),
                   Field("verification", "Sposób weryfikacji", TEXTAREA, max_length=TABLE_CELL_LIMIT),
               )),
    )),
    Section("cooperation", "Współpraca z instytucjami", optional=True, items=(
        Repeat("institutions", "Instytucje współpracujące", item_label="instytucja", max_items=30,
               table=(("institution", 6.0), ("scope", 10.0)),
               help="Szkoła, PCPR, poradnia, kurator, GKRPA, organizacje pozarządowe.",
               fields=(
                   Field("institution", "Instytucja"),
                   Field("scope", "Zakres współpracy", TEXTAREA, max_length=TABLE_CELL_LIMIT),
               )),
    )),
    Section("signatures", "Podpisy", (
        Field("place", "Miejscowość sporządzenia planu", prefill="office_city"),
        Field("plan_date", "Data sporządzenia planu", DATE, prefill="today"),
        Field("assistant_name", "Asystent rodziny", prefill="assistant_name", help="Imię i nazwisko."),
        SOCIAL_WORKER,
        Field("consultation_date", "Data konsultacji planu z pracownikiem socjalnym", DATE),
    )),
)


def _adults_took_part(data: dict[str, Any]) -> Iterator[Issue]:
    on = date_of(data, "plan_date") or date_of(data, "valid_from")
    members = rows(data, "members")
    if not members or on is None:
        return
    if not any(person.get("took_part") and is_adult(person, on) for person in members):
        yield Issue("members", "Plan opracowuje się z rodziną: zaznacz co najmniej jedną dorosłą osobę, "
                               "która współtworzy plan i go podpisze.")


def _period_ordered(data: dict[str, Any]) -> Iterator[Issue]:
    start, end = date_of(data, "valid_from"), date_of(data, "valid_to")
    if start and end and end <= start:
        yield Issue("valid_to", "Plan obowiązuje do: data końca musi być późniejsza niż data początku.")
    assigned = date_of(data, "assignment_date")
    if start and assigned and start < assigned:
        yield Issue("valid_from", "Plan obowiązuje od: plan nie może zaczynać się przed skierowaniem asystenta "
                                  f"({date_long(assigned)}).")


def _deadlines_within_plan(data: dict[str, Any]) -> Iterator[Issue]:
    start = date_of(data, "valid_from")
    for index, row in enumerate(rows(data, "actions")):
        deadline = date_of(row, "deadline")
        if deadline and start and deadline < start:
            yield Issue(f"actions[{index}].deadline",
                        f"Działania, działanie {index + 1} – termin realizacji jest przed początkiem planu.")


# The warnings below read "today" as the date the plan is drawn up (`plan_date`, prefilled with the
# day the draft was started): the plan speaks as of that day, and the same data always gives the
# same answer, in a test, the CLI or a year later.

def _deadlines_after_plan_end(data: dict[str, Any]) -> Iterator[Issue]:
    """Not forbidden: a longer action may outlive the plan, which is revised after each assessment."""
    end = date_of(data, "valid_to")
    for index, row in enumerate(rows(data, "actions")):
        deadline = date_of(row, "deadline")
        if deadline and end and deadline > end:
            yield Issue(f"actions[{index}].deadline",
                        f"Działania, działanie {index + 1} – termin realizacji ({date_long(deadline)}) wypada po "
                        f"końcu planu ({date_long(end)}).")


def deadlines_passed(group: str, where: str, noun: str):
    """Rows of `group` whose deadline had passed on the day the plan is drawn up; a deadline before
    the plan's start is left to the blocker that says so."""

    def check(data: dict[str, Any]) -> Iterator[Issue]:
        made, start = date_of(data, "plan_date"), date_of(data, "valid_from")
        for index, row in enumerate(rows(data, group)):
            deadline = date_of(row, "deadline")
            if deadline and made and deadline < made and not (start and deadline < start):
                yield Issue(f"{group}[{index}].deadline",
                            f"{where}, {noun} {index + 1} – termin ({date_long(deadline)}) minął przed datą "
                            f"sporządzenia planu ({date_long(made)}).")

    return check


def _plan_starts_before_it_is_made(data: dict[str, Any]) -> Iterator[Issue]:
    start, made, assigned = date_of(data, "valid_from"), date_of(data, "plan_date"), date_of(data, "assignment_date")
    if start and made and start < made and not (assigned and start < assigned):
        yield Issue("valid_from", f"Plan obowiązuje od: {date_long(start)}, czyli przed datą sporządzenia planu "
                                  f"({date_long(made)}) – plan obejmie czas, który już minął.")


def _basis_before_plan(data: dict[str, Any]) -> Iterator[Issue]:
    plan_date = date_of(data, "plan_date")
    key = {"zgoda": "consent_date", "postanowienie": "court_order_date"}.get(data.get("basis") or "")
    recorded = date_of(data, key) if key else None
    if plan_date and recorded and recorded > plan_date:
        what = "Zgoda rodziny" if key == "consent_date" else "Postanowienie sądu"
        yield Issue(key, f"{what} musi poprzedzać plan (art. 8 ust. 3 ustawy): data jest późniejsza niż "
                         f"data sporządzenia planu.")


def _no_child_in_foster_care(data: dict[str, Any]) -> Iterator[Issue]:
    for index, person in enumerate(rows(data, "members")):
        if person.get("foster_care"):
            yield Issue(f"members[{index}].foster_care",
                        f"Członkowie rodziny, osoba {index + 1} – {full_name(person) or 'dziecko'} przebywa "
                        f"w pieczy zastępczej: dla tej rodziny sporządza się plan skoordynowany z planem pomocy "
                        f"dziecku (art. 15 ust. 1 pkt 2 ustawy), a nie plan pracy z rodziną.")


# the rules of every plan, the coordinated one (art. 15 ust. 1 pkt 2) included
PLAN_RULES = (
    MEMBERS_IDENTIFIED,
    Rule("adults_took_part", "Plan opracowuje co najmniej jedna dorosła osoba z rodziny.",
         _adults_took_part, section="family"),
    Rule("basis_before_plan", "Zgoda lub postanowienie sądu poprzedza plan.", _basis_before_plan, section="basis"),
    Rule("period_ordered", "Okres planu jest poprawny i nie zaczyna się przed skierowaniem.",
         _period_ordered, section="period"),
    Rule("deadlines_within_plan", "Terminy działań nie wypadają przed początkiem planu.",
         _deadlines_within_plan, section="actions"),
    # warnings: worth a second look, confirmed by the assistant, never forbidden by the Act
    Rule("deadlines_after_plan_end", "Terminy działań mieszczą się w okresie planu.",
         _deadlines_after_plan_end, section="actions", severity=WARNING),
    Rule("deadlines_passed", "Terminy działań nie minęły przed sporządzeniem planu.",
         deadlines_passed("actions", "Działania", "działanie"), section="actions", severity=WARNING),
    Rule("plan_starts_before_it_is_made", "Plan nie zaczyna się przed dniem, w którym go sporządzono.",
         _plan_starts_before_it_is_made, section="period", severity=WARNING),
)

RULES = PLAN_RULES + (
    Rule("no_child_in_foster_care", "Gdy dziecko przebywa w pieczy zastępczej, sporządza się plan skoordynowany.",
         _no_child_in_foster_care, section="family"),
)


def _signatories(data: dict[str, Any]) -> dict[str, Any]:
    """The adult members who made the plan: each gets a signature line."""
    on = date_of(data, "plan_date")
    return {"signatories": [{"name": full_name(person)} for person in rows(data, "members")
                            if person.get("took_part") and on and is_adult(person, on)]}


derive = naming_the_family(_signatories)


def example() -> dict[str, Any]:
    """The Zawadzcy, the one invented family of every example: the first plan, four weeks after the
    assistant was assigned (5 October 2026) and three weeks after the parents' consent (12 October)."""
    return {
        "family_name": "Zawadzcy",
        "family_name_gen": None,
        "address": "ul. Leśna 12 m. 4, 11-440 Lipowiec Mazurski",
        "members": [
            {"first_name": "Anna", "last_name": "Zawadzka", "birth_date": "1991-03-14", "pesel": "91031441223",
             "sex": None, "relation": "matka", "in_household": True, "took_part": True, "foster_care": False},
            {"first_name": "Tomasz", "last_name": "Zawadzki", "birth_date": "1988-09-02", "pesel": "88090213717",
             "sex": None, "relation": "ojciec", "in_household": True, "took_part": True, "foster_care": False},
            {"first_name": "Julia", "last_name": "Zawadzka", "birth_date": "2014-05-21", "pesel": "14252125523",
             "sex": None, "relation": "dziecko", "in_household": True, "took_part": False, "foster_care": False},
            {"first_name": "Kacper", "last_name": "Zawadzki", "birth_date": "2018-11-07", "pesel": None,
             "sex": "M", "relation": "dziecko", "in_household": True, "took_part": False, "foster_care": False},
        ],
        "assignment_date": "2026-10-05",
        "referral_ref": "MOPS.AR.4101.12.2026",
        "basis": "zgoda",
        "consent_date": "2026-10-12",
        "court_name": None,
        "court_case_number": None,
        "court_order_date": None,
        "valid_from": "2026-11-02",
        "valid_to": "2027-04-30",
        "problems": [
            {"problem": "bezrobocie",
             "description": "Oboje rodzice bez stałej pracy od marca 2026 r.; ojciec pracuje dorywczo na budowie."},
            {"problem": "bezradnosc",
             "description": "Zaległości w opłatach za mieszkanie: 4 320 zł za maj–wrzesień 2026 r.\n"
                            "Brak stałego planu dnia dzieci, Julia opuszcza lekcje."},
        ],
        "strengths": "Rodzice są zżyci z dziećmi i chcą zmiany. Matka pracowała osiem lat jako sprzedawczyni. "
                     "Babcia ze strony ojca pomaga w opiece nad Kacprem.",
        "main_goal": "Rodzina samodzielnie zaspokaja potrzeby dzieci i utrzymuje mieszkanie bez zadłużenia.",
        "goals": [
            {"goal": "Co najmniej jeden z rodziców podejmuje stałą pracę."},
            {"goal": "Spłata zadłużenia czynszowego według ugody ze spółdzielnią."},
            {"goal": "Julia regularnie uczęszcza do szkoły (frekwencja powyżej 90%)."},
        ],
        "actions": [
            {"action": "Rejestracja matki w Powiatowym Urzędzie Pracy i udział w szkoleniu zawodowym.",
             "area": "praca", "responsible": "Anna Zawadzka, asystent rodziny", "deadline": "2026-12-15",
             "expected_effect": "Matka ma status osoby bezrobotnej i skierowanie na kurs.",
             "verification": "Zaświadczenie z PUP."},
            {"action": "Wspólne ułożenie miesięcznego budżetu domowego i wniosek o rozłożenie zadłużenia na raty.",
             "area": "gospodarstwo", "responsible": "Tomasz Zawadzki, asystent rodziny", "deadline": "2027-01-31",
             "expected_effect": "Ugoda ze spółdzielnią; raty płacone w terminie.",
             "verification": "Kopia ugody i potwierdzenia wpłat."},
            {"action": "Spotkania z wychowawczynią Julii raz w miesiącu; plan dnia dzieci.",
             "area": "wychowawcze", "responsible": "Anna Zawadzka", "deadline": "2027-04-30",
             "expected_effect": "Frekwencja Julii powyżej 90%.",
             "verification": "Informacja ze szkoły, dziennik elektroniczny."},
        ],
        "institutions": [
            {"institution": "Szkoła Podstawowa nr 2 w Lipowcu Mazurskim",
             "scope": "Informacja o frekwencji i postępach Julii."},
            {"institution": "Powiatowy Urząd Pracy w Lipowcu Mazurskim",
             "scope": "Oferty pracy i szkolenia dla rodziców."},
        ],
        "place": "Lipowiec Mazurski",
        "plan_date": "2026-11-02",
        "assistant_name": "Ewa Kalinowska",
        "social_worker_name": "Marek Sobczak",
        "consultation_date": "2026-10-29",
    }


WORK_PLAN = DocType(
    id="work_plan",
    title="Plan pracy z rodziną",
    sections=SECTIONS,
    rules=RULES,
    template="work_plan.docx",
    example=example,
    derive=derive,
    date_field="plan_date",
    file_stem="plan_pracy_z_rodzina",
    legal_basis="(art. 15 ust. 1 pkt 1 ustawy z dnia 9 czerwca 2011 r. o wspieraniu rodziny i systemie pieczy "
                "zastępczej)",
)
