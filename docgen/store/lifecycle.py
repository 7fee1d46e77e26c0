"""The end of a case: closing it, anonymising it once its retention period has passed
(RODO art. 5 ust. 1 lit. e, art. 17), deleting it outright.

None of these functions commits: the caller commits, records the audit entry (docgen.store.audit)
in the same transaction, and on SQLite runs `purge_sqlite_free_space(engine)` after the commit.

Generated files are removed from disk after the session is flushed and before the caller
commits (as docgen.store.demo.delete_office does). Should the commit then fail, the rows come
back and point at missing files (the export lists them as missing); anonymising or deleting
again finishes the job. The other order would leave personal data on disk after a crash.
"""
from __future__ import annotations

import calendar
import datetime as dt
import shutil
import time
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from ..formatting import date_long
from .documents import file_path, output_dir
from .families import apply_family_data
from .models import Family

ANONYMISED_NAME = "Rodzina zanonimizowana nr {id}"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _as_day(value: dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


# --- closing ----------------------------------------------------------------------------

def close_family(session: Session, family: Family, on: dt.date) -> None:
    """Work with the family ended on `on`: the retention period runs from that day."""
    on = _as_day(on)
    if family.anonymised_at is not None:
        raise ValueError("Dane tej rodziny zostały zanonimizowane; nie można zmienić zakończenia pracy.")
    if family.assignment_date is not None and on < family.assignment_date:
        raise ValueError(f"Data zakończenia pracy ({date_long(on)}) nie może być wcześniejsza niż data "
                         f"skierowania asystenta do rodziny ({date_long(family.assignment_date)}).")
    family.closed_on = on
    family.active = False
    session.flush()


def reopen_family(session: Session, family: Family) -> None:
    """Work with the family resumes (a closing by mistake, a new referral): no retention runs."""
    if family.anonymised_at is not None:
        raise ValueError("Dane tej rodziny zostały zanonimizowane; nie można wznowić pracy z nią.")
    family.closed_on = None
    family.active = True
    session.flush()


# --- retention --------------------------------------------------------------------------

def _add_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` later; 29 February becomes 28 February in a common year
    (as art. 112 of the Civil Code counts a period in years)."""
    year = day.year + years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def retention_ends(family: Family) -> dt.date | None:
    """The last day of the retention period: the day work ended plus the office's
    retention_years. None while the case is open. Anonymisation is allowed from the next day."""
    if family.closed_on is None:
        return None
    return _add_years(family.closed_on, family.office.retention_years)


def anonymisation_refusal(family: Family, today: dt.date | None = None) -> str | None:
    """Why the family cannot be anonymised yet (a Polish sentence), or None when it can."""
    today = _as_day(today or dt.date.today())
    if family.anonymised_at is not None:
        return "Dane tej rodziny zostały już zanonimizowane."
    if family.closed_on is None or family.active:
        return ("Nie można zanonimizować danych rodziny, z którą praca trwa. Najpierw zakończ pracę "
                "z rodziną; dane zostaną zanonimizowane po upływie okresu przechowywania.")
    ends = retention_ends(family)
    if today <= ends:
        return (f"Okres przechowywania danych rodziny ({family.office.retention_years} lat od zakończenia pracy "
                f"{date_long(family.closed_on)}) trwa do {date_long(ends)} Anonimizacja będzie możliwa "
                f"od {date_long(ends + dt.timedelta(days=1))}")
    return None


def due_for_anonymisation(session: Session, today: dt.date) -> list[Family]:
    """Closed families, not yet anonymised, whose retention period has passed, by id."""
    today = _as_day(today)
    candidates = session.execute(
        select(Family).where(Family.closed_on.is_not(None), Family.anonymised_at.is_(None),
                             Family.active.is_(False)).order_by(Family.id)
    ).scalars()
    return [family for family in candidates if anonymisation_refusal(family, today) is None]


# --- anonymising and deleting -----------------------------------------------------------

def anonymise_family(session: Session, family: Family, *, today: dt.date | None = None, force: bool = False) -> None:
    """Replace every personal value of the family, its members and its documents, and delete
    its generated files. Refused (ValueError, in Polish) until the family is closed and its
    retention period has passed; `force` skips that check (tests and admin tooling only).

    What stays: the ids, the office, the assistant (an employee), the basis category
    (consent or court order), the day work ended, the documents' types, statuses, case
    numbers, version counts and timestamps. Members are removed, not blanked: a row with
    blank names would still hold a birth date, a PESEL field and a role in the family.
    Document data becomes {}: its free-text answers may name anyone."""
    if not force:
        reason = anonymisation_refusal(family, today)
        if reason:
            raise ValueError(reason)
    if family.id is None:
        session.flush()
    paths = [file_path(record) for document in family.documents for record in document.files]

    # through the case file's own definition, so a field added to it later is cleared too;
    # members are removed (delete-orphan), not blanked
    apply_family_data(family, {"family_name": ANONYMISED_NAME.format(id=family.id), "basis": family.basis or None,
                               "members": []})
    for document in family.documents:
        document.data = {}
        document.files = []  # delete-orphan: the rows go
    family.active = False
    family.anonymised_at = _now()
    session.flush()
    _remove_files(_family_folder(family), paths)


def delete_family(session: Session, family: Family) -> None:
    """Delete the family with its members, documents and generated files (rows and files on
    disk, with their folders). Audit entries about it stay: they hold ids only."""
    paths = [file_path(record) for document in family.documents for record in document.files]
    folder = _family_folder(family)
    session.delete(family)  # the relationships cascade to members, documents and their files
    session.flush()
    _remove_files(folder, paths)


def _family_folder(family: Family) -> Path:
    """Where generate() puts the family's files: output/<office id>/<family id>/."""
    return output_dir() / str(int(family.office_id)) / str(int(family.id))


def _remove_files(folder: Path, paths: list[Path]) -> None:
    """The recorded files, then the family's whole folder (it may hold a file whose row was
    never committed), then folders left empty. The office folder stays."""
    root = output_dir().resolve()
    for path in paths:
        path.unlink(missing_ok=True)
    if folder.is_dir() and not folder.is_symlink() and folder.resolve().is_relative_to(root):
        shutil.rmtree(folder)
    for path in paths:
        _prune_empty_folders(path.parent, root)


def _prune_empty_folders(folder: Path, root: Path) -> None:
    try:
        relative = folder.resolve().relative_to(root)
    except (ValueError, OSError):
        return
    while len(relative.parts) >= 2:  # never the output folder itself nor an office's folder
        try:
            (root / relative).rmdir()
        except FileNotFoundError:
            relative = relative.parent  # already gone: look at its parent
            continue
        except OSError:  # not empty
            return
        relative = relative.parent


# --- SQLite free space ------------------------------------------------------------------

def purge_sqlite_free_space(engine: Engine, *, vacuum: bool = False, attempts: int = 3) -> bool:
    """After the commit of an anonymisation or deletion, on SQLite: move the write-ahead log
    into the database file and truncate the log to zero bytes, so the old page images
    (names, PESELs) it holds are gone. Deleted content in the database file itself is
    already zeroed by PRAGMA secure_delete (docgen.store.db). `vacuum` also rebuilds the file,
    which clears free space left by a database written before secure_delete was on.

    Returns True when the log was emptied, False when readers kept it busy (run it again
    later). A no-op returning True on other databases: PostgreSQL keeps dead rows until
    VACUUM and keeps its own WAL and backups, which the server's administrator governs."""
    if engine.dialect.name != "sqlite":
        return True
    with engine.connect() as connection:
        if vacuum:
            connection.exec_driver_sql("VACUUM")
        for attempt in range(attempts):
            busy, _log, _done = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
            if not busy:
                return True
            time.sleep(0.2 * (attempt + 1))
    return False
