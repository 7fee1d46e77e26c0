""""Sprawozdanie z zakończenia pracy z rodziną" — the assistant's documentation (art. 15 ust. 1 pkt 14)
at the end of work, with the plan of monitoring that follows it (pkt 16)."""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Iterator

from ..casefile import ADDRESS, FAMILY_NAMES, naming_the_family
from ..definition import CHOICE, DATE, TEXTAREA, DocType, Field, Issue, Rule, Section, Signature
from ..formatting import date_long
from ..rules import date_of
from .periodic_assessment import GOALS

REASONS = (
    ("cele", "osiągnięcie celów"),
    ("brak_wspolpracy", "brak współpracy rodziny"),
    # art. 8 ust. 3: the work goes on with the family's consent, which it may withdraw
    ("rezygnacja", "rezygnacja rodziny / wycofanie zgody"),
    ("przeprowadzka", "zmiana miejsca zamieszkania"),
    # a court rules by an order ("postanowienie"), never by a "decyzja" (an administrative act)
    ("sad", "postanowienie sądu"),
    ("inne", "inne"),
)

SECTIONS = (
    Section("family", "Dane rodziny", (*FAMILY_NAMES, ADDRESS)),
    Section("period", "Okres pracy z rodziną", (
        Field("work_start", "Data rozpoczęcia pracy z rodziną", DATE, prefill="work_start"),
        Field("work_end", "Data zakończenia pracy z rodziną", DATE, prefill="work_end"),
    )),
    Section("reason", "Przyczyna zakończenia pracy", (
        Field("end_reason", "Przyczyna zakończenia pracy", CHOICE, choices=REASONS),
        Field("reason_description", "Opis przyczyny", TEXTAREA, required=False, required_when=("end_reason", "inne"),
              help="Wymagany, gdy przyczyna to „inne”; przy pozostałych można ją krótko opisać."),
    )),
    Section("goals", "Stopień osiągnięcia celów", (
        replace(GOALS, label="Stopień osiągnięcia celów", prefill="current_goals",
                help="Cele z planu pracy z rodziną; przy każdym oceń, w jakim stopniu go osiągnięto."),
    )),
    Section("recommendations", "Zalecenia", (
        Field("recommendations", "Zalecenia dla rodziny i instytucji", TEXTAREA,
              help="Co rodzina powinna robić dalej i jakie wsparcie warto utrzymać."),
    )),
    Section("monitoring", "Plan monitorowania", (
        Field("monitoring_from", "Monitorowanie od", DATE, prefill="monitoring_from",
              help="Pierwszy dzień po zakończeniu pracy lub później."),
        Field("monitoring_to", "Monitorowanie do", DATE, prefill="monitoring_to"),
        Field("monitoring_forms", "Planowane formy kontaktu", TEXTAREA,
              help="Np. wizyta w domu raz w miesiącu, rozmowy telefoniczne, informacja ze szkoły."),
    )),
    Section("signatures", "Podpisy", (
        Field("place", "Miejscowość sporządzenia sprawozdania", prefill="office_city"),
        Field("document_date", "Data sporządzenia sprawozdania", DATE, prefill="today"),
        Field("assistant_name", "Asystent rodziny", prefill="assistant_name", help="Imię i nazwisko."),
        Field("head_name", "Kierownik ośrodka pomocy społecznej", prefill="head_name", help="Imię i nazwisko."),
    )),
)


def _period_ordered(data: dict[str, Any]) -> Iterator[Issue]:
    start, end = date_of(data, "work_start"), date_of(data, "work_end")
    if start and end and end <= start:
        yield Issue("work_end", "Data zakończenia pracy z rodziną: musi być późniejsza niż data rozpoczęcia.")


def _monitoring_after_work(data: dict[str, Any]) -> Iterator[Issue]:
    end = date_of(data, "work_end")
    start, until = date_of(data, "monitoring_from"), date_of(data, "monitoring_to")
    if start and end and start <= end:
        yield Issue("monitoring_from", "Monitorowanie od: monitorowanie zaczyna się po zakończeniu pracy z rodziną "
                                       f"({date_long(end)}).")
    if start and until and until <= start:
        yield Issue("monitoring_to", "Monitorowanie do: data końca musi być późniejsza niż data początku.")


def _report_after_work(data: dict[str, Any]) -> Iterator[Issue]:
    end, made = date_of(data, "work_end"), date_of(data, "document_date")
    if end and made and made < end:
        yield Issue("document_date", "Data sporządzenia sprawozdania: sprawozdanie sporządza się po zakończeniu "
                                     f"pracy z rodziną ({date_long(end)}).")


RULES = (
    Rule("period_ordered", "Praca kończy się po jej rozpoczęciu.", _period_ordered, section="period"),
    Rule("monitoring_after_work", "Monitorowanie następuje po zakończeniu pracy.", _monitoring_after_work,
         section="monitoring"),
    Rule("report_after_work", "Sprawozdanie sporządza się po zakończeniu pracy.", _report_after_work,
         section="signatures"),
)


def example() -> dict[str, Any]:
    """The Zawadzcy after Kacper came home (20 September 2027) and the plan's goals were met; the
    monitoring that follows is the monitoring note's example."""
    return {
        "family_name": "Zawadzcy",
        "family_name_gen": None,
        "address": "ul. Leśna 12 m. 4, 11-440 Lipowiec Mazurski",
        "work_start": "2026-10-05",
        "work_end": "2027-12-17",
        "end_reason": "cele",
        "reason_description": "Kacper wrócił do domu 20 września 2027 r. na podstawie postanowienia sądu "
                              "z dnia 14 września 2027 r.; rodzina samodzielnie zapewnia dzieciom opiekę.",
        "goals": [
            {"goal": "Rodzice regularnie spotykają się z Kacprem według harmonogramu uzgodnionego z koordynatorem.",
             "status": "zrealizowany", "comment": "Kontakty bez przerw aż do powrotu Kacpra."},
            {"goal": "Rodzice zapewniają dzieciom stałą opiekę: plan dnia, podział obowiązków, pomoc babci.",
             "status": "zrealizowany", "comment": "Warsztaty ukończone w maju 2027 r.; plan dnia stosowany."},
            {"goal": "Co najmniej jeden z rodziców podejmuje stałą pracę.",
             "status": "zrealizowany", "comment": "Matka na pełnym etacie od 1 września 2027 r.; ojciec od "
                                                  "2 listopada 2027 r. pracuje jako magazynier."},
            {"goal": "Spłata zadłużenia czynszowego według ugody ze spółdzielnią.",
             "status": "zrealizowany", "comment": "Dwanaście rat po 360 zł w terminie: całe zadłużenie "
                                                  "(4 320 zł) spłacone w listopadzie 2027 r."},
        ],
        "recommendations": "Utrzymać terminowe opłaty za mieszkanie. Julia i Kacper nadal w świetlicy szkolnej "
                           "po lekcjach. W razie trudności wychowawczych rodzice mogą wrócić do konsultacji "
                           "w poradni psychologiczno-pedagogicznej.",
        "monitoring_from": "2028-01-03",
        "monitoring_to": "2028-06-30",
        "monitoring_forms": "Wizyta w domu raz na dwa miesiące, rozmowa telefoniczna z matką co miesiąc, "
                            "informacja ze szkoły o frekwencji dzieci raz na kwartał.",
        "place": "Lipowiec Mazurski",
        "document_date": "2027-12-20",
        "assistant_name": "Ewa Kalinowska",
        "head_name": "Grażyna Olech",
    }


CLOSING_REPORT = DocType(
    id="closing_report",
    title="Sprawozdanie z zakończenia pracy z rodziną",
    legal_basis="(art. 15 ust. 1 pkt 14 i 16 ustawy z dnia 9 czerwca 2011 r. o wspieraniu rodziny "
                "i systemie pieczy zastępczej)",
    sections=SECTIONS,
    rules=RULES,
    template="closing_report.docx",
    example=example,
    derive=naming_the_family(),
    file_stem="sprawozdanie_z_zakonczenia_pracy",
    signatures=(
        Signature("Asystent rodziny", name="assistant_name"),
        # "Zatwierdzam", the office's formula: the first person does not change with the head's sex
        Signature("Zatwierdzam – kierownik ośrodka pomocy społecznej", name="head_name"),
    ),
)
