"""Cases (sprawy) and their znak sprawy, as the instrukcja kancelaryjna files them.

A znak identifies a whole case, not one sheet: PREFIX.JRWA.number.year, the number from the spis
spraw of one JRWA class, the year the one in which the case began. A family's case opens with the
first of its documents that carries a znak (the first one generated; an assignment alone files
nothing) and every later document of the family prints the same znak. A type the office set in
`Office.own_case_types` (a court opinion registered as the reply to the court's letter) opens a
case of its own for each document. A family member's letter or CV (`DocType.in_case_file` False)
has no case and takes no number.

Two people may generate at once: the counter is raised in one statement under its row's lock, and
the opening of a family's case is serialised on the family, so numbers are distinct, one family
never gets two, and a generation that fails rolls its number back with it (no gap).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..definition import DocType
from .models import CaseCounter, CaseFile, Document, Family, Office


class UnknownCase(LookupError):
    """A znak sprawy the office's spis spraw does not hold."""


def own_case_class(office: Office, doctype: DocType) -> str | None:
    """The JRWA class of the case of its own a document of this type opens, or None: it joins the
    family's case."""
    chosen = (office.own_case_types or {})
    if not doctype.in_case_file or doctype.id not in chosen:
        return None
    return chosen[doctype.id] or office.jrwa_symbol


def case_for(session: Session, document: Document, doctype: DocType, today: dt.date) -> CaseFile | None:
    """The case the document is filed in, opened now when it has none yet; None for a document that
    is not filed in a case (a letter, a CV) or keeps an older number outside the spis spraw. Call it in the transaction that generates the document:
    when that transaction rolls back, so does the case and its number."""
    if not doctype.in_case_file:
        return None
    if document.case_file is not None:
        return document.case_file  # numbered once: every version keeps its znak
    if document.case_number is not None:
        return None  # a number from before the spis spraw it does not fit: kept as printed
    family = document.family
    office = family.office
    own_class = own_case_class(office, doctype)
    if own_class is not None:
        return open_case(session, office, own_class, today, opened_by=doctype.id, family=family)
    return family_case(session, family, today, opened_by=doctype.id)


def family_case(session: Session, family: Family, today: dt.date, *, opened_by: str) -> CaseFile:
    """The family's case, opened now if it has none: whoever comes second waits on the family and
    then finds the case the first one opened."""
    found = _family_case(session, family.id)
    if found is not None:
        return found
    _lock_family(session, family.id)
    found = _family_case(session, family.id)
    if found is not None:
        return found
    return open_case(session, family.office, family.office.jrwa_symbol, today, opened_by=opened_by, family=family,
                     family_case=True)


def open_case(session: Session, office: Office, jrwa_symbol: str, today: dt.date, *, opened_by: str,
              family: Family | None = None, family_case: bool = False) -> CaseFile:
    """A new case with the next number of the office's spis spraw for the class and year."""
    number = next_number(session, office.id, jrwa_symbol, today.year)
    case = CaseFile(office_id=office.id, family_id=family.id if family is not None else None, family_case=family_case,
                    jrwa_symbol=jrwa_symbol, year=today.year, number=number,
                    reference=f"{office.case_prefix}.{jrwa_symbol}.{number}.{today.year}", opened_on=today,
                    opened_by=opened_by)
    session.add(case)
    session.flush()
    return case


def next_number(session: Session, office_id: int, jrwa_symbol: str, year: int) -> int:
    """Raise the counter of the office's class and year by one and return it. One UPDATE computes it
    in the database under the row's lock (SQLite has one writer at a time), so two transactions
    never read the same last number; the first of a year is created by an insert that does nothing
    when a concurrent one got there first."""
    dialect = sqlite if session.get_bind().dialect.name == "sqlite" else postgresql
    table = CaseCounter.__table__
    session.execute(dialect.insert(table).values(office_id=office_id, jrwa_symbol=jrwa_symbol, year=year,
                                                 last_number=0).on_conflict_do_nothing())
    return session.execute(
        update(table).where(table.c.office_id == office_id, table.c.jrwa_symbol == jrwa_symbol, table.c.year == year)
        .values(last_number=table.c.last_number + 1).returning(table.c.last_number)
    ).scalar_one()


def find_case(session: Session, office: Office, reference: str) -> CaseFile:
    """The office's case of this znak (UnknownCase, in Polish, when there is none)."""
    found = session.scalars(select(CaseFile).where(CaseFile.office_id == office.id,
                                                   CaseFile.reference == reference.strip())).first()
    if found is None:
        raise UnknownCase(f"W spisie spraw ośrodka „{office.name}” nie ma sprawy o znaku {reference.strip()!r}.")
    return found


def _family_case(session: Session, family_id: int) -> CaseFile | None:
    return session.scalars(select(CaseFile).where(CaseFile.family_id == family_id,
                                                  CaseFile.family_case.is_(True))).first()


def _lock_family(session: Session, family_id: int) -> None:
    """Until this transaction ends, nobody else opens the family's case. PostgreSQL locks the
    family's row (NO KEY: new documents of the family may still be inserted); SQLite has one writer
    at a time, so taking its write lock with a write that changes nothing does it, and every read
    after it sees what the writer before committed."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("UPDATE family SET active = active WHERE id = :id"), {"id": family_id})
    else:
        session.execute(select(Family.id).where(Family.id == family_id).with_for_update(key_share=True))
