"""A family's name in the cases running text needs: "opinia o rodzinie Zawadzkich", "z Zawadzkimi".

The family card holds the name as the office writes it in the nominative, usually plural
("Zawadzcy", "Nowakowie"), sometimes one person's surname ("Nowak", "Kowalska"). The genitive
and instrumental plural come from Morfeusz 2 with the SGJP dictionary (the standard Polish
morphological analyser and generator) and, for a name it does not know, from rules for the
usual surname endings. Each part of a double-barrelled name is declined on its own; a part the
office left in the singular ("Nowak-Zielińscy") stays as written. The result is a suggestion:
the family card shows it and the assistant may correct it.
"""
from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass

@dataclass(frozen=True)
class FamilyNameForms:
    genitive: str       # "(rodzina, rodziny, z rodziną) Zawadzkich"
    instrumental: str   # "(z) Zawadzkimi"


# --- Morfeusz 2 ---------------------------------------------------------------------------

_LOCK = threading.Lock()  # a Morfeusz object is not safe to share between threads


@functools.cache
def _morfeusz():
    """Loaded on first use (the dictionary takes a quarter of a second), not on every start of the program."""
    try:  # the wheel carries the SGJP dictionary; without it the rules below still give the usual forms
        import morfeusz2
    except ImportError:  # a platform without a morfeusz2 wheel (ARM Linux)
        return None
    return morfeusz2.Morfeusz(generate=True, analyse=True, expand_tags=False)


def morfeusz_available() -> bool:
    return _morfeusz() is not None


def _tag(tag: str) -> tuple[str, set[str], set[str], set[str]]:
    """'subst:pl:nom.voc:m1' -> ('subst', {'pl'}, {'nom', 'voc'}, {'m1'})"""
    fields = tag.split(":")
    pad = fields + [""] * (4 - len(fields))
    return pad[0], set(pad[1].split(".")), set(pad[2].split(".")), set(pad[3].split("."))


def _is_surname(names: list[str]) -> bool:
    return "nazwisko" in names  # not "nazwisko_(odmężowskie)": Nowakowa is the rules' business


def _lemmas(word: str) -> list[tuple[int, str, str]]:
    """(rank, lemma, gender) of the surname readings of `word`: 0 a plural of a man's surname
    ("Zawadzcy"), 1 a man's surname ("Nowak"), 2 a woman's adjectival surname ("Kowalska")."""
    morfeusz = _morfeusz()
    if morfeusz is None:
        return []
    with _LOCK:
        readings = morfeusz.analyse(word)
    found = []
    for _start, _end, (_orth, lemma, tag, names, _quals) in readings:
        pos, number, case, gender = _tag(tag)
        if pos != "subst" or "nom" not in case or not _is_surname(names):
            continue
        if "m1" in gender and "pl" in number:
            found.append((0, lemma, "m1"))
        elif "m1" in gender and "sg" in number:
            found.append((1, lemma, "m1"))
        elif "f" in gender and number == {"sg"}:
            found.append((2, lemma, "f"))
    return sorted(set(found))


def _generated(lemma: str, gender: str, case: str) -> list[str]:
    morfeusz = _morfeusz()
    with _LOCK:
        forms = morfeusz.generate(lemma)
    result = []
    for orth, _lemma, tag, _names, _quals in forms:
        pos, number, cases, genders = _tag(tag)
        if pos == "subst" and "pl" in number and case in cases and gender in genders and orth not in result:
            result.append(orth)
    return result


def _morfeusz_forms(word: str) -> tuple[str, str] | None:
    lemmas = _lemmas(word)
    if not lemmas:
        return None
    best = lemmas[0][0]
    for rank, lemma, gender in lemmas:
        if rank != best:
            break
        genitives, instrumentals = _generated(lemma, gender, "gen"), _generated(lemma, gender, "inst")
        if word.endswith("owie"):  # "Lisowie" is Lis's family, not Lisy's: a noun's plural
            genitives = [form for form in genitives if form.endswith("ów")]
            instrumentals = [form for form in instrumentals if form.endswith("ami")]
        if genitives and instrumentals:
            return genitives[0], instrumentals[0]
    return None


def _morfeusz_plural(word: str) -> bool:
    return any(rank == 0 for rank, _, _ in _lemmas(word))


# --- rules for the usual surname endings --------------------------------------------------

# (typed ending, genitive ending, instrumental ending); the first that fits wins
_PLURAL_RULES = (
    ("dzcy", "dzkich", "dzkimi"),   # Zawadzcy
    ("scy", "skich", "skimi"),      # Kowalscy, Kamińscy
    ("ccy", "ckich", "ckimi"),      # Sadeccy, Nowiccy
    ("cy", "kich", "kimi"),         # Wielcy
    ("dzy", "gich", "gimi"),        # Dłudzy
    ("owie", "ów", "ami"),          # Nowakowie, Kaczmarkowie, Zarębowie
)
_SINGULAR_RULES = (
    ("ówna", "ów", "ami"),          # Nowakówna: the daughter of the Nowaks
    ("owa", "ów", "ami"),           # Nowakowa: the wife of Nowak
    ("dzki", "dzkich", "dzkimi"),   # Zawadzki
    ("ski", "skich", "skimi"),      # Kowalski
    ("cki", "ckich", "ckimi"),      # Sadecki
    ("dzka", "dzkich", "dzkimi"),   # Zawadzka
    ("ska", "skich", "skimi"),      # Kowalska
    ("cka", "ckich", "ckimi"),      # Sadecka
    ("ki", "kich", "kimi"),         # Wielki
    ("gi", "gich", "gimi"),         # Długi
    ("ko", "ków", "kami"),          # Matejko
    ("ek", "ków", "kami"),          # Kaczmarek: the e drops out
    ("iec", "ców", "cami"),         # Kubiec: so does this one
)
_VOWELS = "aąeęioóuy"
# a foreign name ending in these vowels stays as it is: "rodzina Rossi", "rodzina Castillo"
_INDECLINABLE_ENDINGS = ("o", "e", "i", "u", "y", "é", "ö", "ü")


def _rule_plural(word: str) -> bool:
    lower = word.lower()
    return any(lower.endswith(ending) for ending, _, _ in _PLURAL_RULES)


def _rule_forms(word: str) -> tuple[str, str]:
    lower = word.lower()
    for ending, genitive, instrumental in _PLURAL_RULES + _SINGULAR_RULES:
        if lower.endswith(ending) and len(lower) > len(ending) + 1:
            stem = word[: len(word) - len(ending)]
            return stem + genitive, stem + instrumental
    if lower.endswith(_INDECLINABLE_ENDINGS):
        return word, word
    if lower.endswith("a"):             # Zaręba, Wrona: a man's surname ending in -a
        return word[:-1] + "ów", word[:-1] + "ami"
    if lower[-1:].isalpha() and lower[-1] not in _VOWELS:  # Nowak, Mazur, Mickiewicz
        return word + "ów", word + "ami"
    return word, word


# --- the name as a whole ------------------------------------------------------------------

def _matching_case(model: str, text: str) -> str:
    """The forms follow how the name was typed: "ZAWADZCY" -> "ZAWADZKICH"."""
    if len(model) > 1 and model.isupper():
        return text.upper()
    return text


def _word_forms(word: str, use_morfeusz: bool) -> tuple[str, str]:
    looked_up = word[:1].upper() + word[1:].lower() if len(word) > 1 and word.isupper() else word
    forms = _morfeusz_forms(looked_up) if use_morfeusz and morfeusz_available() else None
    genitive, instrumental = forms or _rule_forms(looked_up)
    return _matching_case(word, genitive), _matching_case(word, instrumental)


def _is_plural(word: str, use_morfeusz: bool) -> bool:
    looked_up = word[:1].upper() + word[1:].lower() if len(word) > 1 and word.isupper() else word
    if use_morfeusz and morfeusz_available() and _morfeusz_plural(looked_up):
        return True
    return _rule_plural(looked_up)


_HYPHEN = re.compile(r"(\s*[-‐‑–]\s*)")


@functools.lru_cache(maxsize=4096)
def family_name_forms(name: str, *, use_morfeusz: bool = True) -> FamilyNameForms:
    """The genitive and instrumental plural of a family's name typed in the nominative.

    "Zawadzcy" -> Zawadzkich / Zawadzkimi, "Nowak" -> Nowaków / Nowakami, "Kowalska" -> Kowalskich /
    Kowalskimi, "Nowak-Zielińscy" -> Nowak-Zielińskich / Nowak-Zielińskimi, "Rossi" stays.
    `use_morfeusz=False` gives the rules' forms alone (for tests and as the fallback).
    """
    text = " ".join((name or "").split())
    if not text:
        return FamilyNameForms("", "")
    pieces = _HYPHEN.split(text)
    parts, joints = pieces[0::2], pieces[1::2]
    # a particle ("de", "van") stays; every capitalised word is a surname
    declinable = [bool(part) and part[0].isupper() for part in parts]
    plural = [d and _is_plural(part, use_morfeusz) for part, d in zip(parts, declinable)]
    # a name typed in the singular ("Nowak", "Nowak-Zieliński") names the family by one person's
    # surname: every part goes to the plural; otherwise only the parts typed in the plural do
    decline = plural if any(plural) else declinable
    genitive, instrumental = [], []
    for part, declined in zip(parts, decline):
        words = part.split(" ")
        head, last = words[:-1], words[-1]
        gen, inst = _word_forms(last, use_morfeusz) if declined else (last, last)
        genitive.append(" ".join(head + [gen]))
        instrumental.append(" ".join(head + [inst]))

    def joined(forms: list[str]) -> str:
        out = forms[0]
        for joint, form in zip(joints, forms[1:]):
            out += joint + form
        return out

    return FamilyNameForms(joined(genitive), joined(instrumental))

