"""Polish formatting of values for documents: dates through Babel."""
from __future__ import annotations

import datetime as dt
import functools

from babel import Locale
from babel.dates import format_date

# parsed once: Babel parses a locale given by name on every call, which showed up on a page of
# a thousand dates
LOCALE = Locale.parse("pl_PL")


def as_date(value: dt.date | str | None) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def date_long(value: dt.date | str | None) -> str:
    """'23 listopada 2026 r.' — the form official Polish letters use."""
    day = as_date(value)
    if day is None:
        return ""
    return _long(day)


@functools.lru_cache(maxsize=4096)
def _long(day: dt.date) -> str:
    # a page of deadlines names the same few dozen days again and again
    return f"{format_date(day, 'd MMMM y', locale=LOCALE)} r."


def date_short(value: dt.date | str | None) -> str:
    """'23.11.2026' — for table cells."""
    day = as_date(value)
    if day is None:
        return ""
    return format_date(day, "dd.MM.y", locale=LOCALE)


def place_and_date(place: str, value: dt.date | str | None) -> str:
    """'Reszel, dnia 23 listopada 2026 r.'"""
    return f"{place}, dnia {date_long(value)}"


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
