""""Monitorowanie funkcjonowania rodziny po zakończeniu pracy" — art. 15 ust. 1 pkt 16 of the Act of 9 June 2011."""
from __future__ import annotations

from typing import Any, Iterator

from ..casefile import ADDRESS, FAMILY_NAME, SOCIAL_WORKER, assistant_not_social_worker
from ..definition import CHOICE, DATE, TEXTAREA, DocType, Field, Issue, Repeat, Rule, Section, Signature
from ..rules import date_of, rows
from ..formatting import date_long

CONTACT_FORMS = (
    ("wizyta", "wizyta w domu rodziny"),
    ("telefon", "rozmowa telefoniczna"),
    ("spotkanie", "spotkanie w ośrodku"),
    ("instytucja", "informacja z instytucji"),
)

DECISIONS = (
    ("zakonczenie", "zakończenie monitorowania"),
    ("kontynuacja", "kontynuacja monitorowania"),
    ("ponowne_wsparcie", "ponowne objęcie rodziny wsparciem asystenta"),
    ("powiadomienie", "powiadomienie pracownika socjalnego lub sądu"),
)

SECTIONS = (
    Section("family", "Dane rodziny", (FAMILY_NAME, ADDRESS, SOCIAL_WORKER)),
    Section("period", "Okres monitorowania", (
        Field("work_end", "Data zakończenia pracy z rodziną", DATE, prefill="work_end"),
        Field("monitoring_from", "Monitorowanie od", DATE),
        Field("monitoring_to", "Monitorowanie do", DATE),
    )),
    Section("contacts", "Kontakty z rodziną", (
        Repeat("contacts", "Kontakty z rodziną", item_label="kontakt", min_items=1, max_items=60,
               help="Każdy kontakt po zakończeniu pracy z rodziną: data, forma i krótka notatka.",
               table=(("date", 2.5), ("form", 4.5), ("note", 9.0)),
               fields=(
                   Field("date", "Data kontaktu", DATE),
                   Field("form", "Forma kontaktu", CHOICE, choices=CONTACT_FORMS),
                   Field("note", "Notatka", help="Jednym, dwoma zdaniami: z kim i czego dotyczył kontakt."),
               )),
    )),
    Section("observations", "Obserwacje", (
        Field("observations", "Funkcjonowanie rodziny", TEXTAREA,
              help="Jak rodzina radzi sobie po zakończeniu pracy: opieka nad dziećmi, dochody, mieszkanie."),
    )),
    Section("risks", "Sygnały ryzyka", optional=True, items=(
        Field("risk_signals", "Sygnały ryzyka", TEXTAREA, required=False,
              help="Np. zaległości w opłatach, nieobecności dzieci w szkole, informacje o przemocy."),
    )),
    Section("decision", "Decyzja", (
        Field("decision", "Decyzja", CHOICE, choices=DECISIONS),
        Field("justification", "Uzasadnienie", TEXTAREA),
    )),
    Section("signatures", "Podpis", (
        Field("place", "Miejscowość", prefill="office_city"),
        Field("document_date", "Data sporządzenia", DATE, prefill="today"),
        Field("assistant_name", "Asystent rodziny (imię i nazwisko)", prefill="assistant_name"),
    )),
)


def _period_after_work(data: dict[str, Any]) -> Iterator[Issue]:
    end, start, stop = date_of(data, "work_end"), date_of(data, "monitoring_from"), date_of(data, "monitoring_to")
    if end and start and start <= end:
        yield Issue("monitoring_from", "Monitorowanie od: monitorowanie zaczyna się po zakończeniu pracy z rodziną "
                                       f"({date_long(end)}).")
    if start and stop and stop <= start:
        yield Issue("monitoring_to", "Monitorowanie do: data końca musi być późniejsza niż data początku.")


def _contacts_after_work(data: dict[str, Any]) -> Iterator[Issue]:
    end, start, stop = date_of(data, "work_end"), date_of(data, "monitoring_from"), date_of(data, "monitoring_to")
    if start and stop and stop <= start:
        start = stop = None  # a reversed period is reported once, by _period_after_work
    for index, contact in enumerate(rows(data, "contacts")):
        day = date_of(contact, "date")
        where = f"Kontakty z rodziną, kontakt {index + 1} – "
        if day is None:
            continue
        if end and day <= end:
            yield Issue(f"contacts[{index}].date", where + "data kontaktu musi być późniejsza niż data zakończenia "
                                                           f"pracy z rodziną ({date_long(end)}).")
        elif (start and day < start) or (stop and day > stop):
            yield Issue(f"contacts[{index}].date", where + "data kontaktu wypada poza okresem monitorowania.")


RULES = (
    Rule("period_after_work", "Monitorowanie zaczyna się po zakończeniu pracy, okres jest poprawny.",
         _period_after_work, section="period"),
    Rule("contacts_after_work", "Każdy kontakt jest po zakończeniu pracy i w okresie monitorowania.",
         _contacts_after_work, section="contacts"),
    assistant_not_social_worker("family"),
)


def example() -> dict[str, Any]:
    return {
        "family_name": "Zawadzcy",
        "address": "ul. Leśna 12 m. 4, 11-440 Lipowiec Mazurski",
        "social_worker_name": "Marek Sobczak",
        "work_end": "2027-09-30",
        "monitoring_from": "2027-10-01",
        "monitoring_to": "2027-12-31",
        "contacts": [
            {"date": "2027-10-14", "form": "wizyta",
             "note": "Rozmowa z matką; oboje rodzice pracują, raty za mieszkanie płacone w terminie."},
            {"date": "2027-11-09", "form": "telefon", "note": "Matka: bez zmian, dzieci zdrowe."},
            {"date": "2027-12-03", "form": "instytucja",
             "note": "Szkoła Podstawowa nr 2: frekwencja Julii 95%, bez uwag wychowawczych."},
            {"date": "2027-12-17", "form": "wizyta", "note": "Rozmowa z obojgiem rodziców i dziećmi."},
        ],
        "observations": "Rodzina funkcjonuje samodzielnie: rodzice utrzymują zatrudnienie, zadłużenie "
                        "czynszowe spłacono w listopadzie 2027 r. Dzieci regularnie uczęszczają do szkoły "
                        "i przedszkola.",
        "risk_signals": None,
        "decision": "zakonczenie",
        "justification": "W okresie monitorowania nie stwierdzono sygnałów ryzyka; rodzina utrzymuje efekty "
                         "pracy z asystentem.",
        "place": "Lipowiec Mazurski",
        "document_date": "2027-12-31",
        "assistant_name": "Ewa Kalinowska",
    }


MONITORING_NOTE = DocType(
    id="monitoring_note",
    title="Monitorowanie funkcjonowania rodziny po zakończeniu pracy",
    sections=SECTIONS,
    rules=RULES,
    template="monitoring_note.docx",
    example=example,
    file_stem="monitorowanie_rodziny",
    legal_basis="(art. 15 ust. 1 pkt 16 ustawy z dnia 9 czerwca 2011 r. o wspieraniu rodziny i systemie pieczy "
                "zastępczej)",
    signatures=(Signature("Asystent rodziny", name="assistant_name"),),
)
