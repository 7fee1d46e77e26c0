"""The office's directory of local institutions ("wykaz placówek", seed 004): schools, courts,
clinics, NGOs a family is referred to or writes to. Used as letter addressees.

    from docgen.store import institutions
    entry = institutions.create(session, office_id, {"name": "…", "kind": "szkola", "address": "…"})
    report = institutions.import_csv(session, office_id, uploaded_bytes)
    session.commit()          # the caller commits, with its audit entry

Every message is Polish and names the field ("NIP: numer ma 10 cyfr, np. 123-456-32-18."), so the
web form shows it next to the input and the CSV import as "Wiersz 4: NIP: …".
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from stdnum.exceptions import InvalidChecksum, InvalidLength, ValidationError as StdnumError
from stdnum.pl import nip as nip_number
from stdnum.pl import regon as regon_number

from .models import Institution, fold_text

# code -> label; the label is what people see and what the CSV carries
KINDS: dict[str, str] = {
    "poradnia": "Poradnia",
    "wsparcie_dzienne": "Placówka wsparcia dziennego",
    "interwencja": "Interwencja kryzysowa",
    "szkola": "Szkoła",
    "sad": "Sąd",
    "pcpr": "PCPR",
    "pup": "PUP",
    "zdrowie": "Ośrodek zdrowia",
    "ngo": "NGO",
    "inne": "Inne",
}

# what people also write in the "Rodzaj" column of a spreadsheet (folded, see fold_text)
_KIND_ALIASES = {
    "poradnia psychologiczno-pedagogiczna": "poradnia", "poradnia rodzinna": "poradnia",
    "wsparcie dzienne": "wsparcie_dzienne", "swietlica": "wsparcie_dzienne",
    "placowka wsparcia dziennego": "wsparcie_dzienne",
    "osrodek interwencji kryzysowej": "interwencja", "oik": "interwencja",
    "szkola podstawowa": "szkola", "przedszkole": "szkola",
    "sad rejonowy": "sad",
    "powiatowe centrum pomocy rodzinie": "pcpr",
    "powiatowy urzad pracy": "pup", "urzad pracy": "pup",
    "przychodnia": "zdrowie", "osrodek zdrowia": "zdrowie",
    "organizacja pozarzadowa": "ngo", "fundacja": "ngo", "stowarzyszenie": "ngo",
}

LABELS = {
    "name": "Nazwa",
    "kind": "Rodzaj",
    "address": "Adres",
    "phone": "Telefon",
    "email": "E-mail",
    "scope": "Zakres kompetencji",
    "nip": "NIP",
    "regon": "REGON",
}
FIELDS = tuple(LABELS)
REQUIRED = ("name", "kind", "address")
_LIMITS = {"name": 300, "address": 500, "phone": 100, "email": 200, "scope": 2000}
ADDRESS_MAX_LINES = 6

MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 5000
TOO_LARGE = "Plik jest za duży: wykaz placówek w CSV może mieć najwyżej 2 MB."

PAGE_SIZE = 50

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_PHONE = re.compile(r"^[0-9+()][0-9 +()./,-]*(\s*wew\.?\s*[0-9]+)?$", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_POSTAL_CODE = re.compile(r",\s*(?=\d{2}-\d{3}\b)")
# a spreadsheet runs a cell that starts with one of these as a formula
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class InvalidInstitution(ValueError):
    def __init__(self, problems: list["Problem"]):
        self.problems = problems
        super().__init__(" ".join(str(p) for p in problems))


@dataclass(frozen=True)
class Problem:
    field: str
    message: str

    def __str__(self) -> str:
        return f"{LABELS.get(self.field, self.field)}: {self.message}"


# --- values --------------------------------------------------------------------------

def kind_code(text: str) -> str | None:
    """The code of a kind given as its code, its label or a common name ("Świetlica"), else None."""
    folded = fold_text(text)
    if not folded:
        return None
    for code, label in KINDS.items():
        if folded in (code, fold_text(label)):
            return code
    return _KIND_ALIASES.get(folded)


def kind_label(code: str) -> str:
    return KINDS.get(code, code)


def format_nip(value: str) -> str:
    return nip_number.format(value) if value and len(value) == 10 else value or ""


def _line(value: Any) -> str:
    return " ".join(str(value if value is not None else "").split())


def _lines(value: Any) -> str:
    """Several lines, each trimmed, no empty ones (an address; CRLF from a browser or Excel)."""
    text = str(value if value is not None else "").replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line for line in (" ".join(part.split()) for part in text.split("\n")) if line)


def _text(value: Any) -> str:
    text = str(value if value is not None else "").replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.strip().split("\n"))


def postal_address(address: str) -> str:
    """The address as lines for an envelope: "ul. Szkolna 4, 11-440 Lipowiec" gets its postal
    code on a line of its own."""
    lines = []
    for line in _lines(address).split("\n"):
        lines.extend(part.strip() for part in _POSTAL_CODE.split(line) if part.strip())
    return "\n".join(lines)


def duplicate_key(name: str, address: str) -> str:
    """The same institution whatever its case, diacritics, commas or line breaks."""
    return fold_text(re.sub(r"[\s,;]+", " ", f"{name}|{address}"))


def clean(raw: Mapping[str, Any]) -> tuple[dict[str, str], list[Problem]]:
    """The entry's values normalised (whitespace, kind code, bare NIP/REGON digits) and the
    problems found; `raw` may give the kind as a code or a label."""
    values = {
        "name": _line(raw.get("name")),
        "kind": _line(raw.get("kind")),
        "address": _lines(raw.get("address")),
        "phone": _line(raw.get("phone")),
        "email": _line(raw.get("email")),
        "scope": _text(raw.get("scope")),
        "nip": _line(raw.get("nip")),
        "regon": _line(raw.get("regon")),
    }
    problems: list[Problem] = []
    for name in FIELDS:
        value = values[name]
        if not value:
            if name in REQUIRED:
                problems.append(Problem(name, "pole jest wymagane."))
            continue
        bad = _CONTROL.search(value)
        if bad:
            problems.append(Problem(name, f"niedozwolony znak sterujący (kod {ord(bad.group()):#06x}); usuń go."))
            continue
        limit = _LIMITS.get(name)
        if limit and len(value) > limit:
            problems.append(Problem(name, f"tekst jest za długi ({len(value)} znaków, najwyżej {limit})."))
            continue
        check = _CHECKS.get(name)
        if check:
            result = check(value)
            if isinstance(result, Problem):
                problems.append(result)
            else:
                values[name] = result
    return values, problems


def _check_kind(value: str) -> str | Problem:
    code = kind_code(value)
    if code is None:
        return Problem("kind", f"nieznany rodzaj „{value}”; wybierz jeden z: {', '.join(KINDS.values())}.")
    return code


def _check_address(value: str) -> str | Problem:
    if value.count("\n") >= ADDRESS_MAX_LINES:
        return Problem("address", f"najwyżej {ADDRESS_MAX_LINES} wierszy (ulica, kod i miejscowość).")
    return value


def _check_phone(value: str) -> str | Problem:
    if not _PHONE.match(value) or sum(ch.isdigit() for ch in value) < 3:
        return Problem("phone", "numer może zawierać cyfry, spacje i znaki + ( ) - / oraz „wew.”, "
                                "np. 89 123 45 67 wew. 12.")
    return value


def _check_email(value: str) -> str | Problem:
    if not _EMAIL.match(value):
        return Problem("email", "to nie jest adres e-mail; wpisz go w postaci np. sekretariat@szkola.pl.")
    return value


def _check_nip(value: str) -> str | Problem:
    try:
        return nip_number.validate(value)
    except InvalidChecksum:
        return Problem("nip", "nieprawidłowy numer (błędna cyfra kontrolna); sprawdź, czy nie ma literówki.")
    except InvalidLength:
        return Problem("nip", "numer ma 10 cyfr, np. 123-456-32-18.")
    except StdnumError:
        return Problem("nip", "numer składa się z 10 cyfr (kreski i spacje są dozwolone), np. 123-456-32-18.")


def _check_regon(value: str) -> str | Problem:
    digits = regon_number.compact(value)
    # a spreadsheet drops the leading zeros of a number-looking cell: 012345678 -> 12345678
    if digits.isdigit() and len(digits) in (8, 13) and regon_number.is_valid("0" + digits):
        digits = "0" + digits
    try:
        return regon_number.validate(digits)
    except InvalidChecksum:
        return Problem("regon", "nieprawidłowy numer (błędna cyfra kontrolna); sprawdź, czy nie ma literówki.")
    except StdnumError:
        return Problem("regon", "numer ma 9 albo 14 cyfr.")


_CHECKS = {"kind": _check_kind, "address": _check_address, "phone": _check_phone, "email": _check_email,
           "nip": _check_nip, "regon": _check_regon}


# --- the directory ---------------------------------------------------------------------

def _office_query(office_id: int):
    return select(Institution).where(Institution.office_id == office_id)


def get(session: Session, office_id: int, institution_id: int) -> Institution | None:
    """The entry, only if it belongs to the office."""
    entry = session.get(Institution, institution_id)
    return entry if entry is not None and entry.office_id == office_id else None


def search(session: Session, office_id: int, query: str = "", kind: str = "", limit: int = PAGE_SIZE,
           offset: int = 0) -> tuple[list[Institution], int]:
    """One page of the office's entries whose name, address or scope hold every word of `query`
    (any case, with or without Polish letters), ordered by name; and how many match in all."""
    statement = _office_query(office_id)
    for word in fold_text(query).split()[:10]:
        # a word may also name the kind ("pup", "szkoła"): the label is not in the entry's own text
        kinds = [code for code, label in KINDS.items() if word in fold_text(label) or word == code]
        statement = statement.where(or_(Institution.search_text.contains(word, autoescape=True),
                                        Institution.kind.in_(kinds)))
    if kind in KINDS:
        statement = statement.where(Institution.kind == kind)
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    rows = session.scalars(statement.order_by(Institution.search_text, Institution.id)
                           .limit(limit).offset(offset)).all()
    return list(rows), total


def find_duplicate(session: Session, office_id: int, name: str, address: str,
                   exclude_id: int | None = None) -> Institution | None:
    """The office's entry with the same name and address (see duplicate_key), if any. An office's
    directory is small: compared here rather than in SQL, which could not fold them alike."""
    key = duplicate_key(name, address)
    rows = session.execute(select(Institution.id, Institution.name, Institution.address)
                           .where(Institution.office_id == office_id))
    found = next((row.id for row in rows if row.id != exclude_id and duplicate_key(row.name, row.address) == key),
                 None)
    return session.get(Institution, found) if found is not None else None


def _validated(session: Session, office_id: int, raw: Mapping[str, Any], exclude_id: int | None) -> dict[str, str]:
    values, problems = clean(raw)
    if not problems:
        other = find_duplicate(session, office_id, values["name"], values["address"], exclude_id)
        if other is not None:
            problems.append(Problem("name", "ta placówka (ta sama nazwa i adres) jest już w wykazie."))
    if problems:
        raise InvalidInstitution(problems)
    return values


def create(session: Session, office_id: int, raw: Mapping[str, Any]) -> Institution:
    """A new entry (flushed, so it has an id); InvalidInstitution lists every problem."""
    entry = Institution(office_id=office_id, **_validated(session, office_id, raw, None))
    session.add(entry)
    session.flush()
    return entry


def update(session: Session, entry: Institution, raw: Mapping[str, Any]) -> Institution:
    values = _validated(session, entry.office_id, raw, entry.id)
    for name, value in values.items():
        setattr(entry, name, value)
    session.flush()
    return entry


def delete(session: Session, entry: Institution) -> None:
    session.delete(entry)
    session.flush()


# --- for the letter wizard ---------------------------------------------------------------

@dataclass(frozen=True)
class InstitutionChoice:
    id: int
    name: str
    kind: str
    kind_label: str
    address: str  # postal lines, for the letter's addressee_address
    block: str  # "name\naddress", as on an envelope


def institution_choices(session: Session, office_id: int, limit: int = 1000) -> list[InstitutionChoice]:
    """The office's entries as letter addressees, grouped by kind (in KINDS order), then by name."""
    order = list(KINDS)
    entries = session.scalars(_office_query(office_id).order_by(Institution.search_text, Institution.id)
                              .limit(limit)).all()
    choices = []
    for entry in sorted(entries, key=lambda e: order.index(e.kind) if e.kind in KINDS else len(order)):
        address = postal_address(entry.address)
        choices.append(InstitutionChoice(entry.id, entry.name, entry.kind, kind_label(entry.kind), address,
                                         f"{entry.name}\n{address}"))
    return choices


# --- CSV ---------------------------------------------------------------------------------

CSV_HEADER = tuple(LABELS.values())
CSV_DELIMITER = ";"  # what a Polish Excel expects when the file is opened by double-click

# header cell (folded) -> field
_HEADER_NAMES = {fold_text(label): name for name, label in LABELS.items()}
_HEADER_NAMES.update({name: name for name in FIELDS})
_HEADER_NAMES.update({"nazwa placowki": "name", "nazwa instytucji": "name", "typ": "kind", "rodzaj placowki": "kind",
                      "adres pocztowy": "address", "tel": "phone", "tel.": "phone", "telefon kontaktowy": "phone",
                      "email": "email", "e-mail": "email", "adres e-mail": "email", "mail": "email",
                      "zakres": "scope", "kompetencje": "scope", "zakres dzialania": "scope"})


def _spreadsheet_safe(value: str) -> str:
    # a leading apostrophe keeps "=…" or "+48…" a text, not a formula (CSV injection)
    return "'" + value if value.startswith(_FORMULA_START) else value


def export_csv(session: Session, office_id: int) -> bytes:
    """The whole directory: UTF-8 with a BOM (so Excel reads Polish letters), ';', a Polish
    header, the kind by its label; addresses keep their lines inside quotes."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for entry in session.scalars(_office_query(office_id).order_by(Institution.search_text, Institution.id)):
        values = {name: getattr(entry, name) or "" for name in FIELDS}
        values["kind"] = kind_label(entry.kind)
        values["nip"] = format_nip(entry.nip)
        writer.writerow([_spreadsheet_safe(values[name]) for name in FIELDS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _plural_rows(count: int) -> str:
    if count == 1:
        return "wiersz"
    if count % 10 in (2, 3, 4) and count % 100 not in (12, 13, 14):
        return "wiersze"
    return "wierszy"


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # rows with errors, not saved
    errors: list[str] = field(default_factory=list)  # "Wiersz 4: NIP: …"
    notes: list[str] = field(default_factory=list)
    # why nothing at all was read (no header, wrong encoding, too large); None when rows were read
    problem: str | None = None
    # the header and the rejected rows as they were in the file, to fix and import again
    rejected_text: str = ""

    @property
    def summary(self) -> str:
        if self.problem:
            return self.problem
        parts = [f"Dodano {self.added}", f"zaktualizowano {self.updated}"]
        if self.unchanged:
            parts.append(f"bez zmian {self.unchanged}")
        parts.append(f"pominięto {self.skipped} {_plural_rows(self.skipped)} z błędami")
        return ", ".join(parts) + "."


def _decode(content: bytes, report: ImportReport) -> str | None:
    not_text = ("Nie udało się odczytać pliku: to nie jest plik tekstowy CSV. Zapisz wykaz w Excelu przez "
                "„Zapisz jako” → „CSV UTF-8 (rozdzielany przecinkami)”.")
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Tekst Unicode": UTF-16 with tabs
        try:
            text = content.decode("utf-16")
        except UnicodeDecodeError:
            report.problem = not_text
            return None
        return text if "\x00" not in text else _refuse(report, not_text)
    if b"\x00" in content:
        return _refuse(report, not_text)
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # Excel's plain "CSV" on a Polish Windows is Windows-1250, not UTF-8
        text = content.decode("cp1250")
    except UnicodeDecodeError:
        return _refuse(report, not_text)
    report.notes.append("Plik nie był zapisany w UTF-8; odczytano go jako Windows-1250 (polskie znaki Excela). "
                        "Sprawdź na liście, czy polskie litery są poprawne.")
    return text


def _refuse(report: ImportReport, problem: str) -> None:
    report.problem = problem
    return None


def _sniff_delimiter(header_line: str) -> str:
    """';' from a Polish Excel, ',' from most other programs, a tab from a copied sheet: whichever
    the header line (which holds no such character in its names) has most of."""
    counts = {delimiter: header_line.count(delimiter) for delimiter in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else CSV_DELIMITER


def _unguard(value: str) -> str:
    # undo _spreadsheet_safe: "'+48 89…" -> "+48 89…"
    return value[1:] if value.startswith("'") and value[1:].startswith(_FORMULA_START) else value


@dataclass
class _Row:
    line: int  # the physical line of the file where the record starts (the header is line 1 or later)
    raw: str  # the record's lines as they were in the file
    values: dict[str, str]
    problem: str | None = None  # the record could not be read into cells


def _read(text: str, report: ImportReport) -> tuple[str, list[_Row]]:
    """The header's raw text and the data rows; report.problem set when the file cannot be used."""
    lines = text.splitlines(keepends=True)
    first = next((line for line in lines if line.strip()), None)
    if first is None:
        report.problem = "Plik jest pusty. Pierwszy wiersz pliku to nagłówek: " + "; ".join(CSV_HEADER) + "."
        return "", []
    delimiter = _sniff_delimiter(first)
    # strict: a quote never closed is an error, not a cell that swallows the rest of the file
    reader = csv.reader(iter(lines), delimiter=delimiter, strict=True)
    columns: list[str | None] | None = None
    header_raw = ""
    rows: list[_Row] = []
    last = 0
    while True:
        start = last + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            last = reader.line_num
            if columns is None:
                report.problem = (f"Nie udało się odczytać nagłówka (wiersz {start}): nieprawidłowy cudzysłów. "
                                  f"Pierwszy wiersz to nagłówek, np.: {'; '.join(CSV_HEADER)}.")
                return "", []
            if "end of data" in str(error):
                message = ("cudzysłów otwarty i niezamknięty – ten wiersz i wszystkie dalsze do końca pliku "
                           "pominięto; popraw cudzysłowy i zaimportuj je ponownie.")
            else:
                message = ("nieprawidłowy cudzysłów; komórkę z cudzysłowem w środku ujmij w cudzysłów, "
                           "a cudzysłów wewnątrz niej podwój (\"\").")
            rows.append(_Row(start, "".join(lines[start - 1:last]), {}, message))
            continue
        last = reader.line_num
        raw = "".join(lines[start - 1:last])
        if not any(cell.strip() for cell in cells):
            continue
        if columns is None:
            columns, header_raw = _columns(cells, report), raw
            if report.problem:
                return "", []
            continue
        extra = [cell for cell in cells[len(columns):] if cell.strip()]
        if extra:
            rows.append(_Row(start, raw, {}, (
                f"ma więcej komórek ({len(cells)}) niż nagłówek ({len(columns)}); jeśli w tekście jest "
                f"znak „{delimiter}”, ujmij tę komórkę w cudzysłów.")))
            continue
        rows.append(_Row(start, raw, {name: _unguard(cell) for name, cell in zip(columns, cells) if name}))
    if columns is None:
        report.problem = "W pliku nie ma wierszy z danymi."
    elif len(rows) > MAX_IMPORT_ROWS:
        report.problem = (f"Plik ma {len(rows)} wierszy z danymi; naraz można zaimportować najwyżej "
                          f"{MAX_IMPORT_ROWS}. Podziel go na mniejsze pliki.")
    return header_raw, rows


def _columns(cells: list[str], report: ImportReport) -> list[str | None]:
    columns: list[str | None] = []
    unknown = []
    for cell in cells:
        name = _HEADER_NAMES.get(fold_text(cell.lstrip("\ufeff")))
        if name is not None and name in columns:
            report.problem = f"Kolumna „{LABELS[name]}” występuje w nagłówku dwa razy."
            return []
        if name is None and cell.strip():
            unknown.append(cell.strip())
        columns.append(name)
    missing = [LABELS[name] for name in REQUIRED if name not in columns]
    if missing:
        report.problem = (f"W pierwszym wierszu pliku brak kolumn: {', '.join(missing)}. Pierwszy wiersz to "
                          f"nagłówek, np.: {'; '.join(CSV_HEADER)}. Nic nie zaimportowano.")
        return []
    if unknown:
        report.notes.append(f"Pominięto nieznane kolumny: {', '.join(unknown)}.")
    return columns


def import_csv(session: Session, office_id: int, content: bytes) -> ImportReport:
    """Adds the file's entries to the office's directory, row by row: a bad row is reported with
    its line number and skipped, the good ones are saved (flushed; the caller commits).

    An entry with the same name and address as one already there (whatever the case, commas or
    line breaks) updates it: the row's filled cells replace the stored kind, phone, e-mail, scope,
    NIP and REGON; its empty cells leave them as they were."""
    report = ImportReport()
    if len(content) > MAX_IMPORT_BYTES:
        report.problem = TOO_LARGE
        return report
    text = _decode(content, report)
    if text is None:
        return report
    header_raw, rows = _read(text, report)
    if report.problem:
        return report
    rejected: list[str] = []
    existing = {duplicate_key(entry.name, entry.address): entry
                for entry in session.scalars(_office_query(office_id))}
    seen: dict[str, int] = {}
    for row in rows:
        if row.problem:
            report.errors.append(f"Wiersz {row.line}: {row.problem}")
            report.skipped += 1
            rejected.append(row.raw)
            continue
        values, problems = clean(row.values)
        key = duplicate_key(values["name"], values["address"])
        if not problems and key in seen:
            problems = [Problem("name", f"ta sama placówka (nazwa i adres) jest już w wierszu {seen[key]} "
                                        "tego pliku.")]
        if problems:
            report.errors.extend(f"Wiersz {row.line}: {problem}" for problem in problems)
            report.skipped += 1
            rejected.append(row.raw)
            continue
        seen[key] = row.line
        entry = existing.get(key)
        if entry is None:
            entry = Institution(office_id=office_id, **values)
            session.add(entry)
            existing[key] = entry
            report.added += 1
            continue
        # name and address identify the entry: they keep the form they were stored in
        changes = {name: value for name, value in values.items()
                   if name not in ("name", "address") and name in row.values and value
                   and getattr(entry, name) != value}
        for name, value in changes.items():
            setattr(entry, name, value)
        if changes:
            report.updated += 1
        else:
            report.unchanged += 1
    session.flush()
    if rejected:
        report.rejected_text = header_raw + "".join(line if line.endswith(("\n", "\r")) else line + "\n"
                                                    for line in rejected)
    return report

