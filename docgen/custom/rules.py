"""Rules across fields that a definition states as data: "this date is not before that one".

The other two kinds of cross-field rule a definition may state are properties of its items, checked by
docgen.validate like the built-in types' ones: "required when" (`Field.required_when`) and "at least N
rows" (`Repeat.min_items`). Nothing here runs anything a definition supplies: a rule is a pair of field
names and two flags, read by this code.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Iterator

from ..definition import Field, Issue, Repeat
from ..formatting import date_long
from ..rules import date_of, rows

DATE_AFTER = "date_after"


@dataclass(frozen=True)
class DateAfter:
    """`field` (top-level "end", or a row's "contacts.date") is a date not before `after` (top-level, or a
    sibling of the same row "contacts.start"); `same_day`: the same day is allowed."""

    field: str
    after: str
    same_day: bool
    labels: tuple[str, str, str]   # the field's label, the group's "label, item" prefix, the other's label

    @property
    def group(self) -> str:
        return self.field.split(".", 1)[0] if "." in self.field else ""

    def _message(self, day: dt.date) -> str:
        label, _, other = self.labels
        relation = "nie może być wcześniejsza niż" if self.same_day else "musi być późniejsza niż"
        return f"{label}: data {relation} „{other}” ({date_long(day)})."

    def _late_enough(self, value: dt.date, bound: dt.date) -> bool:
        return value >= bound if self.same_day else value > bound

    def __call__(self, data: dict[str, Any]) -> Iterator[Issue]:
        if not self.group:
            bound, value = date_of(data, self.after), date_of(data, self.field)
            if bound and value and not self._late_enough(value, bound):
                yield Issue(self.field, self._message(bound))
            return
        name = self.field.split(".", 1)[1]
        sibling = self.after.split(".", 1)[1] if self.after.startswith(self.group + ".") else None
        _, prefix, _ = self.labels
        for index, row in enumerate(rows(data, self.group)):
            bound = date_of(row, sibling) if sibling else date_of(data, self.after)
            value = date_of(row, name)
            if bound and value and not self._late_enough(value, bound):
                yield Issue(f"{self.group}[{index}].{name}", f"{prefix} {index + 1} – {self._message(bound)}")


def date_after(field: str, after: str, same_day: bool, items: dict[str, Field | Repeat]) -> DateAfter:
    """The rule, labelled from the definition's items (looked up by the caller's checked names)."""
    def label_of(path: str) -> str:
        if "." in path:
            group, name = path.split(".", 1)
            repeat = items[group]
            assert isinstance(repeat, Repeat)
            return repeat.field(name).label
        return items[path].label

    prefix = ""
    if "." in field:
        repeat = items[field.split(".", 1)[0]]
        assert isinstance(repeat, Repeat)
        prefix = f"{repeat.label}, {repeat.item_label}"
    return DateAfter(field, after, same_day, (label_of(field), prefix, label_of(after)))
