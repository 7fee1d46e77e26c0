"""What an office's own type may take from the family card without asking: the names the built-in
types prefill (docgen.casefile and docgen.store.documents.case_facts), with their labels and kinds.

A placeholder with one of these names in an uploaded template becomes the very field the built-in
types use ({{ family_name }}, {{ address }}, a loop over {{ members }}…): prefilled from the family
card, labelled and checked as everywhere else. `FACT_KEYS` and `MEMBER_FACT_KEYS` are every key a
definition may name in "prefill"; anything else is unknown data and refused.
"""
from __future__ import annotations

import dataclasses

from ..casefile import (ADDRESS, BASIS_FIELDS, COORDINATOR_FIELDS, FAMILY_NAME, FAMILY_NAME_GEN, MEMBERS,
                        MONITORING_FIELDS, PERSON_DETAILS, PLACEMENT_FIELDS, SOCIAL_WORKER)
from ..definition import DATE, TEXTAREA, Field, Item, Repeat

ASSISTANT = Field("assistant_name", "Asystent rodziny", prefill="assistant_name", help="Imię i nazwisko.")
HEAD = Field("head_name", "Kierownik ośrodka", required=False, prefill="head_name", help="Imię i nazwisko.")
PLACE = Field("place", "Miejscowość", prefill="office_city")
# the genitive printed without the name beside it: asked for itself, from the card (or declined from its name)
GENITIVE = Field("family_name_gen", "Nazwisko rodziny w dopełniaczu (rodzina kogo?)", prefill="family_name_genitive",
                 help="Z karty rodziny, np. Zawadzkich – tak nazwisko stoi w zdaniach dokumentu.")
DOCUMENT_DATE = Field("document_date", "Data sporządzenia", DATE, prefill="today")

# a member as documents print them, with the label of the role ("opiekun prawny", not the code)
_MEMBER_ROW_EXTRA = (
    Field("relation_label", "Rola w rodzinie (słownie)", required=False, prefill="relation_label"),
    Field("name", "Imię i nazwisko", required=False, prefill="name"),
)
_ROW_FIELDS = MEMBERS.fields + PERSON_DETAILS + _MEMBER_ROW_EXTRA
CHILDREN = Repeat("children", "Dzieci", item_label="dziecko", prefill="children", max_items=20,
                  help="Dzieci z karty rodziny.", fields=tuple(dataclasses.replace(spec, required=False)
                                                               for spec in _ROW_FIELDS))

CARD: dict[str, Item] = {item.name: item for item in (
    FAMILY_NAME, FAMILY_NAME_GEN, ADDRESS, SOCIAL_WORKER, MEMBERS, CHILDREN, ASSISTANT, HEAD, PLACE, DOCUMENT_DATE,
    *BASIS_FIELDS, *COORDINATOR_FIELDS, *MONITORING_FIELDS,
    Field("work_start", "Początek pracy z rodziną", DATE, required=False, prefill="work_start"),
    Field("work_end", "Zakończenie pracy z rodziną", DATE, required=False, prefill="work_end"),
    Field("address_lines", "Adres (w dwóch wierszach)", TEXTAREA, required=False, prefill="address_lines"),
    Field("family_head_name", "Członek rodziny (rodzic lub opiekun)", required=False, prefill="family_head_name"),
    Field("family_head_phone", "Telefon członka rodziny", required=False, prefill="family_head_phone"),
    Field("members_work", "Sytuacja zawodowa dorosłych", TEXTAREA, required=False, prefill="members_work"),
    Field("members_disability", "Niepełnosprawność w rodzinie", TEXTAREA, required=False,
          prefill="members_disability"),
    Field("children_in_care_text", "Dzieci w pieczy zastępczej", TEXTAREA, required=False,
          prefill="children_in_care_text"),
)}

# what a template may print of a member's row beyond the documents' own member fields
MEMBER_ROW_FIELDS: dict[str, Field] = {spec.name: spec for spec in _ROW_FIELDS + PLACEMENT_FIELDS}


def _builtin_prefills() -> tuple[set[str], set[str], set[str]]:
    """The keys the built-in types prefill from (docgen.store.documents.case_facts gives every one): a
    built-in type exported as a definition stays a valid definition."""
    from ..doctypes import DOCTYPES

    scalars, lists, rows = set(), set(), set()
    for doctype in DOCTYPES.values():
        for _, item in doctype.items():
            if isinstance(item, Repeat):
                if item.prefill:
                    lists.add(item.prefill)
                    rows.update(spec.prefill for spec in item.fields if spec.prefill)
            elif item.prefill:
                scalars.add(item.prefill)
    return scalars, lists, rows


_SCALARS, _LISTS, _ROWS = _builtin_prefills()
# every key of the case facts a definition may prefill from; lists: of people and of earlier documents' rows
FACT_KEYS = frozenset({item.prefill for item in CARD.values() if item.prefill} | {"office_name", "family_head_email",
                                                                                "family_name_genitive"}
                      | _SCALARS)
ROW_FACT_KEYS = frozenset({"members", "adults", "children", "children_in_care"} | _LISTS)
MEMBER_FACT_KEYS = frozenset({spec.prefill or spec.name for spec in MEMBER_ROW_FIELDS.values()} | {"adult"} | _ROWS)

# names the context gives every type (docgen.context.build_context): printed, never asked
CONTEXT_NAMES = frozenset({"office", "case_number", "document_title", "place_and_date"})
