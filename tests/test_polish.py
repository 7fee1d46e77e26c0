"""Polish grammar of the documents: family names declined (Morfeusz 2 and the rules), words that follow
a person's sex, and the typography of printed lines."""
from __future__ import annotations

import pytest

from docgen.polish import FEMALE, MALE, bind_short_words, family_name_forms, phrases, sex_from_pesel, sex_of
from docgen.polish.names import morfeusz_available

# (as the family card holds it, "rodzina …" genitive plural, "z …" instrumental plural)
SURNAMES = [
    # -scy / -ccy / -dzcy: the plural of -ski / -cki / -dzki
    ("Kowalscy", "Kowalskich", "Kowalskimi"),
    ("Wiśniewscy", "Wiśniewskich", "Wiśniewskimi"),
    ("Kamińscy", "Kamińskich", "Kamińskimi"),
    ("Zgrzebłowscy", "Zgrzebłowskich", "Zgrzebłowskimi"),  # not in the dictionary: the rules
    ("Sadeccy", "Sadeckich", "Sadeckimi"),
    ("Nowiccy", "Nowickich", "Nowickimi"),
    ("Zawadzcy", "Zawadzkich", "Zawadzkimi"),
    ("Grodzcy", "Grodzkich", "Grodzkimi"),
    ("Rudzcy", "Rudzkich", "Rudzkimi"),
    ("Dłudzy", "Długich", "Długimi"),
    # -owie: the plural of a noun
    ("Nowakowie", "Nowaków", "Nowakami"),
    ("Kaczmarkowie", "Kaczmarków", "Kaczmarkami"),
    ("Wróblowie", "Wróblów", "Wróblami"),
    ("Mazurowie", "Mazurów", "Mazurami"),
    ("Zarębowie", "Zarębów", "Zarębami"),
    ("Fredrowie", "Fredrów", "Fredrami"),
    ("Mickiewiczowie", "Mickiewiczów", "Mickiewiczami"),
    ("Lisowie", "Lisów", "Lisami"),
    ("Brzęczyszczykiewiczowie", "Brzęczyszczykiewiczów", "Brzęczyszczykiewiczami"),  # the rules
    # one person's surname names the family
    ("Nowak", "Nowaków", "Nowakami"),
    ("Kaczmarek", "Kaczmarków", "Kaczmarkami"),
    ("Kubiec", "Kubców", "Kubcami"),
    ("Stec", "Steców", "Stecami"),
    ("Wrona", "Wronów", "Wronami"),
    ("Matejko", "Matejków", "Matejkami"),
    ("Kowalski", "Kowalskich", "Kowalskimi"),
    ("Zawadzka", "Zawadzkich", "Zawadzkimi"),
    ("Kowalska", "Kowalskich", "Kowalskimi"),
    # -owa / -ówna: the wife's and the daughter's forms of Nowak
    ("Nowakowa", "Nowaków", "Nowakami"),
    ("Kaczmarkowa", "Kaczmarków", "Kaczmarkami"),
    ("Nowakówna", "Nowaków", "Nowakami"),
    ("Kowalczykówna", "Kowalczyków", "Kowalczykami"),
    # indeclinable foreign names
    ("Rossi", "Rossi", "Rossi"),
    ("Castillo", "Castillo", "Castillo"),
    ("Hugo", "Hugo", "Hugo"),
    # double-barrelled: each part as written
    ("Nowak-Zielińscy", "Nowak-Zielińskich", "Nowak-Zielińskimi"),
    ("Kowalscy-Nowakowie", "Kowalskich-Nowaków", "Kowalskimi-Nowakami"),
    ("Nowak-Zieliński", "Nowaków-Zielińskich", "Nowakami-Zielińskimi"),
    ("Wiśniewska-Nowak", "Wiśniewskich-Nowaków", "Wiśniewskimi-Nowakami"),
    # an adjective as a surname, as SGJP knows it
    ("Wolni", "Wolnych", "Wolnymi"),
    # typed in capitals
    ("ZAWADZCY", "ZAWADZKICH", "ZAWADZKIMI"),
]

# shapes the rules alone decline as Morfeusz does (a name the dictionary does not know takes them)
RULE_SHAPES = [entry for entry in SURNAMES if entry[0] not in {"Wolni", "Hugo"}]


def test_morfeusz_is_installed_with_its_dictionary():
    assert morfeusz_available()


@pytest.mark.parametrize("name, genitive, instrumental", SURNAMES)
def test_family_names_take_the_genitive_and_instrumental_plural(name, genitive, instrumental):
    forms = family_name_forms(name)
    assert (forms.genitive, forms.instrumental) == (genitive, instrumental)


@pytest.mark.parametrize("name, genitive, instrumental", RULE_SHAPES)
def test_the_rules_decline_the_usual_endings_without_the_dictionary(name, genitive, instrumental):
    forms = family_name_forms(name, use_morfeusz=False)
    assert (forms.genitive, forms.instrumental) == (genitive, instrumental)


def test_at_least_thirty_shapes_are_checked():
    assert len(SURNAMES) >= 30 and len(RULE_SHAPES) >= 30


@pytest.mark.parametrize("name", ["", "   ", None])
def test_no_name_no_forms(name):
    assert family_name_forms(name).genitive == ""


def test_spaces_are_tidied_and_a_particle_stays():
    assert family_name_forms("  Zawadzcy ").genitive == "Zawadzkich"
    assert family_name_forms("de Gaulle").genitive == "de Gaulle"


# --- the person's sex and the words that follow it -------------------------------------------

def test_sex_from_the_pesel_or_else_the_field():
    assert sex_from_pesel("91031441223") == FEMALE      # Anna Zawadzka: the tenth digit is even
    assert sex_from_pesel("88090213717") == MALE        # Tomasz Zawadzki: odd
    assert sex_from_pesel("88090213718") is None        # a wrong checksum says nothing
    assert sex_of({"pesel": None, "sex": "M"}) == MALE
    assert sex_of({"pesel": "91031441223", "sex": "M"}) == FEMALE  # the PESEL wins; the validator reports it
    assert sex_of({"pesel": "", "sex": ""}) is None


@pytest.mark.parametrize("sexes, words", [
    ([FEMALE], {"ja": "Ja", "podpisany": "podpisana", "zamieszkaly": "zamieszkała", "otrzymalem": "otrzymałam",
                "oswiadczam": "oświadczam", "legitymujacy": "legitymująca się", "wdzieczny": "wdzięczna"}),
    ([MALE], {"ja": "Ja", "podpisany": "podpisany", "zamieszkaly": "zamieszkały", "otrzymalem": "otrzymałem",
              "oswiadczam": "oświadczam", "legitymujacy": "legitymujący się", "wdzieczny": "wdzięczny"}),
    ([FEMALE, MALE], {"ja": "My", "podpisany": "podpisani", "otrzymalem": "otrzymaliśmy",
                      "oswiadczam": "oświadczamy", "moich": "naszych"}),
    ([FEMALE, FEMALE], {"ja": "My", "podpisany": "podpisane", "otrzymalem": "otrzymałyśmy",
                        "zamieszkaly": "zamieszkałe"}),
])
def test_words_follow_the_signers(sexes, words):
    got = phrases(sexes)
    assert {key: got[key] for key in words} == words
    assert not any("(" in value for value in got.values())


# --- typography ------------------------------------------------------------------------------

def test_no_one_letter_word_is_left_at_the_end_of_a_line():
    assert bind_short_words("Sąd Rejonowy w Lipowcu Mazurskim") == "Sąd Rejonowy w\u00a0Lipowcu Mazurskim"
    assert bind_short_words("Spółdzielnia „Jutrzenka” w Lipowcu i Okolicach") == \
        "Spółdzielnia „Jutrzenka” w\u00a0Lipowcu i\u00a0Okolicach"
    assert bind_short_words("ul. Kościuszki 5 m. 4\n11-440 Lipowiec") == "ul. Kościuszki 5 m. 4\n11-440 Lipowiec"
    assert bind_short_words("Wydział Z Rodzinny") == "Wydział Z\u00a0Rodzinny"
    assert bind_short_words(None) is None

