""""Monitorowanie funkcjonowania rodziny po zakończeniu pracy" — art. 15 ust. 1 pkt 16 of the Act of 9 June 2011."""
from __future__ import annotations

from typing import Any, Iterator

import datetime as dt

from ..casefile import ADDRESS, FAMILY_NAMES, SOCIAL_WORKER, naming_the_family
from ..definition import CHOICE, DATE, TEXTAREA, WARNING, DocType, Field, Issue, Repeat, Rule, Section, Signature
from ..formatting import date_long
from ..rules import date_of, rows

# a note records the contacts held and the next one planned, which is seldom more than a month ahead;
# a contact dated further after the note is most likely a mistyped date
FAR_AHEAD = dt.timedelta(days=31)

CONTACT_FORMS = (
    ("wizyta", "wizyta w domu rodziny"),
    ("telefon", "rozmowa telefoniczna"),
    ("spotkanie", "spotkanie w ośrodku"),
    ("instytucja", "informacja z instytucji"),
)

# what the assistant concludes and proposes: an assistant issues no "decyzja" (an administrative act)
CONCLUSIONS = (
    ("zakonczenie", "zakończenie monitorowania"),
    ("kontynuacja", "kontynuacja monitorowania"),
    ("ponowne_wsparcie", "wniosek o ponowne objęcie rodziny wsparciem asystenta"),
    ("powiadomienie", "powiadomienie pracownika socjalnego lub sądu"),
)

SECTIONS = (
    Section("family", "Dane rodziny", (*FAMILY_NAMES, ADDRESS, SOCIAL_WORKER)),
    Section("period", "Okres monitorowania", (
        Field("work_end", "Data zakończenia pracy z rodziną", DATE, prefill="work_end"),
        Field("monitoring_from", "Monitorowanie od", DATE, prefill="monitoring_from"),
        Field("monitoring_to", "Monitorowanie do", DATE, prefill="monitoring_to"),
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
    Section("conclusions", "Wnioski", (
        Field("conclusion", "Wniosek", CHOICE, choices=CONCLUSIONS),
        Field("justification", "Uzasadnienie", TEXTAREA),
    )),
    Section("signatures", "Podpis", (
        Field("place", "Miejscowość", prefill="office_city"),
        Field("document_date", "Data sporządzenia", DATE, prefill="today"),
        Field("assistant_name", "Asystent rodziny", prefill="assistant_name", help="Imię i nazwisko."),
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


def _contacts_far_ahead(data: dict[str, Any]) -> Iterator[Issue]:
    """Read against the note's own date, so the same data gives the same answer on any day."""
    made = date_of(data, "document_date")
    end, start, stop = date_of(data, "work_end"), date_of(data, "monitoring_from"), date_of(data, "monitoring_to")
    if made is None:
        return
    for index, contact in enumerate(rows(data, "contacts")):
        day = date_of(contact, "date")
        if day is None or day - made <= FAR_AHEAD:
            continue
        if (end and day <= end) or (start and day < start) or (stop and day > stop):
            continue  # already refused by _contacts_after_work
        yield Issue(f"contacts[{index}].date",
                    f"Kontakty z rodziną, kontakt {index + 1} – data kontaktu ({date_long(day)}) wypada ponad "
                    f"miesiąc po dacie sporządzenia notatki ({date_long(made)}); notatka opisuje kontakty, które "
                    f"się odbyły. Sprawdź datę.")


RULES = (
    Rule("period_after_work", "Monitorowanie zaczyna się po zakończeniu pracy, okres jest poprawny.",
         _period_after_work, section="period"),
    Rule("contacts_after_work", "Każdy kontakt jest po zakończeniu pracy i w okresie monitorowania.",
         _contacts_after_work, section="contacts"),
    Rule("contacts_far_ahead", "Kontakty nie wypadają daleko po dacie notatki.", _contacts_far_ahead,
         section="contacts", severity=WARNING),
)


def example() -> dict[str, Any]:
    """The Zawadzcy in the half year after the end of work (17 December 2027), as the closing report
    planned it: from 3 January to 30 June 2028."""
    return {
        "family_name": "Zawadzcy",
        "family_name_gen": None,
        "address": "ul. Leśna 12 m. 4, 11-440 Lipowiec Mazurski",
        "social_worker_name": "Marek Sobczak",
        "work_end": "2027-12-17",
        "monitoring_from": "2028-01-03",
        "monitoring_to": "2028-06-30",
        "contacts": [
            {"date": "2028-01-19", "form": "wizyta",
             "note": "Rozmowa z matką; oboje rodzice pracują, opłaty za mieszkanie płacone w terminie."},
            {"date": "2028-02-23", "form": "telefon", "note": "Matka: bez zmian, dzieci zdrowe."},
            {"date": "2028-03-15", "form": "instytucja",
             "note": "Szkoła Podstawowa nr 2: frekwencja Julii 95%, Kacpra 97%; bez uwag wychowawczych."},
            {"date": "2028-04-26", "form": "wizyta", "note": "Rozmowa z obojgiem rodziców i dziećmi."},
            {"date": "2028-06-21", "form": "wizyta", "note": "Rozmowa z rodzicami o planach na wakacje dzieci."},
        ],
        "observations": "Rodzina funkcjonuje samodzielnie: rodzice utrzymują zatrudnienie, opłaty za mieszkanie "
                        "płacone są w terminie (zadłużenie spłacono w listopadzie 2027 r.). Dzieci regularnie "
                        "uczęszczają do szkoły.",
        "risk_signals": None,
        "conclusion": "zakonczenie",
        "justification": "W okresie monitorowania nie stwierdzono sygnałów ryzyka; rodzina utrzymuje efekty "
                         "pracy z asystentem.",
        "place": "Lipowiec Mazurski",
        "document_date": "2028-06-30",
        "assistant_name": "Ewa Kalinowska",
    }


MONITORING_NOTE = DocType(
    id="monitoring_note",
    # the Act's words (art. 15 ust. 1 pkt 16): "… po zakończeniu pracy z rodziną"
    title="Monitorowanie funkcjonowania rodziny po zakończeniu pracy z rodziną",
    sections=SECTIONS,
    rules=RULES,
    template="monitoring_note.docx",
    example=example,
    derive=naming_the_family(),
    file_stem="monitorowanie_rodziny",
    legal_basis="(art. 15 ust. 1 pkt 16 ustawy z dnia 9 czerwca 2011 r. o wspieraniu rodziny i systemie pieczy "
                "zastępczej)",
    signatures=(Signature("Asystent rodziny", name="assistant_name"),),
)
