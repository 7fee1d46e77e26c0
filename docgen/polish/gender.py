"""Words that follow the person: "niżej podpisany / podpisana", "otrzymałem / otrzymałam".

A person's sex comes from the PESEL where there is one (python-stdnum reads it), else from the
"Płeć" field of the person. Several people signing together take the plural: masculine personal
("podpisani", "otrzymaliśmy") when at least one man signs, otherwise the feminine plural
("podpisane", "otrzymałyśmy"). A document never prints "podpisany(-a)".
"""
from __future__ import annotations

import functools
from typing import Any, Iterable

from stdnum.exceptions import ValidationError as StdnumError
from stdnum.pl import pesel as pesel_number

FEMALE, MALE = "K", "M"
SEXES = ((FEMALE, "kobieta"), (MALE, "mężczyzna"))

# key -> (a man, a woman, men or a mixed group, women only)
_WORDS: dict[str, tuple[str, str, str, str]] = {
    "ja": ("Ja", "Ja", "My", "My"),
    "podpisany": ("podpisany", "podpisana", "podpisani", "podpisane"),
    "zamieszkaly": ("zamieszkały", "zamieszkała", "zamieszkali", "zamieszkałe"),
    "legitymujacy": ("legitymujący się", "legitymująca się", "legitymujący się", "legitymujące się"),
    "otrzymalem": ("otrzymałem", "otrzymałam", "otrzymaliśmy", "otrzymałyśmy"),
    "pracowalem": ("pracowałem", "pracowałam", "pracowaliśmy", "pracowałyśmy"),
    "zajmowalem": ("zajmowałem", "zajmowałam", "zajmowaliśmy", "zajmowałyśmy"),
    "nauczylem": ("nauczyłem", "nauczyłam", "nauczyliśmy", "nauczyłyśmy"),
    "pozostawalem": ("pozostawałem", "pozostawałam", "pozostawaliśmy", "pozostawałyśmy"),
    "chcialbym": ("chciałbym", "chciałabym", "chcielibyśmy", "chciałybyśmy"),
    "wdzieczny": ("wdzięczny", "wdzięczna", "wdzięczni", "wdzięczne"),
    # verbs of the first person that do not change with sex, for the statements' number
    "oswiadczam": ("oświadczam", "oświadczam", "oświadczamy", "oświadczamy"),
    "wyrazam": ("wyrażam", "wyrażam", "wyrażamy", "wyrażamy"),
    "przyjmuje": ("przyjmuję", "przyjmuję", "przyjmujemy", "przyjmujemy"),
    "moj": ("mój", "mój", "nasz", "nasz"),
    "mojej": ("mojej", "mojej", "naszej", "naszej"),
    "moich": ("moich", "moich", "naszych", "naszych"),
}


def sex_from_pesel(number: Any) -> str | None:
    """K or M from a valid PESEL (its tenth digit); None for anything else."""
    if not isinstance(number, str) or not number:
        return None
    return _sex_of_number(number)


@functools.lru_cache(maxsize=4096)  # asked for each member on every render and validation
def _sex_of_number(number: str) -> str | None:
    try:
        return MALE if pesel_number.get_gender(pesel_number.validate(number)) == "M" else FEMALE
    except StdnumError:
        return None


def sex_of(person: dict[str, Any]) -> str | None:
    """The person's sex: from the PESEL, else from the "sex" field; None when neither says."""
    from_pesel = sex_from_pesel(person.get("pesel"))
    if from_pesel:
        return from_pesel
    typed = person.get("sex")
    return typed if typed in (FEMALE, MALE) else None


def phrases(sexes: Iterable[str | None]) -> dict[str, str]:
    """The words of `_WORDS` for these signers: one person by their sex, several in the plural.

    An unknown sex of a single person gives the masculine form only because the validator makes
    the sex known before anything is rendered (a rule of each type that prints these words)."""
    sexes = list(sexes)
    if len(sexes) == 1:
        index = 1 if sexes[0] == FEMALE else 0
    else:
        index = 3 if sexes and all(sex == FEMALE for sex in sexes) else 2
    return {key: forms[index] for key, forms in _WORDS.items()}
