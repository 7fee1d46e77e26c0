"""Demo data: an invented office with its users, three invented families and the directory
of institutions of its invented town.

Every name, address and PESEL here is made up (the PESELs, NIPs and REGONs are computed to
pass the checksum, nothing more); none comes from a real case.
"""
from __future__ import annotations

import datetime as dt
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from stdnum.pl import nip as nip_number
from stdnum.pl import pesel as pesel_number
from stdnum.pl import regon as regon_number

from ..formatting import age_on
from ..polish import family_name_forms
from ..rules import ADULT_AGE
from . import db
from .documents import file_path
from .institutions import clean as clean_institution
from .models import (ROLE_ADMIN, ROLE_ASSISTANT, ROLE_HEAD, CaseCounter, CaseFile, Document, Family, GeneratedFile,
                     Institution, Office, Person, User)
from .users import check_password_strength, hash_password

# The demo office is recognised by its name (a real office may well use the prefix MOPS.AR).
OFFICE = {
    "name": "Miejski Ośrodek Pomocy Społecznej w Lipowcu Mazurskim",
    "address": "ul. Kościuszki 5, 11-440 Lipowiec Mazurski",
    "city": "Lipowiec Mazurski",
    "phone": "89 123 45 67",
    "email": "sekretariat@mops.lipowiec-mazurski.example",
    "case_prefix": "MOPS.AR",
    "jrwa_symbol": "4101",
    "caseload_limit": 15,
}

# username, full name, role
USERS = (
    ("asystent1", "Ewa Kalinowska", ROLE_ASSISTANT),
    ("asystent2", "Paweł Wróbel", ROLE_ASSISTANT),
    ("kierownik", "Barbara Lis", ROLE_HEAD),
    ("admin", "Administrator systemu", ROLE_ADMIN),
)

COURT = "Sąd Rejonowy w Lipowcu Mazurskim"

LOGINS_FILE = "demo-logins.txt"
URL = "http://127.0.0.1:5000"


def pesel_for(born: dt.date, serial: int, female: bool) -> str:
    """A PESEL with a valid checksum for the birth date and sex (serial: 0–999)."""
    century = {18: 80, 19: 0, 20: 20, 21: 40, 22: 60}[born.year // 100]
    sex = (serial * 7) % 5 * 2 + (0 if female else 1)
    body = f"{born.year % 100:02d}{born.month + century:02d}{born.day:02d}{serial % 1000:03d}{sex}"
    number = body + pesel_number.calc_check_digit(body)
    assert pesel_number.is_valid(number) and pesel_number.get_birth_date(number) == born, number
    return number


@dataclass(frozen=True)
class _Member:
    first_name: str
    last_name: str
    born: dt.date
    relation: str
    female: bool
    in_household: bool = True
    foster_care: bool = False


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# assistant username, family fields, members
FAMILIES = (
    ("asystent1", {
        "family_name": "Krajewscy",
        "address": "ul. Ogrodowa 7 m. 3, 11-440 Lipowiec Mazurski",
        "social_worker_name": "Halina Domańska",
        "assignment_date": _d("2026-09-14"),
        "referral_ref": "MOPS.PS.4101.41.2026",
        "basis": "zgoda",
        "consent_date": _d("2026-09-21"),
    }, (
        _Member("Monika", "Krajewska", _d("1990-04-17"), "matka", True),
        _Member("Dariusz", "Krajewski", _d("1987-12-03"), "ojciec", False),
        _Member("Oliwia", "Krajewska", _d("2013-06-25"), "dziecko", True),
        _Member("Szymon", "Krajewski", _d("2017-02-08"), "dziecko", False),
    )),
    ("asystent1", {
        "family_name": "Wieczorek",
        "address": "ul. Polna 22, 11-440 Lipowiec Mazurski",
        "social_worker_name": "Grzegorz Pawlak",
        "assignment_date": _d("2026-03-02"),
        "referral_ref": "MOPS.PS.4101.9.2026",
        "basis": "postanowienie",
        "court_name": COURT,
        "court_case_number": "III Nsm 118/26",
        "court_order_date": _d("2026-02-10"),
        "coordinator_name": "Agnieszka Rutkowska",
        "coordinator_unit": "Powiatowe Centrum Pomocy Rodzinie w Lipowcu Mazurskim",
        "coordinator_contact": "tel. 89 765 43 21",
    }, (
        _Member("Katarzyna", "Wieczorek", _d("1995-08-30"), "matka", True),
        _Member("Natalia", "Wieczorek", _d("2016-01-19"), "dziecko", True),
        _Member("Filip", "Wieczorek", _d("2019-10-05"), "dziecko", False, in_household=False, foster_care=True),
        _Member("Maja", "Wieczorek", _d("2022-05-12"), "dziecko", True),
    )),
    ("asystent2", {
        "family_name": "Jabłońscy",
        "address": "ul. Mickiewicza 14 m. 9, 11-440 Lipowiec Mazurski",
        "social_worker_name": "Halina Domańska",
        "assignment_date": _d("2026-06-01"),
        "referral_ref": "MOPS.PS.4101.27.2026",
        "basis": "zgoda",
        "consent_date": _d("2026-06-08"),
    }, (
        _Member("Renata", "Jabłońska", _d("1984-11-22"), "matka", True),
        _Member("Marcin", "Jabłoński", _d("1982-07-09"), "ojciec", False),
        _Member("Igor", "Jabłoński", _d("2011-03-28"), "dziecko", False),
        _Member("Stanisława", "Jabłońska", _d("1956-09-15"), "babcia", True),
    )),
)


# what the family card says about some of the people beyond their names (docgen.casefile.PERSON_DETAILS,
# PLACEMENT_FIELDS): (family name, first name) -> values
DETAILS = {
    ("Krajewscy", "Monika"): {"employment": "umowa_o_prace", "disability": "brak", "phone": "605 118 204"},
    ("Krajewscy", "Dariusz"): {"employment": "bezrobocie_pup", "disability": "brak", "phone": "512 440 917"},
    ("Krajewscy", "Szymon"): {"disability": "dziecko"},
    ("Wieczorek", "Katarzyna"): {"employment": "opieka", "disability": "brak", "phone": "698 302 115",
                                 "email": "k.wieczorek@poczta.example"},
    ("Wieczorek", "Filip"): {"care_form": "niezawodowa",
                             "care_name": "Anna i Marek Sowa, Stare Olszyny 14, 11-441 Stare Olszyny",
                             "placement_date": _d("2026-02-17"),
                             "placement_court": f"{COURT}, III Wydział Rodzinny i Nieletnich",
                             "placement_case_number": "III Nsm 118/26", "placement_order_date": _d("2026-02-10")},
    ("Jabłońscy", "Stanisława"): {"employment": "emerytura_renta", "disability": "umiarkowany"},
}


def nip_for(body: str) -> str:
    """A NIP with a valid check digit for nine digits (the next body when that digit would be 10)."""
    weights = (6, 5, 7, 2, 3, 4, 5, 6, 7)
    while True:
        check = sum(int(d) * w for d, w in zip(body, weights)) % 11
        if check != 10:
            number = body + str(check)
            assert nip_number.is_valid(number), number
            return number
        body = f"{int(body) + 1:09d}"


def regon_for(body: str) -> str:
    """A 9-digit REGON with a valid check digit for eight digits."""
    number = body + regon_number.calc_check_digit(body)
    assert regon_number.is_valid(number), number
    return number


_TOWN = "11-440 Lipowiec Mazurski"

# The directory of local institutions ("wykaz placówek", seed 004) of the invented town: kind
# code, name, address, phone, e-mail, scope, and for some a NIP and REGON.
INSTITUTIONS = (
    {"kind": "poradnia", "name": "Poradnia Psychologiczno-Pedagogiczna w Lipowcu Mazurskim",
     "address": f"ul. Szkolna 12\n{_TOWN}", "phone": "89 123 40 10",
     "email": "sekretariat@ppp.lipowiec-mazurski.example",
     "scope": "Diagnoza i terapia psychologiczno-pedagogiczna dzieci i młodzieży; opinie i orzeczenia o potrzebie "
              "kształcenia specjalnego; wczesne wspomaganie rozwoju; porady i warsztaty dla rodziców.",
     "nip": nip_for("745104382"), "regon": regon_for("28041532")},
    {"kind": "poradnia", "name": "Punkt Konsultacyjny ds. Przeciwdziałania Przemocy Domowej i Uzależnień",
     "address": f"ul. Kościuszki 5, pok. 14\n{_TOWN}", "phone": "89 123 45 70",
     "email": "punkt@mops.lipowiec-mazurski.example",
     "scope": "Porady psychologa, prawnika i terapeuty uzależnień (wt. i czw. 15:00–19:00); procedura "
              "„Niebieskie Karty”; grupa wsparcia dla osób doznających przemocy."},
    {"kind": "wsparcie_dzienne", "name": "Świetlica Środowiskowa „Promyk”",
     "address": f"ul. Lipowa 8\n{_TOWN}", "phone": "89 123 52 31",
     "email": "promyk@lipowiec-mazurski.example",
     "scope": "Placówka wsparcia dziennego w formie opiekuńczej dla dzieci 6–15 lat: pomoc w nauce, zajęcia "
              "wychowawcze i sportowe, ciepły posiłek; pon.–pt. 12:00–18:00."},
    {"kind": "wsparcie_dzienne", "name": "Placówka Wsparcia Dziennego „Przystań”",
     "address": f"ul. Mazurska 21\n{_TOWN}", "phone": "89 123 52 90",
     "email": "przystan@lipowiec-mazurski.example",
     "scope": "Forma specjalistyczna dla młodzieży 10–18 lat: zajęcia socjoterapeutyczne i korekcyjne, terapia "
              "pedagogiczna, trening umiejętności społecznych."},
    {"kind": "interwencja", "name": "Ośrodek Interwencji Kryzysowej w Lipowcu Mazurskim",
     "address": f"ul. Warszawska 30\n{_TOWN}", "phone": "89 765 43 00",
     "email": "oik@pcpr.lipowiec-mazurski.example",
     "scope": "Całodobowa pomoc w sytuacjach kryzysowych; miejsca schronienia dla osób doznających przemocy "
              "domowej (do 3 miesięcy); poradnictwo psychologiczne, prawne i socjalne."},
    {"kind": "szkola", "name": "Szkoła Podstawowa nr 1 im. Orła Białego w Lipowcu Mazurskim",
     "address": f"ul. Szkolna 4\n{_TOWN}", "phone": "89 123 30 01", "email": "sp1@lipowiec-mazurski.example",
     "scope": "Klasy 1–8, świetlica szkolna 7:00–16:30; pedagog i psycholog szkolny; stołówka (dofinansowanie "
              "posiłków przez MOPS).", "nip": nip_for("745210967"), "regon": regon_for("28106779")},
    {"kind": "szkola", "name": "Szkoła Podstawowa nr 2 im. Przyjaciół Mazur w Lipowcu Mazurskim",
     "address": f"ul. Ogrodowa 15\n{_TOWN}", "phone": "89 123 30 02", "email": "sp2@lipowiec-mazurski.example",
     "scope": "Klasy 1–8, oddziały integracyjne; pedagog specjalny; zajęcia wyrównawcze.",
     "nip": nip_for("745233150"), "regon": regon_for("28167340")},
    {"kind": "szkola", "name": "Zespół Szkół Zawodowych w Lipowcu Mazurskim",
     "address": f"ul. Dworcowa 19\n{_TOWN}", "phone": "89 123 31 20", "email": "zsz@lipowiec-mazurski.example",
     "scope": "Technikum i branżowa szkoła I stopnia (mechanik, kucharz, sprzedawca); internat; doradca "
              "zawodowy; kursy kwalifikacyjne dla dorosłych."},
    {"kind": "sad", "name": f"{COURT}, III Wydział Rodzinny i Nieletnich",
     "address": f"ul. Sądowa 2\n{_TOWN}", "phone": "89 120 11 30", "email": "wrin@lipowiec-mazurski.sr.example",
     "scope": "Sprawy opiekuńcze (władza rodzicielska, kontakty z dzieckiem, piecza zastępcza), alimenty, "
              "sprawy nieletnich; biuro podawcze pon.–pt. 8:00–15:00."},
    {"kind": "sad", "name": f"Zespół Kuratorskiej Służby Sądowej przy {COURT.replace('Sąd Rejonowy', 'Sądzie Rejonowym')}",
     "address": f"ul. Sądowa 2, pok. 105\n{_TOWN}", "phone": "89 120 11 45",
     "email": "kuratorzy@lipowiec-mazurski.sr.example",
     "scope": "Kuratorzy rodzinni: nadzór nad wykonywaniem władzy rodzicielskiej, wywiady środowiskowe na "
              "zlecenie sądu; dyżury wt. 14:00–17:00."},
    {"kind": "pcpr", "name": "Powiatowe Centrum Pomocy Rodzinie w Lipowcu Mazurskim",
     "address": f"ul. Warszawska 30\n{_TOWN}", "phone": "89 765 43 21",
     "email": "sekretariat@pcpr.lipowiec-mazurski.example",
     "scope": "Piecza zastępcza i koordynatorzy rodzinnej pieczy zastępczej; specjalistyczne poradnictwo "
              "rodzinne; dofinansowania dla osób z niepełnosprawnością; usamodzielnienie wychowanków.",
     "nip": nip_for("745198423"), "regon": regon_for("36093214")},
    {"kind": "pup", "name": "Powiatowy Urząd Pracy w Lipowcu Mazurskim",
     "address": f"ul. Dworcowa 7\n{_TOWN}", "phone": "89 123 60 00", "email": "kancelaria@pup.lipowiec-mazurski.example",
     "scope": "Rejestracja osób bezrobotnych i poszukujących pracy, oferty pracy, szkolenia, staże, prace "
              "społecznie użyteczne, doradztwo zawodowe, dofinansowanie działalności gospodarczej.",
     "nip": nip_for("745301776"), "regon": regon_for("52113906")},
    {"kind": "zdrowie", "name": "Ośrodek Zdrowia w Lipowcu Mazurskim",
     "address": f"ul. Zdrojowa 3\n{_TOWN}", "phone": "89 123 70 70", "email": "rejestracja@oz.lipowiec-mazurski.example",
     "scope": "Podstawowa opieka zdrowotna dorosłych i dzieci, poradnia dziecięca, szczepienia, położna i "
              "pielęgniarka środowiskowa, bilanse zdrowia dziecka."},
    {"kind": "zdrowie", "name": "Poradnia Terapii Uzależnień i Współuzależnienia",
     "address": f"ul. Zdrojowa 3, I piętro\n{_TOWN}", "phone": "89 123 70 85", "email": "",
     "scope": "Terapia indywidualna i grupowa osób uzależnionych od alkoholu i ich bliskich; bez skierowania, "
              "bezpłatnie (NFZ)."},
    {"kind": "ngo", "name": "Stowarzyszenie „Razem dla Rodziny” w Lipowcu Mazurskim",
     "address": f"ul. Kolejowa 11\n{_TOWN}", "phone": "600 100 245", "email": "biuro@razemdlarodziny.example",
     "scope": "Paczki żywnościowe i odzież, korepetycje prowadzone przez wolontariuszy, letni wypoczynek dzieci, "
              "wsparcie rodzin wielodzietnych.", "nip": nip_for("745264019"), "regon": regon_for("28099451")},
    {"kind": "inne", "name": "Urząd Miejski w Lipowcu Mazurskim – Referat Spraw Społecznych i Lokalowych",
     "address": f"pl. Ratuszowy 1\n{_TOWN}", "phone": "89 123 10 50", "email": "lokale@um.lipowiec-mazurski.example",
     "scope": "Dodatki mieszkaniowe i energetyczne, przydział lokali socjalnych i komunalnych, rozłożenie "
              "zaległości czynszowych na raty, stypendia szkolne."},
)


def logins_path() -> Path:
    return Path(db.INSTANCE_DIR) / LOGINS_FILE


def find_demo_office(session: Session) -> Office | None:
    return session.execute(
        select(Office).where(Office.name == OFFICE["name"]).order_by(Office.id)
    ).scalars().first()


def delete_office(session: Session, office: Office) -> None:
    """An office and everything in it, with its generated files on disk.
    Deleted explicitly, child tables first, so it does not depend on ON DELETE CASCADE."""
    family_ids = select(Family.id).where(Family.office_id == office.id)
    document_ids = select(Document.id).where(Document.office_id == office.id)
    files = session.execute(select(GeneratedFile).where(GeneratedFile.document_id.in_(document_ids))).scalars()
    paths = [file_path(record) for record in files]
    session.execute(delete(GeneratedFile).where(GeneratedFile.document_id.in_(document_ids)))
    session.execute(delete(Document).where(Document.office_id == office.id))
    session.execute(delete(CaseFile).where(CaseFile.office_id == office.id))
    session.execute(delete(Person).where(Person.family_id.in_(family_ids)))
    session.execute(delete(Family).where(Family.office_id == office.id))
    session.execute(delete(CaseCounter).where(CaseCounter.office_id == office.id))
    session.execute(delete(Institution).where(Institution.office_id == office.id))
    session.execute(delete(User).where(User.office_id == office.id))
    session.execute(delete(Office).where(Office.id == office.id))
    session.flush()
    for path in paths:
        path.unlink(missing_ok=True)


def load_demo(session: Session, password: str | None = None) -> dict[str, str]:
    """(Re)create the demo office, its users and families, and commit.

    Returns {username: password}. With `password` every user gets it; without, each gets a
    random one. The logins are also written to INSTANCE_DIR/demo-logins.txt (mode 0600) so
    they can be shown again; the database keeps only their hashes.
    """
    if password is not None:
        check_password_strength(password)
    old = find_demo_office(session)
    if old is not None:
        delete_office(session, old)
    usernames = [username for username, _, _ in USERS]
    taken = session.execute(select(User.username).where(User.username.in_(usernames))).scalars().all()
    if taken:
        session.rollback()
        raise ValueError("Nie można utworzyć danych demonstracyjnych: nazwy użytkowników "
                         f"{', '.join(sorted(taken))} są już zajęte w innym ośrodku.")

    office = Office(**OFFICE)
    session.add(office)
    logins: dict[str, str] = {}
    users: dict[str, User] = {}
    for username, full_name, role in USERS:
        secret = password if password is not None else secrets.token_urlsafe(12)
        logins[username] = secret
        users[username] = User(office=office, username=username, full_name=full_name, role=role,
                               password_hash=hash_password(secret), active=True)
        session.add(users[username])

    serial = 100
    for assistant, fields, members in FAMILIES:
        family = Family(office=office, assistant=users[assistant], active=True,
                        family_name_gen=family_name_forms(fields["family_name"]).genitive,
                        **{"court_name": "", "court_case_number": "", "referral_ref": "", "coordinator_name": "",
                           "coordinator_unit": "", "coordinator_contact": "", **fields})
        for position, member in enumerate(members):
            serial += 37
            adult = age_on(member.born, fields["assignment_date"]) >= ADULT_AGE
            family.members.append(Person(
                position=position, first_name=member.first_name, last_name=member.last_name,
                birth_date=member.born, pesel=pesel_for(member.born, serial, member.female),
                relation=member.relation, in_household=member.in_household, foster_care=member.foster_care,
                took_part=adult and member.relation in ("matka", "ojciec", "opiekun"),
                **DETAILS.get((fields["family_name"], member.first_name), {})))
        session.add(family)
    for fields in INSTITUTIONS:
        values, problems = clean_institution(fields)
        assert not problems, (fields["name"], problems)
        session.add(Institution(office=office, **values))
    session.commit()
    write_logins(logins)
    return logins


def write_logins(logins: dict[str, str]) -> Path:
    path = logins_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    roles = {username: role for username, _, role in USERS}
    lines = ["# Konta demonstracyjne (docgen demo). Plik tylko dla właściciela; po zapisaniu haseł można go usunąć.",
             "# użytkownik\trola\thasło"]
    lines += [f"{username}\t{roles.get(username, '')}\t{secret}" for username, secret in logins.items()]
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.chmod(path, 0o600)  # O_CREAT's mode does not apply to a file that already existed
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return path


def read_logins() -> list[tuple[str, str, str]] | None:
    """(username, role, password) from the logins file, or None when there is no such file."""
    path = logins_path()
    if not path.is_file():
        return None
    result = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            username, role, secret = (line.split("\t") + ["", ""])[:3]
            result.append((username, role, secret))
    return result
