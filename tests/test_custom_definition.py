"""Types defined as data: the definition format refuses what points at unknown data or would loop without
end, each problem in Polish with its place; the rules data can state; the shipped types (their example,
schema, template and rendered document); every built-in type exported as a definition and read back."""
from __future__ import annotations

import copy
import io

import jsonschema
import pytest
from docx import Document
from flask_wtf import FlaskForm
from wtforms import Form

from docgen.context import Letterhead
from docgen.custom.definition import (FORM_ATTRIBUTES, NAME, RESERVED, DefinitionRejected, definition_of,
                                      definition_problems, doctype_from_definition)
from docgen.custom.shipped import shipped_definition, shipped_types
from docgen.docxcheck import check_docx
from docgen.doctypes import DOCTYPES
from docgen.render import render
from docgen.schema import json_schema
from docgen.templates import check_template
from docgen.templates.engine import template_path
from docgen.validate import blocking, validate

LETTERHEAD = Letterhead(name="Miejski Ośrodek Pomocy Społecznej w Lipowcu Mazurskim",
                        address="ul. Mickiewicza 5, 11-440 Lipowiec Mazurski", city="Lipowiec Mazurski")


def minimal(**changes) -> dict:
    definition = {
        "format": "docgen.typ/1", "id": "proba", "title": "Próba",
        "sections": [
            {"name": "kiedy", "title": "Kiedy", "heading": "1. Kiedy", "items": [
                {"name": "poczatek", "label": "Początek", "kind": "date"},
                {"name": "koniec", "label": "Koniec", "kind": "date"},
                {"name": "forma", "label": "Forma", "kind": "choice", "choices": [["a", "osobiście"], ["inna", "inna"]]},
                {"name": "forma_inna", "label": "Inna forma", "required": False,
                 "required_when": {"field": "forma", "equals": "inna"}},
                {"name": "zgoda", "label": "Zgoda", "kind": "bool"},
                {"name": "data_zgody", "label": "Data zgody", "kind": "date", "required": False,
                 "required_when": {"field": "zgoda", "equals": True}},
            ]},
            {"name": "kroki", "title": "Kroki", "heading": "", "items": [
                {"name": "zadania", "label": "Zadania", "kind": "rows", "item_label": "zadanie", "min_items": 2,
                 "fields": [{"name": "opis", "label": "Opis"}, {"name": "termin", "label": "Termin", "kind": "date"}]},
            ]},
        ],
        "rules": [{"kind": "date_after", "field": "koniec", "after": "poczatek", "same_day": False},
                  {"kind": "date_after", "field": "zadania.termin", "after": "poczatek"}],
    }
    definition.update(changes)
    return definition


def problems(definition) -> list[str]:
    return [str(problem) for problem in definition_problems(definition)]


def edited(change) -> dict:
    definition = minimal()
    change(definition)
    return definition


# --- refused: unknown data, loops without end, names the program needs --------------------------

@pytest.mark.parametrize("change, expected", [
    (lambda d: d["sections"][0]["items"][0].update(prefill="pensja_ojca"),
     "krok 1 („Kiedy”), pole „poczatek”: „prefill”: „pensja_ojca” – nie ma takiej danej karty rodziny"),
    (lambda d: d["sections"][1]["items"][0].update(prefill="sasiedzi"),
     "krok 2 („Kroki”), lista „zadania”: „prefill”: „sasiedzi” – karta rodziny nie ma takiej listy"),
    (lambda d: d["sections"][0]["items"][3].update(required_when={"field": "nie_ma", "equals": "x"}),
     "krok 1 („Kiedy”), pole „forma_inna”: „required_when” wskazuje pole „nie_ma”, którego nie ma obok"),
    (lambda d: d["sections"][0]["items"][3].update(required_when={"field": "forma_inna", "equals": "x"}),
     "„required_when” wskazuje to samo pole – warunek zapętla się."),
    (lambda d: d["sections"][0]["items"][3].update(required_when={"field": "forma", "equals": "telefon"}),
     "„required_when”: pole „forma” nie ma pozycji „telefon” (są: a, inna)."),
    (lambda d: d["rules"].append({"kind": "date_after", "field": "poczatek", "after": "koniec"}),
     "definicja: reguły dat zależą od siebie w kółko: „koniec” → „poczatek” → „koniec”"),
    (lambda d: d["rules"].append({"kind": "date_after", "field": "forma", "after": "koniec"}),
     "reguła 3: „field”: pole „forma” nie jest datą."),
    (lambda d: d["rules"].append({"kind": "date_after", "field": "koniec", "after": "zadania.termin"}),
     "reguła 3: „after”: pole listy „zadania.termin” można porównać tylko z polem tej samej pozycji."),
    (lambda d: d["rules"].append({"kind": "regex", "field": "koniec", "pattern": "(a+)+$"}),
     "reguła 3: nieznany klucz „pattern”"),
    (lambda d: d["sections"][1]["items"][0]["fields"].append({"name": "pod", "label": "Pod", "kind": "rows",
                                                              "fields": [{"name": "x", "label": "X"}]}),
     "lista w liście nie jest możliwa"),
    (lambda d: d["sections"][0]["items"].append({"name": "data", "label": "Data"}),
     "nazwa „data” jest zarezerwowana przez program"),
    (lambda d: d["sections"][0]["items"].append({"name": "Miejscowość", "label": "M"}),
     "nazwa „Miejscowość” jest niepoprawna"),
    (lambda d: d["sections"][0]["items"].append({"name": "x", "label": "X", "kind": "code"}),
     "nieznany rodzaj pola „code”"),
    (lambda d: d["sections"][1]["items"][0].update(max_items=5000),
     "„max_items”: liczba od 0 do 100."),
    (lambda d: d["sections"][0].update(heading="1. {{ x }}"), "nagłówek kroku to zwykły tekst"),
    (lambda d: d["sections"][1]["items"].append({"name": "koniec", "label": "Znowu"}),
     "pole o tej nazwie jest już w kroku „Kiedy”."),
    (lambda d: d.update(extra=1), "definicja: nieznany klucz „extra”"),
    (lambda d: d.update(in_case_file="tak"), "definicja: „in_case_file”: oczekiwano true albo false."),
])
def test_a_definition_that_cannot_be_a_type_is_refused_with_the_place(change, expected):
    found = problems(edited(change))
    assert any(expected in problem for problem in found), found
    with pytest.raises(DefinitionRejected):
        doctype_from_definition(edited(change))


def test_conditions_that_depend_on_each_other_in_a_circle_are_refused():
    def circle(d):
        items = d["sections"][0]["items"]
        items.append({"name": "tryb", "label": "Tryb", "kind": "choice", "choices": [["x", "x"]], "required": False,
                      "required_when": {"field": "tryb2", "equals": "x"}})
        items.append({"name": "tryb2", "label": "Tryb 2", "kind": "choice", "choices": [["x", "x"]], "required": False,
                      "required_when": {"field": "tryb", "equals": "x"}})
    assert any("warunki „wymagane, gdy” zależą od siebie w kółko: „tryb” → „tryb2” → „tryb”" in p
               for p in problems(edited(circle)))


def test_the_reserved_names_cover_every_attribute_of_the_wizards_forms():
    attributes = {name for name in set(dir(FlaskForm)) | set(dir(Form)) if NAME.match(name)}
    assert attributes <= FORM_ATTRIBUTES <= RESERVED


# --- what data can state: required when, date after, at least N rows ------------------------------

def test_the_three_rules_data_can_state_speak_polish_and_name_the_field():
    doctype = doctype_from_definition(minimal())
    data = {"poczatek": "2026-11-16", "koniec": "2026-11-16", "forma": "inna", "forma_inna": None, "zgoda": True,
            "data_zgody": None, "zadania": [{"opis": "Wizyta", "termin": "2026-11-10"}]}
    found = {issue.path: issue.message for issue in validate(doctype, data)}
    assert found == {
        "forma_inna": "Inna forma: pole jest wymagane.",
        "data_zgody": "Data zgody: pole jest wymagane.",
        "zadania": "Zadania: dodaj co najmniej 2 pozycji (zadanie).",
        "koniec": "Koniec: data musi być późniejsza niż „Początek” (16 listopada 2026 r.).",
        "zadania[0].termin": "Zadania, zadanie 1 – Termin: data nie może być wcześniejsza niż „Początek” "
                             "(16 listopada 2026 r.).",
    }
    # the schema says the same to an API client: the conditions and the rows
    schema = json_schema(doctype)
    assert schema["properties"]["zadania"]["minItems"] == 2
    assert {"if": {"properties": {"zgoda": {"const": True}}, "required": ["zgoda"]},
            "then": {"required": ["data_zgody"], "properties": {"data_zgody": {"not": {"type": "null"}}}}} \
        in schema["allOf"]


def test_a_rule_may_be_only_a_warning_to_confirm():
    definition = minimal()
    definition["rules"][0]["severity"] = "warning"
    doctype = doctype_from_definition(definition)
    example = doctype.example()
    issues = validate(doctype, {**example, "poczatek": "2026-11-10", "koniec": "2026-11-09"})
    assert [(i.path, i.warning) for i in issues] == [("koniec", True)]
    assert blocking(issues, [issues[0].key]) == []


def test_a_generated_example_keeps_every_rule_and_fits_the_schema():
    doctype = doctype_from_definition(minimal())
    example = doctype.example()
    assert validate(doctype, example) == []
    jsonschema.validate(example, json_schema(doctype))
    assert len(example["zadania"]) == 2 and example["koniec"] > example["poczatek"]


# --- the shipped types --------------------------------------------------------------------------

@pytest.mark.parametrize("type_id", list(shipped_types()))
def test_a_shipped_type_validates_renders_and_passes_both_checks(type_id):
    doctype = shipped_types()[type_id]
    example = doctype.example()
    assert validate(doctype, example) == []
    jsonschema.validate(example, json_schema(doctype))
    assert check_template(template_path(doctype).read_bytes(), doctype) == []
    document = render(doctype, example, letterhead=LETTERHEAD, case_number="MOPS.AR.4101.7.2026")
    assert check_docx(doctype, document) == []
    text = "\n".join(p.text for p in Document(io.BytesIO(document)).paragraphs)
    assert "MOPS.AR.4101.7.2026" in text and LETTERHEAD.name in text
    assert "(-a)" not in text and "ł(a)" not in text  # words follow the signers, never "przyjął(a)"


def test_the_letter_to_an_institution_states_its_legal_basis_and_the_data_protection():
    doctype = shipped_types()["pismo_do_instytucji"]
    document = Document(io.BytesIO(render(doctype, doctype.example(), letterhead=LETTERHEAD, case_number="X.1")))
    text = " ".join(p.text for p in document.paragraphs).replace("\u00a0", " ")  # bez_sierotek's hard spaces
    assert "art. 15 ust. 1 pkt 18 i ust. 2 ustawy z dnia 9 czerwca 2011 r. o wspieraniu rodziny" in text
    assert f"Administratorem danych osobowych przekazanych w odpowiedzi jest {LETTERHEAD.name}" in text
    assert "Dyrektor Szkoły Podstawowej nr 2 w Lipowcu Mazurskim" in text
    assert "Do pisma dołączam pisemną zgodę osoby, której dotyczą informacje" in text
    without = {**doctype.example(), "consent_attached": False, "consent_date": None}
    document = Document(io.BytesIO(render(doctype, without, letterhead=LETTERHEAD, case_number="X.1")))
    assert "dołączam pisemną zgodę" not in " ".join(p.text for p in document.paragraphs)


def test_the_withdrawal_speaks_for_one_or_for_several_signers():
    doctype = shipped_types()["wycofanie_zgody"]
    example = doctype.example()
    several = " ".join(p.text for p in Document(io.BytesIO(
        render(doctype, example, letterhead=LETTERHEAD, case_number="X.1"))).paragraphs)
    assert "Oświadczamy, że wycofujemy zgodę na współpracę rodziny Zawadzkich z asystentem rodziny" in several
    one = {**example, "persons": example["persons"][:1]}
    alone = " ".join(p.text for p in Document(io.BytesIO(
        render(doctype, one, letterhead=LETTERHEAD, case_number="X.1"))).paragraphs)
    assert "Oświadczam, że wycofuję zgodę" in alone and "Przyjmuję do wiadomości" in alone
    # a withdrawal dated before the statement is odd, not forbidden: a warning to confirm
    issues = validate(doctype, {**example, "withdrawal_date": "2027-02-20"})
    assert [(i.path, i.warning) for i in issues] == [("withdrawal_date", True)]


# --- any type as a definition --------------------------------------------------------------------

@pytest.mark.parametrize("type_id", list(DOCTYPES))
def test_every_built_in_type_exported_is_a_definition_whose_example_still_validates(type_id):
    doctype = DOCTYPES[type_id]
    definition = definition_of(doctype)
    assert definition_problems(definition) == []
    again = doctype_from_definition(definition)
    assert [s.name for s in again.sections] == [s.name for s in doctype.sections]
    assert [doctype.numbered_title(s) for s in doctype.numbered_sections()] == \
        [again.numbered_title(s) for s in again.numbered_sections()]
    assert json_schema(again)["properties"].keys() == json_schema(doctype)["properties"].keys()
    assert validate(again, doctype.example()) == []
    # where it is filed travels too: a letter or a CV stays out of the case, named by neither family nor znak
    assert (again.in_case_file, again.leaves_office) == (doctype.in_case_file, doctype.leaves_office)
    assert ("{case_number}" in again.file_name, "{family_name}" in again.file_name) == \
        (doctype.in_case_file, not doctype.leaves_office)


@pytest.mark.parametrize("flags, filed, named", [
    ({}, True, "{file_stem}_{family_name}_{case_number}_{date}"),
    ({"leaves_office": True}, False, "{file_stem}_{date}"),
    ({"leaves_office": True, "in_case_file": True}, True, "{file_stem}_{date}"),
    ({"in_case_file": False}, False, "{file_stem}_{family_name}_{date}"),
])
def test_where_a_document_goes_decides_its_znak_and_its_file_name(flags, filed, named):
    doctype = doctype_from_definition({**minimal(), **flags})
    assert (doctype.in_case_file, doctype.leaves_office, doctype.file_name) == \
        (filed, flags.get("leaves_office", False), named)


def test_a_shipped_definition_read_back_is_the_same_type():
    definition = shipped_definition("notatka_sluzbowa")
    doctype = doctype_from_definition(definition)
    again = doctype_from_definition(definition_of(doctype))
    assert again.sections == doctype.sections and again.title == doctype.title
    assert [(r.check.field, r.check.after, r.severity) for r in again.rules] == \
        [(r.check.field, r.check.after, r.severity) for r in doctype.rules]
    changed = copy.deepcopy(definition)
    changed["sections"][0]["items"][1]["label"] = "Adres rodziny"
    assert doctype_from_definition(changed).item("address").label == "Adres rodziny"


@pytest.mark.parametrize("type_id", list(shipped_types()))
def test_a_shipped_template_holds_the_largest_data_its_type_allows(type_id):
    from docgen.custom.infer import largest_data_problems

    doctype = shipped_types()[type_id]
    assert largest_data_problems(template_path(doctype).read_bytes(), doctype) == []
