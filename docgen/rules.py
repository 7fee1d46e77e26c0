"""Helpers for cross-field rules, shared by the document types.

Rules run on normalised data in which single fields may still be missing or
malformed (a wizard step validates only its own section), so every helper
returns None for a value it cannot read, and a rule checks only what it can.
"""
from __future__ import annotations

import calendar
import datetime as dt
import functools
from typing import Any, Iterator

from stdnum.exceptions import ValidationError as StdnumError
from stdnum.pl import pesel as pesel_number

from .formatting import age_on

ADULT_AGE = 18


def date_of(data: dict[str, Any], key: str) -> dt.date | None:
    value = data.get(key)
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later; a day the target month lacks becomes its last (08-31 + 6 -> 02-28)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def birth_date_of(person: dict[str, Any]) -> dt.date | None:
    """From the birth date, or else from a valid PESEL."""
    born = date_of(person, "birth_date")
    if born:
        return born
    number = person.get("pesel")
    return _born_per_pesel(number) if isinstance(number, str) and number else None


@functools.lru_cache(maxsize=4096)  # asked for each member on every render and validation
def _born_per_pesel(number: str) -> dt.date | None:
    try:
        return pesel_number.get_birth_date(pesel_number.validate(number))
    except StdnumError:
        return None


def is_adult(person: dict[str, Any], on: dt.date) -> bool:
    born = birth_date_of(person)
    return born is not None and age_on(born, on) >= ADULT_AGE


def full_name(person: dict[str, Any]) -> str:
    return " ".join(part for part in (person.get("first_name"), person.get("last_name")) if part)


def rows(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = data.get(key)
    return [row for row in value if isinstance(row, dict)] if isinstance(value, list) else []


def rows_dated_before(data: dict[str, Any], group: str, field: str,
                      start: dt.date | None) -> Iterator[tuple[int, dt.date]]:
    """(index, date) of each row of `group` whose `field` is a date before `start`."""
    if start is None:
        return
    for index, row in enumerate(rows(data, group)):
        day = date_of(row, field)
        if day and day < start:
            yield index, day
