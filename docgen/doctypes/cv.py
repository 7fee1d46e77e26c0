""""Życiorys zawodowy (CV)" of a family member (art. 15 ust. 1: help in finding and keeping a job).

The family member's own document for an employer: no letterhead, no case number, no signature.
Every section but the contact details may stay empty; an empty one leaves no heading behind.
"""
from __future__ import annotations

import re
from typing import Any, Iterator

from ..definition import BOOL, TEXTAREA, DocType, Field, Issue, PrintCheck, Repeat, Rule, Section
from ..rules import rows

# current wording of the consent for a recruitment (art. 6 ust. 1 lit. a RODO); "{who}": the employer
CONSENT = ("Wyrażam zgodę na przetwarzanie moich danych osobowych przez {who} dla potrzeb niezbędnych do "
           "realizacji procesu rekrutacji zgodnie z Rozporządzeniem Parlamentu Europejskiego i Rady (UE) 2016/679 "
           "z dnia 27 kwietnia 2016 r. w sprawie ochrony osób fizycznych w związku z przetwarzaniem danych "
           "osobowych i w sprawie swobodnego przepływu takich danych oraz uchylenia dyrektywy 95/46/WE (RODO).")
CONSENT_FUTURE = ("Wyrażam również zgodę na przetwarzanie moich danych osobowych przez {who} w celu prowadzenia "
                  "przyszłych procesów rekrutacyjnych.")
ANY_EMPLOYER = "pracodawcę"

_PERIOD_HELP = "Miesiąc i rok, np. 03.2021, albo sam rok."
_TO_HELP = "Pozostaw puste, jeśli trwa (w CV: „obecnie”)."
# "03.2021", "3.2021", "3/2021" or "2021"
_PERIOD = re.compile(r"^(?:(0?[1-9]|1[0-2])[./-])?((?:19|20)\d{2})$")


def _from(label: str = "Od") -> Field:
    return Field("date_from", label, max_length=20, help=_PERIOD_HELP)


def _to(label: str = "Do") -> Field:
    return Field("date_to", label, required=False, max_length=20, help=_TO_HELP)


SECTIONS = (
    Section("person", "Dane kontaktowe", numbered=False,
            help="Pracodawca potrzebuje imienia i nazwiska oraz telefonu lub adresu e-mail; "
                 "daty urodzenia, PESEL-u ani zdjęcia w CV podawać nie trzeba.", items=(
                Field("full_name", "Imię i nazwisko", prefill="family_head_name"),
                Field("address", "Adres lub miejscowość", required=False, prefill="address",
                      help="Wystarczy miejscowość."),
                Field("phone", "Telefon", required=False, max_length=40, prefill="family_head_phone"),
                Field("email", "E-mail", required=False, max_length=120, prefill="family_head_email"),
            )),
    Section("profile", "Profil zawodowy", numbered=False, optional=True, items=(
        Field("profile", "Profil zawodowy", TEXTAREA, required=False, max_length=1200,
              help="Dwa–trzy zdania: kim jestem zawodowo, co umiem, jakiej pracy szukam."),
    )),
    Section("experience", "Doświadczenie zawodowe", numbered=False, optional=True, items=(
        Repeat("experience", "Doświadczenie zawodowe", item_label="miejsce pracy", max_items=20,
               help="Od najnowszego. Także prace dorywcze, sezonowe, staże i wolontariat.",
               fields=(_from(), _to(), Field("employer", "Pracodawca", help="Nazwa firmy i miejscowość."),
                       Field("position", "Stanowisko"),
                       Field("duties", "Obowiązki", TEXTAREA, required=False, max_length=1000))),
    )),
    Section("education", "Wykształcenie", numbered=False, optional=True, items=(
        Repeat("education", "Wykształcenie", item_label="szkoła", max_items=10,
               help="Od najnowszej; szkoła podstawowa tylko, gdy nie ma innej.",
               fields=(_from(), _to(), Field("school", "Szkoła lub uczelnia"),
                       Field("details", "Kierunek, zawód lub poziom", required=False,
                             help="Np. technik żywienia i usług gastronomicznych; wykształcenie średnie."))),
    )),
    Section("courses", "Kursy i szkolenia", numbered=False, optional=True, items=(
        Repeat("courses", "Kursy i szkolenia", item_label="kurs", max_items=30, fields=(
            Field("year", "Rok", required=False, max_length=20, help="Np. 2024 albo 05.2024."),
            Field("name", "Nazwa kursu lub szkolenia"),
            Field("organiser", "Organizator", required=False, help="Np. Powiatowy Urząd Pracy w …"),
        )),
    )),
    Section("qualifications", "Uprawnienia i kwalifikacje", numbered=False, optional=True, items=(
        Repeat("qualifications", "Uprawnienia i kwalifikacje", item_label="uprawnienie", max_items=20, fields=(
            Field("name", "Uprawnienie", help="Np. prawo jazdy kat. B, książeczka sanepidowska, "
                                              "uprawnienia SEP do 1 kV, wózki widłowe."),
            Field("details", "Szczegóły", required=False, help="Np. od 2015 r., ważne do 2029 r."),
        )),
    )),
    Section("skills", "Umiejętności", numbered=False, optional=True, items=(
        Field("languages", "Języki obce", required=False, help="Np. angielski – podstawowy (A2)."),
        Field("computer", "Obsługa komputera", required=False,
              help="Np. MS Word, Excel – podstawowy; poczta e-mail; kasa fiskalna."),
        Field("other_skills", "Inne umiejętności", TEXTAREA, required=False, max_length=1000),
    )),
    Section("interests", "Zainteresowania", numbered=False, optional=True, items=(
        Field("interests", "Zainteresowania", required=False, max_length=300),
    )),
    Section("consent", "Zgoda na przetwarzanie danych", numbered=False, statement=CONSENT.format(who="[pracodawcę]"),
            items=(
                Field("employer_name", "Pracodawca (nazwa do klauzuli zgody)", required=False,
                      help="Firma, do której trafi CV; puste: „pracodawcę”."),
                Field("future_recruitment", "Zgoda także na przyszłe rekrutacje", BOOL, required=False),
            )),
)


def _periods(group: str, label: str, noun: str):
    """Periods of the rows of `group` readable as a month and year, the end not before the start."""

    def check(data: dict[str, Any]) -> Iterator[Issue]:
        for index, row in enumerate(rows(data, group)):
            where = f"{label}, {noun} {index + 1} – "
            parsed = {}
            for name in ("date_from", "date_to"):
                value = row.get(name)
                if not isinstance(value, str) or not value.strip():
                    continue
                match = _PERIOD.match(value.strip())
                if match is None:
                    yield Issue(f"{group}[{index}].{name}", where + f"„{value}”: podaj miesiąc i rok (np. 03.2021) "
                                                                  "albo sam rok.")
                else:
                    parsed[name] = (int(match.group(2)), int(match.group(1) or 0))
            if len(parsed) == 2:
                (y1, m1), (y2, m2) = parsed["date_from"], parsed["date_to"]
                # a bare year spans the whole year: 2019 – 03.2019 is fine
                if (y2, m2 or 12) < (y1, m1 or 1):
                    yield Issue(f"{group}[{index}].date_to", where + "koniec nie może być wcześniejszy niż początek.")

    return check


def _contact(data: dict[str, Any]) -> Iterator[Issue]:
    if not any(isinstance(data.get(name), str) and data[name].strip() for name in ("phone", "email")):
        yield Issue("phone", "Telefon: podaj telefon lub adres e-mail – pracodawca musi mieć jak się skontaktować.")


RULES = (
    Rule("contact", "CV podaje telefon lub e-mail.", _contact, section="person"),
    Rule("experience_periods", "Okresy pracy w postaci MM.RRRR, koniec nie przed początkiem.",
         _periods("experience", "Doświadczenie zawodowe", "miejsce pracy"), section="experience"),
    Rule("education_periods", "Okresy nauki w postaci MM.RRRR, koniec nie przed początkiem.",
         _periods("education", "Wykształcenie", "szkoła"), section="education"),
)


# the clause as an employer looks for it: its opening words and the regulation it cites
_CONSENT_PRINTED = re.compile(r"Wyrażam zgodę na przetwarzanie moich danych osobowych\b.*(?:2016/679|RODO)")


def _consent_printed(lines: list[str]) -> Iterator[str]:
    if not any(_CONSENT_PRINTED.search(" ".join(line.split())) for line in lines):
        yield ("Brak klauzuli zgody na przetwarzanie danych osobowych („Wyrażam zgodę na przetwarzanie moich danych "
               "osobowych … (RODO)”): bez niej pracodawca nie może wykorzystać CV w rekrutacji.")


PRINT_CHECKS = (
    PrintCheck("consent_clause", "CV ma klauzulę zgody na przetwarzanie danych osobowych (RODO).", _consent_printed),
)


def derive(data: dict[str, Any]) -> dict[str, Any]:
    """The contact line and the consent clause as printed."""
    phone, email = (data.get(name) for name in ("phone", "email"))
    parts = [f"tel. {phone}" if phone else "", f"e-mail: {email}" if email else ""]
    who = (data.get("employer_name") or "").strip() or ANY_EMPLOYER
    return {
        "contact_line": "   |   ".join(part for part in parts if part),
        "consent_clause": CONSENT.format(who=who),
        "consent_future": CONSENT_FUTURE.format(who=who) if data.get("future_recruitment") else "",
    }


def example() -> dict[str, Any]:
    # Anna Zawadzka of the other examples, in February 2027: after eight years in a shop (until the
    # shop closed in February 2026) and the labour office's cook course (December 2026 – February 2027)
    return {
        "full_name": "Anna Zawadzka",
        "address": "ul. Leśna 12 m. 4, 11-440 Lipowiec Mazurski",
        "phone": "607 318 244",
        "email": "anna.zawadzka@example.pl",
        "profile": "Kucharka po kursie zawodowym w Powiatowym Urzędzie Pracy, wcześniej osiem lat sprzedawczyni "
                   "w sklepie spożywczym. Sumienna, dobrze zorganizowana, lubię pracę w zespole. Szukam pracy "
                   "kucharki lub pomocy kuchennej w Lipowcu Mazurskim lub okolicy.",
        "experience": [
            {"date_from": "04.2018", "date_to": "02.2026", "employer": "Sklep spożywczy „Pod Lipami”, "
                                                                       "Lipowiec Mazurski",
             "position": "Sprzedawca – kasjer",
             "duties": "Obsługa klienta i kasy fiskalnej, przyjmowanie dostaw i kontrola dat ważności, "
                       "wykładanie towaru, rozliczanie utargu."},
            {"date_from": "07.2012", "date_to": "09.2012", "employer": "Gospodarstwo sadownicze, Kwiatuszki Wielkie",
             "position": "Pracownik sezonowy", "duties": None},
        ],
        "education": [
            {"date_from": "2007", "date_to": "2010", "school": "Zespół Szkół Zawodowych w Lipowcu Mazurskim",
             "details": "Zasadnicza szkoła zawodowa, zawód: sprzedawca"},
        ],
        "courses": [
            {"year": "02.2027", "name": "Kucharz – kurs zawodowy (od 12.2026 do 02.2027)",
             "organiser": "Powiatowy Urząd Pracy w Lipowcu Mazurskim"},
            {"year": "2022", "name": "Obsługa programów magazynowo-sprzedażowych",
             "organiser": "Centrum Kształcenia Ustawicznego w Lipowcu Mazurskim"},
            {"year": "2015", "name": "Pierwsza pomoc przedmedyczna", "organiser": None},
        ],
        "qualifications": [
            {"name": "Orzeczenie lekarskie do celów sanitarno-epidemiologicznych", "details": "aktualne"},
        ],
        "languages": "Język angielski – podstawowy (A1)",
        "computer": "Obsługa kasy fiskalnej i terminala płatniczego; poczta e-mail, podstawy MS Word",
        "other_skills": None,
        "interests": "Ogrodnictwo, pieczenie ciast",
        "employer_name": None,
        "future_recruitment": True,
    }


CV = DocType(
    id="cv",
    title="Życiorys zawodowy (CV)",
    sections=SECTIONS,
    rules=RULES,
    template="cv.docx",
    example=example,
    derive=derive,
    file_stem="cv",
    # the family member's own CV, sent to an employer: no office number, named after the person only
    in_case_file=False,
    leaves_office=True,
    file_name="CV_{full_name}",
    print_checks=PRINT_CHECKS,
)
