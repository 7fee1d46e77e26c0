"""The vocabulary of document-type definitions.

A document type is declared once, as sections of fields and repeating groups
plus rules that span fields. The JSON Schema, the wizard's forms, the docxtpl
context and the validator are all derived from that one declaration.
"""
from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Union

# Kinds of field; each maps to one JSON Schema type, one form widget and one
# way of formatting in the document.
TEXT = "text"          # one line
TEXTAREA = "textarea"  # several lines, newlines become line breaks
DATE = "date"          # ISO date "RRRR-MM-DD"
CHOICE = "choice"      # one code out of `choices`
BOOL = "bool"          # yes / no
PESEL = "pesel"        # 11 digits, checked with python-stdnum
COURT_CASE = "court_case"  # a court's case signature ("sygnatura akt"), e.g. "III Nsm 253/19"

KINDS = (TEXT, TEXTAREA, DATE, CHOICE, BOOL, PESEL, COURT_CASE)

DEFAULT_MAX_LENGTH = {TEXT: 300, TEXTAREA: 8000}
# A table row never splits across pages (w:cantSplit), and Word cuts off a row taller than a page:
# a long text printed in a table cell is kept to this many characters (about 17 cm of a 2.9 cm column)
TABLE_CELL_LIMIT = 600


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = TEXT
    required: bool = True
    help: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    max_length: int | None = None
    # required only when the sibling field `required_when[0]` equals `[1]`
    required_when: tuple[str, str] | None = None
    # key of the case facts (family, office, user) that prefills this field
    prefill: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"{self.name}: unknown kind {self.kind!r}")
        if self.kind == CHOICE and not self.choices:
            raise ValueError(f"{self.name}: a choice field needs choices")
        if self.required and self.required_when:
            raise ValueError(f"{self.name}: required and required_when exclude each other")

    @functools.cached_property  # read for every value of every validation
    def limit(self) -> int | None:
        return self.max_length or DEFAULT_MAX_LENGTH.get(self.kind)

    def choice_label(self, code: str) -> str:
        return dict(self.choices).get(code, code)


@dataclass(frozen=True)
class Repeat:
    """A repeating group: family members, goals, rows of the actions table."""

    name: str
    label: str
    fields: tuple[Field, ...]
    item_label: str = "pozycja"
    min_items: int = 0
    max_items: int = 100
    help: str = ""
    prefill: str | None = None
    # printed as a table: (field name, column width in cm) summing to the text width;
    # empty: printed as a list, one block per item
    table: tuple[tuple[str, float], ...] = ()

    def __post_init__(self) -> None:
        names = {spec.name for spec in self.fields}
        for name, _ in self.table:
            if name not in names:
                raise ValueError(f"{self.name}: table column {name!r} is not a field")

    def field(self, name: str) -> Field:
        for item in self.fields:
            if item.name == name:
                return item
        raise KeyError(name)


Item = Union[Field, Repeat]


@dataclass(frozen=True)
class Section:
    name: str
    title: str
    items: tuple[Item, ...]
    help: str = ""
    # an optional section may stay empty; the document then says so
    optional: bool = False
    # False: a wizard step whose fields the document prints in its header (the court's
    # addressee and case signature), not as a numbered section
    numbered: bool = True
    # fixed wording the document prints at the start of the section (a declaration the
    # family signs); the wizard shows it too
    statement: str = ""
    # the section's heading exactly as the document prints it, where it is not "<n>. <title>": an
    # office's own type keeps its Word template's headings while its wizard steps may be retitled
    # or reordered (docgen/custom)
    heading: str = ""


# How much a rule's problem weighs: a blocker stops generating until it is fixed; a warning
# (a deadline already passed, a plan dated before today) is shown, and the document is generated
# once the user has confirmed that warning on purpose.
BLOCKER = "blocker"
WARNING = "warning"


@dataclass(frozen=True)
class Issue:
    """One problem found in the data, addressed by its path ("actions[2].deadline")."""

    path: str
    message: str
    warning: bool = False
    # the rule that found it ("" for a field's own check)
    rule: str = ""

    @property
    def key(self) -> str:
        """What a user's confirmation of this warning is stored as: the rule, the place and the
        wording they read, so a warning that says something new must be confirmed again."""
        digest = hashlib.sha256(self.message.encode("utf-8")).hexdigest()[:12]
        return f"{self.rule}:{self.path}:{digest}"

    def __str__(self) -> str:
        return f"{self.path}: {'ostrzeżenie: ' if self.warning else ''}{self.message}"


@dataclass(frozen=True)
class Rule:
    """A rule that spans fields. `check` gets the normalised data and yields issues."""

    name: str
    description: str
    check: Callable[[dict[str, Any]], Iterator[Issue]]
    # the section whose wizard step shows the rule's messages
    section: str
    # BLOCKER: only what the Act or the document's integrity forbids; WARNING: to be confirmed
    severity: str = BLOCKER

    def __post_init__(self) -> None:
        if self.severity not in (BLOCKER, WARNING):
            raise ValueError(f"{self.name}: unknown severity {self.severity!r}")


@dataclass(frozen=True)
class PrintCheck:
    """What the printed document must hold beyond its numbered sections (a letter's signature, a CV's
    consent clause), checked by the .docx validator (docgen.docxcheck): `check` gets the document's
    text a line per paragraph (a table cell's paragraphs too, in order) and yields a Polish message
    for each thing missing."""

    name: str
    description: str
    check: Callable[[list[str]], Iterator[str]]


@dataclass(frozen=True)
class Signature:
    """A signature block: a dotted line with "(data i podpis – name)" under it."""

    role: str               # printed above the line: "Asystent rodziny"
    name: str = ""          # the field holding the signer's name
    each: str = ""          # or: a list from `derive`, one block per entry's "name"
    caption: str = "data i podpis"
    # for `each`: the label when only one person signs ("Członek rodziny współtworzący plan")
    role_one: str = ""


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "") or value == []


@dataclass(frozen=True)
class DocType:
    id: str
    title: str
    sections: tuple[Section, ...]
    template: str
    rules: tuple[Rule, ...] = ()
    example: Callable[[], dict[str, Any]] = field(default=dict)
    # extra template values computed from valid data (e.g. who signs)
    derive: Callable[[dict[str, Any]], dict[str, Any]] = field(default=lambda data: {})
    # stem of the generated file's name ("plan_pracy_z_rodzina")
    file_stem: str = "dokument"
    # the fields giving the "Miejscowość, dnia …" line at the top
    place_field: str = "place"
    date_field: str = "document_date"
    # printed under the title: "(art. 15 ust. 1 pkt 1 ustawy …)"
    legal_basis: str = ""
    # signature blocks at the end of the last section
    signatures: tuple[Signature, ...] = ()
    # values that follow from earlier answers, for fields still blank (a letter's title and body
    # skeleton from its kind); may return values for filled fields too: `blanks_filled` keeps
    # only the blank ones, so what a user typed is never overwritten. Used by the wizard when a
    # step is shown and by `prefill` for a new draft; not by the validator or the renderer: a
    # required field left blank is reported, never printed as a skeleton nobody checked.
    fill_in: Callable[[dict[str, Any]], dict[str, Any]] = field(default=lambda data: {})
    # filed in the office's case (sprawa) and printing its znak sprawy; False: a family member's own
    # document (a letter, a CV), which carries and consumes no number of the office
    in_case_file: bool = True
    # sent out of the office by the family member (a CV to an employer): its file name must not give
    # away the family's case, so `file_name` names neither the family nor the case number
    leaves_office: bool = False
    # the generated file's name (without version and extension): "{file_stem}", "{family_name}",
    # "{case_number}", "{date}" (the document's date) and the data's fields by name ("CV_{full_name}");
    # the documents of a family share its znak, so their date tells them apart
    file_name: str = "{file_stem}_{family_name}_{case_number}_{date}"
    # checks of the printed text beyond the sections, for the .docx validator
    print_checks: tuple[PrintCheck, ...] = ()
    # a type built from data (an office's own type) holds closures, which do not pickle: the
    # function and arguments that build it again, for the template worker in another process
    rebuild: tuple[Callable[..., "DocType"], tuple[Any, ...]] | None = field(default=None, compare=False, repr=False)

    def __reduce_ex__(self, protocol):
        if self.rebuild is not None:
            return self.rebuild
        return super().__reduce_ex__(protocol)

    def __post_init__(self) -> None:
        if self.leaves_office and ("{family_name}" in self.file_name or "{case_number}" in self.file_name):
            raise ValueError(f"{self.id}: a document that leaves the office is named without the family or the case")
        if not self.in_case_file and "{case_number}" in self.file_name:
            raise ValueError(f"{self.id}: a document outside the case file has no case number to name it by")
        seen: set[str] = set()
        for section in self.sections:
            for item in section.items:
                if item.name in seen:
                    raise ValueError(f"{self.id}: field {item.name!r} declared twice")
                seen.add(item.name)
        if len({s.name for s in self.sections}) != len(self.sections):
            raise ValueError(f"{self.id}: duplicate section name")

    def blanks_filled(self, data: dict[str, Any], names: Iterable[str] | None = None) -> dict[str, Any]:
        """`fill_in`'s values for the fields (of `names`, default all) that are blank in `data`."""
        wanted = set(names) if names is not None else None
        return {name: value for name, value in self.fill_in(data).items()
                if (wanted is None or name in wanted) and _blank(data.get(name)) and not _blank(value)}

    def section(self, name: str) -> Section:
        for section in self.sections:
            if section.name == name:
                return section
        raise KeyError(name)

    def items(self) -> Iterator[tuple[Section, Item]]:
        for section in self.sections:
            for item in section.items:
                yield section, item

    def item(self, name: str) -> Item:
        for _, item in self.items():
            if item.name == name:
                return item
        raise KeyError(name)

    def section_of(self, name: str) -> Section:
        for section, item in self.items():
            if item.name == name:
                return section
        raise KeyError(name)

    def numbered_sections(self) -> tuple[Section, ...]:
        return tuple(section for section in self.sections if section.numbered)

    def numbered_title(self, section: Section) -> str:
        if not section.numbered:
            return section.title
        if section.heading:
            return section.heading
        return f"{self.numbered_sections().index(section) + 1}. {section.title}"
