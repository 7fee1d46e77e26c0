"""Validation of a document's data against its type's definition.

Every problem becomes an Issue with the field's path ("actions[2].deadline")
and a Polish message that names the field, so the CLI, the API and the wizard
can all show it next to the right input.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from typing import Any, Iterable, Iterator, Sequence

from stdnum.exceptions import ValidationError as StdnumError
from stdnum.pl import pesel as pesel_number

from .definition import BOOL, CHOICE, COURT_CASE, DATE, PESEL, TEXT, TEXTAREA, WARNING, DocType, Field, Issue, Repeat
from .formatting import date_long

# Characters XML 1.0 cannot carry: a .docx could not hold them, so they are
# refused with a message instead of being dropped silently.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# "III Nsm 253/19": division (Roman), repertory ("Nsm", "RNs", "Nkd"…), number / year
COURT_CASE_PATTERN = r"^[IVXL]{1,7} [A-Z][A-Za-z]{0,5} \d{1,6}/\d{2}(?:\d{2})?$"
_COURT_CASE = re.compile(COURT_CASE_PATTERN)
_TEXT_KINDS = frozenset({TEXT, TEXTAREA})
_EARLIEST = dt.date(1900, 1, 1)
_LATEST = dt.date(2100, 12, 31)


class DataInvalid(ValueError):
    """Raised when data that must be valid (before rendering) is not."""

    def __init__(self, issues: list[Issue]):
        self.issues = issues
        super().__init__("\n".join(str(issue) for issue in issues))


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "") or value == []


def normalise_text(value: str) -> str:
    """Browsers send textarea newlines as CRLF; the document wants one newline."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if "\r" in value else value


def _too_long(spec: Field, value: str, path: str) -> Iterator[Issue]:
    if spec.limit and len(value) > spec.limit:
        yield Issue(path, _too_long_message(spec, value))


def _too_long_message(spec: Field, value: str) -> str:
    return f"{spec.label}: tekst jest za długi ({len(value)} znaków, najwyżej {spec.limit})."


def _text_problems(spec: Field, value: str) -> Sequence[str]:
    """What is wrong with a text field's string: a character XML cannot carry, more than the limit."""
    bad = _XML_INVALID.search(value)
    too_long = spec.limit and len(value) > spec.limit
    if bad is None and not too_long:
        return ()  # most texts
    problems = []
    if bad:
        problems.append(f"{spec.label}: niedozwolony znak sterujący (kod {ord(bad.group()):#06x}); usuń go z tekstu.")
    if too_long:
        problems.append(_too_long_message(spec, value))
    return problems


def _too_many(group: Repeat, rows: list, path: str) -> Iterator[Issue]:
    if len(rows) > group.max_items:
        yield Issue(path, f"{group.label}: najwyżej {group.max_items} pozycji (jest {len(rows)}); "
                          f"usuń {len(rows) - group.max_items}.")


@functools.lru_cache(maxsize=4096)  # a family's numbers are checked on every save and generation
def _valid_pesel(number: str) -> bool:
    try:
        pesel_number.validate(number)
    except StdnumError:
        return False
    return True


def check_field(spec: Field, value: Any, path: str) -> Iterator[Issue]:
    """Type and format of one present, non-blank value."""
    label = spec.label
    if spec.kind in _TEXT_KINDS:
        if not isinstance(value, str):
            yield Issue(path, f"{label}: oczekiwano tekstu.")
            return
        for message in _text_problems(spec, value):
            yield Issue(path, message)
    elif spec.kind == DATE:
        try:
            day = dt.date.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            day = None
        if day is None or len(value) != 10:
            yield Issue(path, f"{label}: nieprawidłowa data; podaj ją w postaci RRRR-MM-DD.")
        elif not _EARLIEST <= day <= _LATEST:
            yield Issue(path, f"{label}: data {date_long(day)} jest poza dopuszczalnym zakresem.")
    elif spec.kind == CHOICE:
        if not isinstance(value, str) or value not in dict(spec.choices):
            allowed = ", ".join(code for code, _ in spec.choices)
            yield Issue(path, f"{label}: nieznana wartość {value!r}; dozwolone: {allowed}.")
    elif spec.kind == BOOL:
        if not isinstance(value, bool):
            yield Issue(path, f"{label}: oczekiwano wartości tak/nie (true/false).")
    elif spec.kind == COURT_CASE:
        if not isinstance(value, str) or not _COURT_CASE.match(value):
            yield Issue(path, f"{label}: to nie jest sygnatura akt; podaj ją jak na piśmie sądu, "
                              f"np. III Nsm 253/19 (wydział, repertorium, numer/rok).")
    elif spec.kind == PESEL:
        if not isinstance(value, str) or not re.fullmatch(r"\d{11}", value):
            yield Issue(path, f"{label}: PESEL ma 11 cyfr.")
        else:
            if not _valid_pesel(value):
                yield Issue(path, f"{label}: nieprawidłowy numer PESEL (błędna suma kontrolna lub data).")


def _check_fields(fields: Iterable[Field], data: dict[str, Any], prefix: str) -> Iterator[Issue]:
    for spec in fields:
        value = data.get(spec.name)
        if is_blank(value):
            required = spec.required
            if spec.required_when:
                other, expected = spec.required_when
                required = data.get(other) == expected
            if required:
                yield Issue(f"{prefix}{spec.name}", f"{spec.label}: pole jest wymagane.")
            continue
        if spec.kind in _TEXT_KINDS and isinstance(value, str):  # most values: no generator, no path string
            for message in _text_problems(spec, value):
                yield Issue(f"{prefix}{spec.name}", message)
            continue
        yield from check_field(spec, value, f"{prefix}{spec.name}")


def _check_unknown(known: set[str], data: dict[str, Any], prefix: str) -> Iterator[Issue]:
    for key in data:
        if key not in known:
            yield Issue(f"{prefix}{key}", "nieznane pole; sprawdź nazwę z 'docgen schema'.")


def _check_repeat(group: Repeat, value: Any, path: str) -> Iterator[Issue]:
    if value is None:
        value = []
    if not isinstance(value, list):
        yield Issue(path, f"{group.label}: oczekiwano listy.")
        return
    if len(value) < group.min_items:
        wanted = "jedną pozycję" if group.min_items == 1 else f"{group.min_items} pozycji"
        yield Issue(path, f"{group.label}: dodaj co najmniej {wanted} ({group.item_label}).")
    yield from _too_many(group, value, path)
    for index, row in enumerate(value):
        row_path = f"{path}[{index}]."
        if not isinstance(row, dict):
            yield Issue(f"{path}[{index}]", f"{group.label}: oczekiwano obiektu.")
            continue
        yield from _check_unknown({f.name for f in group.fields}, row, row_path)
        for issue in _check_fields(group.fields, row, row_path):
            yield Issue(issue.path, f"{group.label}, {group.item_label} {index + 1} – {issue.message}")


def normalise(doctype: DocType, data: dict[str, Any]) -> dict[str, Any]:
    """Newlines to LF; every declared key present (None or [] where missing)."""

    def clean(value: Any) -> Any:
        return normalise_text(value) if isinstance(value, str) else value

    result: dict[str, Any] = {key: clean(value) for key, value in data.items()}
    for _, item in doctype.items():
        if isinstance(item, Repeat):
            rows = result.get(item.name)
            if isinstance(rows, list):
                result[item.name] = [
                    {**{f.name: None for f in item.fields}, **{k: clean(v) for k, v in row.items()}}
                    if isinstance(row, dict) else row
                    for row in rows
                ]
            elif rows is None:
                result[item.name] = []
        else:
            result.setdefault(item.name, None)
    return result


def _readable(spec: Field, value: Any) -> bool:
    """Whether a rule can read the value as its kind (a text may still be too long: the field says so)."""
    if spec.kind == DATE:
        try:
            return isinstance(value, str) and len(value) == 10 and bool(dt.date.fromisoformat(value))
        except ValueError:
            return False
    if spec.kind == CHOICE:
        return isinstance(value, str) and value in dict(spec.choices)
    if spec.kind == BOOL:
        return isinstance(value, bool)
    return isinstance(value, str)


def _readable_view(doctype: DocType, data: dict[str, Any]) -> dict[str, Any]:
    """The normalised data as rules may read it: a value of the wrong kind is None, a group that is
    not a list is empty, a row that is not an object has every field None (rows keep their places,
    so "działanie 3" stays the third). Every rule can then run beside the fields' own problems."""

    def readable_row(fields: tuple[Field, ...], row: Any) -> dict[str, Any]:
        view_row = dict(row) if isinstance(row, dict) else {}
        for spec in fields:
            value = view_row.get(spec.name)
            if not (isinstance(value, str) if spec.kind in _TEXT_KINDS else _readable(spec, value)):
                view_row[spec.name] = None
        return view_row

    view = dict(data)
    for _, item in doctype.items():
        value = data.get(item.name)
        if isinstance(item, Repeat):
            view[item.name] = [readable_row(item.fields, row) for row in value] if isinstance(value, list) else []
        elif not _readable(item, value):
            view[item.name] = None
    return view


def validate(doctype: DocType, data: dict[str, Any], sections: Iterable[str] | None = None) -> list[Issue]:
    """All problems of `data`, or only those of the named sections (a wizard step): each field's own
    and those of the rules that span fields, blockers and warnings alike, all at once."""
    return _validated(doctype, data, sections)[0]


def _validated(doctype: DocType, data: Any, sections: Iterable[str] | None = None) -> tuple[list[Issue], dict[str, Any]]:
    """validate()'s problems and the normalised data they were found in."""
    if not isinstance(data, dict):
        return [Issue("$", "Dane dokumentu muszą być obiektem JSON.")], {}
    wanted = set(sections) if sections is not None else None
    issues: list[Issue] = []
    if wanted is None:
        issues.extend(_check_unknown({item.name for _, item in doctype.items()}, data, ""))
    data = normalise(doctype, data)
    for section in doctype.sections:
        if wanted is not None and section.name not in wanted:
            continue
        fields = [item for item in section.items if isinstance(item, Field)]
        issues.extend(_check_fields(fields, data, ""))
        for group in (item for item in section.items if isinstance(item, Repeat)):
            issues.extend(_check_repeat(group, data.get(group.name), group.name))
    # one message per place is enough: where a field's own check spoke, a rule stays silent
    places = {issue.path for issue in issues}
    view = _readable_view(doctype, data)
    for rule in doctype.rules:
        if wanted is not None and rule.section not in wanted:
            continue
        issues.extend(dataclasses.replace(issue, warning=rule.severity == WARNING, rule=rule.name)
                      for issue in rule.check(view) if issue.path not in places)
    return issues, data


def oversized(doctype: DocType, data: dict[str, Any], sections: Iterable[str]) -> list[Issue]:
    """Texts longer and groups with more rows than the definition allows, in the named sections:
    what a draft must not store (the rest of the validation may wait until the document is done)."""
    data = normalise(doctype, data)
    wanted = set(sections)
    issues: list[Issue] = []

    def texts(fields: Iterable[Field], values: dict[str, Any], prefix: str, row_label: str = "") -> None:
        for spec in fields:
            value = values.get(spec.name)
            if spec.kind in (TEXT, TEXTAREA) and isinstance(value, str):
                issues.extend(Issue(issue.path, row_label + issue.message)
                              for issue in _too_long(spec, value, f"{prefix}{spec.name}"))

    for section in doctype.sections:
        if section.name not in wanted:
            continue
        texts([item for item in section.items if isinstance(item, Field)], data, "")
        for group in (item for item in section.items if isinstance(item, Repeat)):
            rows = data.get(group.name)
            if not isinstance(rows, list):
                continue
            issues.extend(_too_many(group, rows, group.name))
            for index, row in enumerate(rows):
                if isinstance(row, dict):
                    texts(group.fields, row, f"{group.name}[{index}].",
                          f"{group.label}, {group.item_label} {index + 1} – ")
    return issues


def blocking(issues: Iterable[Issue], confirmed: Iterable[str] = ()) -> list[Issue]:
    """What stops a document from being generated: every blocker, and every warning the user has
    not confirmed on purpose (`confirmed` holds the confirmed warnings' `Issue.key`)."""
    confirmed = set(confirmed)
    return [issue for issue in issues if not issue.warning or issue.key not in confirmed]


def warnings(issues: Iterable[Issue]) -> list[Issue]:
    return [issue for issue in issues if issue.warning]


def require_valid(doctype: DocType, data: dict[str, Any], confirmed: Iterable[str] = ()) -> dict[str, Any]:
    """The normalised data, or DataInvalid with every blocker and every unconfirmed warning."""
    found, clean = _validated(doctype, data)
    issues = blocking(found, confirmed)
    if issues:
        raise DataInvalid(issues)
    return clean
