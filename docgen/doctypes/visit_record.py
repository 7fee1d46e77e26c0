""""Karta wizyty" — the assistant's record of one visit (practice; art. 15 ust. 1: documentation of the work)."""
from __future__ import annotations

import re
from typing import Any, Iterator

from ..casefile import FAMILY_NAMES, naming_the_family
from ..definition import CHOICE, DATE, TEXTAREA, DocType, Field, Issue, Repeat, Rule, Section, Signature
from ..formatting import date_long
from ..rules import date_of, full_name, rows, rows_dated_before

PLACES = (
    ("dom", "miejsce zamieszkania rodziny"),
    ("osrodek", "ośrodek pomocy społecznej"),
    ("inne", "inne miejsce"),
)

# "16:30" or "16:30–18:00" (hyphen or dash)
_HOUR = r"([01]?\d|2[0-3]):[0-5]\d"
_TIME = re.compile(rf"^{_HOUR}(\s*[-–]\s*{_HOUR})?$")

SECTIONS = (
    Section("visit", "Wizyta", (
        *FAMILY_NAMES,
        Field("visit_date", "Data wizyty", DATE, prefill="today"),
        Field("visit_time", "Godzina wizyty", required=False, max_length=20,
              help="Np. 16:30 albo 16:30–18:00."),
        Field("visit_place", "Miejsce wizyty", CHOICE, choices=PLACES),
        Field("visit_place_other", "Inne miejsce", required=False, required_when=("visit_place", "inne"),
              help="Np. Szkoła Podstawowa nr 2, Powiatowy Urząd Pracy."),
    )),
    Section("present", "Obecni podczas wizyty", (
        Repeat("present", "Obecni podczas wizyty", item_label="osoba", min_items=1, max_items=20,
               prefill="members", help="Usuń osoby nieobecne; dopisz inne obecne osoby (np. kuratora).",
               table=(("first_name", 4.0), ("last_name", 5.0), ("role", 7.0)),
               fields=(
                   Field("first_name", "Imię", prefill="first_name"),
                   Field("last_name", "Nazwisko", prefill="last_name"),
                   Field("role", "Rola lub funkcja", required=False, prefill="relation_label",
                         help="Np. matka, dziecko, kurator sądowy, pedagog szkolny."),
               )),
    )),
    Section("topics", "Przebieg wizyty", (
        Field("topics", "Omówione sprawy", TEXTAREA),
    )),
    Section("tasks_done", "Zadania wykonane od poprzedniej wizyty", optional=True, items=(
        Field("tasks_done", "Zadania wykonane od poprzedniej wizyty", TEXTAREA, required=False,
              help="Pozostaw puste przy pierwszej wizycie."),
    )),
    Section("next_steps", "Ustalenia na kolejny okres", optional=True, items=(
        Repeat("next_steps", "Ustalenia", item_label="zadanie", max_items=30,
               table=(("task", 9.0), ("who", 4.5), ("deadline", 2.5)),
               fields=(
                   Field("task", "Zadanie"),
                   Field("who", "Kto wykonuje"),
                   Field("deadline", "Termin", DATE),
               )),
    )),
    Section("signatures", "Podpisy", (
        Field("place", "Miejscowość", prefill="office_city"),
        Field("document_date", "Data sporządzenia karty", DATE, prefill="today"),
        Field("family_signatory", "Podpisuje za rodzinę",
              help="Imię i nazwisko. Dorosły członek rodziny obecny podczas wizyty."),
        Field("assistant_name", "Asystent rodziny", prefill="assistant_name", help="Imię i nazwisko."),
    )),
)


def _visit_time(data: dict[str, Any]) -> Iterator[Issue]:
    value = data.get("visit_time")
    if isinstance(value, str) and value.strip() and not _TIME.match(value.strip()):
        yield Issue("visit_time", "Godzina wizyty: podaj godzinę w postaci GG:MM, np. 16:30 albo 16:30–18:00.")


def _visit_not_future(data: dict[str, Any]) -> Iterator[Issue]:
    visit, made = date_of(data, "visit_date"), date_of(data, "document_date")
    if visit and made and visit > made:
        yield Issue("visit_date", "Data wizyty: wizyta nie może być późniejsza niż data sporządzenia karty "
                                  f"({date_long(made)}).")


def _deadlines_after_visit(data: dict[str, Any]) -> Iterator[Issue]:
    visit = date_of(data, "visit_date")
    for index, _ in rows_dated_before(data, "next_steps", "deadline", visit):
        yield Issue(f"next_steps[{index}].deadline",
                    f"Ustalenia, zadanie {index + 1} – termin nie może być wcześniejszy niż data wizyty "
                    f"({date_long(visit)}).")


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _signatory_present(data: dict[str, Any]) -> Iterator[Issue]:
    signer = data.get("family_signatory")
    present = {_key(full_name(person)) for person in rows(data, "present")}
    if isinstance(signer, str) and signer.strip() and present and _key(signer) not in present:
        yield Issue("family_signatory", "Podpisuje za rodzinę: kartę podpisuje osoba obecna podczas wizyty; "
                                        "wpisz imię i nazwisko jak na liście obecnych.")


RULES = (
    Rule("visit_time", "Godzina wizyty w postaci GG:MM.", _visit_time, section="visit"),
    Rule("visit_not_future", "Wizyta nie jest późniejsza niż karta.", _visit_not_future, section="visit"),
    Rule("deadlines_after_visit", "Terminy ustaleń nie są wcześniejsze niż wizyta.", _deadlines_after_visit,
         section="next_steps"),
    Rule("signatory_present", "Za rodzinę podpisuje osoba obecna podczas wizyty.", _signatory_present,
         section="signatures"),
)


def _place(data: dict[str, Any]) -> dict[str, Any]:
    """The place as printed: the label of the choice, or the typed place."""
    code = data.get("visit_place") or ""
    where = data.get("visit_place_other") if code == "inne" else dict(PLACES).get(code)
    return {"visit_place_text": where or ""}


derive = naming_the_family(_place)


def example() -> dict[str, Any]:
    return {
        "family_name": "Zawadzcy",
        "family_name_gen": None,
        "visit_date": "2026-11-16",
        "visit_time": "16:30–18:00",
        "visit_place": "dom",
        "visit_place_other": None,
        "present": [
            {"first_name": "Anna", "last_name": "Zawadzka", "role": "matka"},
            {"first_name": "Julia", "last_name": "Zawadzka", "role": "dziecko"},
            {"first_name": "Kacper", "last_name": "Zawadzki", "role": "dziecko"},
        ],
        "topics": "Budżet domowy na grudzień; przygotowanie wniosku o rozłożenie zadłużenia czynszowego (4 320 zł) "
                  "na raty.\n"
                  "Plan dnia dzieci: odrabianie lekcji przez Julię po powrocie ze szkoły.",
        "tasks_done": "Matka zarejestrowała się w Powiatowym Urzędzie Pracy (zaświadczenie z 10.11.2026).",
        "next_steps": [
            {"task": "Złożenie wniosku o rozłożenie zadłużenia na raty w spółdzielni", "who": "Tomasz Zawadzki",
             "deadline": "2026-11-30"},
            {"task": "Spotkanie z wychowawczynią Julii", "who": "Anna Zawadzka, asystent rodziny",
             "deadline": "2026-11-25"},
        ],
        "place": "Lipowiec Mazurski",
        "document_date": "2026-11-16",
        "family_signatory": "Anna Zawadzka",
        "assistant_name": "Ewa Kalinowska",
    }


VISIT_RECORD = DocType(
    id="visit_record",
    title="Karta wizyty",
    sections=SECTIONS,
    rules=RULES,
    template="visit_record.docx",
    example=example,
    derive=derive,
    file_stem="karta_wizyty",
    signatures=(
        Signature("Członek rodziny", name="family_signatory"),
        Signature("Asystent rodziny", name="assistant_name"),
    ),
)
