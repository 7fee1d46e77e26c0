""""Okresowa ocena sytuacji rodziny" — art. 15 ust. 1 pkt 15 of the Act: at least every half year,
handed to the head of the welfare centre."""
from __future__ import annotations

from typing import Any, Iterator

from ..casefile import ADDRESS, FAMILY_NAMES, MEMBERS, MEMBERS_IDENTIFIED, naming_the_family
from ..definition import (CHOICE, DATE, TABLE_CELL_LIMIT, TEXTAREA, WARNING, DocType, Field, Issue, Repeat, Rule,
                          Section, Signature)
from ..formatting import age_on, date_long
from ..rules import add_months, date_of, rows

# art. 15 ust. 1 pkt 15: "nie rzadziej niż co pół roku"
MAX_PERIOD_MONTHS = 6

GOAL_STATUSES = (
    ("zrealizowany", "zrealizowany"),
    ("czesciowo", "częściowo zrealizowany"),
    ("niezrealizowany", "niezrealizowany"),
)

# the plan's goals with how far each was achieved; the closing report reuses it
GOALS = Repeat(
    "goals", "Realizacja celów planu", item_label="cel", min_items=1, max_items=30, prefill="plan.goals",
    help="Cele szczegółowe z planu pracy z rodziną; przy każdym oceń stopień realizacji.",
    table=(("goal", 7.0), ("status", 3.0), ("comment", 6.0)),
    fields=(
        Field("goal", "Cel", TEXTAREA, prefill="goal", max_length=TABLE_CELL_LIMIT),
        Field("status", "Stopień realizacji", CHOICE, choices=GOAL_STATUSES, prefill="status"),
        Field("comment", "Komentarz", TEXTAREA, required=False, prefill="comment", max_length=TABLE_CELL_LIMIT,
              help="Co zrobiono, co przeszkodziło, co dalej."),
    ),
)

AUTHORITY = (
    ("pelna", "pełna"),
    ("ograniczona", "ograniczona"),
    ("zawieszona", "zawieszona"),
    ("odebrana", "odebrana"),
)

COOPERATION_LEVELS = (
    ("dobra", "dobra"),
    ("dostateczna", "dostateczna"),
    ("slaba", "słaba"),
    ("brak", "brak współpracy"),
)

CONCLUSIONS = (
    ("kontynuacja", "kontynuacja pracy bez zmian"),
    ("modyfikacja", "modyfikacja planu"),
    ("zakonczenie", "zakończenie pracy"),
    ("sad", "powiadomienie sądu"),
)

SECTIONS = (
    Section("period", "Okres objęty oceną", (
        Field("period_from", "Okres objęty oceną od", DATE, prefill="assessment_period_from"),
        Field("period_to", "Okres objęty oceną do", DATE, prefill="today",
              help="Ocenę sporządza się nie rzadziej niż co pół roku."),
        Field("plan_reference", "Oceniany plan", prefill="plan_reference",
              help="Np. plan pracy z rodziną z dnia 2 listopada 2026 r."),
    )),
    Section("family", "Skład rodziny", (*FAMILY_NAMES, ADDRESS, MEMBERS)),
    Section("children", "Sytuacja opiekuńczo-wychowawcza dzieci", optional=True, items=(
        Repeat("children", "Dzieci", item_label="dziecko", max_items=20, prefill="children",
               help="Każde dziecko w rodzinie, także przebywające w pieczy zastępczej.",
               fields=(
                   Field("first_name", "Imię", prefill="first_name"),
                   Field("last_name", "Nazwisko", prefill="last_name"),
                   Field("birth_date", "Data urodzenia", DATE, prefill="birth_date"),
                   Field("school", "Szkoła lub przedszkole", required=False,
                         help="Nazwa i klasa albo grupa; puste, gdy dziecko nie uczęszcza."),
                   Field("care", "Opieka i wychowanie", TEXTAREA,
                         help="Kto się opiekuje, plan dnia, nauka, relacje z rodzicami."),
                   Field("health", "Zdrowie dziecka", TEXTAREA, required=False,
                         help="Tylko to, co ma znaczenie dla opieki (dane wrażliwe)."),
               )),
    )),
    Section("housing", "Warunki mieszkaniowe", (
        Field("housing", "Warunki mieszkaniowe", TEXTAREA,
              help="Lokal, liczba izb, wyposażenie, opłaty, zmiany od ostatniej oceny."),
    )),
    Section("finances", "Sytuacja materialna i zawodowa", (
        Field("finances", "Sytuacja materialna i zawodowa", TEXTAREA, prefill="members_work",
              help="Źródła dochodu, świadczenia, zadłużenie, praca i jej poszukiwanie."),
    )),
    Section("health", "Zdrowie", (
        Field("health", "Stan zdrowia członków rodziny", TEXTAREA, prefill="members_disability",
              help="Tylko to, co ma znaczenie dla pracy z rodziną (dane wrażliwe)."),
    )),
    Section("authority", "Władza rodzicielska", (
        Field("parental_authority", "Władza rodzicielska", CHOICE, choices=AUTHORITY),
        Field("authority_limitation", "Forma ograniczenia władzy rodzicielskiej", TEXTAREA, required=False,
              required_when=("parental_authority", "ograniczona"),
              help="Np. nadzór kuratora, zobowiązanie do współpracy z asystentem, umieszczenie dziecka "
                   "w pieczy zastępczej (art. 109 § 2 Kodeksu rodzinnego i opiekuńczego)."),
        Field("kurator", "Kurator sądowy", required=False,
              help="Imię i nazwisko. Gdy sąd ustanowił nadzór kuratora."),
        Field("authority_notes", "Uwagi", TEXTAREA, required=False,
              help="Którego rodzica i dziecka dotyczy, postanowienie sądu (sąd, sygnatura, data)."),
    )),
    Section("progress", "Realizacja planu", (GOALS,)),
    Section("cooperation", "Współpraca rodziny z asystentem", (
        Field("cooperation_level", "Poziom współpracy", CHOICE, choices=COOPERATION_LEVELS),
        Field("cooperation_description", "Opis współpracy", TEXTAREA,
              help="Dotrzymywanie ustaleń, obecność na spotkaniach, zaangażowanie poszczególnych osób."),
    )),
    Section("institutions", "Wsparcie innych instytucji i organizacji", optional=True, items=(
        Repeat("institutions", "Instytucje i organizacje", item_label="instytucja", max_items=30,
               prefill="plan.institutions", table=(("institution", 6.0), ("support", 10.0)),
               fields=(
                   Field("institution", "Instytucja lub organizacja", prefill="institution"),
                   Field("support", "Forma wsparcia", TEXTAREA, prefill="scope", max_length=TABLE_CELL_LIMIT),
               )),
    )),
    Section("conclusions", "Wnioski", (
        Field("conclusion", "Wniosek", CHOICE, choices=CONCLUSIONS),
        Field("justification", "Uzasadnienie", TEXTAREA),
    )),
    Section("signatures", "Podpisy", (
        Field("place", "Miejscowość sporządzenia oceny", prefill="office_city"),
        Field("document_date", "Data sporządzenia oceny", DATE, prefill="today"),
        Field("assistant_name", "Asystent rodziny", prefill="assistant_name", help="Imię i nazwisko."),
        Field("head_name", "Kierownik ośrodka pomocy społecznej", prefill="head_name", help="Imię i nazwisko."),
        Field("receipt_date", "Data otrzymania oceny przez kierownika", DATE, required=False,
              help="Wpisz, gdy ocena zostanie przekazana kierownikowi."),
    )),
)


def _period_ordered(data: dict[str, Any]) -> Iterator[Issue]:
    start, end = date_of(data, "period_from"), date_of(data, "period_to")
    if start and end and end <= start:
        yield Issue("period_to", "Okres objęty oceną do: data końca musi być późniejsza niż data początku.")


def _period_at_most_half_year(data: dict[str, Any]) -> Iterator[Issue]:
    start, end = date_of(data, "period_from"), date_of(data, "period_to")
    if start and end:
        limit = add_months(start, MAX_PERIOD_MONTHS)
        if end > limit:
            yield Issue("period_to", f"Okres objęty oceną do: ocenę sporządza się nie rzadziej niż co pół roku "
                                     f"(art. 15 ust. 1 pkt 15 ustawy), więc okres może trwać najwyżej do "
                                     f"{date_long(limit)}")


def _dates_in_order(data: dict[str, Any]) -> Iterator[Issue]:
    start, made, received = (date_of(data, key) for key in ("period_from", "document_date", "receipt_date"))
    if made and start and made < start:
        yield Issue("document_date", "Data sporządzenia oceny: ocena nie może być wcześniejsza niż początek "
                                     f"okresu, który obejmuje ({date_long(start)}).")
    if received and made and received < made:
        yield Issue("receipt_date", "Data otrzymania oceny przez kierownika nie może być wcześniejsza niż data "
                                    "sporządzenia oceny.")


def _period_not_ahead(data: dict[str, Any]) -> Iterator[Issue]:
    start, end, made = date_of(data, "period_from"), date_of(data, "period_to"), date_of(data, "document_date")
    if end and made and end > made and not (start and made < start):  # that one is refused by _dates_in_order
        yield Issue("period_to", f"Okres objęty oceną do: {date_long(end)}, czyli po dacie sporządzenia oceny "
                                 f"({date_long(made)}) – ocena obejmie czas, który jeszcze nie minął.")


RULES = (
    MEMBERS_IDENTIFIED,
    Rule("period_ordered", "Koniec okresu oceny następuje po jego początku.", _period_ordered, section="period"),
    Rule("period_at_most_half_year", "Okres oceny trwa najwyżej pół roku (art. 15 ust. 1 pkt 15).",
         _period_at_most_half_year, section="period"),
    Rule("dates_in_order", "Ocenę sporządza się w okresie lub po nim, a kierownik otrzymuje ją potem.",
         _dates_in_order, section="signatures"),
    Rule("period_not_ahead", "Ocena nie obejmuje czasu po dniu jej sporządzenia.", _period_not_ahead,
         section="period", severity=WARNING),
)


def _ages(data: dict[str, Any]) -> dict[str, Any]:
    """Each child's age on the document's date, in the order of `children` (None when unknown)."""
    on = date_of(data, "document_date") or date_of(data, "period_to")
    ages = []
    for child in rows(data, "children"):
        born = date_of(child, "birth_date")
        ages.append(age_on(born, on) if born and on else None)
    return {"children_ages": ages}


derive = naming_the_family(_ages)


def example() -> dict[str, Any]:
    """The Zawadzcy's first assessment: Kacper has been in a foster family since January 2027."""
    return {
        "period_from": "2026-11-02",
        "period_to": "2027-04-30",
        "plan_reference": "Plan pracy z rodziną z dnia 2 listopada 2026 r. i plan skoordynowany z planem "
                          "pomocy dziecku z dnia 15 lutego 2027 r.",
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
             "sex": "M", "relation": "dziecko", "in_household": False, "took_part": False, "foster_care": True},
        ],
        "children": [
            {"first_name": "Julia", "last_name": "Zawadzka", "birth_date": "2014-05-21",
             "school": "Szkoła Podstawowa nr 2 w Lipowcu Mazurskim, klasa VI",
             "care": "Mieszka z rodzicami. Od stycznia chodzi do szkoły regularnie (frekwencja 93%), "
                     "po lekcjach odrabia zadania w świetlicy.",
             "health": "Zdrowa."},
            {"first_name": "Kacper", "last_name": "Zawadzki", "birth_date": "2018-11-07",
             "school": "Szkoła Podstawowa w Starych Olszynach, klasa II",
             "care": "Od 18 stycznia 2027 r. w rodzinie zastępczej niezawodowej. Spotyka się z rodzicami co "
                     "tydzień; od kwietnia spędza weekendy w domu.",
             "health": None},
        ],
        "housing": "Mieszkanie spółdzielcze, 2 pokoje z kuchnią, ogrzewanie miejskie. Czysto i zadbanie; "
                   "Julia ma własne biurko.",
        "finances": "Matka od 1 marca 2027 r. pracuje jako kucharka na pół etatu; ojciec pracuje dorywczo. "
                    "Rodzina pobiera świadczenie wychowawcze i zasiłek rodzinny. Zadłużenie czynszowe (4 320 zł) "
                    "spłacane zgodnie z ugodą po 360 zł miesięcznie: spłacono 1 800 zł, pozostało 2 520 zł.",
        "health": "Członkowie rodziny nie zgłaszają problemów zdrowotnych, które wpływałyby na opiekę "
                  "nad dziećmi.",
        "parental_authority": "ograniczona",
        "authority_limitation": "Umieszczenie Kacpra w rodzinie zastępczej i zobowiązanie rodziców do współpracy "
                                "z asystentem rodziny (postanowienie z dnia 15 stycznia 2027 r.).",
        "kurator": None,
        "authority_notes": "Sąd Rejonowy w Lipowcu Mazurskim, sygn. akt III Nsm 41/27; dotyczy obojga rodziców.",
        "goals": [
            {"goal": "Rodzice regularnie spotykają się z Kacprem według harmonogramu uzgodnionego z koordynatorem.",
             "status": "zrealizowany", "comment": "Obecni na wszystkich spotkaniach od lutego."},
            {"goal": "Rodzice zapewniają dzieciom stałą opiekę: plan dnia, podział obowiązków, pomoc babci.",
             "status": "czesciowo", "comment": "Plan dnia spisany i stosowany; warsztaty trwają do maja."},
            {"goal": "Co najmniej jeden z rodziców podejmuje stałą pracę.",
             "status": "zrealizowany", "comment": "Matka zatrudniona od marca 2027 r."},
            {"goal": "Spłata zadłużenia czynszowego według ugody ze spółdzielnią.",
             "status": "czesciowo", "comment": "Pięć rat w terminie: spłacono 1 800 zł z 4 320 zł."},
        ],
        "cooperation_level": "dobra",
        "cooperation_description": "Rodzice dotrzymują ustaleń i są obecni na spotkaniach z asystentem "
                                   "(co tydzień). Ojciec angażuje się mniej w szukanie pracy.",
        "institutions": [
            {"institution": "Powiatowe Centrum Pomocy Rodzinie w Lipowcu Mazurskim",
             "support": "Koordynator pieczy zastępczej organizuje kontakty z Kacprem."},
            {"institution": "Poradnia Psychologiczno-Pedagogiczna w Lipowcu Mazurskim",
             "support": "Warsztaty umiejętności wychowawczych dla rodziców."},
        ],
        "conclusion": "kontynuacja",
        "justification": "Rodzina realizuje plan; do powrotu Kacpra potrzebne jest ukończenie warsztatów "
                         "i stała opieka po szkole. Plan skoordynowany obowiązuje do 31 lipca 2027 r.",
        "place": "Lipowiec Mazurski",
        "document_date": "2027-04-30",
        "assistant_name": "Ewa Kalinowska",
        "head_name": "Grażyna Olech",
        "receipt_date": "2027-05-04",
    }


PERIODIC_ASSESSMENT = DocType(
    id="periodic_assessment",
    title="Okresowa ocena sytuacji rodziny",
    legal_basis="(art. 15 ust. 1 pkt 15 ustawy z dnia 9 czerwca 2011 r. o wspieraniu rodziny "
                "i systemie pieczy zastępczej)",
    sections=SECTIONS,
    rules=RULES,
    template="periodic_assessment.docx",
    example=example,
    derive=derive,
    file_stem="okresowa_ocena_sytuacji_rodziny",
    signatures=(
        Signature("Asystent rodziny", name="assistant_name"),
        Signature("Ocenę otrzymuje kierownik ośrodka pomocy społecznej", name="head_name"),
    ),
)
